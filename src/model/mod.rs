//! The compiled model: what the engine simulates, data only (`crate::compile` builds it). Names
//! are resolved to dense indices, durations are seconds, routes are expanded into one node graph
//! per architecture. Nothing here refers back to the scenario text, so the engine never touches
//! a string.

pub mod cost;
pub mod history;
pub mod metric;

use history::History;

/// Distributions of durations: defined below the scenario, which reads them, and held here as read.
pub use crate::dist;
/// Values the scenario reads complete (they name no other table): the model holds them as read.
pub use crate::scenario::spec::{Breaker, Deploys, Effect, Failover, Process, Surges, TrafficClass, DEFAULT_ATTEMPT_TIMEOUT};

/// A compiled scenario.
#[derive(Clone, Debug)]
pub struct Model {
    /// Scenario name (the `name` key, or the file stem).
    pub name: String,
    /// Scenario description, if given.
    pub description: Option<String>,
    /// Simulated time per replication (seconds).
    pub horizon: f64,
    /// Replications.
    pub replications: u64,
    /// Master seed.
    pub seed: u64,
    /// Confidence level of every interval.
    pub confidence: f64,
    /// Outages shorter than this are blips (seconds).
    pub min_outage: f64,
    /// Components, in source order.
    pub components: Vec<Component>,
    /// Repair crews.
    pub crews: Vec<Crew>,
    /// Traffic classes, in source order.
    pub classes: Vec<TrafficClass>,
    /// Architectures, in source order.
    pub architectures: Vec<Architecture>,
    /// The SLA, if any.
    pub sla: Option<Sla>,
    /// CI checks (`[[slo]]`), evaluated by `relsim check`.
    pub slos: Vec<Slo>,
    /// Components that follow a recorded history instead of being sampled (`relsim replay`;
    /// empty in a normal run).
    pub history: History,
    /// Running costs, prices per request, and the baseline of the decision.
    pub costs: cost::Costs,
}

/// A component: a pool of `count` identical units, up while at least `need` units are up and
/// its `within` and every `requires` are up.
#[derive(Clone, Debug)]
pub struct Component {
    /// Name.
    pub name: String,
    /// Label for reports.
    pub kind: Option<String>,
    /// How each unit fails (at least one process).
    pub processes: Vec<Process>,
    /// Requests per second one unit can serve (`None`: unlimited).
    pub capacity: Option<f64>,
    /// Whether calls to it hang (until the caller's timeout) rather than fail at once when it is down.
    pub hang: bool,
    /// Deploys that can go wrong.
    pub deploys: Option<Deploys>,
    /// Units.
    pub count: u32,
    /// Units needed.
    pub need: u32,
    /// Crew index.
    pub crew: Option<usize>,
    /// Container component index.
    pub within: Option<usize>,
    /// Required component indices.
    pub requires: Vec<usize>,
    /// Grace period on `requires` (seconds).
    pub grace: f64,
}

/// A repair crew.
#[derive(Clone, Debug)]
pub struct Crew {
    /// Name.
    pub name: String,
    /// Repairs at once.
    pub size: u32,
}

/// A member of a route node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    /// A component (index into `Model::components`).
    Component(usize),
    /// Another node of the same architecture (index into `Architecture::nodes`).
    Node(usize),
}

/// How a route node combines its members.
#[derive(Clone, Debug)]
pub enum NodeKind {
    /// Up while at least `need` members are up (`all`: need = n, `any`: need = 1, `k_of_n`).
    Gate {
        /// Members needed.
        need: u32,
    },
    /// Ordered failover.
    Failover(Failover),
    /// Weighted balancing.
    Balance(Balance),
}

/// Weighted balancing with health checks.
#[derive(Clone, Debug)]
pub struct Balance {
    /// Weight of each member (same order as the members).
    pub weights: Vec<f64>,
    /// Time for an unhealthy member to be taken out of rotation (seconds).
    pub health_check: f64,
}

/// One node of an architecture's route graph.
#[derive(Clone, Debug)]
pub struct RouteNode {
    /// The route's name, or `class NAME` for a class's root.
    pub name: String,
    /// How members combine.
    pub kind: NodeKind,
    /// Members in order.
    pub members: Vec<Member>,
}

/// A candidate architecture: a route graph with one root per traffic class. A named route used
/// twice in one architecture is one node (one gateway serving both classes).
#[derive(Clone, Debug)]
pub struct Architecture {
    /// Name.
    pub name: String,
    /// Description, if given.
    pub description: Option<String>,
    /// Route nodes; members always come before the nodes that use them.
    pub nodes: Vec<RouteNode>,
    /// For each traffic class (model order), the index of its root node.
    pub class_roots: Vec<usize>,
}

/// What an SLA measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlaBasis {
    /// One class's availability.
    Class(usize),
    /// All classes' availability weighted by their mean rates.
    AllByRate,
}

