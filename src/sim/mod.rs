//! One replication: a discrete-event simulation of every component, with every architecture's
//! routes evaluated over the same component history.
//!
//! Events are timer slots in a [`queue::TimerQueue`]: a failure process of a unit fails, its
//! detection delay ends, its repair ends; a grace period on a dependency runs out; a failover's
//! switch-over completes; a deploy happens or is rolled back; a surge starts or ends; a balance
//! member leaves the rotation; a circuit breaker acts; an hour begins; a request arrives
//! (per-request mode).
//!
//! A unit is down while one of its failure processes with effect `down` is failed; degraded and
//! silent processes change what it serves, not whether it is up. A component is *effectively*
//! up when at least `need` of its units are up and nothing it depends on blocks it; this is kept
//! as a counter of blocking reasons, so a change propagates only to what it touches. Route
//! nodes keep counts of members up (`all`, `any`, `k_of_n`, and `balance` structurally) or a
//! small state machine (`failover`). A class root's changes go to [`accounting`].
//!
//! Each event settles in two phases, so nothing decides on a state that is about to change in
//! the same instant: first component states propagate through the whole dependency graph, then
//! route nodes are updated in index order, which puts every node after its members. (A region
//! that takes down both members of a failover at once is therefore not seen as a switch-over.)
//!
//! In architectures with request-level behaviour (see `crate::traffic`), a class is available
//! while a request could be answered. An event marks stale only the architectures that depend
//! on what it changed (a breaker, its own architecture); their walks are computed again, or
//! found among those remembered for the same breaker states, or kept when only the rates changed
//! and no load crosses a capacity. The fast mode counts the expected requests of each interval
//! and adds them to the tallies with the walk they followed.
//!
//! The component loop does no I/O and, after the first replication on a thread, no heap
//! allocation; the request walk reuses its buffers where it can.
//!
//! For a timeline ([`trace`]), [`Engine::set_tracing`] switches on a recorder: every flip of a
//! component's effective state is reported from `Engine::component_changed`'s two paths (the
//! counting fast path and `propagate`), and the accounts keep each outage's interval as they
//! add it to the downtime. Off, it costs one predictable branch per component change.

pub mod accounting;
pub mod follow;
pub mod queue;
pub mod replay;
pub mod trace;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::RngExt;

use crate::model::{Effect, Model};
use crate::traffic::breaker::Breaker;
use crate::traffic::ledger::Tally;
use crate::traffic::walk::{ClassWalk, View, Walker};
use accounting::Accounts;
pub use accounting::NO_CAUSE;
use crate::plan::{Plan, PlanNode, ProcHot, ProcKind, Slot, NODE_BIT, NONE};
use queue::TimerQueue;
use crate::rng::{self, Stream};
use trace::Recorder;

pub use follow::FOLLOW_LIMIT;

/// How long a first-outage replication runs at most before it is cut (censored).
pub const FIRST_OUTAGE_LIMIT: f64 = 10_000.0 * crate::scenario::units::YEAR;

const HOUR: f64 = 3600.0;

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

/// How requests are accounted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Accounting {
    /// Expected requests over intervals of constant state; breaker windows call by call only
    /// while they matter (cost independent of the request rate).
    #[default]
    Fast,
    /// Every request drawn (exact, slow: for validation at low rates).
    PerRequest,
    /// The fast mode, with every open and half-open transition of a breaker an event of its
    /// own rather than fast-forwarded through long outages ([`breakers`]): the same
    /// distribution of every metric, slower; for validating the fast-forward.
    FastEachCycle,
}

/// Where a failure process is in its cycle.
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

impl Phase {
    /// Whether the process's failure is in effect.
    fn failed(self) -> bool {
        matches!(self, Phase::Detecting | Phase::Waiting | Phase::Repairing | Phase::Dead)
    }
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

impl Failover {
    /// The member requests go to first (`NONE`: none).
    fn target(self) -> u32 {
        match self {
            Failover::Serving(i) | Failover::Switching { from: i } | Failover::Stuck { failed: i } => i,
            Failover::NoneUp => NONE,
        }
    }
}

/// A failure waiting for a crew: ordered by failure time, then process.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Waiting {
    failed_at: f64,
    process: u32,
}

impl Eq for Waiting {}

impl Ord for Waiting {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // BinaryHeap is a max-heap: reverse so the earliest failure comes out first.
        other.failed_at.total_cmp(&self.failed_at).then(other.process.cmp(&self.process))
    }
}

impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Request-level state of a world.
struct Requests<'m> {
    walker: Walker<'m>,
    breakers: Vec<Breaker>,
    rng_breaker: Vec<Stream>,
    capacity: Vec<f64>,
    silent: Vec<f64>,
    class_rate: Vec<f64>,
    permitted: Vec<bool>,
    /// Per account: whether a request could be answered (the class is available).
    up: Vec<bool>,
    /// Per architecture (model index): the state changed since its walks were last computed.
    stale: Vec<bool>,
    /// Whether anything is stale.
    dirty: bool,
    /// Per architecture: its walks or breaker calls were updated in this refresh.
    refreshed: Vec<bool>,
    /// Whether something other than breakers and rates changed (capacities, component or node
    /// states).
    inputs_changed: bool,
    /// Per architecture: something of its own other than breakers and rates changed, so the
    /// walks remembered for its breaker states no longer hold.
    forget: Vec<bool>,
    /// Per component: the request-level architectures of the world that depend on it.
    comp_archs: Vec<Vec<u32>>,
    /// Per balance member: its architecture.
    member_arch: Vec<u32>,
    /// Whether the class rates changed (the hour, a surge).
    rates_changed: bool,
    /// Per breaker: its architecture (model index).
    breaker_arch: Vec<u32>,
    /// Time up to which the fast mode has tallied requests.
    tallied_until: f64,
    /// Per account: expected requests since its walk last changed, not yet added to its tally
    /// (they all follow the current walk).
    unflushed: Vec<f64>,
    /// Per class: its request weight up to `tallied_until`.
    tallied_weight: Vec<f64>,
    /// Per class: scratch for the expected requests of an interval.
    interval_requests: Vec<f64>,
    rng_arrival: Vec<Stream>,
    rng_sample: Stream,
    /// Per breaker: the accounts whose route goes through its failover.
    breaker_accounts: Vec<Vec<u32>>,
    /// Breakers fast-forwarded through long outages.
    cycles: breakers::Cycles,
}

