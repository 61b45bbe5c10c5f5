//! A circuit breaker on one failover member, with Resilience4j's semantics and its time-based
//! sliding window.
//!
//! The window aggregates calls per second, as Resilience4j's time-based window does: with a
//! window of w seconds, at time t it holds the calls recorded in the current second and the
//! w − 1 seconds before it. Closed: every call is recorded when it ends (a hanging call when its
//! timeout passes); after each record, if the window holds at least `min_calls` calls and the
//! failed fraction is at least `threshold`, the breaker opens. Open: no call goes through for
//! `open_for`. Half open: `half_open_calls` trial calls go through; when all have ended, the
//! breaker opens again if their failed fraction is at least `threshold`, and closes (with an
//! empty window) otherwise. Records of calls made in an earlier state are ignored.
//!
//! Two ways to drive it:
//! - per-request mode: [`Breaker::call`] and [`Breaker::record_at`] for each real call;
//! - fast mode: [`Breaker::set_calls`] gives the rate and failure probability of its calls, and
//!   the breaker draws them itself, one stretch of constant rates within one second at a time:
//!   first how many successes and failures the stretch records (Poisson counts); then, only if
//!   the failures could meet the opening condition within the stretch, their order (a uniformly
//!   random interleaving) to find the record at which it opens, and that record's time (an
//!   order statistic of uniform times, a Beta draw). This is exact for the per-second window,
//!   and costs a few draws per second whatever the rate. While no call can fail and the window
//!   holds no failure, the breaker cannot open: it idles, and when it wakes up it refills its
//!   window with the successes it skipped.

use std::collections::VecDeque;

use rand::RngExt;
use rand_distr::{Beta, Binomial, Distribution, Exp1, Poisson};

use crate::model::Breaker as Config;
use crate::scenario::units::floor_time;
use crate::rng::Stream;
use crate::traffic::cycling::{Reached, TrialCall};

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

/// Fast mode: failures of the calls of one period of constant rates are recorded at `rate`
/// from `start` to `end` (the period shifted by the time a failing call takes to be known).
#[derive(Clone, Copy, Debug)]
struct FailureRecords {
    start: f64,
    end: f64,
    rate: f64,
}

/// Fast mode, closed: the records of `[start, end)`, drawn ahead.
#[derive(Clone, Copy, Debug)]
struct Stretch {
    start: f64,
    end: f64,
    successes: u64,
    failures: u64,
    /// The record at which the breaker opens (1-based), and its time.
    opening: Option<(u64, f64)>,
    /// Whether the order of the records was drawn (into `Breaker::order`).
    ordered: bool,
}

/// Fast mode, half open: one trial call.
#[derive(Clone, Copy, Debug)]
struct Trial {
    issued_at: f64,
    ends_at: f64,
    failed: bool,
}

/// One circuit breaker.
#[derive(Clone, Debug)]
pub struct Breaker {
    config: Config,
    /// Seconds (buckets) in the window.
    width: i64,
    /// Current state.
    pub state: State,
    /// Bumped at every change of state, so records of older calls can be told apart.
    epoch: u32,
    /// Calls and failures recorded per second, a ring indexed by the second modulo `width`.
    ring: Vec<(u64, u64)>,
    /// The current second.
    second: i64,
    /// Calls and failures in the window.
    calls: u64,
    failures: u64,
    /// Per-request mode: calls that will end later: (time, failed, epoch), in time order.
    pending: VecDeque<(f64, bool, u32)>,
    /// Fast mode: whether `set_calls` drives it.
    fast: bool,
    rate: f64,
    p_fail: f64,
    delay: f64,
    /// Fast mode: successes are recorded at this rate.
    success_rate: f64,
    /// Fast mode: failure records still to come, by start.
    failure_records: VecDeque<FailureRecords>,
    /// Fast mode, closed: the stretch drawn ahead (none while idle).
    stretch: Option<Stretch>,
    /// Fast mode, closed: the records of the stretch in order (true: a failure), when drawn.
    order: Vec<bool>,
    /// Fast mode, closed: whether it idles, since when, and the success rates since then.
    idle: bool,
    idle_since: f64,
    history: Vec<(f64, f64)>,
    /// Fast mode, half open: the trials, in the order they are issued.
    trials: Vec<Trial>,
    trials_end: f64,
    verdict_at: f64,
    /// Times it opened before `horizon`.
    pub opens: u32,
    horizon: f64,
}

