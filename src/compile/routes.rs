//! Architectures: each one's routes expanded into a node graph (one node per named route per
//! architecture, members before their users, route cycles and too-deep nesting refused), one
//! root per class, and the checks that depend on the graph (cold standby members used
//! elsewhere, hanging components without a deadline).

use std::collections::HashMap;

use crate::compile::components::mark_dependencies;
use crate::compile::{unknown_help, Names};
use crate::model::{Architecture, Balance, Component, Member, NodeKind, RouteNode, TrafficClass};
use crate::scenario::reader::Ctx;
use crate::scenario::spec::{Name, RouteForm, RouteSpec, Scenario};

/// Every architecture of `sc`, and which components some route names (for the warnings about
/// unused components).
pub(super) fn compile(ctx: &mut Ctx, sc: &Scenario, names: &Names<'_>, components: &[Component], classes: &[TrafficClass]) -> (Vec<Architecture>, Vec<bool>) {
    let mut route_used = vec![false; sc.routes.len()];
    let mut comp_used = vec![false; sc.components.len()];
    let mut architectures = Vec::with_capacity(sc.architectures.len());
    for a in &sc.architectures {
        let mut b = ArchBuilder {
            sc,
            comp_index: &names.component,
            route_index: &names.route,
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
            let Some(&ci) = names.class.get(class.text.as_str()) else {
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
        check_cold_members(ctx, sc, &a.name.text, &nodes, components);
        check_hang_deadlines(ctx, sc, &a.name.text, &nodes, &class_roots, components);
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
    (architectures, comp_used)
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
        if root == usize::MAX || sc.classes[ci].class.timeout.is_some() {
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
            let origin = sc.components[c].hang_origin.clone().unwrap_or_else(|| class.origin.clone());
            ctx.error(
                &origin,
                format!(
                    "components.{}: hangs when down, and in architecture `{arch}` class `{}` reaches it outside any failover, so its requests would wait forever",
                    comps[c].name, class.class.name
                ),
                format!("give [traffic.{}] a deadline, for example timeout = \"60s\"", class.class.name),
            );
        }
    }
}

/// How deep routes may nest (routes naming routes naming routes ...).
const MAX_ROUTE_DEPTH: usize = 256;

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
                NodeKind::Failover(f.clone())
            }
            RouteForm::Balance(bs) => NodeKind::Balance(Balance {
                weights: bs.weights.clone().unwrap_or_else(|| vec![1.0; members.len()]),
                health_check: bs.health_check,
            }),
        };
        Some(RouteNode { name: r.name.text.clone(), kind, members })
    }
}

