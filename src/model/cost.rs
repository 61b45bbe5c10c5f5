//! What each architecture costs to run: the scenario's running costs (per unit of a component,
//! and an architecture's own) and prices per request, by component and architecture index
//! (`compile::cost` fills them in), and the architecture the decision compares the others with.
//!
//! Running costs accrue whatever the state: a unit that is down, or a cold spare idle behind
//! its failover, is paid for all the same (reserved capacity is billed while it waits). A price
//! per request is charged for each request the component answers, which the request walk
//! counts; so an architecture whose routes name a priced component is simulated request by
//! request (see [`Model::request_level`]).

use crate::model::{Architecture, Member, Model};

/// The costs of a scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Costs {
    /// Per component: running cost of one unit, money per year.
    pub running: Vec<f64>,
    /// Per component: money per request it answers (rightly or not).
    pub per_request: Vec<f64>,
    /// Per architecture: its own running cost, money per year.
    pub architecture: Vec<f64>,
    /// The architecture the decision compares every other with (`--baseline`; the first by
    /// default).
    pub baseline: usize,
}

impl Costs {
    /// The fixed cost per year of architecture `arch`: its own, plus every unit of every
    /// component it depends on (through routes, `within` or `requires`).
    pub fn fixed_per_year(&self, model: &Model, arch: usize) -> f64 {
        let used = model.components_of(arch);
        let mut total = self.architecture.get(arch).copied().unwrap_or(0.0);
        for (c, comp) in model.components.iter().enumerate() {
            if used[c] {
                total += self.running.get(c).copied().unwrap_or(0.0) * comp.count as f64;
            }
        }
        total
    }

    /// Whether a route of `arch` names a component with a price per request (requests must then
    /// be walked to know which component answers them).
    pub fn charges_requests(&self, arch: &Architecture) -> bool {
        arch.nodes.iter().flat_map(|n| &n.members).any(|m| match *m {
            Member::Component(c) => self.per_request.get(c).is_some_and(|&p| p > 0.0),
            Member::Node(_) => false,
        })
    }

    /// Whether the scenario has any running cost or price at all.
    pub fn any(&self) -> bool {
        self.running.iter().chain(&self.per_request).chain(&self.architecture).any(|&x| x > 0.0)
    }
}

/// How the decision turns the classes' downtime into hours down of the service: per class, its
/// share of the price of an hour with every class down (its `cost_per_hour_down` over their
/// sum), so that [`downtime_price`] × these hours is the downtime cost. Without any price, each
/// class weighs by its share of the mean request rate (as the SLA's default does).
pub fn downtime_weights(model: &Model) -> Vec<f64> {
    let price = downtime_price(model);
    if price > 0.0 {
        return model.classes.iter().map(|c| c.cost_per_hour_down / price).collect();
    }
    let rate = model.total_rate();
    model.classes.iter().map(|c| if rate > 0.0 { c.rate / rate } else { 0.0 }).collect()
}

/// The scenario's price of an hour with every class down: the sum of the classes'
/// `cost_per_hour_down`.
pub fn downtime_price(model: &Model) -> f64 {
    model.classes.iter().map(|c| c.cost_per_hour_down).sum()
}

/// The index of the architecture named `name`, for `--baseline`; the error says which names
/// there are.
pub fn find_architecture(model: &Model, name: &str) -> Result<usize, String> {
    if let Some(i) = model.architectures.iter().position(|a| a.name == name) {
        return Ok(i);
    }
    let names: Vec<&str> = model.architectures.iter().map(|a| a.name.as_str()).collect();
    let hint = crate::diagnostic::did_you_mean(name, names.iter().copied()).map(|m| format!("did you mean `{m}`? ")).unwrap_or_default();
    Err(format!("--baseline {name}: no architecture named `{name}`\n  = help: {hint}the architectures are {}", names.join(", ")))
}

/// The `--baseline` argument that gives `model`'s baseline, if it is not the default (the first
/// architecture).
pub fn baseline_argument(model: &Model) -> Option<&str> {
    let b = model.costs.baseline;
    (b != 0).then(|| model.architectures.get(b).map(|a| a.name.as_str())).flatten()
}