impl Breaker {
    /// A closed breaker.
    pub fn new(config: Config, horizon: f64) -> Self {
        let width = (config.window.ceil() as i64).max(1);
        Breaker {
            config,
            width,
            state: State::Closed,
            epoch: 0,
            ring: vec![(0, 0); width as usize],
            second: 0,
            calls: 0,
            failures: 0,
            pending: VecDeque::new(),
            fast: false,
            rate: 0.0,
            p_fail: 0.0,
            delay: 0.0,
            success_rate: 0.0,
            failure_records: VecDeque::new(),
            stretch: None,
            order: Vec::new(),
            idle: false,
            idle_since: 0.0,
            history: Vec::new(),
            trials: Vec::new(),
            trials_end: f64::INFINITY,
            verdict_at: f64::INFINITY,
            opens: 0,
            horizon,
        }
    }

    /// Back to closed and empty, for a new replication (keeping its buffers).
    pub fn reset(&mut self) {
        let mut fresh = Breaker::new(self.config, self.horizon);
        std::mem::swap(&mut fresh.pending, &mut self.pending);
        std::mem::swap(&mut fresh.failure_records, &mut self.failure_records);
        std::mem::swap(&mut fresh.order, &mut self.order);
        std::mem::swap(&mut fresh.history, &mut self.history);
        std::mem::swap(&mut fresh.trials, &mut self.trials);
        fresh.pending.clear();
        fresh.failure_records.clear();
        fresh.order.clear();
        fresh.history.clear();
        fresh.trials.clear();
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
        match self.state {
            State::Open { until } => t = t.min(until),
            State::Closed => {
                if let Some(s) = &self.stretch {
                    t = t.min(s.opening.map_or(s.end, |o| o.1));
                }
            }
            State::HalfOpen { .. } => t = t.min(self.trials_end).min(self.verdict_at),
        }
        t
    }

    /// Whether a window of `calls` calls with `failures` failures opens the breaker.
    fn meets(&self, calls: u64, failures: u64) -> bool {
        calls >= u64::from(self.config.min_calls) && failures as f64 >= self.config.threshold * calls as f64
    }

    fn transition(&mut self, state: State, now: f64) {
        if let State::Open { .. } = state {
            if now < self.horizon {
                self.opens += 1;
            }
        }
        self.state = state;
        self.epoch += 1;
        if self.calls > 0 {
            self.ring.iter_mut().for_each(|b| *b = (0, 0));
        }
        self.calls = 0;
        self.failures = 0;
        self.stretch = None;
        self.idle = false;
        self.trials.clear();
        self.trials_end = f64::INFINITY;
        self.verdict_at = f64::INFINITY;
    }

    /// Moves the window to the second of `t`, dropping the seconds that leave it.
    fn roll(&mut self, t: f64) {
        let s = floor_time(t) as i64;
        if s <= self.second {
            return;
        }
        if self.calls == 0 {
            // An empty window: every second is empty already.
            self.second = s;
            return;
        }
        let steps = (s - self.second).min(self.width);
        for k in 1..=steps {
            let slot = (self.second + k).rem_euclid(self.width) as usize;
            let (c, f) = std::mem::take(&mut self.ring[slot]);
            self.calls -= c;
            self.failures -= f;
        }
        self.second = s;
    }

    /// Adds records to the current second.
    fn add(&mut self, calls: u64, failures: u64) {
        let slot = self.second.rem_euclid(self.width) as usize;
        self.ring[slot].0 += calls;
        self.ring[slot].1 += failures;
        self.calls += calls;
        self.failures += failures;
    }