/// What the request walk reads: the engine's state (`$e`) and its request-level state (`$r`),
/// borrowed field by field so the breakers stay free to change.
macro_rules! view {
    ($e:expr, $r:expr) => {
        View {
            blocked: &$e.blocked,
            capacity: &$r.capacity,
            silent: &$r.silent,
            node_up: &$e.node_up,
            serving: &$e.target,
            permitted: &$r.permitted,
            rotation: &$e.rotation,
            class_rate: &$r.class_rate,
        }
    };
}

// After `view!`, which it uses.
mod breakers;

/// The mutable state of the simulation, reused across replications on one thread.
pub struct Engine<'m> {
    model: &'m Model,
    plan: &'m Plan,
    accounting: Accounting,
    now: f64,
    queue: TimerQueue,
    phase: Vec<Phase>,
    failed_at: Vec<f64>,
    remaining: Vec<f64>,
    rng_up: Vec<Stream>,
    rng_down: Vec<Stream>,
    /// Per unit: failure processes with effect `down` in effect.
    unit_down: Vec<u16>,
    /// Per unit: capacity left (product of degraded processes in effect).
    unit_capacity: Vec<f64>,
    /// Per unit: fraction of wrong answers (silent processes in effect).
    unit_silent: Vec<f64>,
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
    /// Member each failover's requests go to first (`NONE`: none).
    target: Vec<u32>,
    /// Whether a component's up units are running: false for a cold standby member that is
    /// not serving.
    active: Vec<bool>,
    rng_switch: Vec<Stream>,
    /// Per deploy: the effect of the bad deploy in place, if any.
    deploy_bad: Vec<Option<Effect>>,
    rng_deploy: Vec<Stream>,
    /// Per surge: whether it is on.
    surge_on: Vec<bool>,
    rng_surge: Vec<Stream>,
    /// Per balance member: whether it is in rotation.
    rotation: Vec<bool>,
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
    requests: Option<Box<Requests<'m>>>,
    /// What the replication's accounts saw; read it after [`Engine::run`].
    pub accounts: Accounts,
    /// Events processed in the last replication.
    pub events: u64,
    /// Whether to prefetch the next event's random streams: worth it only when they no
    /// longer fit in the first-level cache (measured with `benches/renewal.rs`).
    prefetch: bool,
    /// Components' effective down intervals, kept only while tracing ([`Engine::set_tracing`]).
    recorder: Option<Box<Recorder>>,
    /// Per traced component of the world: its next step through its record (see [`replay`]).
    replay_next: Vec<u32>,
}

impl<'m> Engine<'m> {
    /// An engine for `model` with its `plan`, accounting requests the fast way.
    pub fn new(model: &'m Model, plan: &'m Plan) -> Self {
        Self::with_accounting(model, plan, Accounting::Fast)
    }

