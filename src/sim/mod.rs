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
mod routes;
pub mod trace;
mod units;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::model::{Effect, Model};
use crate::plan::{Plan, PlanNode, ProcKind, Slot, NONE};
use crate::rng::{self, Stream};
use accounting::Accounts;
use queue::TimerQueue;
use requests::Requests;
use routes::Failover;
use trace::Recorder;
use units::{Phase, Waiting};

pub use accounting::NO_CAUSE;
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

/// What the request walk reads: the engine's state (`$e`) and its request-level state (`$r`),
/// borrowed field by field so the breakers stay free to change.
macro_rules! view {
    ($e:expr, $r:expr) => {
        $crate::traffic::walk::View {
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

// After `view!`, which they use.
mod breakers;
mod requests;

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
        let requests = plan.request_level.then(|| Box::new(Requests::new(model, plan, accounting, &placeholder)));
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
            r.reset(self.plan, seed, rep);
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

