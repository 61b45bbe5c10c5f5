//! One replication: a discrete-event simulation of every component, with every architecture's
//! routes evaluated over the same component history.
//!
//! Events are timer slots in a [`queue::TimerQueue`]: a unit fails, its detection delay ends, its
//! repair ends; a grace period on a dependency runs out; a failover's switch-over completes.
//! A component is *effectively* up when at least `need` of its units are up and nothing it
//! depends on blocks it; this is kept as a counter of blocking reasons, so a change propagates
//! only to what it touches. Route nodes keep counts of members up (`all`, `any`, `k_of_n`) or a
//! small state machine (`failover`). A class root's changes go to [`accounting`].
//!
//! Each event settles in two phases, so nothing decides on a state that is about to change in
//! the same instant: first component states propagate through the whole dependency graph, then
//! route nodes are updated in index order, which puts every node after its members. (A region
//! that takes down both members of a failover at once is therefore not seen as a switch-over.)
//!
//! The loop does no I/O and, after the first replication on a thread, no heap allocation.

pub mod accounting;
pub mod plan;
pub mod queue;
pub mod rng;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::RngExt;

use crate::model::Model;
use accounting::Accounts;
pub use accounting::NO_CAUSE;
use plan::{Plan, PlanNode, Slot, NODE_BIT, NONE};
use queue::TimerQueue;
use rng::Stream;

/// How far past the horizon an outage that is still open is followed before giving up.
const FOLLOW_LIMIT: f64 = 100.0 * crate::scenario::units::YEAR;

/// How long a first-outage replication runs at most before it is cut (censored).
pub const FIRST_OUTAGE_LIMIT: f64 = 10_000.0 * crate::scenario::units::YEAR;

/// What a replication measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Everything over the horizon (the normal run).
    Horizon,
    /// Only downtime inside the horizon: outages open at the horizon are not followed (for
    /// importance runs, where a component held down may keep a class down for good).
    Availability,
    /// Only the time to each class's first outage from the all-up start, ignoring the horizon.
    FirstOutage,
}

/// Where a unit is in its up/down cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Up,
    /// Up but idle: a cold standby member that is not serving; its failure clock is stopped.
    Standby,
    Detecting,
    Waiting,
    Repairing,
    /// Held down for the whole replication (importance runs): never repaired.
    Dead,
}

/// A failover route's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failover {
    /// Member `i` serves (and is up).
    Serving(u32),
    /// The serving member `from` went down; the switch-over is under way.
    Switching { from: u32 },
    /// A switch-over failed; down until member `failed` is repaired.
    Stuck { failed: u32 },
    /// No member was up when a member was needed; the first to come up serves.
    NoneUp,
}

/// A failure waiting for a crew: ordered by failure time, then unit.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Waiting {
    failed_at: f64,
    unit: u32,
}

impl Eq for Waiting {}

impl Ord for Waiting {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // BinaryHeap is a max-heap: reverse so the earliest failure comes out first.
        other.failed_at.total_cmp(&self.failed_at).then(other.unit.cmp(&self.unit))
    }
}

impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The mutable state of the simulation, reused across replications on one thread.
pub struct Engine<'m> {
    model: &'m Model,
    plan: &'m Plan,
    now: f64,
    queue: TimerQueue,
    phase: Vec<Phase>,
    failed_at: Vec<f64>,
    rng_up: Vec<Stream>,
    rng_down: Vec<Stream>,
    units_up: Vec<u32>,
    blocked: Vec<u32>,
    edge_blocking: Vec<bool>,
    crew_busy: Vec<u32>,
    crew_wait: Vec<BinaryHeap<Waiting>>,
    node_up: Vec<bool>,
    node_count: Vec<u32>,
    failover: Vec<Failover>,
    /// The member each failover serves from (`NONE` when none serves).
    serving: Vec<u32>,
    /// Whether a component's up units are running: false for a cold standby member that is
    /// not serving.
    active: Vec<bool>,
    /// Remaining time to failure of a unit in standby.
    remaining: Vec<f64>,
    rng_switch: Vec<Stream>,
    /// The component whose failure caused each component's current effective outage.
    down_cause: Vec<u32>,
    /// The component whose failure the current event goes back to.
    cause: u32,
    /// A component held up (true) or down (false) for the whole replication.
    forced: Option<(usize, bool)>,
    /// True while the start state is being set up: no switch-over delays, no switch coins.
    initializing: bool,
    comp_stack: Vec<u32>,
    /// Components whose effective state changed in the current event.
    changed: Vec<u32>,
    /// Member changes waiting to be delivered, smallest node first.
    pending: BinaryHeap<Reverse<(u32, u32, bool)>>,
    /// What the replication's accounts saw; read it after [`Engine::run`].
    pub accounts: Accounts,
    /// Events processed in the last replication.
    pub events: u64,
}

impl<'m> Engine<'m> {
    /// An engine for `model` with its `plan`.
    pub fn new(model: &'m Model, plan: &'m Plan) -> Self {
        let units = plan.units();
        let placeholder = rng::stream(0, 0, 0);
        Engine {
            model,
            plan,
            now: 0.0,
            queue: TimerQueue::new(plan.slots),
            phase: vec![Phase::Up; units],
            failed_at: vec![0.0; units],
            rng_up: vec![placeholder.clone(); units],
            rng_down: vec![placeholder.clone(); units],
            units_up: plan.comp_units.clone(),
            blocked: vec![0; plan.comp_units.len()],
            edge_blocking: vec![false; plan.edges.len()],
            crew_busy: vec![0; plan.crew_size.len()],
            crew_wait: plan.crew_units.iter().map(|&n| BinaryHeap::with_capacity(n as usize)).collect(),
            node_up: vec![true; plan.nodes.len()],
            node_count: vec![0; plan.nodes.len()],
            failover: vec![Failover::Serving(0); plan.failovers.len()],
            serving: vec![0; plan.failovers.len()],
            active: vec![true; plan.comp_units.len()],
            remaining: vec![0.0; units],
            rng_switch: vec![placeholder; plan.failovers.len()],
            down_cause: vec![NONE; plan.comp_units.len()],
            cause: NONE,
            forced: None,
            initializing: false,
            comp_stack: Vec::with_capacity(plan.comp_units.len()),
            changed: Vec::with_capacity(plan.comp_units.len()),
            pending: BinaryHeap::with_capacity(plan.comp_refs.total() + plan.node_parents.total() + 1),
            accounts: Accounts::new(model),
            events: 0,
        }
    }

    /// Holds component `c` up (`true`) or down (`false`) from the start of every following
    /// replication, or lets every component be (`None`). A component held down is down from
    /// the start and never repaired, so no route switches away from it.
    pub fn set_forced(&mut self, forced: Option<(usize, bool)>) {
        self.forced = forced;
    }

    /// Whether this engine's world simulates component `c`.
    pub fn simulates(&self, c: usize) -> bool {
        self.plan.comp_units[c] > 0
    }

    /// The architectures this engine simulates (model indices).
    pub fn archs(&self) -> &[usize] {
        &self.plan.archs
    }

    /// Runs replication `rep` of the model's seed; the outcome is left in `self.accounts`.
    pub fn run(&mut self, rep: u64) {
        self.run_mode(rep, Mode::Horizon);
    }

