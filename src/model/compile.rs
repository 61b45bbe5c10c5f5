//! From the scenario as written to the model the engine runs: resolve every name (with a
//! "did you mean" when one is unknown), reject dependency and route cycles, and expand each
//! architecture's routes into a node graph whose members come before their users.

use std::collections::HashMap;

use crate::diagnostic::{did_you_mean, Origin};
use crate::model::{
    Architecture, Balance, Component, Crew, Failover, Member, Model, NodeKind, RouteNode, Sla, SlaBasis, Slo, TrafficClass,
    ARCHITECTURE_METRICS, CLASS_METRICS, DECISION_METRICS, FRACTION_METRICS, METRICS_WITHOUT_INTERVAL,
};
use crate::scenario::reader::Ctx;
use crate::scenario::spec::{Name, Period, RouteForm, RouteSpec, Scenario};
use crate::scenario::units::YEAR;

/// Compiles a scenario. `default_name` is used when the scenario has no `name` key.
/// Returns `None` if an error was recorded in `ctx`.
pub fn compile(ctx: &mut Ctx, sc: &Scenario, default_name: &str) -> Option<Model> {
    let comp_index: HashMap<&str, usize> = sc.components.iter().enumerate().map(|(i, c)| (c.name.text.as_str(), i)).collect();
    let route_index: HashMap<&str, usize> = sc.routes.iter().enumerate().map(|(i, r)| (r.name.text.as_str(), i)).collect();
    let crew_index: HashMap<&str, usize> = sc.crews.iter().enumerate().map(|(i, c)| (c.name.text.as_str(), i)).collect();
    let class_index: HashMap<&str, usize> = sc.classes.iter().enumerate().map(|(i, c)| (c.name.text.as_str(), i)).collect();

    for r in &sc.routes {
        if comp_index.contains_key(r.name.text.as_str()) {
            ctx.error(
                &r.name.origin,
                format!("routes.{0}: `{0}` is also a component; members refer to either by name, so names must differ", r.name.text),
                "rename the route, for example to \"{}-route\"".replace("{}", &r.name.text),
            );
        }
    }

    let comp_names: Vec<&str> = sc.components.iter().map(|c| c.name.text.as_str()).collect();
    let mut components = Vec::with_capacity(sc.components.len());
    for c in &sc.components {
        let path = format!("components.{}", c.name.text);
        let within = c.within.as_ref().and_then(|w| resolve_component(ctx, &comp_index, &comp_names, w, &format!("{path}.within")));
        let mut requires = Vec::with_capacity(c.requires.len());
        for r in &c.requires {
            if let Some(i) = resolve_component(ctx, &comp_index, &comp_names, r, &format!("{path}.requires")) {
                if requires.contains(&i) {
                    ctx.error(&r.origin, format!("{path}.requires: `{}` is listed twice", r.text), "list each component once");
                }
                requires.push(i);
            }
        }
        let crew = c.crew.as_ref().and_then(|k| match crew_index.get(k.text.as_str()) {
            Some(&i) => Some(i),
            None => {
                let names: Vec<&str> = sc.crews.iter().map(|c| c.name.text.as_str()).collect();
                ctx.error(&k.origin, format!("{path}.crew: no crew named `{}`", k.text), unknown_help(&k.text, &names, "crews", "[crews.ops]\nsize = 1"));
                None
            }
        });
        components.push(Component {
            name: c.name.text.clone(),
            kind: c.kind.clone(),
            processes: c.processes.clone(),
            capacity: c.capacity,
            hang: c.hang,
            deploys: c.deploys.clone(),
            count: c.count,
            need: c.need,
            crew,
            within,
            requires,
            grace: c.grace,
        });
    }
    check_dependency_cycles(ctx, sc, &components);

    let classes: Vec<TrafficClass> = sc
        .classes
        .iter()
        .map(|c| TrafficClass {
            name: c.name.text.clone(),
            rate: c.rate,
            profile: c.profile,
            cost_per_hour_down: c.cost_per_hour_down,
            timeout: c.timeout,
            cost_per_failed_request: c.cost_per_failed_request,
            surges: c.surges.clone(),
        })
        .collect();

    let mut route_used = vec![false; sc.routes.len()];
    let mut comp_used = vec![false; sc.components.len()];
    let mut architectures = Vec::with_capacity(sc.architectures.len());
    for a in &sc.architectures {
        let mut b = ArchBuilder {
            sc,
            comp_index: &comp_index,
            route_index: &route_index,
            nodes: Vec::new(),
            route_node: vec![None; sc.routes.len()],
            stack: Vec::new(),
            route_used: &mut route_used,
            comp_used: &mut comp_used,
        };
        let mut class_roots = vec![usize::MAX; classes.len()];
        let class_names: Vec<&str> = classes.iter().map(|c| c.name.as_str()).collect();
        for (class, members) in &a.routes {
            let path = format!("architectures.{}.{}", a.name.text, class.text);
            let Some(&ci) = class_index.get(class.text.as_str()) else {
                ctx.error(
                    &class.origin,
                    format!("architectures.{}: `{}` is not a traffic class", a.name.text, class.text),
                    unknown_help(&class.text, &class_names, "traffic classes", "[traffic.NAME] with rate = \"100/s\""),
                );
                continue;
            };
            let resolved = b.members(ctx, members, &path);
            if let Some(ms) = resolved {
                b.nodes.push(RouteNode { name: format!("class {}", class.text), kind: NodeKind::Gate { need: ms.len() as u32 }, members: ms });
                class_roots[ci] = b.nodes.len() - 1;
            }
        }
        for (ci, root) in class_roots.iter().enumerate() {
            if *root == usize::MAX && !a.routes.iter().any(|(c, _)| c.text == classes[ci].name) {
                ctx.error(
                    &a.name.origin,
                    format!("architectures.{}: no route for traffic class `{}`", a.name.text, classes[ci].name),
                    format!("add {} = [ ...components or routes... ] to [architectures.{}]", classes[ci].name, a.name.text),
                );
            }
        }
        let nodes = std::mem::take(&mut b.nodes);
        check_cold_members(ctx, sc, &a.name.text, &nodes, &components);
        check_hang_deadlines(ctx, sc, &a.name.text, &nodes, &class_roots, &components);
        architectures.push(Architecture { name: a.name.text.clone(), description: a.description.clone(), nodes, class_roots });
    }

    // After an error, a reference that did not resolve (or a route too deep to expand) may be
    // all that makes something look unused: say nothing rather than something false.
    let certain = !ctx.diags.has_errors();
    for (i, r) in sc.routes.iter().enumerate() {
        if certain && !route_used[i] {
            ctx.warning(&r.name.origin, format!("routes.{}: not used by any architecture", r.name.text), "use it in an architecture or remove it");
        }
    }
    // Requests reach only the components named in routes; `requires` and `within` are
    // dependencies of state, not paths of requests.
    let routed = comp_used.clone();
    mark_dependencies(&components, &mut comp_used);
    for (i, c) in sc.components.iter().enumerate() {
        if certain && !comp_used[i] {
            ctx.warning(&c.name.origin, format!("components.{}: not used by any architecture", c.name.text), "it is not simulated; use it in a route or remove it");
        } else if !routed[i] && c.capacity.is_some() {
            ctx.warning(
                &c.name.origin,
                format!("components.{}: its capacity has no effect: no route sends requests to it (others only need it through `requires` or `within`)", c.name.text),
                format!("name it in the route whose requests it serves, for example all = [\"service\", \"{}\"]", c.name.text),
            );
        }
    }

    let sla = sc.sla.as_ref().and_then(|s| {
        let basis = match &s.class {
            None => SlaBasis::AllByRate,
            Some(k) => match class_index.get(k.text.as_str()) {
                Some(&i) => SlaBasis::Class(i),
                None => {
                    let names: Vec<&str> = classes.iter().map(|c| c.name.as_str()).collect();
                    ctx.error(&k.origin, format!("sla.class: `{}` is not a traffic class", k.text), unknown_help(&k.text, &names, "traffic classes", ""));
                    return None;
                }
            },
        };
        let (period, period_name) = match s.period {
            Period::Month => (YEAR / 12.0, "month"),
            Period::Year => (YEAR, "year"),
        };
        if sc.simulation.horizon < period {
            ctx.error(
                &sc.simulation_origin,
                format!("simulation.horizon is shorter than one SLA period ({period_name}), so no period can be judged"),
                format!("make the horizon at least one {period_name}, or write period = \"month\" in [sla]"),
            );
            return None;
        }
        let periods = sc.simulation.horizon / period;
        let cells = periods * (sc.architectures.len() * sc.classes.len()) as f64;
        if cells > MAX_PERIOD_CELLS {
            ctx.error(
                &s.origin,
                format!("sla: the horizon holds {periods:.0} {period_name}s; tracking them for every architecture and class needs too much memory"),
                "shorten simulation.horizon (a year or a few years is plenty per replication) and add replications instead",
            );
            return None;
        }
        if (periods - periods.round()).abs() > 1e-9 {
            ctx.warning(
                &s.origin,
                format!("sla: the horizon holds {periods:.2} {period_name}s; only the {} complete ones are judged", periods.floor()),
                format!("make the horizon a whole number of {period_name}s"),
            );
        }
        Some(Sla { target: s.target, period, period_name, fee: s.fee, credits: s.credits.clone(), basis })
    });

    let arch_names: Vec<&str> = sc.architectures.iter().map(|a| a.name.text.as_str()).collect();
    let mut slos = Vec::with_capacity(sc.slos.len());
    for (i, s) in sc.slos.iter().enumerate() {
        let path = format!("slo[{i}]");
        let Some(ai) = arch_names.iter().position(|n| *n == s.architecture.text) else {
            ctx.error(&s.architecture.origin, format!("{path}.architecture: no architecture named `{}`", s.architecture.text), unknown_help(&s.architecture.text, &arch_names, "architectures", ""));
            continue;
        };
        let class = match &s.class {
            None => None,
            Some(k) => match class_index.get(k.text.as_str()) {
                Some(&ci) => Some(ci),
                None => {
                    let names: Vec<&str> = classes.iter().map(|c| c.name.as_str()).collect();
                    ctx.error(&k.origin, format!("{path}.class: `{}` is not a traffic class", k.text), unknown_help(&k.text, &names, "traffic classes", ""));
                    continue;
                }
            },
        };
        let allowed: Vec<&str> = if class.is_some() { CLASS_METRICS.to_vec() } else { ARCHITECTURE_METRICS.iter().chain(DECISION_METRICS).copied().collect() };
        if !allowed.contains(&s.metric.text.as_str()) {
            let scope = if class.is_some() { "per class" } else { "per architecture (no `class`)" };
            let help = match did_you_mean(&s.metric.text, allowed.iter().copied()) {
                Some(m) => format!("did you mean `{m}`? Metrics {scope}: {}", allowed.join(", ")),
                None => format!("metrics {scope}: {}", allowed.join(", ")),
            };
            ctx.error(&s.metric.origin, format!("{path}.metric: `{}` is not a metric {scope}", s.metric.text), help);
            continue;
        }
        let metric = s.metric.text.as_str();
        if metric.starts_with("sla_") && sc.sla.is_none() {
            ctx.error(&s.metric.origin, format!("{path}.metric: `{metric}` needs an [sla] table, and this file has none"), "add [sla] with target = 0.999, or check availability instead");
            continue;
        }
        if FRACTION_METRICS.contains(&metric) {
            let mut bad = false;
            for (key, bound, origin) in [("min", s.min, &s.min_origin), ("max", s.max, &s.max_origin)] {
                let (Some(v), Some(at)) = (bound, origin) else { continue };
                if !(0.0..=1.0).contains(&v) {
                    let help = if v > 1.0 && v <= 100.0 { format!("write {key} = {} for {v}%", tidy(v / 100.0)) } else { format!("write a fraction, for example {key} = 0.999") };
                    ctx.error(at, format!("{path}.{key}: `{metric}` is a fraction from 0 to 1; {v} is outside"), help);
                    bad = true;
                }
            }
            if bad {
                continue;
            }
        }
        if METRICS_WITHOUT_INTERVAL.contains(&metric) {
            let mean = metric.split('.').next().unwrap_or(metric);
            ctx.warning(
                &s.metric.origin,
                format!("{path}.metric: `{metric}` is a point value without a confidence interval, so `relsim check` cannot judge it and counts it as breached"),
                format!("bound the mean instead: metric = \"{mean}\""),
            );
        }
        slos.push(Slo { architecture: ai, class, metric: s.metric.text.clone(), min: s.min, max: s.max });
    }

    if ctx.diags.has_errors() {
        return None;
    }
    let costs = crate::model::cost::compile(ctx, sc, &components, &architectures);
    let crews = sc.crews.iter().map(|c| Crew { name: c.name.text.clone(), size: c.size }).collect();
    Some(Model {
        name: sc.name.clone().unwrap_or_else(|| default_name.to_string()),
        description: sc.description.clone(),
        horizon: sc.simulation.horizon,
        replications: sc.simulation.replications,
        seed: sc.simulation.seed,
        confidence: sc.simulation.confidence,
        min_outage: sc.simulation.min_outage,
        components,
        crews,
        classes,
        architectures,
        sla,
        slos,
        history: Default::default(),
        costs,
    })
}