/// The SLA.
#[derive(Clone, Debug)]
pub struct Sla {
    /// Availability target per period.
    pub target: f64,
    /// Period length (seconds).
    pub period: f64,
    /// Period name ("month" or "year").
    pub period_name: &'static str,
    /// Fee per period.
    pub fee: f64,
    /// Credit tiers: (below, credit fraction).
    pub credits: Vec<(f64, f64)>,
    /// What is measured.
    pub basis: SlaBasis,
}

impl Sla {
    /// Fraction of the fee credited for a period with availability `a`: the largest credit among
    /// the tiers whose `below` is above `a`.
    pub fn credit_fraction(&self, a: f64) -> f64 {
        self.credits.iter().filter(|(below, _)| a < *below).map(|(_, c)| *c).fold(0.0, f64::max)
    }
}

/// One `[[slo]]` check.
#[derive(Clone, Debug)]
pub struct Slo {
    /// Architecture index.
    pub architecture: usize,
    /// Class index, or `None` for an architecture-level metric.
    pub class: Option<usize>,
    /// The metric bounded.
    pub metric: metric::Metric,
    /// Lower bound.
    pub min: Option<f64>,
    /// Upper bound.
    pub max: Option<f64>,
}

impl Component {
    /// The one plain failure process (effect down), if that is all the component has: the
    /// case the exact methods cover.
    pub fn simple(&self) -> Option<&Process> {
        match self.processes.as_slice() {
            [p] if p.effect == Effect::Down && p.mode.is_none() => Some(p),
            _ => None,
        }
    }

    /// Whether requests to it need request-level simulation (capacity, hanging, failure modes
    /// other than a plain failure, deploys).
    pub fn request_level(&self) -> bool {
        self.capacity.is_some() || self.hang || self.deploys.is_some() || self.simple().is_none()
    }
}

impl Architecture {
    /// Whether some failover of this architecture is a cold standby (its component histories
    /// then depend on the architecture, so it is simulated in its own event loop).
    pub fn has_cold_standby(&self) -> bool {
        self.nodes.iter().any(|n| matches!(&n.kind, NodeKind::Failover(f) if f.cold))
    }
}

impl Model {
    /// Components that node `root` of architecture `arch` depends on: the members of its route,
    /// recursively, and what they are `within` or `require`.
    pub fn components_under(&self, arch: usize, roots: &[usize]) -> Vec<bool> {
        let a = &self.architectures[arch];
        let mut used = vec![false; self.components.len()];
        let mut seen_nodes = vec![false; a.nodes.len()];
        let mut nodes: Vec<usize> = roots.to_vec();
        let mut comps = Vec::new();
        while let Some(n) = nodes.pop() {
            if std::mem::replace(&mut seen_nodes[n], true) {
                continue;
            }
            for m in &a.nodes[n].members {
                match *m {
                    Member::Node(k) => nodes.push(k),
                    Member::Component(c) => comps.push(c),
                }
            }
        }
        while let Some(c) = comps.pop() {
            if std::mem::replace(&mut used[c], true) {
                continue;
            }
            let comp = &self.components[c];
            comps.extend(comp.within.iter().copied().chain(comp.requires.iter().copied()));
        }
        used
    }

    /// Components architecture `arch` depends on (any class).
    pub fn components_of(&self, arch: usize) -> Vec<bool> {
        self.components_under(arch, &self.architectures[arch].class_roots)
    }

    /// Components class `class` of architecture `arch` depends on, in model order.
    pub fn components_of_class(&self, arch: usize, class: usize) -> Vec<usize> {
        let used = self.components_under(arch, &[self.architectures[arch].class_roots[class]]);
        (0..used.len()).filter(|&c| used[c]).collect()
    }

    /// Total mean request rate over all classes.
    pub fn total_rate(&self) -> f64 {
        self.classes.iter().map(|c| c.rate).sum()
    }

    /// Whether architecture `arch` needs request-level simulation: a route with retries,
    /// timeouts, breakers or balancing, a component with capacity, hanging, failure modes or
    /// deploys, or a price per request on a component its routes name (the bill follows the
    /// requests each component answers), or a class with surges, a deadline or a cost per
    /// failed request.
    pub fn request_level(&self, arch: usize) -> bool {
        let a = &self.architectures[arch];
        let routes = a.nodes.iter().any(|n| match &n.kind {
            NodeKind::Failover(f) => f.request_level(),
            NodeKind::Balance(_) => true,
            NodeKind::Gate { .. } => false,
        });
        let used = self.components_of(arch);
        let comps = self.components.iter().zip(&used).any(|(c, &u)| u && c.request_level());
        let classes = self.classes.iter().any(|c| c.surges.is_some() || c.timeout.is_some() || c.cost_per_failed_request > 0.0);
        routes || comps || classes || self.costs.charges_requests(a)
    }
}
