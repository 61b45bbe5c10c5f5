//! A circuit breaker on one failover member, with Resilience4j's semantics and a time-based
//! sliding window.
//!
//! Closed: every call is recorded when it ends (a hanging call when its timeout passes); after
//! each record, if the window (the last `window` seconds) holds at least `min_calls` calls and
//! the failed fraction is at least `threshold`, the breaker opens. Open: no call goes through for
//! `open_for`. Half open: `half_open_calls` trial calls go through; when all have ended, the
//! breaker opens again if their failed fraction is at least `threshold`, and closes (with an
//! empty window) otherwise. Records of calls made in an earlier state are ignored.
//!
//! Three ways to drive it:
//! - per-request mode: [`Breaker::call`] and [`Breaker::record_at`] for each real call;
//! - fast mode, call by call: [`Breaker::set_calls`] gives the rate and failure probability of
//!   its calls, and the breaker draws them itself — only while they can change its state (while
//!   everything succeeds it idles, and refills its window with the successes it skipped when it
//!   wakes up);
//! - fast mode as a fluid, when the window would hold more than `FLUID_CALLS_PER_WINDOW`
//!   calls: the window holds rates instead of calls and the breaker opens at the instant the
//!   condition is met (at such rates the real breaker is, to within a fraction of a percent,
//!   deterministic). Either way the cost does not grow with the request rate.

use std::collections::VecDeque;

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use crate::model::Breaker as Config;
use crate::sim::rng::Stream;

/// Where a breaker is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum State {
    /// Calls go through and are recorded in the window.
    Closed,
    /// No call goes through until `until`.
    Open {
        /// When it turns half open.
        until: f64,
    },
    /// Trial calls go through.
    HalfOpen {
        /// Trials let through so far.
        issued: u32,
        /// Trials ended so far.
        ended: u32,
        /// Trials that failed.
        failures: u32,
    },
}

/// A call period of the fluid window: calls from `start` to `end` at these rates.
#[derive(Clone, Copy, Debug)]
struct Period {
    start: f64,
    end: f64,
    success_rate: f64,
    failure_rate: f64,
    delay: f64,
}

/// One circuit breaker.
#[derive(Clone, Debug)]
pub struct Breaker {
    config: Config,
    fluid: bool,
    /// Current state.
    pub state: State,
    /// Bumped at every change of state, so records of older calls can be told apart.
    epoch: u32,
    /// Recorded calls in the window: (time, failed).
    window: VecDeque<(f64, bool)>,
    window_failures: u32,
    /// Calls that will end later: (time, failed, epoch), in time order.
    pending: VecDeque<(f64, bool, u32)>,
    // Fast mode: the calls it sees now.
    rate: f64,
    p_fail: f64,
    delay: f64,
    next_call: f64,
    /// Call by call: since when calls have not been drawn (all succeeded meanwhile).
    idle_since: f64,
    /// Call by call: (time, call rate) changes while idle, to refill the window.
    history: VecDeque<(f64, f64)>,
    /// Fluid: call periods still inside the window.
    periods: VecDeque<Period>,
    /// Fluid: next change of state it foresees.
    next_fluid: f64,
    /// Fluid half open: when trials stop being let through, and when the verdict is known.
    trials_end: f64,
    verdict_at: f64,
    verdict_failures: u32,
    /// Times it opened before `horizon`.
    pub opens: u32,
    horizon: f64,
}

impl Breaker {
    /// A closed breaker. `fluid` chooses the fluid window (fast mode at high call rates).
    pub fn new(config: Config, fluid: bool, horizon: f64) -> Self {
        Breaker {
            config,
            fluid,
            state: State::Closed,
            epoch: 0,
            window: VecDeque::new(),
            window_failures: 0,
            pending: VecDeque::new(),
            rate: 0.0,
            p_fail: 0.0,
            delay: 0.0,
            next_call: f64::INFINITY,
            idle_since: 0.0,
            history: VecDeque::new(),
            periods: VecDeque::new(),
            next_fluid: f64::INFINITY,
            trials_end: f64::INFINITY,
            verdict_at: f64::INFINITY,
            verdict_failures: 0,
            opens: 0,
            horizon,
        }
    }

