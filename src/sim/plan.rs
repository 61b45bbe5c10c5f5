//! The engine's static view of a model, built once per run: flat arrays indexed by unit,
//! component, dependency edge and route node, so the event loop follows indices and never
//! looks anything up by name.
//!
//! A plan covers one *world*: a set of architectures evaluated in the same event loop over the
//! same component history (common random numbers). Architectures whose component histories
//! differ (a cold standby, or a crew that repairs different components for them) are in
//! different worlds. See [`worlds`].

use crate::model::{Member, Model, NodeKind};
use crate::sim::rng::{name_id, stream_id, Purpose};

/// Marks a node index (versus a component index) in an encoded member.
pub const NODE_BIT: u32 = 1 << 31;
/// "No index".
pub const NONE: u32 = u32::MAX;

/// What kind of timer a queue slot is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// A unit's next transition.
    Unit(usize),
    /// A grace period expiring on a dependency edge (the edge index).
    Grace(usize),
    /// A failover's switch-over completing.
    Switch(usize),
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

/// The static plan of one world of a model.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Architectures simulated in this world (model indices).
    pub archs: Vec<usize>,
    /// For each component: the cold failover it is a member of in this world (`NONE` if none).
    pub comp_cold: Vec<u32>,
    /// Component of each unit.
    pub unit_comp: Vec<u32>,
    /// Stream ids (up, down) of each unit.
    pub unit_streams: Vec<(u64, u64)>,
    /// Units of each component (0 for components no architecture uses).
    pub comp_units: Vec<u32>,
    /// First unit of each component (units of a component are contiguous).
    pub comp_first_unit: Vec<u32>,
    /// Units needed by each component.
    pub comp_need: Vec<u32>,
    /// Crew of each component (`NONE` if none).
    pub comp_crew: Vec<u32>,
    /// Units that use each crew (capacity of its waiting line).
    pub crew_units: Vec<u32>,
    /// Crew sizes.
    pub crew_size: Vec<u32>,
    /// Outgoing dependency edges of each component (edge ids index `edges`).
    pub comp_edges: Rows<u32>,
    /// All dependency edges.
    pub edges: Vec<Edge>,
    /// Queue slot of each edge with a grace period (`NONE` otherwise).
    pub edge_slot: Vec<u32>,
    /// Edge of each grace slot (indexed by `slot - grace_base`).
    pub grace_edge: Vec<u32>,
    /// Route nodes that each component is a member of: (node, position).
    pub comp_refs: Rows<(u32, u32)>,
    /// Flattened route nodes of every architecture.
    pub nodes: Vec<PlanNode>,
    /// Members of each node, encoded (`NODE_BIT | node` or a component index).
    pub node_members: Rows<u32>,
    /// Parents of each node: (node, position).
    pub node_parents: Rows<(u32, u32)>,
    /// Account (architecture × class) whose root each node is (`NONE` if not a root).
    pub node_account: Vec<u32>,
    /// Failover nodes.
    pub failovers: Vec<FailoverPlan>,
    /// First queue slot of grace edges.
    pub grace_base: usize,
    /// First queue slot of failovers.
    pub switch_base: usize,
    /// Total queue slots.
    pub slots: usize,
    /// Accounts: architectures × classes.
    pub accounts: usize,
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
    /// Builds the plan of the world made of architectures `archs`.
    pub fn new(model: &Model, archs: &[usize]) -> Plan {
        let nc = model.components.len();
        let used = used_components(model, archs);

        let mut unit_comp = Vec::new();
        let mut unit_streams = Vec::new();
        let mut comp_units = vec![0u32; nc];
        let mut comp_need = vec![0u32; nc];
        let mut comp_first_unit = vec![0u32; nc];
        for (c, comp) in model.components.iter().enumerate() {
            comp_first_unit[c] = unit_comp.len() as u32;
            if !used[c] {
                continue;
            }
            comp_units[c] = comp.count;
            comp_need[c] = comp.need;
            let id = name_id(&[&comp.name]);
            for u in 0..comp.count {
                unit_comp.push(c as u32);
                unit_streams.push((stream_id(id, u, Purpose::Up), stream_id(id, u, Purpose::Down)));
            }
        }
        let comp_crew: Vec<u32> = model.components.iter().map(|c| c.crew.map_or(NONE, |k| k as u32)).collect();
        let mut crew_units = vec![0u32; model.crews.len()];
        for (c, comp) in model.components.iter().enumerate() {
            if let Some(k) = comp.crew {
                crew_units[k] += comp_units[c];
            }
        }
        let crew_size = model.crews.iter().map(|k| k.size).collect();

        let mut out_edges: Vec<Vec<u32>> = vec![Vec::new(); nc];
        let mut edges = Vec::new();
        for (c, comp) in model.components.iter().enumerate() {
            if !used[c] {
                continue;
            }
            if let Some(w) = comp.within {
                out_edges[w].push(edges.len() as u32);
                edges.push(Edge { from: w as u32, to: c as u32, grace: 0.0 });
            }
            for &r in &comp.requires {
                out_edges[r].push(edges.len() as u32);
                edges.push(Edge { from: r as u32, to: c as u32, grace: comp.grace });
            }
        }
        let units = unit_comp.len();
        let mut edge_slot = vec![NONE; edges.len()];
        let mut grace_edge = Vec::new();
        let mut next = units;
        for (e, edge) in edges.iter().enumerate() {
            if edge.grace > 0.0 {
                edge_slot[e] = next as u32;
                grace_edge.push(e as u32);
                next += 1;
            }
        }
        let grace_base = units;
        let switch_base = next;

        let mut nodes = Vec::new();
        let mut node_members: Vec<Vec<u32>> = Vec::new();
        let mut node_account = Vec::new();
        let mut failovers = Vec::new();
        let mut comp_refs: Vec<Vec<(u32, u32)>> = vec![Vec::new(); nc];
        let ncls = model.classes.len();
        let mut comp_cold = vec![NONE; nc];
        for &a in archs {
            let arch = &model.architectures[a];
            let base = nodes.len() as u32;
            for (i, n) in arch.nodes.iter().enumerate() {
                let me = base + i as u32;
                let kind = match &n.kind {
                    NodeKind::Gate { need } => PlanNode::Gate { need: *need },
                    NodeKind::Failover(f) => {
                        failovers.push(FailoverPlan {
                            node: me,
                            switchover: f.switchover,
                            switch_success: f.switch_success,
                            failback: f.failback,
                            cold: f.cold,
                            stream: stream_id(name_id(&[&arch.name, &n.name]), 0, Purpose::Switch),
                        });
                        let fi = failovers.len() as u32 - 1;
                        if f.cold {
                            for m in &n.members {
                                if let Member::Component(c) = *m {
                                    comp_cold[c] = fi;
                                }
                            }
                        }
                        PlanNode::Failover(fi)
                    }
                };
                nodes.push(kind);
                let mut ms = Vec::with_capacity(n.members.len());
                for (pos, m) in n.members.iter().enumerate() {
                    match *m {
                        Member::Component(c) => {
                            comp_refs[c].push((me, pos as u32));
                            ms.push(c as u32);
                        }
                        Member::Node(k) => ms.push(NODE_BIT | (base + k as u32)),
                    }
                }
                node_members.push(ms);
                node_account.push(NONE);
            }
            for (cls, &root) in arch.class_roots.iter().enumerate() {
                node_account[base as usize + root] = (a * ncls + cls) as u32;
            }
        }
        let mut parents: Vec<Vec<(u32, u32)>> = vec![Vec::new(); nodes.len()];
        for (n, ms) in node_members.iter().enumerate() {
            for (pos, &m) in ms.iter().enumerate() {
                if m & NODE_BIT != 0 {
                    let member = (m & !NODE_BIT) as usize;
                    // The engine settles nodes in index order; model::compile guarantees this.
                    debug_assert!(member < n, "route node {n} uses node {member}, which comes after it");
                    parents[member].push((n as u32, pos as u32));
                }
            }
        }
        let slots = switch_base + failovers.len();
        Plan {
            archs: archs.to_vec(),
            comp_cold,
            unit_comp,
            unit_streams,
            comp_units,
            comp_first_unit,
            comp_need,
            comp_crew,
            crew_units,
            crew_size,
            comp_edges: Rows::from_lists(out_edges),
            edges,
            edge_slot,
            grace_edge,
            comp_refs: Rows::from_lists(comp_refs),
            nodes,
            node_members: Rows::from_lists(node_members),
            node_parents: Rows::from_lists(parents),
            node_account,
            failovers,
            grace_base,
            switch_base,
            slots,
            accounts: model.architectures.len() * ncls,
        }
    }

    /// What a queue slot is.
    #[inline]
    pub fn slot_kind(&self, slot: usize) -> Slot {
        if slot < self.grace_base {
            Slot::Unit(slot)
        } else if slot < self.switch_base {
            Slot::Grace(self.grace_edge[slot - self.grace_base] as usize)
        } else {
            Slot::Switch(slot - self.switch_base)
        }
    }

    /// Number of units simulated.
    pub fn units(&self) -> usize {
        self.unit_comp.len()
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