    /// An engine for `model` with its `plan`, accounting requests as `accounting` says.
    pub fn with_accounting(model: &'m Model, plan: &'m Plan, accounting: Accounting) -> Self {
        let procs = plan.processes();
        let units = plan.units();
        let placeholder = rng::stream(0, 0, 0);
        let requests = plan.request_level.then(|| {
            let mut comp_archs = vec![Vec::new(); model.components.len()];
            for &a in plan.archs.iter().filter(|&&a| plan.arch_requests[a]) {
                for (c, used) in model.components_of(a).into_iter().enumerate() {
                    if used {
                        comp_archs[c].push(a as u32);
                    }
                }
            }
            let mut member_arch = Vec::new();
            for bp in &plan.balances {
                let n = plan.node_members.row(bp.node as usize).len();
                member_arch.extend(std::iter::repeat_n(plan.node_arch[bp.node as usize], n));
            }
            let mut breaker_accounts = vec![Vec::new(); plan.breakers.len()];
            let ncls = model.classes.len();
            for (k, b) in plan.breakers.iter().enumerate() {
                let node = plan.failovers[b.failover as usize].node as usize;
                let arch = plan.node_arch[node] as usize;
                for cls in 0..ncls {
                    let root = plan.arch_first_node[plan.arch_position(arch).unwrap_or(0)] as usize + model.architectures[arch].class_roots[cls];
                    if reaches(plan, root, node) {
                        breaker_accounts[k].push((arch * ncls + cls) as u32);
                    }
                }
            }
            Box::new(Requests {
                walker: Walker::new(model, plan),
                breakers: plan.breakers.iter().map(|b| Breaker::new(b.config, model.horizon)).collect(),
                rng_breaker: vec![placeholder.clone(); plan.breakers.len()],
                capacity: vec![f64::INFINITY; model.components.len()],
                silent: vec![0.0; model.components.len()],
                class_rate: vec![0.0; ncls],
                permitted: vec![true; plan.breakers.len()],
                up: vec![true; plan.accounts],
                stale: vec![true; model.architectures.len()],
                forget: vec![true; model.architectures.len()],
                comp_archs,
                member_arch,
                refreshed: vec![false; model.architectures.len()],
                dirty: true,
                inputs_changed: true,
                rates_changed: true,
                breaker_arch: plan.breakers.iter().map(|b| plan.node_arch[plan.failovers[b.failover as usize].node as usize]).collect(),
                tallied_until: 0.0,
                unflushed: vec![0.0; plan.accounts],
                interval_requests: vec![0.0; ncls],
                tallied_weight: vec![0.0; ncls],
                rng_arrival: vec![placeholder.clone(); ncls],
                rng_sample: placeholder.clone(),
                breaker_accounts,
                cycles: breakers::Cycles::new(accounting == Accounting::Fast, plan.breakers.len(), model.architectures.len(), ncls),
            })
        });
        Engine {
            model,
            plan,
            accounting,
            now: 0.0,
            queue: TimerQueue::new(plan.slots()),
            phase: vec![Phase::Up; procs],
            failed_at: vec![0.0; procs],
            remaining: vec![0.0; procs],
            rng_up: vec![placeholder.clone(); procs],
            rng_down: vec![placeholder.clone(); procs],
            unit_down: vec![0; units],
            unit_capacity: vec![1.0; units],
            unit_silent: vec![0.0; units],
            units_up: plan.comp_units.clone(),
            blocked: vec![0; plan.comp_units.len()],
            edge_blocking: vec![false; plan.edges.len()],
            crew_busy: vec![0; plan.crew_size.len()],
            crew_wait: plan.crew_procs.iter().map(|&n| BinaryHeap::with_capacity(n as usize)).collect(),
            node_up: vec![true; plan.nodes.len()],
            node_count: vec![0; plan.nodes.len()],
            failover: vec![Failover::Serving(0); plan.failovers.len()],
            serving: vec![0; plan.failovers.len()],
            target: vec![0; plan.failovers.len()],
            active: vec![true; plan.comp_units.len()],
            rng_switch: vec![placeholder.clone(); plan.failovers.len()],
            deploy_bad: vec![None; plan.deploys.len()],
            rng_deploy: vec![placeholder.clone(); plan.deploys.len()],
            surge_on: vec![false; plan.surges.len()],
            rng_surge: vec![placeholder; plan.surges.len()],
            rotation: vec![true; plan.balance_members.len()],
            down_cause: vec![NONE; plan.comp_units.len()],
            cause: NONE,
            forced: None,
            initializing: false,
            comp_stack: Vec::with_capacity(plan.comp_units.len()),
            changed: Vec::with_capacity(plan.comp_units.len()),
            pending: BinaryHeap::with_capacity(plan.comp_refs.total() + plan.node_parents.total() + 1),
            requests,
            accounts: Accounts::new(model),
            events: 0,
            prefetch: procs >= PREFETCH_FROM,
            recorder: None,
            replay_next: vec![0; plan.replayed.len()],
        }
    }

    /// Starts (`true`) or stops recording, in the following replications, when each component
    /// is effectively down and each account's outages (for `trace::trace`). Recording only
    /// watches: a replication's outcome is the same bits either way.
    pub fn set_tracing(&mut self, on: bool) {
        self.recorder = on.then(|| Box::new(Recorder::new(self.plan.comp_units.len(), self.model.horizon)));
        self.accounts.record_intervals(on);
    }

    /// When tracing: the intervals of the last replication in which component `c` was
    /// *effectively* down (fewer than `need` units up, a dependency blocking it, or a bad
    /// deploy with effect `down` in place), `(start, end)` in seconds, clipped to the horizon,
    /// in time order. Empty for a component this world does not simulate.
    pub fn component_intervals(&self, c: usize) -> Option<&[(f64, f64)]> {
        self.recorder.as_ref().map(|r| r.intervals(c))
    }