fn unknown_help(word: &str, names: &[&str], what: &str, example: &str) -> String {
    match did_you_mean(word, names.iter().copied()) {
        Some(m) => format!("did you mean `{m}`?"),
        None if names.is_empty() => format!("there are no {what}; define one, for example {example}"),
        None => format!("{what} defined: {}", names.join(", ")),
    }
}

fn resolve_component(ctx: &mut Ctx, index: &HashMap<&str, usize>, names: &[&str], name: &Name, path: &str) -> Option<usize> {
    match index.get(name.text.as_str()) {
        Some(&i) => Some(i),
        None => {
            ctx.error(&name.origin, format!("{path}: no component named `{}`", name.text), unknown_help(&name.text, names, "components", ""));
            None
        }
    }
}

/// Rejects cycles in `within` and `requires`, naming the cycle at the edge that closes it.
/// Depth-first search with an explicit stack, so a long dependency chain cannot overflow the
/// call stack.
fn check_dependency_cycles(ctx: &mut Ctx, sc: &Scenario, comps: &[Component]) {
    // Dependencies of a component with their position: usize::MAX = within, else the index
    // into requires.
    fn deps(c: &Component) -> Vec<(usize, usize)> {
        c.within.map(|w| (w, usize::MAX)).into_iter().chain(c.requires.iter().enumerate().map(|(k, &r)| (r, k))).collect()
    }
    // 0 = unvisited, 1 = on the path, 2 = done.
    let mut state = vec![0u8; comps.len()];
    let mut found: Vec<(Vec<usize>, usize, usize)> = Vec::new();
    for root in 0..comps.len() {
        if state[root] != 0 {
            continue;
        }
        // Path of (component, its dependencies, next dependency to look at).
        type Frame = (usize, Vec<(usize, usize)>, usize);
        let mut path: Vec<Frame> = vec![(root, deps(&comps[root]), 0)];
        state[root] = 1;
        while let Some((node, ds, next)) = path.last_mut() {
            let node = *node;
            if *next == ds.len() {
                state[node] = 2;
                path.pop();
                continue;
            }
            let (d, pos) = ds[*next];
            *next += 1;
            if state[d] == 1 {
                let start = path.iter().position(|(p, _, _)| *p == d).unwrap_or(0);
                found.push((path[start..].iter().map(|(p, _, _)| *p).collect(), node, pos));
            } else if state[d] == 0 {
                state[d] = 1;
                path.push((d, deps(&comps[d]), 0));
            }
        }
    }
    for (cycle, from, pos) in found {
        let mut names: Vec<&str> = cycle.iter().map(|&i| comps[i].name.as_str()).collect();
        names.push(comps[cycle[0]].name.as_str());
        let spec = &sc.components[from];
        let origin: Origin = if pos == usize::MAX {
            spec.within.as_ref().map(|w| w.origin.clone()).unwrap_or_else(|| spec.name.origin.clone())
        } else {
            spec.requires.get(pos).map(|r| r.origin.clone()).unwrap_or_else(|| spec.name.origin.clone())
        };
        ctx.error(
            &origin,
            format!("components.{}: dependency cycle {}", spec.name.text, names.join(" -> ")),
            "within and requires must form an acyclic graph; remove one of these dependencies",
        );
    }
}