    /// Back to closed and empty, for a new replication.
    pub fn reset(&mut self) {
        let (config, fluid, horizon) = (self.config, self.fluid, self.horizon);
        let mut fresh = Breaker::new(config, fluid, horizon);
        std::mem::swap(&mut fresh.window, &mut self.window);
        std::mem::swap(&mut fresh.pending, &mut self.pending);
        std::mem::swap(&mut fresh.history, &mut self.history);
        std::mem::swap(&mut fresh.periods, &mut self.periods);
        fresh.window.clear();
        fresh.pending.clear();
        fresh.history.clear();
        fresh.periods.clear();
        *self = fresh;
    }

    /// Whether a call may go through now.
    pub fn permitted(&self) -> bool {
        match self.state {
            State::Closed => true,
            State::Open { .. } => false,
            State::HalfOpen { issued, .. } => issued < self.config.half_open_calls,
        }
    }

    /// The next time something happens inside the breaker (infinite if nothing will).
    pub fn next_time(&self) -> f64 {
        let mut t = self.pending.front().map_or(f64::INFINITY, |p| p.0);
        if let State::Open { until } = self.state {
            t = t.min(until);
        }
        if self.fluid {
            t.min(self.next_fluid).min(self.trials_end).min(self.verdict_at)
        } else {
            t.min(self.next_call)
        }
    }

    fn transition(&mut self, state: State, now: f64) {
        if let State::Open { .. } = state {
            if now < self.horizon {
                self.opens += 1;
            }
        }
        self.state = state;
        self.epoch += 1;
        self.window.clear();
        self.window_failures = 0;
        self.periods.clear();
        self.next_fluid = f64::INFINITY;
        self.trials_end = f64::INFINITY;
        self.verdict_at = f64::INFINITY;
    }

    fn prune(&mut self, now: f64) {
        let from = now - self.config.window;
        while let Some(&(t, failed)) = self.window.front() {
            if t >= from {
                break;
            }
            self.window.pop_front();
            if failed {
                self.window_failures -= 1;
            }
        }
    }

    /// Records a call that ends at `now`, made in state `epoch`.
    fn record(&mut self, now: f64, failed: bool, epoch: u32) {
        if epoch != self.epoch {
            return;
        }
        match self.state {
            State::Closed => {
                self.window.push_back((now, failed));
                if failed {
                    self.window_failures += 1;
                }
                self.prune(now);
                let n = self.window.len();
                if n >= self.config.min_calls as usize && self.window_failures as f64 >= self.config.threshold * n as f64 {
                    self.transition(State::Open { until: now + self.config.open_for }, now);
                }
            }
            State::HalfOpen { issued, ended, failures } => {
                let (ended, failures) = (ended + 1, failures + failed as u32);
                if ended >= self.config.half_open_calls {
                    if failures as f64 >= self.config.threshold * ended as f64 {
                        self.transition(State::Open { until: now + self.config.open_for }, now);
                    } else {
                        self.transition(State::Closed, now);
                    }
                } else {
                    self.state = State::HalfOpen { issued, ended, failures };
                }
            }
            State::Open { .. } => {}
        }
    }

    /// Per-request mode: a call arrives now. Returns whether it may go through (a trial in
    /// half open counts against the trials).
    pub fn call(&mut self) -> bool {
        match self.state {
            State::Closed => true,
            State::Open { .. } => false,
            State::HalfOpen { issued, ended, failures } => {
                if issued < self.config.half_open_calls {
                    self.state = State::HalfOpen { issued: issued + 1, ended, failures };
                    true
                } else {
                    false
                }
            }
        }
    }

    /// Per-request mode: a call made now will end at `at` (now, or later if it hangs).
    pub fn record_at(&mut self, now: f64, at: f64, failed: bool) {
        if at <= now {
            self.record(now, failed, self.epoch);
        } else {
            self.defer(at, failed);
        }
    }

    fn defer(&mut self, at: f64, failed: bool) {
        let entry = (at, failed, self.epoch);
        let pos = self.pending.iter().rposition(|p| p.0 <= at).map_or(0, |i| i + 1);
        self.pending.insert(pos, entry);
    }