    /// Tells the recorder, if any, that component `c`'s effective state is now `up`.
    #[inline(always)]
    fn record_component(&mut self, c: usize, up: bool) {
        if let Some(r) = self.recorder.as_deref_mut() {
            r.component(c, up, self.now);
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
        self.refresh_requests();
        let horizon = self.model.horizon;
        let mut follow = follow::Follow::default();
        while let Some((slot, t)) = self.queue.peek() {
            let done = match mode {
                Mode::Horizon => t >= horizon && follow.stop(t, horizon, self.events, self.accounts.open()),
                Mode::Availability => t >= horizon,
                Mode::FirstOutage => self.accounts.awaiting_first() == 0 || t > FIRST_OUTAGE_LIMIT,
            };
            if done {
                break;
            }
            self.now = t;
            self.events += 1;
            // A signal stops even one very long replication (its result is discarded).
            if self.events & crate::interrupt::EVENT_CHECK_MASK == 0 && crate::interrupt::requested() {
                break;
            }
            match self.plan.slot_kind(slot) {
                Slot::Process(i) => {
                    let hot = self.plan.proc_hot[i];
                    self.cause = hot.comp;
                    if hot.plain {
                        self.plain_event(i, hot)
                    } else {
                        self.process_event(i)
                    }
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
                Slot::Deploy(d) => self.deploy_event(d),
                Slot::Surge(s) => self.surge_event(s),
                Slot::Health(m) => {
                    self.queue.cancel(slot);
                    self.rotation[m] = false;
                    if let Some(a) = self.requests.as_ref().map(|r| r.member_arch[m] as usize) {
                        self.mark_arch(a);
                    }
                }
                Slot::Breaker(k) => self.breaker_event(k),
                Slot::Tick => {
                    self.queue.set(slot, t + HOUR);
                    self.mark_rates_changed();
                }
                Slot::Arrival(c) => self.arrival(c),
                Slot::Replay(k) => self.replay_event(k),
            }
            if self.prefetch {
                self.prefetch_next();
            }
            self.refresh_requests();
        }
        self.tally_until(horizon);
        if let Some(mut r) = self.requests.take() {
            self.finish_cycles(&mut r);
            self.requests = Some(r);
        }
        if let Some(r) = self.requests.as_mut() {
            let ncls = self.model.classes.len();
            for &a in &self.plan.archs {
                Self::flush(&mut self.accounts.tallies, &mut r.unflushed, &r.walker.classes, a, ncls);
            }
        }
        if let Some(r) = &self.requests {
            for (k, b) in r.breakers.iter().enumerate() {
                for &acc in &r.breaker_accounts[k] {
                    self.accounts.breaker_opens[acc as usize] += b.opens;
                }
            }
        }
        match mode {
            Mode::Horizon | Mode::Availability => self.accounts.close_all(self.now.max(horizon), follow.budget_spent()),
            Mode::FirstOutage => self.accounts.close_all(self.now, false),
        }
        if let Some(r) = self.recorder.as_deref_mut() {
            r.finish();
        }
    }

    fn reset(&mut self, rep: u64) {
        let seed = self.model.seed;
        self.now = 0.0;
        self.events = 0;
        self.queue.clear();
        self.accounts.reset();
        if let Some(r) = self.recorder.as_deref_mut() {
            r.reset();
        }
        self.units_up.copy_from_slice(&self.plan.comp_units);
        self.unit_down.fill(0);
        self.unit_capacity.fill(1.0);
        self.unit_silent.fill(0.0);
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
                PlanNode::Balance(_) => members >= 1,
            };
        }
        for (f, fp) in self.plan.failovers.iter().enumerate() {
            self.failover[f] = Failover::Serving(0);
            self.serving[f] = 0;
            self.target[f] = 0;
            self.rng_switch[f] = rng::stream(seed, rep, fp.stream);
        }
        self.rotation.fill(true);
        for c in 0..self.active.len() {
            // A cold standby member runs only while it serves; at first the first member serves.
            let f = self.plan.comp_cold[c];
            self.active[c] = f == NONE || self.plan.node_members.row(self.plan.failovers[f as usize].node as usize)[0] == c as u32;
        }
        for i in 0..self.plan.processes() {
            let (up, down) = self.plan.proc_streams[i];
            self.rng_up[i] = rng::stream(seed, rep, up);
            self.rng_down[i] = rng::stream(seed, rep, down);
            let c = self.plan.proc_hot[i].comp as usize;
            let t = self.kind(i).failure.sample(&mut self.rng_up[i]);
            if self.active[c] {
                self.phase[i] = Phase::Up;
                self.queue.set(i, t);
            } else {
                self.phase[i] = Phase::Standby;
                self.remaining[i] = t;
            }
        }
        for (d, &(c, stream)) in self.plan.deploys.iter().enumerate() {
            self.deploy_bad[d] = None;
            self.rng_deploy[d] = rng::stream(seed, rep, stream);
            if let Some(dep) = &self.model.components[c as usize].deploys {
                let t = dep.every.sample(&mut self.rng_deploy[d]);
                self.queue.set(self.plan.slot(Slot::Deploy(d)), t);
            }
        }
        for (s, &(class, stream)) in self.plan.surges.iter().enumerate() {
            self.surge_on[s] = false;
            self.rng_surge[s] = rng::stream(seed, rep, stream);
            if let Some(sg) = &self.model.classes[class as usize].surges {
                let t = sg.every.sample(&mut self.rng_surge[s]);
                self.queue.set(self.plan.slot(Slot::Surge(s)), t);
            }
        }
        if self.plan.ticks || (self.plan.request_level && self.accounting == Accounting::PerRequest) {
            self.queue.set(self.plan.slot(Slot::Tick), HOUR);
        }
        if let Some(r) = self.requests.as_mut() {
            for (k, b) in r.breakers.iter_mut().enumerate() {
                b.reset();
                r.rng_breaker[k] = rng::stream(seed, rep, self.plan.breakers[k].stream);
            }
            r.cycles.reset();
            r.permitted.fill(true);
            r.up.fill(true);
            r.stale.fill(true);
            r.forget.fill(true);
            r.dirty = true;
            r.inputs_changed = true;
            r.rates_changed = true;
            r.tallied_until = 0.0;
            r.tallied_weight.fill(0.0);
            r.unflushed.fill(0.0);
            for (c, &stream) in self.plan.arrival_streams.iter().enumerate() {
                r.rng_arrival[c] = rng::stream(seed, rep, stream);
            }
            r.rng_sample = rng::stream(seed, rep, rng::name_id(&["requests"]));
        }
        self.start_replay();
        if let Some((c, up)) = self.forced.filter(|&(c, _)| self.plan.comp_units[c] > 0) {
            self.hold(c, up);
        }
        if self.accounting == Accounting::PerRequest && self.plan.request_level {
            for c in 0..self.model.classes.len() {
                self.schedule_arrival(c);
            }
        }
    }

    /// Starts loading the random stream of the next event's process, so that its draw does
    /// not wait on memory when a model has more processes than the first-level cache holds.
    #[inline(always)]
    fn prefetch_next(&self) {
        if let Some((slot, _)) = self.queue.peek() {
            if slot < self.rng_up.len() {
                prefetch(&self.rng_up[slot]);
                prefetch(&self.rng_down[slot]);
            }
        }
    }

