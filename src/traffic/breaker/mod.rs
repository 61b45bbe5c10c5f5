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

use crate::model::Breaker as Config;
use crate::scenario::units::floor_time;
use crate::rng::Stream;
use crate::traffic::cycling::{Reached, TrialCall};

mod fast;
#[cfg(test)]
mod tests;

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
}
