//! The engine's static view of a model, built once per run: flat arrays indexed by process,
//! unit, component, dependency edge, route node, breaker and so on, so the event loop follows
//! indices and never looks anything up by name.
//!
//! A plan covers one *world*: a set of architectures evaluated in the same event loop over the
//! same component history (common random numbers). Architectures whose component histories
//! differ (a cold standby, or a crew that repairs different components for them) are in
//! different worlds. See [`worlds`].
//!
//! Every thing that can have a pending event owns one fixed timer slot; [`Slot`] says which.

use crate::model::dist::Dist;
use crate::model::{Breaker, Effect, Model};

mod build;

/// Marks a node index (versus a component index) in an encoded member.
pub const NODE_BIT: u32 = 1 << 31;
/// "No index".
pub const NONE: u32 = u32::MAX;

/// What a timer slot is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// A failure process's next transition.
    Process(usize),
    /// A grace period expiring on a dependency edge (the edge index).
    Grace(usize),
    /// A failover's switch-over completing.
    Switch(usize),
    /// A component's next deploy or rollback (deploy index).
    Deploy(usize),
    /// A class's surge starting or ending (surge index).
    Surge(usize),
    /// A balance member leaving the rotation (balance member index).
    Health(usize),
    /// A circuit breaker's next event (breaker index).
    Breaker(usize),
    /// The next hour boundary (the daily profile changes the rate).
    Tick,
    /// The next request of a class (per-request mode).
    Arrival(usize),
    /// A traced component's next recorded transition (index into `Plan::replayed`).
    Replay(usize),
}

/// A dependency edge: while `from` is down, `to` is blocked (after `grace`, if any).
#[derive(Clone, Copy, Debug)]
pub struct Edge {
    /// The component depended on.
    pub from: u32,
    /// The dependent component.
    pub to: u32,
    /// Grace period in seconds (0 for `within` and for requires without grace).
    pub grace: f64,
}

/// Parameters of a failover node.
#[derive(Clone, Copy, Debug)]
pub struct FailoverPlan {
    /// The node.
    pub node: u32,
    /// Switch-over time.
    pub switchover: f64,
    /// Switch success probability.
    pub switch_success: f64,
    /// Fail back to earlier members.
    pub failback: bool,
    /// Cold standby: member components that are not serving do not fail.
    pub cold: bool,
    /// Stream id of the switch coin.
    pub stream: u64,
    /// Extra attempts per request.
    pub retries: u32,
    /// Time one attempt may take (seconds).
    pub attempt_timeout: f64,
    /// First breaker (one per member) or `NONE`.
    pub first_breaker: u32,
    /// Requests try the members in order by themselves (retries, timeout, breaker), rather
    /// than going where the route's state machine sends them.
    pub per_request: bool,
}

/// A balance node.
#[derive(Clone, Debug)]
pub struct BalancePlan {
    /// The node.
    pub node: u32,
    /// Weight of each member.
    pub weights: Vec<f64>,
    /// Time before an unhealthy member leaves the rotation (seconds).
    pub health_check: f64,
    /// First member's index among all balance members of the world.
    pub first_member: u32,
}

/// A circuit breaker on one member of one failover.
#[derive(Clone, Copy, Debug)]
pub struct BreakerPlan {
    /// The failover (index into `failovers`).
    pub failover: u32,
    /// The member's position in it.
    pub member: u32,
    /// Configuration.
    pub config: Breaker,
    /// Stream id for simulated calls.
    pub stream: u64,
}

/// Kind of a flattened node.
#[derive(Clone, Copy, Debug)]
pub enum PlanNode {
    /// Up while at least `need` members are up.
    Gate {
        /// Members needed.
        need: u32,
    },
    /// Index into `Plan::failovers`.
    Failover(u32),
    /// Index into `Plan::balances`; structurally up while any member is up.
    Balance(u32),
}

/// The facts about a process instance that every one of its events needs, packed together.
#[derive(Clone, Copy, Debug)]
pub struct ProcHot {
    /// Its component.
    pub comp: u32,
    /// Its unit.
    pub unit: u32,
    /// Its kind (index into `Plan::kinds`).
    pub kind: u32,
    /// Plain: no detection delay, effect `down`, no crew, and a component that is not a cold
    /// standby. The engine takes a shorter path for these.
    pub plain: bool,
}

/// What a failure process does, as the engine samples and applies it.
#[derive(Clone, Debug)]
pub struct ProcKind {
    /// Time to failure.
    pub failure: Dist,
    /// Repair time.
    pub repair: Dist,
    /// Detection delay before repair starts.
    pub detect: Option<Dist>,
    /// What the failure does.
    pub effect: Effect,
}