    /// Runs replication `rep` measuring `mode`; the outcome is left in `self.accounts`.
    pub fn run_mode(&mut self, rep: u64, mode: Mode) {
        self.reset(rep);
        self.accounts.set_mode(mode, &self.plan.archs);
        let horizon = self.model.horizon;
        while let Some((slot, t)) = self.queue.peek() {
            let done = match mode {
                Mode::Horizon => t >= horizon && (self.accounts.open() == 0 || t > horizon + FOLLOW_LIMIT),
                Mode::Availability => t >= horizon,
                Mode::FirstOutage => self.accounts.awaiting_first() == 0 || t > FIRST_OUTAGE_LIMIT,
            };
            if done {
                break;
            }
            self.now = t;
            self.events += 1;
            match self.plan.slot_kind(slot) {
                Slot::Unit(u) => {
                    self.cause = self.plan.unit_comp[u];
                    self.unit_event(u)
                }
                Slot::Grace(e) => {
                    self.queue.cancel(slot);
                    self.cause = self.down_cause[self.plan.edges[e].from as usize];
                    self.grace_expired(e);
                }
                Slot::Switch(f) => {
                    // A completed switch-over only ends an outage (or prolongs it), never starts one.
                    self.queue.cancel(slot);
                    self.cause = NONE;
                    self.complete_switch(f);
                }
            }
        }
        match mode {
            Mode::Horizon | Mode::Availability => self.accounts.close_all(self.now.max(horizon)),
            Mode::FirstOutage => self.accounts.close_all(self.now),
        }
    }

    fn reset(&mut self, rep: u64) {
        let seed = self.model.seed;
        self.now = 0.0;
        self.events = 0;
        self.queue.clear();
        self.accounts.reset();
        self.units_up.copy_from_slice(&self.plan.comp_units);
        self.blocked.fill(0);
        self.edge_blocking.fill(false);
        self.crew_busy.fill(0);
        for w in &mut self.crew_wait {
            w.clear();
        }
        for (n, kind) in self.plan.nodes.iter().enumerate() {
            let members = self.plan.node_members.row(n).len() as u32;
            self.node_count[n] = members;
            self.node_up[n] = match kind {
                PlanNode::Gate { need } => members >= *need,
                PlanNode::Failover(_) => true,
            };
        }
        for (f, fp) in self.plan.failovers.iter().enumerate() {
            self.failover[f] = Failover::Serving(0);
            self.serving[f] = 0;
            self.rng_switch[f] = rng::stream(seed, rep, fp.stream);
        }
        for c in 0..self.active.len() {
            // A cold standby member runs only while it serves; at first the first member serves.
            let f = self.plan.comp_cold[c];
            self.active[c] = f == NONE || self.plan.node_members.row(self.plan.failovers[f as usize].node as usize)[0] == c as u32;
        }
        for u in 0..self.plan.units() {
            let (up, down) = self.plan.unit_streams[u];
            self.rng_up[u] = rng::stream(seed, rep, up);
            self.rng_down[u] = rng::stream(seed, rep, down);
            let c = self.plan.unit_comp[u] as usize;
            let t = self.model.components[c].failure.sample(&mut self.rng_up[u]);
            if self.active[c] {
                self.phase[u] = Phase::Up;
                self.queue.set(u, t);
            } else {
                self.phase[u] = Phase::Standby;
                self.remaining[u] = t;
            }
        }
        if let Some((c, up)) = self.forced.filter(|&(c, _)| self.plan.comp_units[c] > 0) {
            self.hold(c, up);
        }
    }

    /// Holds component `c` up or down from time 0 (see [`Engine::set_forced`]).
    fn hold(&mut self, c: usize, up: bool) {
        let first = self.plan.comp_first_unit[c] as usize;
        for u in first..first + self.plan.comp_units[c] as usize {
            if up {
                // A failure that never comes: the unit stays up, idle or not.
                self.remaining[u] = f64::INFINITY;
                if self.phase[u] == Phase::Up {
                    self.queue.set(u, f64::INFINITY);
                }
            } else {
                self.queue.cancel(u);
                self.phase[u] = Phase::Dead;
            }
        }
        if !up {
            let was_up = self.units_up[c] >= self.plan.comp_need[c];
            self.units_up[c] = 0;
            if was_up && self.plan.comp_need[c] > 0 {
                self.blocked[c] += 1;
                if self.blocked[c] == 1 {
                    self.cause = c as u32;
                    self.initializing = true;
                    self.component_changed(c);
                    self.initializing = false;
                }
            }
        }
    }