    /// Records a call that ends at `now`, made in state `epoch`.
    fn record(&mut self, now: f64, failed: bool, epoch: u32) {
        if epoch != self.epoch {
            return;
        }
        match self.state {
            State::Closed => {
                self.roll(now);
                self.add(1, failed as u64);
                if self.meets(self.calls, self.failures) {
                    self.transition(State::Open { until: now + self.config.open_for }, now);
                }
            }
            State::HalfOpen { issued, ended, failures } => {
                let (ended, failures) = (ended + 1, failures + failed as u32);
                if ended >= self.config.half_open_calls {
                    self.verdict(failures, now);
                } else {
                    self.state = State::HalfOpen { issued, ended, failures };
                }
            }
            State::Open { .. } => {}
        }
    }

    /// All trials have ended with `failures` failures: open again or close.
    fn verdict(&mut self, failures: u32, now: f64) {
        if failures as f64 >= self.config.threshold * self.config.half_open_calls as f64 {
            self.transition(State::Open { until: now + self.config.open_for }, now);
        } else {
            self.transition(State::Closed, now);
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
            let entry = (at, failed, self.epoch);
            let pos = self.pending.iter().rposition(|p| p.0 <= at).map_or(0, |i| i + 1);
            self.pending.insert(pos, entry);
        }
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
                if self.fast {
                    self.plan_trials(now, rng);
                }
            }
        }
        if self.fast {
            match self.state {
                State::Closed => self.advance_closed(now, rng),
                State::HalfOpen { .. } => self.advance_half_open(now, rng),
                State::Open { .. } => {}
            }
        }
        before != self.permitted()
    }

    /// Its configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// When it turns half open, if it is open and driven by the fast mode.
    pub fn fast_open_until(&self) -> Option<f64> {
        match self.state {
            State::Open { until } if self.fast => Some(until),
            _ => None,
        }
    }

    /// Fast mode: takes the breaker back from [`crate::traffic::cycling`] at `now`, in the
    /// state the cycles reached (the opens on the way are counted there). Half open, `trials`
    /// are those issued so far, known to fail `delay` after they were issued; the rest are
    /// drawn when the engine next gives the breaker its calls.
    pub fn resume(&mut self, reached: Reached, trials: &[TrialCall], delay: f64, now: f64, rng: &mut Stream) {
        let opens = self.opens;
        match reached {
            Reached::Open { until } => self.transition(State::Open { until }, now),
            Reached::HalfOpen { all_issued } => {
                let issued = if all_issued { self.config.half_open_calls } else { trials.len() as u32 };
                self.transition(State::HalfOpen { issued, ended: 0, failures: 0 }, now);
                self.trials.extend(trials.iter().map(|c| Trial { issued_at: c.issued_at, ends_at: if c.failed { c.issued_at + delay } else { c.issued_at }, failed: c.failed }));
                if all_issued {
                    let last = self.trials.last().map_or(now, |t| t.issued_at);
                    self.verdict_at = self.trials.iter().map(|t| t.ends_at).fold(last, f64::max);
                }
            }
            Reached::Closed => {
                self.transition(State::Closed, now);
                self.start_stretch(now, rng);
            }
        }
        self.opens = opens;
    }

    // ---- fast mode -----------------------------------------------------------------------

    /// Fast mode: the calls this breaker sees from `now` on: their rate, the probability that
    /// one fails, and how long a failing call takes to be known.
    pub fn set_calls(&mut self, now: f64, rate: f64, p_fail: f64, delay: f64, rng: &mut Stream) {
        if self.fast && rate == self.rate && p_fail == self.p_fail && delay == self.delay {
            return;
        }
        // A stretch whose opening is due now is left alone: the breaker opens at this instant
        // whatever the new rates.
        let opening_due = self.stretch.is_some_and(|s| s.opening.is_some_and(|o| o.1 <= now));
        if self.state == State::Closed && !opening_due {
            self.stop_stretch(now, rng);
        }
        while self.failure_records.front().is_some_and(|r| r.end <= now) {
            self.failure_records.pop_front();
        }
        if let Some(last) = self.failure_records.back_mut() {
            if last.end.is_infinite() {
                last.end = (now + self.delay).max(last.start);
            }
        }
        self.fast = true;
        self.rate = rate;
        self.p_fail = p_fail;
        self.delay = delay;
        self.success_rate = rate * (1.0 - p_fail);
        if rate * p_fail > 0.0 {
            self.failure_records.push_back(FailureRecords { start: now + delay, end: f64::INFINITY, rate: rate * p_fail });
        }
        match self.state {
            State::Closed if opening_due => {}
            State::Closed => {
                if self.idle {
                    self.history.push((now, self.success_rate));
                }
                self.start_stretch(now, rng);
            }
            State::HalfOpen { .. } => self.plan_trials(now, rng),
            State::Open { .. } => {}
        }
    }

    /// The rate of failure records at `t`, and the next time after `t` it changes.
    fn failure_rate_at(&self, t: f64) -> (f64, f64) {
        let (mut rate, mut next) = (0.0, f64::INFINITY);
        for r in &self.failure_records {
            if r.start <= t && t < r.end {
                rate += r.rate;
                next = next.min(r.end);
            } else if r.start > t {
                next = next.min(r.start);
            }
        }
        (rate, next)
    }

    fn advance_closed(&mut self, now: f64, rng: &mut Stream) {
        let Some(s) = self.stretch else { return };
        if let Some((k, t)) = s.opening {
            if t <= now {
                let failures = self.failures_among(&s, k);
                self.roll(s.start);
                self.add(k, failures);
                self.transition(State::Open { until: now + self.config.open_for }, now);
                return;
            }
        }
        if s.end <= now {
            self.stretch = None;
            self.roll(s.start);
            self.add(s.successes + s.failures, s.failures);
            self.start_stretch(now, rng);
        }
    }

    /// Failures among the first `k` records of a stretch.
    fn failures_among(&self, s: &Stretch, k: u64) -> u64 {
        if s.ordered {
            self.order[..k as usize].iter().filter(|&&f| f).count() as u64
        } else if s.successes == 0 {
            k
        } else {
            0
        }
    }

    /// Ends the current stretch at `now` (the rates change): the records drawn before `now`
    /// are kept, those after are dropped (they will be drawn again at the new rates).
    fn stop_stretch(&mut self, now: f64, rng: &mut Stream) {
        let Some(s) = self.stretch.take() else { return };
        if now <= s.start {
            return;
        }
        let n = s.successes + s.failures;
        let (calls, failures) = match s.opening {
            // It has not opened by `now`: the records before the opening one are uniform on
            // [start, opening time).
            Some((k, t)) => {
                let c = binomial(k - 1, (now - s.start) / (t - s.start), rng);
                (c, self.failures_among(&s, c))
            }
            None if s.ordered => {
                let c = binomial(n, (now - s.start) / (s.end - s.start), rng);
                (c, self.failures_among(&s, c))
            }
            None => {
                let q = (now - s.start) / (s.end - s.start);
                let (ok, failed) = (binomial(s.successes, q, rng), binomial(s.failures, q, rng));
                (ok + failed, failed)
            }
        };
        self.roll(s.start);
        self.add(calls, failures);
    }

    /// Draws the records from `now` to the end of the second (or the next change of rates),
    /// or idles if the breaker cannot open.
    fn start_stretch(&mut self, now: f64, rng: &mut Stream) {
        while self.failure_records.front().is_some_and(|r| r.end <= now) {
            self.failure_records.pop_front();
        }
        self.roll(now);
        // It opens only at a record, and only with a failure in the window.
        let records_come = self.success_rate > 0.0 || !self.failure_records.is_empty();
        let can_open = !self.failure_records.is_empty() || self.failures > 0;
        if !(records_come && can_open) {
            if !self.idle {
                self.idle = true;
                self.idle_since = now;
                self.history.clear();
                self.history.push((now, self.success_rate));
            }
            self.stretch = None;
            return;
        }
        if self.idle {
            self.refill(now, rng);
            self.idle = false;
        }
        let (failure_rate, change) = self.failure_rate_at(now);
        let end = (floor_time(now) + 1.0).min(change);
        let successes = poisson(self.success_rate * (end - now), rng);
        let failures = poisson(failure_rate * (end - now), rng);
        let (opening, ordered) = self.opening(successes, failures, rng);
        let opening = opening.map(|k| {
            let n = successes + failures;
            let u: f64 = Beta::new(k as f64, (n - k + 1) as f64).map_or(0.5, |b| b.sample(rng));
            (k, now + (end - now) * u)
        });
        self.stretch = Some(Stretch { start: now, end, successes, failures, opening, ordered });
    }

    /// The record (1-based) at which `successes` and `failures` recorded after the window's
    /// current content open the breaker, if any; and whether their order was drawn.
    fn opening(&mut self, successes: u64, failures: u64, rng: &mut Stream) -> (Option<u64>, bool) {
        let n = successes + failures;
        let (calls, failed) = (self.calls, self.failures);
        let first = u64::from(self.config.min_calls).saturating_sub(calls).max(1);
        if first > n {
            return (None, false);
        }
        // The failures coming first make every prefix as bad as it can be: if even then no
        // record opens the breaker, none does.
        let best = failures.clamp(first, n);
        if !self.meets(calls + best, failed + best.min(failures)) {
            return (None, false);
        }
        if successes == 0 {
            return (self.first_opening_failure(first, n), false);
        }
        if failures == 0 {
            return (Some(first), false);
        }
        self.order.clear();
        let (mut left_f, mut left) = (failures, n);
        let mut seen_f = 0;
        for k in 1..=n {
            let fail = rng.random::<f64>() * (left as f64) < left_f as f64;
            self.order.push(fail);
            left -= 1;
            if fail {
                left_f -= 1;
                seen_f += 1;
            }
            if k >= first && self.meets(calls + k, failed + seen_f) {
                return (Some(k), true);
            }
        }
        (None, true)
    }

    /// With only failures to come, the first of them (from `first` to `n`) that opens the
    /// breaker: failures + k ≥ θ (calls + k), solved for k, then checked exactly.
    fn first_opening_failure(&self, first: u64, n: u64) -> Option<u64> {
        let (calls, failed) = (self.calls as f64, self.failures as f64);
        let th = self.config.threshold;
        let mut k = if th < 1.0 { ((th * calls - failed) / (1.0 - th)).ceil().max(first as f64).min(n as f64) as u64 } else { first };
        while k > first && self.meets(self.calls + k - 1, self.failures + k - 1) {
            k -= 1;
        }
        while k <= n && !self.meets(self.calls + k, self.failures + k) {
            k += 1;
            if th >= 1.0 {
                // failures + k ≥ calls + k does not depend on k.
                return None;
            }
        }
        (k <= n).then_some(k)
    }

    /// Waking up: the successes of the calls not drawn while idle, from the rates they had
    /// (Poisson counts per second of the window).
    fn refill(&mut self, now: f64, rng: &mut Stream) {
        let from = (floor_time(now) - (self.width - 1) as f64).max(self.idle_since);
        for i in 0..self.history.len() {
            let (start, rate) = self.history[i];
            let end = self.history.get(i + 1).map_or(now, |h| h.0);
            let (a, b) = (start.max(from), end.min(now));
            if b <= a || rate <= 0.0 {
                continue;
            }
            let mut t = a;
            while t < b {
                let second_end = (floor_time(t) + 1.0).min(b);
                let count = poisson(rate * (second_end - t), rng);
                let s = floor_time(t) as i64;
                let slot = s.rem_euclid(self.width) as usize;
                self.ring[slot].0 += count;
                self.calls += count;
                t = second_end;
            }
        }
        self.history.clear();
    }

    /// Half open: the trials not issued yet are drawn from `now` at the current rates.
    fn plan_trials(&mut self, now: f64, rng: &mut Stream) {
        self.trials.retain(|t| t.issued_at <= now);
        let k = self.config.half_open_calls as usize;
        self.trials_end = f64::INFINITY;
        self.verdict_at = f64::INFINITY;
        if self.rate > 0.0 {
            let mut t = now;
            while self.trials.len() < k {
                let gap: f64 = Exp1.sample(rng);
                t += gap / self.rate;
                let failed = rng.random::<f64>() < self.p_fail;
                self.trials.push(Trial { issued_at: t, ends_at: if failed { t + self.delay } else { t }, failed });
            }
        }
        if self.trials.len() == k {
            self.trials_end = self.trials.last().map_or(now, |t| t.issued_at);
            self.verdict_at = self.trials.iter().map(|t| t.ends_at).fold(self.trials_end, f64::max);
        }
    }

    fn advance_half_open(&mut self, now: f64, rng: &mut Stream) {
        let k = self.config.half_open_calls;
        if self.trials_end <= now {
            self.trials_end = f64::INFINITY;
            if let State::HalfOpen { ended, failures, .. } = self.state {
                self.state = State::HalfOpen { issued: k, ended, failures };
            }
        }
        if self.verdict_at <= now {
            let failures = self.trials.iter().filter(|t| t.failed).count() as u32;
            self.verdict(failures, now);
            if self.state == State::Closed {
                self.start_stretch(now, rng);
            }
        }
    }
}