/// Compressed rows: `items[start[i]..start[i + 1]]` belong to row `i`.
#[derive(Clone, Debug, Default)]
pub struct Rows<T> {
    start: Vec<u32>,
    items: Vec<T>,
}

impl<T: Clone> Rows<T> {
    fn from_lists(lists: Vec<Vec<T>>) -> Self {
        let mut start = Vec::with_capacity(lists.len() + 1);
        let mut items = Vec::new();
        start.push(0);
        for l in lists {
            items.extend(l);
            start.push(items.len() as u32);
        }
        Rows { start, items }
    }

    /// Row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &[T] {
        &self.items[self.start[i] as usize..self.start[i + 1] as usize]
    }

    /// Total items.
    pub fn total(&self) -> usize {
        self.items.len()
    }
}

/// First slot of each kind of timer.
#[derive(Clone, Copy, Debug, Default)]
struct Bases {
    grace: usize,
    switch: usize,
    deploy: usize,
    surge: usize,
    health: usize,
    breaker: usize,
    tick: usize,
    arrival: usize,
    replay: usize,
    end: usize,
}

/// The static plan of one world of a model.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Architectures simulated in this world (model indices).
    pub archs: Vec<usize>,
    /// Whether each architecture of the model (by model index) needs request-level evaluation.
    pub arch_requests: Vec<bool>,
    /// Whether any architecture of this world needs request-level evaluation.
    pub request_level: bool,
    /// For each component: the cold failover it is a member of in this world (`NONE` if none).
    pub comp_cold: Vec<u32>,
    /// Each process instance's component, unit, kind and whether it is plain.
    pub proc_hot: Vec<ProcHot>,
    /// The distinct failure processes: the engine's hot path reads these few, dense entries
    /// rather than following component → process pointers, and a thousand identical
    /// components share one entry that stays in cache.
    pub kinds: Vec<ProcKind>,
    /// Stream ids (up, down) of each process instance.
    pub proc_streams: Vec<(u64, u64)>,
    /// Component of each unit.
    pub unit_comp: Vec<u32>,
    /// First process instance of each unit (a unit's are contiguous).
    pub unit_first_proc: Vec<u32>,
    /// Units of each component (0 for components no architecture of the world uses).
    pub comp_units: Vec<u32>,
    /// First unit of each component (units of a component are contiguous).
    pub comp_first_unit: Vec<u32>,
    /// Units needed by each component.
    pub comp_need: Vec<u32>,
    /// Crew of each component (`NONE` if none).
    pub comp_crew: Vec<u32>,
    /// Process instances that use each crew (capacity of its waiting line).
    pub crew_procs: Vec<u32>,
    /// Crew sizes.
    pub crew_size: Vec<u32>,
    /// Outgoing dependency edges of each component (edge ids index `edges`).
    pub comp_edges: Rows<u32>,
    /// All dependency edges.
    pub edges: Vec<Edge>,
    /// Queue slot of each edge with a grace period (`NONE` otherwise).
    pub edge_slot: Vec<u32>,
    /// Edge of each grace slot (indexed by `slot - grace base`).
    pub grace_edge: Vec<u32>,
    /// Route nodes that each component is a member of: (node, position).
    pub comp_refs: Rows<(u32, u32)>,
    /// For a component nothing depends on and that is a member of exactly one route node, a
    /// gate: that node and the members it needs; `(NONE, 0)` otherwise. A change of such a
    /// component settles by counting, with no propagation work (the common case of a plain
    /// component in an `all`, `any` or `k_of_n`).
    pub comp_gate: Vec<(u32, u32)>,
    /// Flattened route nodes of every architecture of the world.
    pub nodes: Vec<PlanNode>,
    /// Architecture (model index) of each node.
    pub node_arch: Vec<u32>,
    /// Index of each node within its architecture's `nodes`.
    pub node_local: Vec<u32>,
    /// First node of each architecture of the world (by position in `archs`).
    pub arch_first_node: Vec<u32>,
    /// Members of each node, encoded (`NODE_BIT | node` or a component index).
    pub node_members: Rows<u32>,
    /// Parents of each node: (node, position).
    pub node_parents: Rows<(u32, u32)>,
    /// Account (architecture × class) whose root each node is (`NONE` if not a root).
    pub node_account: Vec<u32>,
    /// Failover nodes.
    pub failovers: Vec<FailoverPlan>,
    /// Balance nodes.
    pub balances: Vec<BalancePlan>,
    /// Balance of each balance member (index into `balances`) and its position.
    pub balance_members: Vec<(u32, u32)>,
    /// Circuit breakers.
    pub breakers: Vec<BreakerPlan>,
    /// Deploying components: (component, stream id).
    pub deploys: Vec<(u32, u64)>,
    /// Classes with surges: (class, stream id).
    pub surges: Vec<(u32, u64)>,
    /// Whether hour boundaries must be events (a profile changes a rate that matters).
    pub ticks: bool,
    /// Stream id of each class's request arrivals (per-request mode).
    pub arrival_streams: Vec<u64>,
    /// Accounts: architectures × classes of the model.
    pub accounts: usize,
    /// The traced components this world simulates (indices into `Model::history.components`);
    /// see `sim::replay`.
    pub replayed: Vec<u32>,
    bases: Bases,
}