    /// Fast mode: the calls this breaker sees from now on (rate, failure probability, and how
    /// long a failing call takes to be known).
    pub fn set_calls(&mut self, now: f64, rate: f64, p_fail: f64, delay: f64, rng: &mut Stream) {
        let changed = rate != self.rate || p_fail != self.p_fail || delay != self.delay;
        self.rate = rate;
        self.p_fail = p_fail;
        self.delay = delay;
        if self.fluid {
            if changed {
                if let Some(last) = self.periods.back_mut() {
                    last.end = now;
                }
                self.periods.push_back(Period { start: now, end: f64::INFINITY, success_rate: rate * (1.0 - p_fail), failure_rate: rate * p_fail, delay });
                self.plan_fluid(now, rng);
            }
            return;
        }
        if self.next_call.is_infinite() {
            self.history.push_back((now, rate));
        }
        self.schedule_call(now, rng);
    }

    /// Call by call: whether calls must be drawn now (they could change the state).
    fn active(&self) -> bool {
        match self.state {
            State::Closed => self.p_fail > 0.0 || self.window_failures > 0 || !self.pending.is_empty(),
            State::HalfOpen { issued, .. } => issued < self.config.half_open_calls,
            State::Open { .. } => false,
        }
    }

    fn schedule_call(&mut self, now: f64, rng: &mut Stream) {
        let was_idle = self.next_call.is_infinite();
        if !self.active() || self.rate <= 0.0 {
            if !was_idle {
                self.idle_since = now;
                self.history.clear();
                self.history.push_back((now, self.rate));
            }
            self.next_call = f64::INFINITY;
            return;
        }
        if was_idle && self.state == State::Closed {
            self.refill(now, rng);
        }
        let gap: f64 = Exp1.sample(rng);
        self.next_call = now + gap / self.rate;
    }

    /// Call by call, waking up: the successes of the calls not drawn while idle, from the
    /// rates they had (a Poisson process: counts per period, times uniform).
    fn refill(&mut self, now: f64, rng: &mut Stream) {
        let from = (now - self.config.window).max(self.idle_since);
        let mut times: Vec<f64> = Vec::new();
        let mut i = 0;
        while i < self.history.len() {
            let (start, rate) = self.history[i];
            let end = self.history.get(i + 1).map_or(now, |h| h.0);
            let (a, b) = (start.max(from), end.min(now));
            if b > a && rate > 0.0 {
                let count = poisson(rate * (b - a), rng);
                for _ in 0..count {
                    times.push(a + (b - a) * rng.random::<f64>());
                }
            }
            i += 1;
        }
        times.sort_by(f64::total_cmp);
        for t in times {
            self.window.push_back((t, false));
        }
        self.prune(now);
        self.history.clear();
    }

    /// Advances to `now`, handling whatever is due; returns whether whether calls may go
    /// through changed (the routes must then be walked again).
    pub fn advance(&mut self, now: f64, rng: &mut Stream) -> bool {
        let before = self.permitted();
        while let Some(&(t, failed, epoch)) = self.pending.front() {
            if t > now {
                break;
            }
            self.pending.pop_front();
            self.record(t, failed, epoch);
        }
        if let State::Open { until } = self.state {
            if until <= now {
                self.transition(State::HalfOpen { issued: 0, ended: 0, failures: 0 }, now);
                if self.fluid {
                    self.plan_fluid(now, rng);
                }
            }
        }
        if self.fluid {
            self.advance_fluid(now, rng);
        } else if self.next_call <= now {
            // A drawn call: it goes through (the breaker is closed, or half open with trials left).
            if let State::HalfOpen { issued, ended, failures } = self.state {
                self.state = State::HalfOpen { issued: issued + 1, ended, failures };
            }
            let failed = rng.random::<f64>() < self.p_fail;
            if failed && self.delay > 0.0 {
                self.defer(now + self.delay, true);
            } else {
                self.record(now, failed, self.epoch);
            }
            self.next_call = f64::INFINITY;
            self.schedule_call(now, rng);
        } else if self.next_call.is_infinite() {
            self.schedule_call(now, rng);
        }
        before != self.permitted()
    }

    // ---- the fluid window ----------------------------------------------------------------