/// A Poisson count with this mean (zero for a mean of zero).
fn poisson(mean: f64, rng: &mut Stream) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean).map_or(mean.round(), |p| p.sample(rng)) as u64
}

/// A binomial count.
fn binomial(n: u64, p: f64, rng: &mut Stream) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    Binomial::new(n, p.min(1.0)).map_or(n, |b| b.sample(rng))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    fn config() -> Config {
        Config { window: 60.0, min_calls: 20, threshold: 0.5, open_for: 30.0, half_open_calls: 5 }
    }

    #[test]
    fn opens_on_failures_and_recovers_through_half_open() {
        let mut b = Breaker::new(config(), 1e9);
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
    fn successes_keep_it_closed_and_old_seconds_leave_the_window() {
        let mut b = Breaker::new(config(), 1e9);
        for i in 0..30 {
            b.record_at(i as f64 + 0.5, i as f64 + 0.5, false);
        }
        for i in 30..58 {
            b.record_at(i as f64 + 0.5, i as f64 + 0.5, true);
        }
        // 28 failures of 58 calls in the window: below half.
        assert_eq!(b.state, State::Closed);
        // At 100.5 the window holds seconds 41 to 100: the failures of seconds 41 to 57 (17)
        // and this one, 18 calls, fewer than min_calls.
        b.record_at(100.5, 100.5, true);
        assert_eq!(b.state, State::Closed);
        b.record_at(100.6, 100.6, true);
        assert_eq!(b.state, State::Closed);
        b.record_at(100.7, 100.7, true);
        assert!(matches!(b.state, State::Open { .. }));
    }

    #[test]
    fn hanging_calls_are_recorded_when_they_end() {
        let mut b = Breaker::new(Config { min_calls: 1, ..config() }, 1e9);
        let mut rng = stream(1, 0, 0);
        b.record_at(0.0, 20.0, true);
        assert_eq!(b.state, State::Closed);
        b.advance(19.0, &mut rng);
        assert_eq!(b.state, State::Closed);
        b.advance(20.0, &mut rng);
        assert!(matches!(b.state, State::Open { .. }));
    }

    /// Drives a fast-mode breaker through its own events until `until`.
    fn run(b: &mut Breaker, until: f64, rng: &mut Stream) {
        loop {
            let t = b.next_time();
            if t > until {
                break;
            }
            b.advance(t, rng);
        }
    }

    #[test]
    fn at_high_rates_it_opens_when_failures_reach_the_threshold() {
        // 1000 calls/s all succeeding, then all failing from t = 60.5: the window of 60
        // seconds holds about 59,500 successes, so it opens near 60.5 + 59.5 / 2... at the
        // record where failures reach half the window, about 30 s later.
        let mut rng = stream(1, 0, 0);
        let mut b = Breaker::new(config(), 1e9);
        b.set_calls(0.0, 1000.0, 0.0, 0.0, &mut rng);
        run(&mut b, 60.5, &mut rng);
        b.set_calls(60.5, 1000.0, 1.0, 0.0, &mut rng);
        run(&mut b, 60.5, &mut rng);
        let mut opened = None;
        let mut t = 60.5;
        while opened.is_none() && t < 200.0 {
            let next = b.next_time();
            b.advance(next, &mut rng);
            t = next;
            if matches!(b.state, State::Open { .. }) {
                opened = Some(t);
            }
        }
        let at = opened.expect("it opens");
        assert!((at - 90.5).abs() < 1.0, "opened at {at}");
        // It idled while everything succeeded: a handful of events, not 60,000.
    }

    #[test]
    fn idle_while_everything_succeeds() {
        let mut rng = stream(1, 0, 0);
        let mut b = Breaker::new(config(), 1e9);
        b.set_calls(0.0, 10_000.0, 0.0, 0.0, &mut rng);
        assert!(b.next_time().is_infinite(), "nothing can open it");
        // A failure stream wakes it; the window (seconds 41 to 100, at the very start of
        // second 100: 59 s) is refilled with about 590,000 successes.
        b.set_calls(100.0, 10_000.0, 0.1, 0.0, &mut rng);
        let sd = 590_000f64.sqrt();
        assert!((b.calls as f64 - 590_000.0).abs() < 5.0 * sd, "{}", b.calls);
        assert!(b.next_time() <= 101.0);
    }

    #[test]
    fn hanging_failures_are_known_late() {
        // Failures known 20 s late: the window keeps its successes for 20 s longer, so with
        // failures in the window reaching half at t − 20 − ... it opens about 20 s later than
        // with fast failures.
        let mut rng = stream(3, 0, 0);
        let mut b = Breaker::new(config(), 1e9);
        b.set_calls(0.0, 1000.0, 0.0, 0.0, &mut rng);
        b.set_calls(60.0, 1000.0, 1.0, 20.0, &mut rng);
        let mut t = 60.0;
        while !matches!(b.state, State::Open { .. }) && t < 300.0 {
            t = b.next_time();
            b.advance(t, &mut rng);
        }
        // No records from 60 to 80 (the calls hang); from 80 failures at 1000/s while the
        // successes of 20 to 60 leave: failures (t − 80) reach the successes (60 − (t − 60)),
        // at t = 100.
        assert!((t - 100.0).abs() < 1.5, "opened at {t}");
    }

    #[test]
    fn stopping_a_stretch_keeps_the_records_drawn_before() {
        // Rates change many times within each second: the counts still add up to the rate.
        let mut rng = stream(5, 0, 0);
        let mut b = Breaker::new(Config { min_calls: 1_000_000, ..config() }, 1e9);
        let mut t = 0.0;
        b.set_calls(0.0, 1000.0, 0.5, 0.0, &mut rng);
        while t < 50.0 {
            t += 0.1;
            run(&mut b, t, &mut rng);
            let p = if (t * 10.0).round() as i64 % 2 == 0 { 0.5 } else { 0.4 };
            b.set_calls(t, 1000.0, p, 0.0, &mut rng);
        }
        // The window holds the last 59.x seconds... here all 50 s: about 50,000 calls.
        let calls = b.calls as f64;
        assert!((calls - 50_000.0).abs() < 5.0 * 50_000f64.sqrt(), "{calls}");
        let failures = b.failures as f64;
        assert!((failures - 22_500.0).abs() < 5.0 * 22_500f64.sqrt(), "{failures}");
    }
}