    // ---- units and crews -------------------------------------------------------------------

    fn unit_event(&mut self, u: usize) {
        match self.phase[u] {
            Phase::Up => self.unit_fails(u),
            Phase::Detecting => self.request_repair(u),
            Phase::Repairing => self.unit_repaired(u),
            // Waiting, standby and dead units have no timer; nothing to do if one is ever seen.
            Phase::Waiting | Phase::Standby | Phase::Dead => self.queue.cancel(u),
        }
    }

    fn unit_fails(&mut self, u: usize) {
        let c = self.plan.unit_comp[u] as usize;
        self.failed_at[u] = self.now;
        self.units_up[c] -= 1;
        match &self.model.components[c].detect {
            Some(d) => {
                self.phase[u] = Phase::Detecting;
                let t = self.now + d.sample(&mut self.rng_down[u]);
                self.queue.set(u, t);
            }
            None => self.request_repair(u),
        }
        if self.units_up[c] + 1 == self.plan.comp_need[c] {
            self.blocked[c] += 1;
            if self.blocked[c] == 1 {
                self.component_changed(c);
            }
        }
    }

    fn request_repair(&mut self, u: usize) {
        let c = self.plan.unit_comp[u] as usize;
        let crew = self.plan.comp_crew[c];
        if crew == NONE || self.crew_busy[crew as usize] < self.plan.crew_size[crew as usize] {
            if crew != NONE {
                self.crew_busy[crew as usize] += 1;
            }
            self.start_repair(u);
        } else {
            self.phase[u] = Phase::Waiting;
            self.queue.cancel(u);
            self.crew_wait[crew as usize].push(Waiting { failed_at: self.failed_at[u], unit: u as u32 });
        }
    }

    fn start_repair(&mut self, u: usize) {
        let c = self.plan.unit_comp[u] as usize;
        self.phase[u] = Phase::Repairing;
        let t = self.now + self.model.components[c].repair.sample(&mut self.rng_down[u]);
        self.queue.set(u, t);
    }

    fn unit_repaired(&mut self, u: usize) {
        let c = self.plan.unit_comp[u] as usize;
        self.units_up[c] += 1;
        let life = self.model.components[c].failure.sample(&mut self.rng_up[u]);
        if self.active[c] {
            self.phase[u] = Phase::Up;
            self.queue.set(u, self.now + life);
        } else {
            self.phase[u] = Phase::Standby;
            self.queue.cancel(u);
            self.remaining[u] = life;
        }
        let crew = self.plan.comp_crew[c];
        if crew != NONE {
            match self.crew_wait[crew as usize].pop() {
                Some(next) => self.start_repair(next.unit as usize),
                None => self.crew_busy[crew as usize] -= 1,
            }
        }
        if self.units_up[c] == self.plan.comp_need[c] {
            self.blocked[c] -= 1;
            if self.blocked[c] == 0 {
                self.component_changed(c);
            }
        }
    }

    // ---- dependencies ----------------------------------------------------------------------

    fn grace_expired(&mut self, e: usize) {
        self.edge_blocking[e] = true;
        let x = self.plan.edges[e].to as usize;
        self.blocked[x] += 1;
        if self.blocked[x] == 1 {
            self.component_changed(x);
        }
    }

    /// Settles a change of component `c`'s effective state: first through every component that
    /// depends on it, then through the routes that use any component that changed.
    fn component_changed(&mut self, c: usize) {
        self.changed.clear();
        self.comp_stack.push(c as u32);
        while let Some(c) = self.comp_stack.pop() {
            let c = c as usize;
            self.changed.push(c as u32);
            let up = self.blocked[c] == 0;
            if !up {
                self.down_cause[c] = self.cause;
            }
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
            let up = self.blocked[c] == 0;
            for &(node, pos) in self.plan.comp_refs.row(c) {
                self.pending.push(Reverse((node, pos, up)));
            }
        }
        self.drain_nodes();
    }

