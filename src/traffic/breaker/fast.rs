//! The fast mode's driver: the breaker draws its own calls from a rate and a failure
//! probability, one stretch of constant rates within one second at a time (see the parent
//! module's doc).

use rand::RngExt;
use rand_distr::{Beta, Binomial, Distribution, Exp1, Poisson};

use crate::rng::Stream;
use crate::scenario::units::floor_time;

use super::{Breaker, FailureRecords, State, Stretch, Trial};

impl Breaker {
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
    pub(super) fn failure_rate_at(&self, t: f64) -> (f64, f64) {
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

    pub(super) fn advance_closed(&mut self, now: f64, rng: &mut Stream) {
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
    pub(super) fn failures_among(&self, s: &Stretch, k: u64) -> u64 {
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
    pub(super) fn stop_stretch(&mut self, now: f64, rng: &mut Stream) {
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
    pub(super) fn start_stretch(&mut self, now: f64, rng: &mut Stream) {
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
    pub(super) fn opening(&mut self, successes: u64, failures: u64, rng: &mut Stream) -> (Option<u64>, bool) {
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
    pub(super) fn first_opening_failure(&self, first: u64, n: u64) -> Option<u64> {
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
    pub(super) fn refill(&mut self, now: f64, rng: &mut Stream) {
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
    pub(super) fn plan_trials(&mut self, now: f64, rng: &mut Stream) {
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

    pub(super) fn advance_half_open(&mut self, now: f64, rng: &mut Stream) {
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
pub(super) fn poisson(mean: f64, rng: &mut Stream) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean).map_or(mean.round(), |p| p.sample(rng)) as u64
}

/// A binomial count.
pub(super) fn binomial(n: u64, p: f64, rng: &mut Stream) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    Binomial::new(n, p.min(1.0)).map_or(n, |b| b.sample(rng))
}