    fn plan_fluid(&mut self, now: f64, rng: &mut Stream) {
        match self.state {
            State::Closed => {
                self.next_fluid = self.fluid_crossing(now);
            }
            State::HalfOpen { issued, .. } => {
                let left = self.config.half_open_calls.saturating_sub(issued);
                if self.rate <= 0.0 || left == 0 {
                    self.trials_end = f64::INFINITY;
                    return;
                }
                if self.trials_end.is_infinite() {
                    let failures = (0..self.config.half_open_calls).filter(|_| rng.random::<f64>() < self.p_fail).count() as u32;
                    self.verdict_failures = failures;
                }
                self.trials_end = now + left as f64 / self.rate;
                self.verdict_at = self.trials_end + if self.verdict_failures > 0 { self.delay } else { 0.0 };
            }
            State::Open { .. } => {}
        }
    }

    fn advance_fluid(&mut self, now: f64, rng: &mut Stream) {
        match self.state {
            State::Closed if self.next_fluid <= now => {
                self.transition(State::Open { until: now + self.config.open_for }, now);
            }
            State::HalfOpen { .. } => {
                if self.trials_end <= now {
                    let k = self.config.half_open_calls;
                    self.state = State::HalfOpen { issued: k, ended: 0, failures: self.verdict_failures };
                    self.trials_end = f64::INFINITY;
                }
                if self.verdict_at <= now {
                    let k = self.config.half_open_calls;
                    if self.verdict_failures as f64 >= self.config.threshold * k as f64 {
                        self.transition(State::Open { until: now + self.config.open_for }, now);
                    } else {
                        self.transition(State::Closed, now);
                        if let Some(mut p) = self.periods.back().copied() {
                            p.start = now;
                            self.periods.clear();
                            self.periods.push_back(p);
                        } else {
                            self.periods.push_back(Period {
                                start: now,
                                end: f64::INFINITY,
                                success_rate: self.rate * (1.0 - self.p_fail),
                                failure_rate: self.rate * self.p_fail,
                                delay: self.delay,
                            });
                        }
                        self.plan_fluid(now, rng);
                    }
                }
            }
            _ => {}
        }
        if self.state == State::Closed && self.periods.is_empty() && self.rate > 0.0 {
            self.periods.push_back(Period { start: now, end: f64::INFINITY, success_rate: self.rate * (1.0 - self.p_fail), failure_rate: self.rate * self.p_fail, delay: self.delay });
            self.plan_fluid(now, rng);
        }
    }

    /// Failures and successes recorded in the window ending at `t`.
    fn fluid_counts(&self, t: f64) -> (f64, f64) {
        let from = t - self.config.window;
        let overlap = |a: f64, b: f64| (b.min(t) - a.max(from)).max(0.0);
        let (mut f, mut s) = (0.0, 0.0);
        for p in &self.periods {
            f += p.failure_rate * overlap(p.start + p.delay, p.end + p.delay);
            s += p.success_rate * overlap(p.start, p.end);
        }
        (f, s)
    }

    /// The first time from `now` at which the window meets the opening condition, if the
    /// current rates go on; infinite if it never does.
    fn fluid_crossing(&self, now: f64) -> f64 {
        let w = self.config.window;
        let mut points: Vec<f64> = vec![now];
        for p in &self.periods {
            for x in [p.start, p.end, p.start + p.delay, p.end + p.delay] {
                for y in [x, x + w] {
                    if y.is_finite() && y > now {
                        points.push(y);
                    }
                }
            }
        }
        points.sort_by(f64::total_cmp);
        points.dedup();
        let m = self.config.min_calls as f64;
        let th = self.config.threshold;
        let ok = |f: f64, s: f64| f > 0.0 && f + s >= m - 1e-9 && f >= th * (f + s) - 1e-9;
        for pair in points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let (fa, sa) = self.fluid_counts(a);
            if ok(fa, sa) {
                return a;
            }
            let (fb, sb) = self.fluid_counts(b);
            // Both conditions are linear in t on [a, b]: g1 = f + s − m, g2 = f − θ(f + s).
            let g = |f: f64, s: f64| (f + s - m, f - th * (f + s));
            let (g1a, g2a) = g(fa, sa);
            let (g1b, g2b) = g(fb, sb);
            let start = |ga: f64, gb: f64| -> Option<f64> {
                if ga >= 0.0 {
                    Some(0.0)
                } else if gb >= 0.0 {
                    Some(ga / (ga - gb))
                } else {
                    None
                }
            };
            if let (Some(x1), Some(x2)) = (start(g1a, g1b), start(g2a, g2b)) {
                let x = x1.max(x2);
                let t = a + x * (b - a);
                let (ft, st) = self.fluid_counts(t);
                if ok(ft, st) || x >= 1.0 - 1e-12 {
                    return t.max(now);
                }
            }
        }
        let last = *points.last().unwrap_or(&now);
        let (f, s) = self.fluid_counts(last + w);
        if ok(f, s) {
            // Constant from here on: met at the last change.
            last
        } else {
            f64::INFINITY
        }
    }
}

