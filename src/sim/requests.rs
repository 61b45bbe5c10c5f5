//! The request layer of a world: which architectures' walks are stale, the fast mode's expected
//! requests per interval of constant walks and rates, the breakers' timers, and the
//! per-request mode's arrivals (see [`crate::traffic`]).

use crate::model::{Effect, Model};
use crate::plan::{Plan, Slot};
use crate::rng::{self, Stream};
use crate::traffic::breaker::Breaker;
use crate::traffic::ledger::Tally;
use crate::traffic::walk::{ClassWalk, Walker};

use super::queue::TimerQueue;
use super::routes::reaches;
use super::{breakers, Accounting, Engine};

/// Request-level state of a world.
pub(super) struct Requests<'m> {
    pub(super) walker: Walker<'m>,
    pub(super) breakers: Vec<Breaker>,
    pub(super) rng_breaker: Vec<Stream>,
    pub(super) capacity: Vec<f64>,
    pub(super) silent: Vec<f64>,
    pub(super) class_rate: Vec<f64>,
    pub(super) permitted: Vec<bool>,
    /// Per account: whether a request could be answered (the class is available).
    pub(super) up: Vec<bool>,
    /// Per architecture (model index): the state changed since its walks were last computed.
    pub(super) stale: Vec<bool>,
    /// Whether anything is stale.
    pub(super) dirty: bool,
    /// Per architecture: its walks or breaker calls were updated in this refresh.
    pub(super) refreshed: Vec<bool>,
    /// Whether something other than breakers and rates changed (capacities, component or node
    /// states).
    pub(super) inputs_changed: bool,
    /// Per architecture: something of its own other than breakers and rates changed, so the
    /// walks remembered for its breaker states no longer hold.
    pub(super) forget: Vec<bool>,
    /// Per component: the request-level architectures of the world that depend on it.
    pub(super) comp_archs: Vec<Vec<u32>>,
    /// Per balance member: its architecture.
    pub(super) member_arch: Vec<u32>,
    /// Whether the class rates changed (the hour, a surge).
    pub(super) rates_changed: bool,
    /// Per breaker: its architecture (model index).
    pub(super) breaker_arch: Vec<u32>,
    /// Time up to which the fast mode has tallied requests.
    pub(super) tallied_until: f64,
    /// Per account: expected requests since its walk last changed, not yet added to its tally
    /// (they all follow the current walk).
    pub(super) unflushed: Vec<f64>,
    /// Per class: its request weight up to `tallied_until`.
    pub(super) tallied_weight: Vec<f64>,
    /// Per class: scratch for the expected requests of an interval.
    pub(super) interval_requests: Vec<f64>,
    pub(super) rng_arrival: Vec<Stream>,
    pub(super) rng_sample: Stream,
    /// Per breaker: the accounts whose route goes through its failover.
    pub(super) breaker_accounts: Vec<Vec<u32>>,
    /// Breakers fast-forwarded through long outages.
    pub(super) cycles: breakers::Cycles,
}

impl<'m> Requests<'m> {
    /// The request-level state of `model`'s world `plan`, accounting requests as `accounting` says.
    pub(super) fn new(model: &'m Model, plan: &'m Plan, accounting: Accounting, placeholder: &Stream) -> Self {
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
        Requests {
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
        }
    }

    /// Back to the start of replication `rep` of `seed`.
    pub(super) fn reset(&mut self, plan: &Plan, seed: u64, rep: u64) {
        for (k, b) in self.breakers.iter_mut().enumerate() {
            b.reset();
            self.rng_breaker[k] = rng::stream(seed, rep, plan.breakers[k].stream);
        }
        self.cycles.reset();
        self.permitted.fill(true);
        self.up.fill(true);
        self.stale.fill(true);
        self.forget.fill(true);
        self.dirty = true;
        self.inputs_changed = true;
        self.rates_changed = true;
        self.tallied_until = 0.0;
        self.tallied_weight.fill(0.0);
        self.unflushed.fill(0.0);
        for (c, &stream) in plan.arrival_streams.iter().enumerate() {
            self.rng_arrival[c] = rng::stream(seed, rep, stream);
        }
        self.rng_sample = rng::stream(seed, rep, rng::name_id(&["requests"]));
    }
}

impl Engine<'_> {
    /// Only the class rates changed: walks hold unless loads cross a capacity.
    pub(super) fn mark_rates_changed(&mut self) {
        if let Some(r) = self.requests.as_mut() {
            r.rates_changed = true;
            r.dirty = true;
        }
    }

    /// Architecture `arch`'s walks must be computed again.
    pub(super) fn mark_arch(&mut self, arch: usize) {
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
    pub(super) fn mark_component(&mut self, c: usize) {
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
    pub(super) fn class_rate(&self, c: usize) -> f64 {
        let cls = &self.model.classes[c];
        let surge = self.plan.surges.iter().zip(&self.surge_on).find(|((k, _), on)| *k as usize == c && **on).map_or(1.0, |_| cls.surges.as_ref().map_or(1.0, |s| s.factor));
        cls.rate * self.accounts.multiplier(c, self.now) * surge
    }

    /// The fast mode counts the expected requests of `[tallied, t]`; they follow the current
    /// walks, and are added to the tallies when a walk changes ([`Engine::flush`]). Called
    /// only when something is about to change what requests see (a walk, a surge) and at the
    /// end: the daily profile's weight is a running integral, so one call covers any stretch
    /// of constant walks and rates.
    pub(super) fn tally_until(&mut self, t: f64) {
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
    pub(super) fn flush(tallies: &mut [Tally], unflushed: &mut [f64], walks: &[ClassWalk], arch: usize, ncls: usize) {
        for acc in arch * ncls..(arch + 1) * ncls {
            tallies[acc].add_expected(unflushed[acc], &walks[acc]);
            unflushed[acc] = 0.0;
        }
    }

    /// Walks the request-level classes of every architecture whose state changed; updates
    /// availability, breakers' call streams and arrival rates.
    #[inline(always)]
    pub(super) fn refresh_requests(&mut self) {
        if self.requests.as_ref().is_some_and(|r| r.dirty) {
            self.refresh_walks();
        }
    }

    pub(super) fn refresh_walks(&mut self) {
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
    pub(super) fn capacities(&self, capacity: &mut [f64], silent: &mut [f64]) {
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

    pub(super) fn breaker_event(&mut self, k: usize) {
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

    pub(super) fn schedule_arrival(&mut self, c: usize) {
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
    pub(super) fn arrival(&mut self, c: usize) {
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
pub(super) fn schedule_breaker(queue: &mut TimerQueue, plan: &Plan, k: usize, breaker: &Breaker, now: f64) {
    set_breaker_timer(queue, plan, k, breaker.next_time(), now);
}

/// Puts breaker `k`'s timer at `t`, not before `now` (none if `t` is infinite).
pub(super) fn set_breaker_timer(queue: &mut TimerQueue, plan: &Plan, k: usize, t: f64, now: f64) {
    let slot = plan.slot(Slot::Breaker(k));
    if t.is_finite() {
        queue.set(slot, t.max(now));
    } else {
        queue.cancel(slot);
    }
}
