//! Dependencies and routes: a change of a component's effective state settles through every
//! component that depends on it (grace periods included), then through the route nodes in index
//! order (gates and balances count members up; a failover is a small state machine with
//! switch-over, failback and cold standby).

use std::cmp::Reverse;

use rand::RngExt;

use crate::plan::{Plan, PlanNode, Slot, NODE_BIT, NONE};

use super::Engine;

/// A failover route's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Failover {
    /// Member `i` serves (and is up).
    Serving(u32),
    /// The serving member `from` went down; the switch-over is under way.
    Switching { from: u32 },
    /// A switch-over failed; down until member `failed` is repaired.
    Stuck { failed: u32 },
    /// No member was up when a member was needed; the first to come up serves.
    NoneUp,
}

impl Failover {
    /// The member requests go to first (`NONE`: none).
    pub(super) fn target(self) -> u32 {
        match self {
            Failover::Serving(i) | Failover::Switching { from: i } | Failover::Stuck { failed: i } => i,
            Failover::NoneUp => NONE,
        }
    }
}

impl Engine<'_> {
    pub(super) fn grace_expired(&mut self, e: usize) {
        self.edge_blocking[e] = true;
        let x = self.plan.edges[e].to as usize;
        self.blocked[x] += 1;
        if self.blocked[x] == 1 {
            self.component_changed(x);
        }
    }

    /// Settles a change of component `c`'s effective state: first through every component that
    /// depends on it, then through the routes that use any component that changed. Every flip of
    /// a component's effective state (`blocked` leaving or reaching 0) goes through here or
    /// through `propagate`, and both tell the recorder when tracing.
    #[inline(always)]
    pub(super) fn component_changed(&mut self, c: usize) {
        let (gate, need) = self.plan.comp_gate[c];
        if gate != NONE && self.pending.is_empty() {
            // The same as the general path below with one member change to deliver.
            let up = self.blocked[c] == 0;
            if !up {
                self.down_cause[c] = self.cause;
            }
            self.record_component(c, up);
            self.mark_component(c);
            let n = gate as usize;
            self.count_member(n, up);
            let now_up = self.node_count[n] >= need;
            if now_up != self.node_up[n] {
                self.node_up[n] = now_up;
                self.node_changed(n);
                self.drain_nodes();
            }
            return;
        }
        self.propagate(c);
    }

    /// The general case of [`Engine::component_changed`].
    pub(super) fn propagate(&mut self, c: usize) {
        self.changed.clear();
        self.comp_stack.push(c as u32);
        while let Some(c) = self.comp_stack.pop() {
            let c = c as usize;
            self.changed.push(c as u32);
            let up = self.blocked[c] == 0;
            if !up {
                self.down_cause[c] = self.cause;
            }
            self.record_component(c, up);
            for k in 0..self.plan.comp_edges.row(c).len() {
                let e = self.plan.comp_edges.row(c)[k] as usize;
                let edge = self.plan.edges[e];
                let x = edge.to as usize;
                if !up {
                    if edge.grace > 0.0 {
                        self.queue.set(self.plan.edge_slot[e] as usize, self.now + edge.grace);
                    } else {
                        self.edge_blocking[e] = true;
                        self.blocked[x] += 1;
                        if self.blocked[x] == 1 {
                            self.comp_stack.push(x as u32);
                        }
                    }
                } else if self.edge_blocking[e] {
                    self.edge_blocking[e] = false;
                    self.blocked[x] -= 1;
                    if self.blocked[x] == 0 {
                        self.comp_stack.push(x as u32);
                    }
                } else if edge.grace > 0.0 {
                    self.queue.cancel(self.plan.edge_slot[e] as usize);
                }
            }
        }
        for k in 0..self.changed.len() {
            let c = self.changed[k] as usize;
            self.mark_component(c);
            let up = self.blocked[c] == 0;
            for &(node, pos) in self.plan.comp_refs.row(c) {
                self.pending.push(Reverse((node, pos, up)));
            }
        }
        self.drain_nodes();
    }

    #[inline]
    pub(super) fn member_up(&self, m: u32) -> bool {
        if m & NODE_BIT != 0 { self.node_up[(m & !NODE_BIT) as usize] } else { self.blocked[m as usize] == 0 }
    }

    /// Delivers pending member changes, smallest node first, until the route graph is settled.
    /// Members have smaller indices than the nodes that use them, so a node is updated only
    /// once every change to its members in this instant has been applied.
    pub(super) fn drain_nodes(&mut self) {
        while let Some(Reverse((n, pos, up))) = self.pending.pop() {
            let n = n as usize;
            let before = self.node_up[n];
            match self.plan.nodes[n] {
                PlanNode::Gate { need } => {
                    self.count_member(n, up);
                    self.node_up[n] = self.node_count[n] >= need;
                }
                PlanNode::Balance(b) => {
                    self.count_member(n, up);
                    self.node_up[n] = self.node_count[n] >= 1;
                    self.balance_member_changed(b as usize, pos as usize, up);
                }
                PlanNode::Failover(f) => self.failover_member_changed(f as usize, pos, up),
            }
            if self.node_up[n] != before {
                self.node_changed(n);
            }
        }
    }

    #[inline(always)]
    pub(super) fn count_member(&mut self, n: usize, up: bool) {
        if up {
            self.node_count[n] += 1;
        } else {
            self.node_count[n] -= 1;
        }
    }

    /// A balance member's health changed: it leaves the rotation after the health check (at
    /// once without one) and comes back as soon as it is healthy.
    pub(super) fn balance_member_changed(&mut self, b: usize, pos: usize, up: bool) {
        let bp = &self.plan.balances[b];
        let m = bp.first_member as usize + pos;
        let slot = self.plan.slot(Slot::Health(m));
        if up {
            self.queue.cancel(slot);
            self.rotation[m] = true;
        } else if bp.health_check > 0.0 && !self.initializing {
            self.queue.set(slot, self.now + bp.health_check);
        } else {
            self.rotation[m] = false;
        }
        self.mark_arch(self.plan.node_arch[bp.node as usize] as usize);
    }

    /// Queues the parents of node `n` and tells accounting if `n` is a class root.
    pub(super) fn node_changed(&mut self, n: usize) {
        self.mark_arch(self.plan.node_arch[n] as usize);
        let up = self.node_up[n];
        let acc = self.plan.node_account[n];
        if acc != NONE && !self.plan.arch_requests[self.plan.node_arch[n] as usize] {
            self.accounts.change(acc as usize, up, self.now, self.cause);
        }
        for &(p, pos) in self.plan.node_parents.row(n) {
            self.pending.push(Reverse((p, pos, up)));
        }
    }

    pub(super) fn failover_member_changed(&mut self, f: usize, pos: u32, up: bool) {
        let fp = self.plan.failovers[f];
        match self.failover[f] {
            Failover::Serving(i) => {
                if pos == i && !up {
                    if fp.switchover > 0.0 && !self.initializing {
                        self.failover[f] = Failover::Switching { from: i };
                        self.queue.set(self.plan.slot(Slot::Switch(f)), self.now + fp.switchover);
                    } else {
                        self.switch_from(f, i);
                    }
                } else if up && pos < i && fp.failback {
                    // Failback is planned and seamless: the earlier member takes over.
                    self.failover[f] = Failover::Serving(pos);
                }
            }
            Failover::Switching { from } => {
                if pos == from && up {
                    // The member came back before the switch-over finished: no switch.
                    self.queue.cancel(self.plan.slot(Slot::Switch(f)));
                    self.serve(f, from);
                }
            }
            Failover::Stuck { failed } => {
                if pos == failed && up {
                    self.serve(f, failed);
                }
            }
            Failover::NoneUp => {
                if up {
                    self.serve(f, pos);
                }
            }
        }
        self.node_up[fp.node as usize] = matches!(self.failover[f], Failover::Serving(_));
        self.sync_failover(f);
    }

    /// After failover `f` changed state: requests start elsewhere, and in a cold standby the
    /// member that now serves starts running and the one that stopped goes idle, keeping its
    /// remaining life.
    pub(super) fn sync_failover(&mut self, f: usize) {
        let target = self.failover[f].target();
        if target != self.target[f] {
            self.target[f] = target;
            self.mark_arch(self.plan.node_arch[self.plan.failovers[f].node as usize] as usize);
        }
        let now_serving = match self.failover[f] {
            Failover::Serving(i) => i,
            _ => NONE,
        };
        let before = self.serving[f];
        if now_serving == before {
            return;
        }
        self.serving[f] = now_serving;
        let fp = self.plan.failovers[f];
        if !fp.cold {
            return;
        }
        let members = self.plan.node_members.row(fp.node as usize);
        if before != NONE {
            self.set_active(members[before as usize] as usize, false);
        }
        if now_serving != NONE {
            self.set_active(members[now_serving as usize] as usize, true);
        }
    }

    /// Member `i` serves, or an earlier healthy member if failback is on.
    pub(super) fn serve(&mut self, f: usize, i: u32) {
        let fp = self.plan.failovers[f];
        let mut chosen = i;
        if fp.failback {
            let members = self.plan.node_members.row(fp.node as usize);
            if let Some(j) = (0..i).find(|&j| self.member_up(members[j as usize])) {
                chosen = j;
            }
        }
        self.failover[f] = Failover::Serving(chosen);
    }

    /// The switch-over away from member `from` completes now (or at once, without a delay).
    pub(super) fn switch_from(&mut self, f: usize, from: u32) {
        let fp = self.plan.failovers[f];
        let members = self.plan.node_members.row(fp.node as usize);
        let Some(j) = (0..members.len() as u32).find(|&j| self.member_up(members[j as usize])) else {
            self.failover[f] = Failover::NoneUp;
            return;
        };
        if j == from {
            self.failover[f] = Failover::Serving(j);
            return;
        }
        if !self.initializing && fp.switch_success < 1.0 && self.rng_switch[f].random::<f64>() >= fp.switch_success {
            self.failover[f] = Failover::Stuck { failed: from };
        } else {
            self.failover[f] = Failover::Serving(j);
        }
    }

    pub(super) fn complete_switch(&mut self, f: usize) {
        let node = self.plan.failovers[f].node as usize;
        let before = self.node_up[node];
        if let Failover::Switching { from } = self.failover[f] {
            self.switch_from(f, from);
        }
        self.node_up[node] = matches!(self.failover[f], Failover::Serving(_));
        self.sync_failover(f);
        if self.node_up[node] != before {
            self.node_changed(node);
            self.drain_nodes();
        }
    }
}

/// Whether node `target` is `from` or among its members, recursively.
pub(super) fn reaches(plan: &Plan, from: usize, target: usize) -> bool {
    if from == target {
        return true;
    }
    plan.node_members.row(from).iter().any(|&m| m & NODE_BIT != 0 && reaches(plan, (m & !NODE_BIT) as usize, target))
}