    #[inline(always)]
    fn kind(&self, i: usize) -> &'m ProcKind {
        &self.plan.kinds[self.plan.proc_hot[i].kind as usize]
    }

    /// Holds component `c` up or down from time 0 (see [`Engine::set_forced`]).
    fn hold(&mut self, c: usize, up: bool) {
        let first = self.plan.comp_first_unit[c] as usize;
        for u in first..first + self.plan.comp_units[c] as usize {
            let p0 = self.plan.unit_first_proc[u] as usize;
            for i in p0..p0 + self.model.components[c].processes.len() {
                if up {
                    // A failure that never comes: the unit stays up, idle or not.
                    self.remaining[i] = f64::INFINITY;
                    if self.phase[i] == Phase::Up {
                        self.queue.set(i, f64::INFINITY);
                    }
                } else {
                    self.queue.cancel(i);
                    self.phase[i] = Phase::Dead;
                }
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

    // ---- failure processes and crews -------------------------------------------------------

    /// The event of a plain process (see [`ProcHot::plain`]): the same steps as
    /// [`Engine::process_event`] takes for it, without the branches that cannot apply.
    #[inline(always)]
    fn plain_event(&mut self, i: usize, hot: ProcHot) {
        let k = &self.plan.kinds[hot.kind as usize];
        let (c, u) = (hot.comp as usize, hot.unit as usize);
        match self.phase[i] {
            Phase::Up => {
                self.phase[i] = Phase::Repairing;
                let t = self.now + k.repair.sample(&mut self.rng_down[i]);
                self.queue.set(i, t);
                self.unit_failed(u, c);
            }
            Phase::Repairing => {
                self.phase[i] = Phase::Up;
                let t = self.now + k.failure.sample(&mut self.rng_up[i]);
                self.queue.set(i, t);
                self.unit_recovered(u, c);
            }
            _ => self.process_event(i),
        }
    }

    #[inline(always)]
    fn process_event(&mut self, i: usize) {
        match self.phase[i] {
            Phase::Up => self.process_fails(i),
            Phase::Detecting => self.request_repair(i),
            Phase::Repairing => self.process_repaired(i),
            // Waiting, standby and dead processes have no timer; nothing to do if one is ever seen.
            Phase::Waiting | Phase::Standby | Phase::Dead => self.queue.cancel(i),
        }
    }

    #[inline(always)]
    fn process_fails(&mut self, i: usize) {
        self.failed_at[i] = self.now;
        match &self.kind(i).detect {
            Some(d) => {
                self.phase[i] = Phase::Detecting;
                let t = self.now + d.sample(&mut self.rng_down[i]);
                self.queue.set(i, t);
            }
            None => self.request_repair(i),
        }
        self.effect_changed(i, true);
    }

    #[inline(always)]
    fn request_repair(&mut self, i: usize) {
        let c = self.plan.proc_hot[i].comp as usize;
        let crew = self.plan.comp_crew[c];
        if crew == NONE || self.crew_busy[crew as usize] < self.plan.crew_size[crew as usize] {
            if crew != NONE {
                self.crew_busy[crew as usize] += 1;
            }
            self.start_repair(i);
        } else {
            self.phase[i] = Phase::Waiting;
            self.queue.cancel(i);
            self.crew_wait[crew as usize].push(Waiting { failed_at: self.failed_at[i], process: i as u32 });
        }
    }

    #[inline(always)]
    fn start_repair(&mut self, i: usize) {
        self.phase[i] = Phase::Repairing;
        let t = self.now + self.kind(i).repair.sample(&mut self.rng_down[i]);
        self.queue.set(i, t);
    }

    #[inline(always)]
    fn process_repaired(&mut self, i: usize) {
        let c = self.plan.proc_hot[i].comp as usize;
        let life = self.kind(i).failure.sample(&mut self.rng_up[i]);
        if self.active[c] {
            self.phase[i] = Phase::Up;
            self.queue.set(i, self.now + life);
        } else {
            self.phase[i] = Phase::Standby;
            self.queue.cancel(i);
            self.remaining[i] = life;
        }
        let crew = self.plan.comp_crew[c];
        if crew != NONE {
            match self.crew_wait[crew as usize].pop() {
                Some(next) => self.start_repair(next.process as usize),
                None => self.crew_busy[crew as usize] -= 1,
            }
        }
        self.effect_changed(i, false);
    }

    /// Process `i`'s failure came into effect (`failed`) or ended: update its unit.
    #[inline(always)]
    fn effect_changed(&mut self, i: usize, failed: bool) {
        let u = self.plan.proc_hot[i].unit as usize;
        let c = self.plan.proc_hot[i].comp as usize;
        match self.kind(i).effect {
            Effect::Down if failed => self.unit_failed(u, c),
            Effect::Down => self.unit_recovered(u, c),
            Effect::Degraded { .. } | Effect::Silent { .. } => self.partial_effect_changed(u, c),
        }
    }

    /// A process of unit `u` of component `c` took the unit down.
    #[inline(always)]
    fn unit_failed(&mut self, u: usize, c: usize) {
        self.unit_down[u] += 1;
        if self.unit_down[u] == 1 {
            self.units_up[c] -= 1;
            if self.units_up[c] + 1 == self.plan.comp_need[c] {
                self.blocked[c] += 1;
                if self.blocked[c] == 1 {
                    self.component_changed(c);
                }
            }
        }
        self.mark_component(c);
    }

    /// A process of unit `u` of component `c` no longer holds the unit down.
    #[inline(always)]
    fn unit_recovered(&mut self, u: usize, c: usize) {
        self.unit_down[u] -= 1;
        if self.unit_down[u] == 0 {
            self.units_up[c] += 1;
            if self.units_up[c] == self.plan.comp_need[c] {
                self.blocked[c] -= 1;
                if self.blocked[c] == 0 {
                    self.component_changed(c);
                }
            }
        }
        self.mark_component(c);
    }

    /// A degrading or silent process started or ended: recompute its unit's capacity and
    /// share of wrong answers from every such process in effect.
    fn partial_effect_changed(&mut self, u: usize, c: usize) {
        {
            {
                let p0 = self.plan.unit_first_proc[u] as usize;
                let (mut cap, mut right) = (1.0, 1.0);
                for (k, p) in self.model.components[c].processes.iter().enumerate() {
                    if !self.phase[p0 + k].failed() {
                        continue;
                    }
                    match p.effect {
                        Effect::Degraded { capacity_left } => cap *= capacity_left,
                        Effect::Silent { fraction } => right *= 1.0 - fraction,
                        Effect::Down => {}
                    }
                }
                self.unit_capacity[u] = cap;
                self.unit_silent[u] = 1.0 - right;
                self.mark_component(c);
            }
        }
    }

    // ---- deploys and surges ------------------------------------------------------------------

    fn deploy_event(&mut self, d: usize) {
        let c = self.plan.deploys[d].0 as usize;
        let Some(dep) = &self.model.components[c].deploys else { return };
        let slot = self.plan.slot(Slot::Deploy(d));
        let was_bad = self.deploy_bad[d].is_some();
        match self.deploy_bad[d] {
            None => {
                if self.rng_deploy[d].random::<f64>() < dep.bad {
                    self.deploy_bad[d] = Some(dep.effect);
                    let t = self.now + dep.rollback.sample(&mut self.rng_deploy[d]);
                    self.queue.set(slot, t);
                    if dep.effect == Effect::Down {
                        self.cause = c as u32;
                        self.blocked[c] += 1;
                        if self.blocked[c] == 1 {
                            self.component_changed(c);
                        }
                    }
                } else {
                    let t = self.now + dep.every.sample(&mut self.rng_deploy[d]);
                    self.queue.set(slot, t);
                }
            }
            Some(effect) => {
                self.deploy_bad[d] = None;
                let t = self.now + dep.every.sample(&mut self.rng_deploy[d]);
                self.queue.set(slot, t);
                if effect == Effect::Down {
                    self.blocked[c] -= 1;
                    if self.blocked[c] == 0 {
                        self.component_changed(c);
                    }
                }
            }
        }
        // A bad deploy beginning or rolled back changes the component; a good one does not.
        if was_bad || self.deploy_bad[d].is_some() {
            self.mark_component(c);
        }
    }

    fn surge_event(&mut self, s: usize) {
        let class = self.plan.surges[s].0 as usize;
        let Some(sg) = &self.model.classes[class].surges else { return };
        let slot = self.plan.slot(Slot::Surge(s));
        // The requests before the surge toggles come at the old rate.
        self.tally_until(self.now);
        self.surge_on[s] = !self.surge_on[s];
        let t = if self.surge_on[s] { sg.duration.sample(&mut self.rng_surge[s]) } else { sg.every.sample(&mut self.rng_surge[s]) };
        self.queue.set(slot, self.now + t);
        self.mark_rates_changed();
        if self.accounting == Accounting::PerRequest {
            self.schedule_arrival(class);
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
    /// depends on it, then through the routes that use any component that changed. Every flip of
    /// a component's effective state (`blocked` leaving or reaching 0) goes through here or
    /// through `propagate`, and both tell the recorder when tracing.
    #[inline(always)]
    fn component_changed(&mut self, c: usize) {
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
    fn propagate(&mut self, c: usize) {
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
    fn count_member(&mut self, n: usize, up: bool) {
        if up {
            self.node_count[n] += 1;
        } else {
            self.node_count[n] -= 1;
        }
    }

    /// A balance member's health changed: it leaves the rotation after the health check (at
    /// once without one) and comes back as soon as it is healthy.
    fn balance_member_changed(&mut self, b: usize, pos: usize, up: bool) {
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
    fn node_changed(&mut self, n: usize) {
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

    fn failover_member_changed(&mut self, f: usize, pos: u32, up: bool) {
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
    fn sync_failover(&mut self, f: usize) {
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

    /// Starts or stops the failure clocks of component `c`'s up units.
    fn set_active(&mut self, c: usize, active: bool) {
        if self.active[c] == active {
            return;
        }
        self.active[c] = active;
        let first = self.plan.comp_first_unit[c] as usize;
        for u in first..first + self.plan.comp_units[c] as usize {
            let p0 = self.plan.unit_first_proc[u] as usize;
            for i in p0..p0 + self.model.components[c].processes.len() {
                match (self.phase[i], active) {
                    (Phase::Up, false) => {
                        self.remaining[i] = self.queue.time(i) - self.now;
                        self.queue.cancel(i);
                        self.phase[i] = Phase::Standby;
                    }
                    (Phase::Standby, true) => {
                        self.queue.set(i, self.now + self.remaining[i]);
                        self.phase[i] = Phase::Up;
                    }
                    _ => {}
                }
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
        self.sync_failover(f);
        if self.node_up[node] != before {
            self.node_changed(node);
            self.drain_nodes();
        }
    }

    // ---- requests ----------------------------------------------------------------------------

    /// Only the class rates changed: walks hold unless loads cross a capacity.
    fn mark_rates_changed(&mut self) {
        if let Some(r) = self.requests.as_mut() {
            r.rates_changed = true;
            r.dirty = true;
        }
    }

    /// Architecture `arch`'s walks must be computed again.
    fn mark_arch(&mut self, arch: usize) {
        if let Some(r) = self.requests.as_mut() {
            r.stale[arch] = true;
            r.forget[arch] = true;
            r.dirty = true;
            r.inputs_changed = true;
        }
    }

    /// Component `c` changed (state, capacity or answers): the walks of the architectures that
    /// depend on it must be computed again.
    #[inline(always)]
    fn mark_component(&mut self, c: usize) {
        if let Some(r) = self.requests.as_mut() {
            for &a in &r.comp_archs[c] {
                r.stale[a as usize] = true;
                r.forget[a as usize] = true;
                r.dirty = true;
                r.inputs_changed = true;
            }
        }
    }

    /// The current rate of class `c`: its mean rate × the hour's profile × any surge.
    fn class_rate(&self, c: usize) -> f64 {
        let cls = &self.model.classes[c];
        let surge = self.plan.surges.iter().zip(&self.surge_on).find(|((k, _), on)| *k as usize == c && **on).map_or(1.0, |_| cls.surges.as_ref().map_or(1.0, |s| s.factor));
        cls.rate * self.accounts.multiplier(c, self.now) * surge
    }

    /// The fast mode counts the expected requests of `[tallied, t]`; they follow the current
    /// walks, and are added to the tallies when a walk changes ([`Engine::flush`]). Called
    /// only when something is about to change what requests see (a walk, a surge) and at the
    /// end: the daily profile's weight is a running integral, so one call covers any stretch
    /// of constant walks and rates.
    fn tally_until(&mut self, t: f64) {
        let Some(r) = self.requests.as_mut() else { return };
        let end = t.min(self.accounts.horizon());
        if self.accounting == Accounting::PerRequest || end <= r.tallied_until {
            return;
        }
        r.tallied_until = end;
        let ncls = self.model.classes.len();
        for (c, cls) in self.model.classes.iter().enumerate() {
            let surge = self.plan.surges.iter().zip(&self.surge_on).find(|((k, _), on)| *k as usize == c && **on).map_or(1.0, |_| cls.surges.as_ref().map_or(1.0, |s| s.factor));
            let w = self.accounts.weight_at(c, end);
            r.interval_requests[c] = cls.rate * surge * (w - r.tallied_weight[c]);
            r.tallied_weight[c] = w;
        }
        for &a in &self.plan.archs {
            if self.plan.arch_requests[a] {
                for c in 0..ncls {
                    r.unflushed[a * ncls + c] += r.interval_requests[c];
                }
            }
        }
    }

    /// Adds the requests counted for architecture `arch` to its tallies, with its current walks.
    fn flush(tallies: &mut [Tally], unflushed: &mut [f64], walks: &[ClassWalk], arch: usize, ncls: usize) {
        for acc in arch * ncls..(arch + 1) * ncls {
            tallies[acc].add_expected(unflushed[acc], &walks[acc]);
            unflushed[acc] = 0.0;
        }
    }

    /// Walks the request-level classes of every architecture whose state changed; updates
    /// availability, breakers' call streams and arrival rates.
    #[inline(always)]
    fn refresh_requests(&mut self) {
        if self.requests.as_ref().is_some_and(|r| r.dirty) {
            self.refresh_walks();
        }
    }

    fn refresh_walks(&mut self) {
        // The requests up to now follow the walks as they were; count them before any changes.
        self.tally_until(self.now);
        // Taken out while the walks read the rest of the engine.
        let Some(mut r) = self.requests.take() else { return };
        r.dirty = false;
        // Spans of fast-forwarded breaker cycles end before anything they assumed changes.
        self.end_cycles(&mut r);
        if r.inputs_changed || r.rates_changed {
            for c in 0..self.model.classes.len() {
                r.class_rate[c] = self.class_rate(c);
            }
        }
        if r.inputs_changed {
            self.capacities(&mut r.capacity, &mut r.silent);
            for a in 0..r.forget.len() {
                if r.forget[a] {
                    r.walker.forget(a);
                }
            }
            r.forget.fill(false);
        }
        let rescale = r.rates_changed && !r.inputs_changed;
        r.inputs_changed = false;
        r.rates_changed = false;
        for (k, b) in r.breakers.iter().enumerate() {
            r.permitted[k] = b.permitted();
        }
        let ncls = self.model.classes.len();
        for &a in &self.plan.archs {
            if !self.plan.arch_requests[a] || !(r.stale[a] || rescale) {
                continue;
            }
            let view = view!(self, r);
            r.refreshed[a] = true;
            if !r.stale[a] && r.walker.rescale(&view, a) {
                // Only the rates changed and the walks hold: just the breakers' calls follow.
                continue;
            }
            Self::flush(&mut self.accounts.tallies, &mut r.unflushed, &r.walker.classes, a, ncls);
            r.walker.evaluate(&view, a);
            for c in 0..ncls {
                let acc = a * ncls + c;
                let up = r.walker.classes[acc].served() > 0.0;
                if up != r.up[acc] {
                    r.up[acc] = up;
                    self.accounts.change(acc, up, self.now, self.cause);
                }
            }
        }
        if self.accounting != Accounting::PerRequest {
            for k in 0..r.breakers.len() {
                if !r.refreshed[r.breaker_arch[k] as usize] {
                    continue;
                }
                let calls = r.walker.breakers[k];
                r.breakers[k].set_calls(self.now, calls.rate, calls.p_fail, calls.fail_delay, &mut r.rng_breaker[k]);
                schedule_breaker(&mut self.queue, self.plan, k, &r.breakers[k], self.now);
            }
        }
        self.start_cycles(&mut r);
        r.stale.fill(false);
        r.refreshed.fill(false);
        self.requests = Some(r);
    }

    /// What each component can serve now, into `capacity` (requests per second; infinite: no
    /// limit) and `silent` (the fraction of wrong answers), over its up units.
    fn capacities(&self, capacity: &mut [f64], silent: &mut [f64]) {
        for (c, comp) in self.model.components.iter().enumerate() {
            capacity[c] = f64::INFINITY;
            silent[c] = 0.0;
            if self.plan.comp_units[c] == 0 || !comp.request_level() {
                continue;
            }
            let (mut cap_total, mut weight, mut wrong) = (0.0, 0.0, 0.0);
            let first = self.plan.comp_first_unit[c] as usize;
            for u in first..first + self.plan.comp_units[c] as usize {
                if self.unit_down[u] > 0 {
                    continue;
                }
                let w = self.unit_capacity[u];
                cap_total += w;
                weight += w;
                wrong += w * self.unit_silent[u];
            }
            let (mut dep_cap, mut dep_wrong) = (1.0, 0.0);
            if let Some(d) = self.plan.deploys.iter().position(|&(k, _)| k as usize == c) {
                match self.deploy_bad[d] {
                    Some(Effect::Degraded { capacity_left }) => dep_cap = capacity_left,
                    Some(Effect::Silent { fraction }) => dep_wrong = fraction,
                    _ => {}
                }
            }
            if let Some(per_unit) = comp.capacity {
                capacity[c] = cap_total * per_unit * dep_cap;
            }
            let unit_wrong = if weight > 0.0 { wrong / weight } else { 0.0 };
            silent[c] = 1.0 - (1.0 - unit_wrong) * (1.0 - dep_wrong);
        }
    }

    fn breaker_event(&mut self, k: usize) {
        let slot = self.plan.slot(Slot::Breaker(k));
        let Some(r) = self.requests.as_mut() else {
            self.queue.cancel(slot);
            return;
        };
        if r.cycles.active(k) {
            let mut r = self.requests.take();
            if let Some(r) = r.as_deref_mut() {
                self.cycling_event(r, k);
            }
            self.requests = r;
            return;
        }
        let changed = r.breakers[k].advance(self.now, &mut r.rng_breaker[k]);
        schedule_breaker(&mut self.queue, self.plan, k, &r.breakers[k], self.now);
        if changed {
            // Only the architecture the breaker belongs to routes through it.
            r.stale[r.breaker_arch[k] as usize] = true;
            r.dirty = true;
        } else if r.breakers[k].fast_open_until().is_some() && r.cycles.opened(k) {
            // Opened again at a verdict: a span of cycles may start at the refresh.
            r.dirty = true;
        }
    }

    fn schedule_arrival(&mut self, c: usize) {
        let rate = self.class_rate(c);
        let slot = self.plan.slot(Slot::Arrival(c));
        let Some(r) = self.requests.as_mut() else { return };
        if rate <= 0.0 {
            self.queue.cancel(slot);
            return;
        }
        let gap: f64 = rand_distr::Distribution::sample(&rand_distr::Exp1, &mut r.rng_arrival[c]);
        self.queue.set(slot, self.now + gap / rate);
    }

    /// Per-request mode: a request of class `c` arrives now in every request-level
    /// architecture of the world.
    fn arrival(&mut self, c: usize) {
        let ncls = self.model.classes.len();
        let inside = self.now < self.accounts.horizon();
        if let Some(r) = self.requests.as_mut() {
            let view = view!(self, r);
            for &a in &self.plan.archs {
                if !self.plan.arch_requests[a] {
                    continue;
                }
                let s = r.walker.sample(&view, a, c, self.now, &mut r.rng_sample, &mut r.breakers);
                if inside {
                    self.accounts.tallies[a * ncls + c].add_one(s.outcome, s.latency, s.extra_attempts, s.charge);
                }
            }
            for k in 0..r.breakers.len() {
                let permitted = r.breakers[k].permitted();
                if permitted != r.permitted[k] {
                    r.stale[r.breaker_arch[k] as usize] = true;
                    r.dirty = true;
                }
                schedule_breaker(&mut self.queue, self.plan, k, &r.breakers[k], self.now);
            }
        }
        self.schedule_arrival(c);
    }
}

/// Puts breaker `k`'s timer at its next event (none if nothing will happen).
fn schedule_breaker(queue: &mut TimerQueue, plan: &Plan, k: usize, breaker: &Breaker, now: f64) {
    let slot = plan.slot(Slot::Breaker(k));
    let t = breaker.next_time();
    if t.is_finite() {
        queue.set(slot, t.max(now));
    } else {
        queue.cancel(slot);
    }
}

/// Process count from which [`Engine::prefetch_next`] pays: 2 × 32 bytes of stream state per
/// process then exceed a first-level data cache of 32 KiB several times over.
const PREFETCH_FROM: usize = 2048;

/// Hints the processor to bring `x` into the cache; does nothing where there is no such hint.
#[inline(always)]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint; it never faults, whatever the address.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// Whether node `target` is `from` or among its members, recursively.
fn reaches(plan: &Plan, from: usize, target: usize) -> bool {
    if from == target {
        return true;
    }
    plan.node_members.row(from).iter().any(|&m| m & NODE_BIT != 0 && reaches(plan, (m & !NODE_BIT) as usize, target))
}
