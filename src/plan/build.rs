//! Building a world's plan from the model: processes, units and their streams, dependency
//! edges, route nodes in member-before-parent order, failovers, balances, breakers and the
//! timer slots of each kind.

use std::collections::HashMap;

use crate::model::{Effect, Member, Model, NodeKind};
use crate::rng::{name_id, stream_id, Purpose};

use super::{used_components, BalancePlan, Bases, BreakerPlan, Edge, FailoverPlan, Plan, PlanNode, ProcHot, ProcKind, Rows, NODE_BIT, NONE};

impl Plan {
    /// Builds the plan of the world made of architectures `archs`.
    pub fn new(model: &Model, archs: &[usize]) -> Plan {
        let nc = model.components.len();
        let used = used_components(model, archs);
        let arch_requests: Vec<bool> = (0..model.architectures.len()).map(|a| archs.contains(&a) && model.request_level(a)).collect();
        let request_level = arch_requests.iter().any(|&r| r);

        let (mut proc_hot, mut proc_streams, mut kinds) = (Vec::new(), Vec::new(), Vec::new());
        // Keyed by the kind's `Debug` text, which writes every parameter exactly.
        let mut kind_ids: HashMap<String, u32> = HashMap::new();
        let (mut unit_comp, mut unit_first_proc) = (Vec::new(), Vec::new());
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
            for u in 0..comp.count {
                let unit = unit_comp.len() as u32;
                unit_comp.push(c as u32);
                unit_first_proc.push(proc_hot.len() as u32);
                for p in &comp.processes {
                    // A plain component keeps the stream ids it has always had.
                    let id = match &p.mode {
                        None => name_id(&[&comp.name]),
                        Some(m) => name_id(&[&comp.name, m]),
                    };
                    let kind = ProcKind { failure: p.failure.clone(), repair: p.repair.clone(), detect: p.detect.clone(), effect: p.effect };
                    let next = kinds.len() as u32;
                    let k = *kind_ids.entry(format!("{kind:?}")).or_insert(next);
                    if k == next {
                        kinds.push(kind);
                    }
                    // Whether it is plain is known once crews and cold standbys are (below).
                    proc_hot.push(ProcHot { comp: c as u32, unit, kind: k, plain: false });
                    proc_streams.push((stream_id(id, u, Purpose::Up), stream_id(id, u, Purpose::Down)));
                }
            }
        }
        let comp_crew: Vec<u32> = model.components.iter().map(|c| c.crew.map_or(NONE, |k| k as u32)).collect();
        let mut crew_procs = vec![0u32; model.crews.len()];
        for (c, comp) in model.components.iter().enumerate() {
            if let Some(k) = comp.crew {
                crew_procs[k] += comp_units[c] * comp.processes.len() as u32;
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
        let mut bases = Bases { grace: proc_hot.len(), ..Bases::default() };
        let mut edge_slot = vec![NONE; edges.len()];
        let mut grace_edge = Vec::new();
        for (e, edge) in edges.iter().enumerate() {
            if edge.grace > 0.0 {
                edge_slot[e] = (bases.grace + grace_edge.len()) as u32;
                grace_edge.push(e as u32);
            }
        }

        let ncls = model.classes.len();
        let mut nodes = Vec::new();
        let mut node_arch = Vec::new();
        let mut node_local = Vec::new();
        let mut arch_first_node = Vec::with_capacity(archs.len());
        let mut node_members: Vec<Vec<u32>> = Vec::new();
        let mut node_account = Vec::new();
        let mut failovers = Vec::new();
        let mut balances = Vec::new();
        let mut balance_members = Vec::new();
        let mut breakers = Vec::new();
        let mut comp_refs: Vec<Vec<(u32, u32)>> = vec![Vec::new(); nc];
        let mut comp_cold = vec![NONE; nc];
        // The most calls a breaker can see per second: every class's peak rate, every attempt.
        for &a in archs {
            let arch = &model.architectures[a];
            let base = nodes.len() as u32;
            arch_first_node.push(base);
            for (i, n) in arch.nodes.iter().enumerate() {
                let me = base + i as u32;
                let kind = match &n.kind {
                    NodeKind::Gate { need } => PlanNode::Gate { need: *need },
                    NodeKind::Failover(f) => {
                        let fi = failovers.len() as u32;
                        let first_breaker = match &f.breaker {
                            Some(b) => {
                                let first = breakers.len() as u32;
                                for pos in 0..n.members.len() {
                                    let stream = stream_id(name_id(&[&arch.name, &n.name, "breaker"]), pos as u32, Purpose::Switch);
                                    breakers.push(BreakerPlan { failover: fi, member: pos as u32, config: *b, stream });
                                }
                                first
                            }
                            None => NONE,
                        };
                        failovers.push(FailoverPlan {
                            node: me,
                            switchover: f.switchover,
                            switch_success: f.switch_success,
                            failback: f.failback,
                            cold: f.cold,
                            stream: stream_id(name_id(&[&arch.name, &n.name]), 0, Purpose::Switch),
                            retries: f.retries,
                            attempt_timeout: f.attempt_timeout(),
                            first_breaker,
                            per_request: f.request_level(),
                        });
                        if f.cold {
                            for m in &n.members {
                                if let Member::Component(c) = *m {
                                    comp_cold[c] = fi;
                                }
                            }
                        }
                        PlanNode::Failover(fi)
                    }
                    NodeKind::Balance(b) => {
                        let bi = balances.len() as u32;
                        let first_member = balance_members.len() as u32;
                        for pos in 0..n.members.len() {
                            balance_members.push((bi, pos as u32));
                        }
                        balances.push(BalancePlan { node: me, weights: b.weights.clone(), health_check: b.health_check, first_member });
                        PlanNode::Balance(bi)
                    }
                };
                nodes.push(kind);
                node_arch.push(a as u32);
                node_local.push(i as u32);
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
        let deploys: Vec<(u32, u64)> = model
            .components
            .iter()
            .enumerate()
            // A traced component's deploys are part of its record, not sampled.
            .filter(|(c, comp)| used[*c] && comp.deploys.is_some() && !model.history.follows(*c))
            .map(|(c, comp)| (c as u32, stream_id(name_id(&[&comp.name, "deploys"]), 0, Purpose::Switch)))
            .collect();
        let surges: Vec<(u32, u64)> = if request_level {
            model
                .classes
                .iter()
                .enumerate()
                .filter(|(_, c)| c.surges.is_some())
                .map(|(k, c)| (k as u32, stream_id(name_id(&[&c.name, "surges"]), 0, Purpose::Switch)))
                .collect()
        } else {
            Vec::new()
        };
        let rate_matters = !breakers.is_empty() || model.components.iter().zip(&used).any(|(c, &u)| u && c.capacity.is_some());
        let ticks = request_level && rate_matters && model.classes.iter().any(|c| c.profile.is_some());
        let arrival_streams = model.classes.iter().map(|c| stream_id(name_id(&[&c.name, "arrivals"]), 0, Purpose::Switch)).collect();

        bases.switch = bases.grace + grace_edge.len();
        bases.deploy = bases.switch + failovers.len();
        bases.surge = bases.deploy + deploys.len();
        bases.health = bases.surge + surges.len();
        bases.breaker = bases.health + balance_members.len();
        bases.tick = bases.breaker + breakers.len();
        bases.arrival = bases.tick + 1;
        bases.replay = bases.arrival + ncls;
        let replayed: Vec<u32> = (0..model.history.components.len() as u32).filter(|&k| used[model.history.components[k as usize].component]).collect();
        bases.end = bases.replay + replayed.len();
        let comp_gate = (0..nc)
            .map(|c| match comp_refs[c].as_slice() {
                &[(node, _)] if out_edges[c].is_empty() => match nodes[node as usize] {
                    PlanNode::Gate { need } => (node, need),
                    _ => (NONE, 0),
                },
                _ => (NONE, 0),
            })
            .collect();
        for h in &mut proc_hot {
            let k: &ProcKind = &kinds[h.kind as usize];
            let c = h.comp as usize;
            h.plain = k.detect.is_none() && k.effect == Effect::Down && comp_crew[c] == NONE && comp_cold[c] == NONE;
        }
        Plan {
            archs: archs.to_vec(),
            arch_requests,
            request_level,
            comp_cold,
            proc_hot,
            kinds,
            proc_streams,
            unit_comp,
            unit_first_proc,
            comp_units,
            comp_first_unit,
            comp_need,
            comp_crew,
            crew_procs,
            crew_size,
            comp_edges: Rows::from_lists(out_edges),
            edges,
            edge_slot,
            grace_edge,
            comp_refs: Rows::from_lists(comp_refs),
            comp_gate,
            nodes,
            node_arch,
            node_local,
            arch_first_node,
            node_members: Rows::from_lists(node_members),
            node_parents: Rows::from_lists(parents),
            node_account,
            failovers,
            balances,
            balance_members,
            breakers,
            deploys,
            surges,
            ticks,
            arrival_streams,
            accounts: model.architectures.len() * ncls,
            replayed,
            bases,
        }
    }
}