/// A cold standby member's history depends on its route (it does not fail while another member
/// serves), so within its architecture nothing else may use it: no other route, no class, and no
/// component through `within` or `requires`.
fn check_cold_members(ctx: &mut Ctx, sc: &Scenario, arch: &str, nodes: &[RouteNode], comps: &[Component]) {
    let mut used = vec![false; comps.len()];
    for n in nodes {
        for m in &n.members {
            if let Member::Component(c) = *m {
                used[c] = true;
            }
        }
    }
    mark_dependencies(comps, &mut used);
    for (ni, n) in nodes.iter().enumerate() {
        let NodeKind::Failover(f) = &n.kind else { continue };
        if !f.cold {
            continue;
        }
        let spec = sc.routes.iter().find(|r| r.name.text == n.name);
        for (pos, m) in n.members.iter().enumerate() {
            let Member::Component(c) = *m else { continue };
            let origin = spec.and_then(|r| r.members.get(pos)).map(|x| x.origin.clone());
            let elsewhere = nodes.iter().enumerate().any(|(nj, other)| nj != ni && other.members.contains(m));
            let dependents: Vec<&str> = comps
                .iter()
                .enumerate()
                .filter(|(x, d)| used[*x] && (d.within == Some(c) || d.requires.contains(&c)))
                .map(|(_, d)| d.name.as_str())
                .collect();
            let problem = if elsewhere {
                Some(format!("architecture `{arch}` also uses `{}` outside this route", comps[c].name))
            } else if !dependents.is_empty() {
                Some(format!("`{}` depends on it in architecture `{arch}`", dependents.join("`, `")))
            } else {
                None
            };
            if let (Some(problem), Some(origin)) = (problem, origin) {
                ctx.error(
                    &origin,
                    format!("routes.{}: `{}` is a cold standby member, whose history depends on this route, but {problem}", n.name, comps[c].name),
                    "use a separate component for the cold spare, or write standby = \"hot\"",
                );
            }
        }
    }
}

