//! Fast-forwarding a circuit breaker through the open → half-open → open cycles of a long
//! outage, in the fast accounting mode.
//!
//! While the member behind a breaker stays down, its breaker repeats the same cycle: open for
//! `open_for`; half open while `half_open_calls` trial calls are let through (they arrive as a
//! Poisson stream at the rate the member sees when the breaker permits); then, once every
//! trial has ended, a verdict that opens it again or closes it. Cycle by cycle, each cycle
//! costs about three queue events and two walks of the routes. [`Cycling`] instead draws the
//! cycles in a tight loop with the same draws the breaker makes (an exponential gap and a
//! failure coin per trial), only when something needs them: when the inputs change (the engine
//! then puts the breaker in the state the cycles reached, see [`Reached`]), at the end of the
//! replication, or at the verdict that closes the breaker.
//!
//! The requests of the span follow two walks: the one with the breaker refusing calls (open,
//! and half open once every trial is out) and the one with it permitting (half open, trials
//! still to come). The engine adds the span's requests to the tallies mixed by the share of
//! time the breaker permitted ([`Cycling::permitting_share`]); this is exact because the rates
//! are constant over a span (any change of rates ends it) and the engine starts a span only
//! when the two walks agree on everything else the engine follows (see `sim::breakers`).
//!
//! The cycles after the closing one are never needed, but the engine must know when the
//! breaker closes: a look-ahead on a copy of the state and of the random stream finds the
//! closing verdict (or gives up after [`LOOK_AHEAD`] cycles, leaving a checkpoint), and the
//! engine's timer fires there; the real stream then draws the very same cycles again.

use rand::RngExt;
use rand_distr::{Beta, Distribution, Exp1, Gamma};

use crate::model::Breaker as Config;
use crate::rng::Stream;

/// Cycles drawn ahead at most to find a closing verdict before a checkpoint is set.
pub const LOOK_AHEAD: u32 = 4096;

/// One trial call of a half-open breaker: when it was let through, and whether it failed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrialCall {
    /// When it was issued.
    pub issued_at: f64,
    /// Whether it failed.
    pub failed: bool,
}

/// Where the cycles are at some instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reached {
    /// Open until then.
    Open {
        /// When it turns half open.
        until: f64,
    },
    /// Half open, with the trials of [`Cycling::trials`] issued so far; `all_issued` when no
    /// more will be let through (the verdict then comes when the last failing one is known).
    HalfOpen {
        /// Whether every trial is out.
        all_issued: bool,
    },
    /// Closed at the verdict before (or at) that instant.
    Closed,
}

/// A breaker fast-forwarded through identical cycles since `since`.
#[derive(Clone, Debug)]
pub struct Cycling {
    open_for: f64,
    trials_per_cycle: u32,
    /// Trials that must fail (at least) for the verdict to open the breaker again.
    reopen_failures: u32,
    rate: f64,
    p_fail: f64,
    delay: f64,
    horizon: f64,
    /// When the span began (its requests are counted from there).
    pub since: f64,
    /// The end of the open phase of the cycle under way.
    until: f64,
    /// Time the breaker permitted calls, in `[since, horizon)`, over the cycles drawn.
    permitting: f64,
    /// Times it opened again before the horizon, over the cycles drawn.
    pub opens: u32,
    /// Whether a verdict closed it (the cycles then stop).
    closed_at: Option<f64>,
    /// The trials of the last cycle drawn, when it was under way at the instant reached.
    pub trials: Vec<TrialCall>,
    /// Where the cycles ended, once they did (half open or closed): asked again, the same.
    done: Option<Reached>,
}

impl Cycling {
    /// Cycles of a breaker with `config`, open from `now` until `until`, whose trials arrive
    /// at `rate` per second, fail with probability `p_fail` and are known to fail `delay`
    /// seconds later. `None` if the trials never come (no rate), or the parameters are unfit.
    pub fn new(config: &Config, now: f64, until: f64, rate: f64, p_fail: f64, delay: f64, horizon: f64) -> Option<Self> {
        let ok = rate > 0.0 && rate.is_finite() && (0.0..=1.0).contains(&p_fail) && delay >= 0.0 && delay.is_finite() && config.open_for > 0.0 && config.half_open_calls > 0;
        if !ok || until < now {
            return None;
        }
        let k = config.half_open_calls;
        // The breaker's own rule, `failures ≥ threshold × k`, as the least failure count.
        let reopen_failures = (0..=k).find(|&f| f as f64 >= config.threshold * k as f64).unwrap_or(k + 1);
        Some(Cycling {
            open_for: config.open_for,
            trials_per_cycle: k,
            reopen_failures,
            rate,
            p_fail,
            delay,
            horizon,
            since: now,
            until,
            permitting: 0.0,
            opens: 0,
            closed_at: None,
            trials: Vec::with_capacity(k as usize),
            done: None,
        })
    }