    // ---- routes ----------------------------------------------------------------------------

    #[inline]
    fn member_up(&self, m: u32) -> bool {
        if m & NODE_BIT != 0 { self.node_up[(m & !NODE_BIT) as usize] } else { self.blocked[m as usize] == 0 }
    }

    /// Delivers pending member changes, smallest node first, until the route graph is settled.
    /// Members have smaller indices than the nodes that use them, so a node is updated only
    /// once every change to its members in this instant has been applied.
    fn drain_nodes(&mut self) {
        while let Some(Reverse((n, pos, up))) = self.pending.pop() {
            let n = n as usize;
            let before = self.node_up[n];
            match self.plan.nodes[n] {
                PlanNode::Gate { need } => {
                    if up {
                        self.node_count[n] += 1;
                    } else {
                        self.node_count[n] -= 1;
                    }
                    self.node_up[n] = self.node_count[n] >= need;
                }
                PlanNode::Failover(f) => self.failover_member_changed(f as usize, pos, up),
            }
            if self.node_up[n] != before {
                self.node_changed(n);
            }
        }
    }

    /// Queues the parents of node `n` and tells accounting if `n` is a class root.
    fn node_changed(&mut self, n: usize) {
        let up = self.node_up[n];
        let acc = self.plan.node_account[n];
        if acc != NONE {
            self.accounts.change(acc as usize, up, self.now, self.cause);
        }
        for &(p, pos) in self.plan.node_parents.row(n) {
            self.pending.push(Reverse((p, pos, up)));
        }
    }

    fn failover_member_changed(&mut self, f: usize, pos: u32, up: bool) {
        let fp = self.plan.failovers[f];
        match self.failover[f] {
            Failover::Serving(i) => {
                if pos == i && !up {
                    if fp.switchover > 0.0 && !self.initializing {
                        self.failover[f] = Failover::Switching { from: i };
                        self.queue.set(self.plan.switch_base + f, self.now + fp.switchover);
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
                    self.queue.cancel(self.plan.switch_base + f);
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
        self.sync_standby(f);
    }

    /// After failover `f` changed state: in a cold standby, the member that now serves starts
    /// running and the one that stopped serving goes idle, keeping its remaining life.
    fn sync_standby(&mut self, f: usize) {
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

    /// Starts or stops the failure clocks of component `c`'s up units.
    fn set_active(&mut self, c: usize, active: bool) {
        if self.active[c] == active {
            return;
        }
        self.active[c] = active;
        let first = self.plan.comp_first_unit[c] as usize;
        for u in first..first + self.plan.comp_units[c] as usize {
            match (self.phase[u], active) {
                (Phase::Up, false) => {
                    self.remaining[u] = self.queue.time(u) - self.now;
                    self.queue.cancel(u);
                    self.phase[u] = Phase::Standby;
                }
                (Phase::Standby, true) => {
                    self.queue.set(u, self.now + self.remaining[u]);
                    self.phase[u] = Phase::Up;
                }
                _ => {}
            }
        }
    }

    /// Member `i` serves, or an earlier healthy member if failback is on.
    fn serve(&mut self, f: usize, i: u32) {
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
    fn switch_from(&mut self, f: usize, from: u32) {
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

    fn complete_switch(&mut self, f: usize) {
        let node = self.plan.failovers[f].node as usize;
        let before = self.node_up[node];
        if let Failover::Switching { from } = self.failover[f] {
            self.switch_from(f, from);
        }
        self.node_up[node] = matches!(self.failover[f], Failover::Serving(_));
        self.sync_standby(f);
        if self.node_up[node] != before {
            self.node_changed(node);
            self.drain_nodes();
        }
    }
}