/// A component that hangs when down, called by a class outside any failover (whose attempts
/// have a timeout), leaves the request waiting for the caller's deadline: the class needs one.
/// (Only components a route calls count: dependencies make a component down, and the
/// component's own `fails` says how its callers see that.)
fn check_hang_deadlines(ctx: &mut Ctx, sc: &Scenario, arch: &str, nodes: &[RouteNode], roots: &[usize], comps: &[Component]) {
    for (ci, &root) in roots.iter().enumerate() {
        if root == usize::MAX || sc.classes[ci].timeout.is_some() {
            continue;
        }
        let mut stack = vec![root];
        let mut seen = vec![false; nodes.len()];
        let mut culprit = None;
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut seen[n], true) || matches!(nodes[n].kind, NodeKind::Failover(_)) && n != root {
                continue;
            }
            for m in &nodes[n].members {
                match *m {
                    Member::Node(k) => stack.push(k),
                    Member::Component(c) => {
                        if comps[c].hang && culprit.is_none() {
                            culprit = Some(c);
                        }
                    }
                }
            }
        }
        if let Some(c) = culprit {
            let class = &sc.classes[ci];
            let origin = sc.components[c].hang_origin.clone().unwrap_or_else(|| class.name.origin.clone());
            ctx.error(
                &origin,
                format!(
                    "components.{}: hangs when down, and in architecture `{arch}` class `{}` reaches it outside any failover, so its requests would wait forever",
                    comps[c].name, class.name.text
                ),
                format!("give [traffic.{}] a deadline, for example timeout = \"60s\"", class.name.text),
            );
        }
    }
}