    /// How long a failing trial takes to be known to fail.
    pub fn delay(&self) -> f64 {
        self.delay
    }

    /// Whether a verdict can close the breaker (otherwise it cycles until the inputs change).
    pub fn can_close(&self) -> bool {
        self.p_fail < 1.0 || self.reopen_failures > self.trials_per_cycle
    }

    /// The share of `[since, end)` (clipped to the horizon) in which the breaker permitted calls,
    /// over the cycles drawn so far; `end` must be where [`Cycling::advance_to`] was taken.
    pub fn permitting_share(&self, end: f64) -> f64 {
        let span = end.min(self.horizon) - self.since;
        if span > 0.0 { (self.permitting / span).clamp(0.0, 1.0) } else { 0.0 }
    }

    /// Adds the part of `[a, b)` inside the horizon to the time permitting calls.
    fn permit(&mut self, a: f64, b: f64) {
        let b = b.min(self.horizon);
        if b > a {
            self.permitting += b - a;
        }
    }

    /// Draws the cycles up to `t` (every transition at or before `t`), at most `max_cycles`
    /// complete ones, and says where they are at `t`. After it returns anything but a
    /// whole-cycle `Open`, the cycles are over: the engine takes the breaker back.
    pub fn advance_to(&mut self, t: f64, max_cycles: u32, rng: &mut Stream) -> Reached {
        if let Some(done) = self.done {
            return done;
        }
        let reached = self.draw(t, max_cycles, rng);
        if !matches!(reached, Reached::Open { .. }) {
            self.done = Some(reached);
        }
        reached
    }

    fn draw(&mut self, t: f64, max_cycles: u32, rng: &mut Stream) -> Reached {
        self.trials.clear();
        let mut cycles = 0;
        // Cycles that cannot close, inside the horizon, in bulk; the first cycle past them may
        // come with its trials' total time known.
        let mut known = None;
        if !self.can_close() && max_cycles == u32::MAX {
            known = self.bulk(t.min(self.horizon), rng);
        }
        while self.until <= t && cycles < max_cycles {
            // Half open from `until`: the trials, as `Breaker::plan_trials` draws them.
            let half_open = self.until;
            let (mut at, mut verdict, mut failures) = (half_open, half_open, 0);
            self.trials.clear();
            if let Some(total) = known.take() {
                // Given their total, the first k − 1 arrival times are uniform order statistics.
                self.spread_trials(half_open, total, rng);
            }
            for i in 0..self.trials_per_cycle as usize {
                if let Some(c) = self.trials.get(i) {
                    at = c.issued_at;
                    failures += 1;
                    verdict = verdict.max(at + self.delay);
                    continue;
                }
                let gap: f64 = Exp1.sample(rng);
                at += gap / self.rate;
                // A certain outcome needs no coin (most outages fail every call).
                let failed = if self.p_fail >= 1.0 {
                    true
                } else if self.p_fail <= 0.0 {
                    false
                } else {
                    rng.random::<f64>() < self.p_fail
                };
                self.trials.push(TrialCall { issued_at: at, failed });
                if failed {
                    failures += 1;
                    verdict = verdict.max(at + self.delay);
                }
            }
            let all_issued = at;
            verdict = verdict.max(all_issued);
            if t < all_issued {
                // Under way at `t`: the trials issued by then; the rest will be drawn again
                // by the breaker (the gaps are memoryless).
                self.permit(half_open, t);
                self.trials.retain(|c| c.issued_at <= t);
                return Reached::HalfOpen { all_issued: false };
            }
            self.permit(half_open, all_issued);
            if t < verdict {
                return Reached::HalfOpen { all_issued: true };
            }
            self.trials.clear();
            cycles += 1;
            if failures >= self.reopen_failures {
                if verdict < self.horizon {
                    self.opens += 1;
                }
                self.until = verdict + self.open_for;
            } else {
                self.closed_at = Some(verdict);
                return Reached::Closed;
            }
        }
        Reached::Open { until: self.until }
    }

