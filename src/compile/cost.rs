//! The scenario's running costs and prices per request, by component and architecture index
//! ([`Costs`]), and the warning for a price no route can charge.

use crate::compile::components::mark_dependencies;
use crate::model::cost::Costs;
use crate::model::{Architecture, Component, Member};
use crate::scenario::reader::Ctx;
use crate::scenario::spec::Scenario;

/// Resolves the costs of `sc` against its compiled `components` and `architectures`, and warns
/// about a price per request on a component that no route sends requests to (it could never be
/// charged; a running cost there is fine: the component runs for the architecture).
pub(super) fn compile(ctx: &mut Ctx, sc: &Scenario, components: &[Component], architectures: &[Architecture]) -> Costs {
    let n = components.len();
    let mut routed = vec![false; n];
    for m in architectures.iter().flat_map(|a| &a.nodes).flat_map(|node| &node.members) {
        if let Member::Component(c) = *m {
            routed[c] = true;
        }
    }
    // Components reached only through `within` or `requires`: simulated, but never asked.
    let mut used = routed.clone();
    mark_dependencies(components, &mut used);
    for (c, spec) in sc.components.iter().enumerate() {
        let Some(price) = spec.costs.per_request.as_ref().filter(|p| p.value > 0.0) else { continue };
        if used[c] && !routed[c] {
            ctx.warning(
                &price.origin,
                format!("components.{}: its cost_per_request is never charged: no route sends requests to it (others only need it through `requires` or `within`)", spec.name.text),
                format!("name it in the route whose requests it answers, for example all = [\"service\", \"{}\"], or remove cost_per_request", spec.name.text),
            );
        }
    }
    Costs {
        running: sc.components.iter().map(|c| c.costs.running.as_ref().map_or(0.0, |m| m.value)).collect(),
        per_request: sc.components.iter().map(|c| c.costs.per_request.as_ref().map_or(0.0, |m| m.value)).collect(),
        architecture: sc.architectures.iter().map(|a| a.running_cost.as_ref().map_or(0.0, |m| m.value)).collect(),
        baseline: 0,
    }
}