/// Marks every component that a used component depends on as used (it is simulated).
fn mark_dependencies(comps: &[Component], used: &mut [bool]) {
    let mut stack: Vec<usize> = (0..comps.len()).filter(|&i| used[i]).collect();
    while let Some(i) = stack.pop() {
        for d in comps[i].within.into_iter().chain(comps[i].requires.iter().copied()) {
            if !used[d] {
                used[d] = true;
                stack.push(d);
            }
        }
    }
}

/// How deep routes may nest (routes naming routes naming routes ...).
const MAX_ROUTE_DEPTH: usize = 256;

/// Most SLA periods × accounts a run may track (memory per worker thread).
const MAX_PERIOD_CELLS: f64 = 1e7;

/// Expands one architecture's routes into nodes.
struct ArchBuilder<'a> {
    sc: &'a Scenario,
    comp_index: &'a HashMap<&'a str, usize>,
    route_index: &'a HashMap<&'a str, usize>,
    nodes: Vec<RouteNode>,
    /// Node of each named route in this architecture, once built.
    route_node: Vec<Option<usize>>,
    /// Routes being expanded (for cycle detection).
    stack: Vec<usize>,
    route_used: &'a mut [bool],
    comp_used: &'a mut [bool],
}

impl ArchBuilder<'_> {
    fn members(&mut self, ctx: &mut Ctx, names: &[Name], path: &str) -> Option<Vec<Member>> {
        let mut out = Vec::with_capacity(names.len());
        let mut ok = true;
        for n in names {
            match self.member(ctx, n, path) {
                Some(m) if out.contains(&m) => {
                    ctx.error(&n.origin, format!("{path}: `{}` is listed twice", n.text), "list each member once");
                    ok = false;
                }
                Some(m) => out.push(m),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn member(&mut self, ctx: &mut Ctx, name: &Name, path: &str) -> Option<Member> {
        if let Some(&c) = self.comp_index.get(name.text.as_str()) {
            self.comp_used[c] = true;
            return Some(Member::Component(c));
        }
        let Some(&r) = self.route_index.get(name.text.as_str()) else {
            let all: Vec<&str> = self.sc.components.iter().map(|c| c.name.text.as_str()).chain(self.sc.routes.iter().map(|r| r.name.text.as_str())).collect();
            ctx.error(
                &name.origin,
                format!("{path}: `{}` is neither a component nor a route", name.text),
                unknown_help(&name.text, &all, "components and routes", ""),
            );
            return None;
        };
        self.route_used[r] = true;
        if let Some(n) = self.route_node[r] {
            return Some(Member::Node(n));
        }
        if self.stack.len() >= MAX_ROUTE_DEPTH {
            ctx.error(&name.origin, format!("{path}: routes are nested more than {MAX_ROUTE_DEPTH} deep"), "flatten the routes");
            // The routes below are used, only too deep to expand: no "not used" warnings.
            self.mark_used_below(r);
            return None;
        }
        if let Some(start) = self.stack.iter().position(|&s| s == r) {
            let mut cycle: Vec<&str> = self.stack[start..].iter().map(|&i| self.sc.routes[i].name.text.as_str()).collect();
            cycle.push(&self.sc.routes[r].name.text);
            ctx.error(&name.origin, format!("{path}: route cycle {}", cycle.join(" -> ")), "a route cannot contain itself, directly or through other routes");
            return None;
        }
        self.stack.push(r);
        let node = self.build_route(ctx, &self.sc.routes[r]);
        self.stack.pop();
        let node = node?;
        self.nodes.push(node);
        let idx = self.nodes.len() - 1;
        self.route_node[r] = Some(idx);
        Some(Member::Node(idx))
    }

    /// Marks route `r` and every route and component it names, directly or through other
    /// routes, as used (iteratively: the nesting may be deep).
    fn mark_used_below(&mut self, r: usize) {
        let mut stack = vec![r];
        while let Some(r) = stack.pop() {
            for m in &self.sc.routes[r].members {
                if let Some(&c) = self.comp_index.get(m.text.as_str()) {
                    self.comp_used[c] = true;
                } else if let Some(&k) = self.route_index.get(m.text.as_str()) {
                    if !std::mem::replace(&mut self.route_used[k], true) {
                        stack.push(k);
                    }
                }
            }
        }
    }

    fn build_route(&mut self, ctx: &mut Ctx, r: &RouteSpec) -> Option<RouteNode> {
        let path = format!("routes.{}", r.name.text);
        let members = self.members(ctx, &r.members, &path)?;
        let n = members.len() as u32;
        let kind = match &r.form {
            RouteForm::All => NodeKind::Gate { need: n },
            RouteForm::Any => NodeKind::Gate { need: 1 },
            RouteForm::KOfN { need, need_origin } => {
                if *need > n {
                    ctx.error(need_origin, format!("{path}.k_of_n.need: {need} is more than the {n} members"), format!("write need between 1 and {n}"));
                    return None;
                }
                NodeKind::Gate { need: *need }
            }
            RouteForm::Failover(f) => {
                if f.cold {
                    for (m, name) in members.iter().zip(&r.members) {
                        if let Member::Node(_) = m {
                            ctx.error(
                                &name.origin,
                                format!("{path}: `{}` is a route; a cold standby's members must be components", name.text),
                                "list the components themselves, or write standby = \"hot\"",
                            );
                            return None;
                        }
                    }
                }
                NodeKind::Failover(Failover {
                    switchover: f.switchover,
                    switch_success: f.switch_success,
                    failback: f.failback,
                    cold: f.cold,
                    retries: f.retries,
                    timeout: f.timeout,
                    breaker: f.breaker,
                })
            }
            RouteForm::Balance(bs) => NodeKind::Balance(Balance {
                weights: bs.weights.clone().unwrap_or_else(|| vec![1.0; members.len()]),
                health_check: bs.health_check,
            }),
        };
        Some(RouteNode { name: r.name.text.clone(), kind, members })
    }
}

/// A number with at most 10 decimals and no trailing zeros (`0.9995`, not `0.9994999999999999`).
fn tidy(x: f64) -> String {
    let s = format!("{x:.10}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