    /// Every trial fails (the cycles cannot close): a cycle is `open_for + delay` plus the time
    /// its trials take to arrive, a Gamma(k, rate) time, so the cycles ending by `limit` are
    /// found from sums of those times (a Gamma for many cycles, split by Beta draws where the
    /// sum overshoots), without drawing each trial. Exact: a sum and its split have the
    /// distribution of the cycles one by one. Returns the known trial time of the first cycle
    /// past `limit`, if one was split out.
    fn bulk(&mut self, limit: f64, rng: &mut Stream) -> Option<f64> {
        let fixed = self.open_for + self.delay;
        let k = self.trials_per_cycle as f64;
        let mean = fixed + k / self.rate;
        let mut known = None;
        loop {
            let n = ((limit - self.until) / mean).floor();
            if !(n >= 8.0) || n > 1e12 {
                return known;
            }
            let total = gamma(n * k, rng) / self.rate;
            match self.take_cycles(n as u64, total, limit, fixed, rng) {
                Taken::All => {}
                Taken::StoppedAt(g) => {
                    known = Some(g);
                    return known;
                }
            }
        }
    }

    /// Takes the `n` cycles whose trials took `total` in all, as many as end by `limit`.
    fn take_cycles(&mut self, n: u64, total: f64, limit: f64, fixed: f64, rng: &mut Stream) -> Taken {
        if self.until + n as f64 * fixed + total <= limit {
            self.permitting += total;
            self.opens = self.opens.saturating_add(n.min(u64::from(u32::MAX)) as u32);
            self.until += n as f64 * fixed + total;
            return Taken::All;
        }
        if n == 1 {
            return Taken::StoppedAt(total);
        }
        let m = n / 2;
        let k = self.trials_per_cycle as f64;
        let share = beta(m as f64 * k, (n - m) as f64 * k, rng);
        let left = total * share;
        match self.take_cycles(m, left, limit, fixed, rng) {
            // The rest's total is what is left; a rest never reached is dropped, which is
            // exact: the first part's total does not depend on it.
            Taken::All => self.take_cycles(n - m, total - left, limit, fixed, rng),
            stopped => stopped,
        }
    }

    /// The trials of a cycle half open from `from` whose trials took `total` in all: the last
    /// at `from + total`, the others uniform before it; all fail.
    fn spread_trials(&mut self, from: f64, total: f64, rng: &mut Stream) {
        let k = self.trials_per_cycle as usize;
        for _ in 1..k {
            let u: f64 = rng.random();
            self.trials.push(TrialCall { issued_at: from + total * u, failed: true });
        }
        self.trials.sort_by(|a, b| a.issued_at.total_cmp(&b.issued_at));
        self.trials.push(TrialCall { issued_at: from + total, failed: true });
    }

    /// When the breaker closes, or the checkpoint after [`LOOK_AHEAD`] cycles if it has not
    /// by then: drawn on copies, so the real stream draws the same cycles again. Infinite if it
    /// cannot close.
    pub fn next_stop(&self, rng: &Stream) -> f64 {
        if !self.can_close() {
            return f64::INFINITY;
        }
        let (mut copy, mut stream) = (self.clone(), rng.clone());
        match copy.advance_to(f64::INFINITY, LOOK_AHEAD, &mut stream) {
            Reached::Closed => copy.closed_at.unwrap_or(f64::INFINITY),
            // The last verdict drawn opened it again: `until` is that verdict + `open_for`
            // (rounded; the real draws then stop one cycle short at worst, and look again).
            Reached::Open { until } => until - self.open_for,
            Reached::HalfOpen { .. } => f64::INFINITY,
        }
    }
}

/// What [`Cycling::take_cycles`] took.
enum Taken {
    All,
    /// It stopped at a cycle whose trials took this long.
    StoppedAt(f64),
}

/// A Gamma(shape, 1) draw.
fn gamma(shape: f64, rng: &mut Stream) -> f64 {
    Gamma::new(shape, 1.0).map_or(shape, |g| g.sample(rng))
}

