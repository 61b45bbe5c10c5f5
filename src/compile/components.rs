//! Components: `within`, `requires` and `crew` resolved to indices, dependency cycles refused,
//! and the warnings about components no architecture uses.

use crate::compile::{unknown_help, Names};
use crate::diagnostic::Origin;
use crate::model::Component;
use crate::scenario::reader::Ctx;
use crate::scenario::spec::{Name, Scenario};

/// Every component of `sc` with its references resolved (an unknown name is an error and
/// leaves the reference out), then the dependency cycles checked.
pub(super) fn compile(ctx: &mut Ctx, sc: &Scenario, names: &Names<'_>) -> Vec<Component> {
    let comp_names: Vec<&str> = sc.components.iter().map(|c| c.name.text.as_str()).collect();
    let mut components = Vec::with_capacity(sc.components.len());
    for c in &sc.components {
        let path = format!("components.{}", c.name.text);
        let within = c.within.as_ref().and_then(|w| resolve_component(ctx, &names.component, &comp_names, w, &format!("{path}.within")));
        let mut requires = Vec::with_capacity(c.requires.len());
        for r in &c.requires {
            if let Some(i) = resolve_component(ctx, &names.component, &comp_names, r, &format!("{path}.requires")) {
                if requires.contains(&i) {
                    ctx.error(&r.origin, format!("{path}.requires: `{}` is listed twice", r.text), "list each component once");
                }
                requires.push(i);
            }
        }
        let crew = c.crew.as_ref().and_then(|k| match names.crew.get(k.text.as_str()) {
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
    components
}

/// Warns about components no architecture uses (they are not simulated) and about a capacity
/// on a component no route sends requests to. `routed`: components named in some route.
pub(super) fn warn_unused(ctx: &mut Ctx, sc: &Scenario, components: &[Component], routed: &[bool]) {
    // After an error, a reference that did not resolve (or a route too deep to expand) may be
    // all that makes something look unused: say nothing rather than something false.
    let certain = !ctx.diags.has_errors();
    let mut comp_used = routed.to_vec();
    mark_dependencies(components, &mut comp_used);
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
}

fn resolve_component(ctx: &mut Ctx, index: &std::collections::HashMap<&str, usize>, names: &[&str], name: &Name, path: &str) -> Option<usize> {
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

/// Marks every component that a used component depends on as used (it is simulated).
pub(super) fn mark_dependencies(comps: &[Component], used: &mut [bool]) {
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