/// A Poisson draw (inversion for small means, normal approximation for large ones).
fn poisson(mean: f64, rng: &mut Stream) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 500.0 {
        let z: f64 = rand_distr::StandardNormal.sample(rng);
        return (mean + z * mean.sqrt()).round().max(0.0) as u64;
    }
    let l = (-mean).exp();
    let (mut k, mut p) = (0u64, 1.0);
    loop {
        p *= rng.random::<f64>();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::stream;

    fn config() -> Config {
        Config { window: 60.0, min_calls: 20, threshold: 0.5, open_for: 30.0, half_open_calls: 5 }
    }

    #[test]
    fn opens_on_failures_and_recovers_through_half_open() {
        let mut b = Breaker::new(config(), false, 1e9);
        for i in 0..19 {
            assert!(b.call());
            b.record_at(i as f64, i as f64, true);
        }
        assert_eq!(b.state, State::Closed, "19 calls are fewer than min_calls");
        b.record_at(19.0, 19.0, true);
        assert!(matches!(b.state, State::Open { until } if until == 49.0));
        assert!(!b.call());
        let mut rng = stream(1, 0, 0);
        b.advance(49.0, &mut rng);
        assert!(matches!(b.state, State::HalfOpen { .. }));
        for k in 0..5 {
            assert!(b.call());
            b.record_at(50.0 + k as f64, 50.0 + k as f64, false);
        }
        assert_eq!(b.state, State::Closed);
        assert_eq!(b.opens, 1);
    }

    #[test]
    fn successes_keep_it_closed_and_old_calls_leave_the_window() {
        let mut b = Breaker::new(config(), false, 1e9);
        for i in 0..30 {
            b.record_at(i as f64, i as f64, false);
        }
        for i in 30..58 {
            b.record_at(i as f64, i as f64, true);
        }
        // 28 failures of 58 calls in the window: below half.
        assert_eq!(b.state, State::Closed);
        b.record_at(100.0, 100.0, true);
        // Only the failures from 40 s on are left: 19 calls, fewer than min_calls.
        assert_eq!(b.state, State::Closed);
        b.record_at(100.0, 100.0, true);
        assert!(matches!(b.state, State::Open { .. }));
    }

    #[test]
    fn hanging_calls_are_recorded_when_they_end() {
        let mut b = Breaker::new(Config { min_calls: 1, ..config() }, false, 1e9);
        let mut rng = stream(1, 0, 0);
        b.record_at(0.0, 20.0, true);
        assert_eq!(b.state, State::Closed);
        b.advance(19.0, &mut rng);
        assert_eq!(b.state, State::Closed);
        b.advance(20.0, &mut rng);
        assert!(matches!(b.state, State::Open { .. }));
    }

    #[test]
    fn a_fluid_window_opens_when_failures_reach_the_threshold() {
        // 1000 calls/s all succeeding for a minute, then all failing: with a 60 s window the
        // failed fraction reaches one half 30 s later.
        let mut b = Breaker::new(config(), true, 1e9);
        let mut rng = stream(1, 0, 0);
        b.set_calls(0.0, 1000.0, 0.0, 0.0, &mut rng);
        b.set_calls(60.0, 1000.0, 1.0, 0.0, &mut rng);
        assert!((b.next_time() - 90.0).abs() < 1e-6, "{}", b.next_time());
        // With failures known 20 s late (hanging calls), it takes 20 s more... and the
        // successes keep leaving: the crossing is where 1000·(t − 80) = 1000·(120 − t).
        let mut h = Breaker::new(config(), true, 1e9);
        h.set_calls(0.0, 1000.0, 0.0, 0.0, &mut rng);
        h.set_calls(60.0, 1000.0, 1.0, 20.0, &mut rng);
        assert!((h.next_time() - 100.0).abs() < 1e-6, "{}", h.next_time());
    }
}