/// A Beta(a, b) draw.
fn beta(a: f64, b: f64, rng: &mut Stream) -> f64 {
    Beta::new(a, b).map_or(a / (a + b), |d| d.sample(rng))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    fn config() -> Config {
        Config { window: 60.0, min_calls: 20, threshold: 0.5, open_for: 60.0, half_open_calls: 5 }
    }

    #[test]
    fn always_failing_trials_cycle_for_ever() {
        let mut rng = stream(1, 0, 0);
        let mut c = Cycling::new(&config(), 0.0, 60.0, 10.0, 1.0, 0.0, 1e9).unwrap();
        assert!(!c.can_close());
        assert!(c.next_stop(&rng).is_infinite());
        let r = c.advance_to(100_000.0, u32::MAX, &mut rng);
        // A cycle is 60 s open plus about half a second half open (5 trials at 10/s).
        let cycles = 100_000.0 / 60.5;
        assert!((c.opens as f64 - cycles).abs() < 20.0, "{} opens", c.opens);
        let share = c.permitting_share(100_000.0);
        assert!((share - 0.5 / 60.5).abs() < 0.001, "{share}");
        assert!(matches!(r, Reached::Open { .. } | Reached::HalfOpen { .. }));
    }

    /// The bulk draws (every trial fails) against cycle by cycle (trials that fail with
    /// probability just below 1, which turns the bulk path off): the same mean opens, time
    /// permitting and chance of being half open at the end, over many spans.
    #[test]
    fn bulk_cycles_match_cycle_by_cycle() {
        let config = Config { half_open_calls: 5, open_for: 10.0, ..config() };
        let stats = |p: f64| {
            let (mut opens, mut permitting, mut half_open, n) = (0.0, 0.0, 0.0, 4000);
            for seed in 0..n {
                let mut rng = stream(seed, 1, 2);
                let mut c = Cycling::new(&config, 0.0, 10.0, 0.5, p, 1.0, 1e9).unwrap();
                // At 0.5 trials/s, 10 s of trials per 21 s cycle on average.
                let r = c.advance_to(1000.0, u32::MAX, &mut rng);
                opens += c.opens as f64;
                permitting += c.permitting_share(1000.0);
                half_open += matches!(r, Reached::HalfOpen { .. }) as u8 as f64;
            }
            (opens / n as f64, permitting / n as f64, half_open / n as f64)
        };
        let (bulk, each) = (stats(1.0), stats(1.0 - 1e-15));
        assert!((bulk.0 - each.0).abs() < 0.15, "opens {bulk:?} vs {each:?}");
        assert!((bulk.1 - each.1).abs() < 0.004, "time permitting {bulk:?} vs {each:?}");
        assert!((bulk.2 - each.2).abs() < 0.04, "half open at the end {bulk:?} vs {each:?}");
    }

    #[test]
    fn the_look_ahead_finds_the_verdict_the_real_draws_reach() {
        let rng = stream(2, 0, 0);
        let c = Cycling::new(&config(), 0.0, 60.0, 10.0, 0.9, 2.0, 1e9).unwrap();
        let stop = c.next_stop(&rng);
        assert!(stop.is_finite() && stop > 60.0);
        let (mut real, mut stream) = (c.clone(), rng.clone());
        assert_eq!(real.advance_to(stop, u32::MAX, &mut stream), Reached::Closed);
        assert_eq!(real.closed_at, Some(stop));
        // Just before, it is half open with every trial out (the verdict waits for the last
        // failure to be known), or open.
        let (mut before, mut stream) = (c.clone(), rng.clone());
        assert_ne!(before.advance_to(stop - 1e-9, u32::MAX, &mut stream), Reached::Closed);
    }

    #[test]
    fn the_state_at_an_instant_within_the_trials() {
        let mut rng = stream(3, 0, 0);
        let mut c = Cycling::new(&config(), 0.0, 60.0, 1.0, 1.0, 0.0, 1e9).unwrap();
        // 5 trials at 1/s: at 61 s, 60 s open and about one trial out.
        match c.advance_to(61.0, u32::MAX, &mut rng) {
            Reached::HalfOpen { all_issued } => {
                assert!(!all_issued || c.trials.len() == 5);
                assert!(c.trials.iter().all(|t| t.issued_at <= 61.0 && t.failed));
            }
            other => panic!("{other:?}"),
        }
        assert!((c.permitting_share(61.0) - 1.0 / 61.0).abs() < 1e-12);
    }
}