/// Splits the architectures into worlds, groups evaluated in one event loop over one component
/// history. Two architectures can share a world only if every crew they both use repairs the
/// same components for both (a crew repairs only what the architecture being evaluated has), and
/// an architecture with a cold standby is alone (its history depends on its route). Greedy, in
/// architecture order, so the split is deterministic.
pub fn worlds(model: &Model) -> Vec<Vec<usize>> {
    struct World {
        archs: Vec<usize>,
        /// For each crew used in the world: the components it repairs there.
        crews: Vec<Option<Vec<usize>>>,
        cold: bool,
    }
    let mut out: Vec<World> = Vec::new();
    for (a, arch) in model.architectures.iter().enumerate() {
        let used = model.components_of(a);
        let mut crews: Vec<Option<Vec<usize>>> = vec![None; model.crews.len()];
        for (c, comp) in model.components.iter().enumerate() {
            if let (true, Some(k)) = (used[c], comp.crew) {
                crews[k].get_or_insert_with(Vec::new).push(c);
            }
        }
        let cold = arch.has_cold_standby();
        let fits = |w: &World| {
            !w.cold && !cold && w.crews.iter().zip(&crews).all(|(x, y)| match (x, y) {
                (Some(x), Some(y)) => x == y,
                _ => true,
            })
        };
        match out.iter_mut().find(|w| fits(w)) {
            Some(w) => {
                w.archs.push(a);
                for (x, y) in w.crews.iter_mut().zip(crews) {
                    if x.is_none() {
                        *x = y;
                    }
                }
            }
            None => out.push(World { archs: vec![a], crews, cold }),
        }
    }
    out.into_iter().map(|w| w.archs).collect()
}

impl Plan {
    /// What a queue slot is.
    #[inline]
    pub fn slot_kind(&self, slot: usize) -> Slot {
        let b = &self.bases;
        if slot < b.grace {
            Slot::Process(slot)
        } else if slot < b.switch {
            Slot::Grace(self.grace_edge[slot - b.grace] as usize)
        } else if slot < b.deploy {
            Slot::Switch(slot - b.switch)
        } else if slot < b.surge {
            Slot::Deploy(slot - b.deploy)
        } else if slot < b.health {
            Slot::Surge(slot - b.surge)
        } else if slot < b.breaker {
            Slot::Health(slot - b.health)
        } else if slot < b.tick {
            Slot::Breaker(slot - b.breaker)
        } else if slot < b.arrival {
            Slot::Tick
        } else if slot < b.replay {
            Slot::Arrival(slot - b.arrival)
        } else {
            Slot::Replay(slot - b.replay)
        }
    }

    /// The slot of a timer.
    #[inline]
    pub fn slot(&self, s: Slot) -> usize {
        let b = &self.bases;
        match s {
            Slot::Process(i) => i,
            Slot::Grace(e) => self.edge_slot[e] as usize,
            Slot::Switch(f) => b.switch + f,
            Slot::Deploy(d) => b.deploy + d,
            Slot::Surge(s) => b.surge + s,
            Slot::Health(m) => b.health + m,
            Slot::Breaker(k) => b.breaker + k,
            Slot::Tick => b.tick,
            Slot::Arrival(c) => b.arrival + c,
            Slot::Replay(k) => b.replay + k,
        }
    }

    /// Total timer slots.
    pub fn slots(&self) -> usize {
        self.bases.end
    }

    /// Number of process instances simulated.
    pub fn processes(&self) -> usize {
        self.proc_hot.len()
    }

    /// Number of units simulated.
    pub fn units(&self) -> usize {
        self.unit_comp.len()
    }

    /// The architecture-local position (in `archs`) of a model architecture, if in this world.
    pub fn arch_position(&self, arch: usize) -> Option<usize> {
        self.archs.iter().position(|&a| a == arch)
    }
}

/// Components that architectures `archs` use, directly or through `within`/`requires`.
pub fn used_components(model: &Model, archs: &[usize]) -> Vec<bool> {
    let mut used = vec![false; model.components.len()];
    for &a in archs {
        for (u, x) in used.iter_mut().zip(model.components_of(a)) {
            *u |= x;
        }
    }
    used
}
