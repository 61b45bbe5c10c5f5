//! Outage accounting for one replication: for each architecture × traffic class ("account"),
//! when its route goes down and comes back, how much of that falls inside the horizon, how many
//! requests the daily profile put into that time, and which SLA periods it hit.
//!
//! An outage belongs to the replication if it starts before the horizon. An outage still open at
//! the horizon is followed to its end, so its full duration counts for MTTR (no censoring bias);
//! only its part inside the horizon counts as downtime. Following is bounded (`sim::follow`):
//! an outage still open when the bound is reached is closed there and counted as `cut` (its
//! followed length is a lower bound) or `unfinished` (no known length). Each outage's downtime is attributed to
//! the component whose failure started it.
//!
//! In [`Mode::FirstOutage`] only the start of each account's first outage is recorded.

use crate::model::Model;
use crate::scenario::units::floor_time;
use crate::sim::Mode;
use crate::traffic::ledger::Tally;

/// Per account: outage intervals `(start, end)` in seconds.
type Intervals = Vec<Vec<(f64, f64)>>;

/// "No component" as the cause of an outage.
pub const NO_CAUSE: u32 = u32::MAX;

const DAY: f64 = 86_400.0;
const HOUR: f64 = 3_600.0;

/// Cumulative request weight of a class over time: `W(t) = ∫₀ᵗ profile(s) ds`.
#[derive(Clone, Debug)]
pub struct Weight {
    profile: [f64; 24],
    /// Weight at the start of each hour of a day.
    cum: [f64; 25],
}

impl Weight {
    /// The weight of a daily profile (multipliers averaging 1).
    pub fn new(profile: [f64; 24]) -> Self {
        let mut cum = [0.0; 25];
        for h in 0..24 {
            cum[h + 1] = cum[h] + profile[h] * HOUR;
        }
        Weight { profile, cum }
    }

    /// `W(t)`.
    #[inline]
    pub fn at(&self, t: f64) -> f64 {
        let day = floor_time(t / DAY);
        let r = t - day * DAY;
        let h = ((r / HOUR) as usize).min(23);
        day * self.cum[24] + self.cum[h] + self.profile[h] * (r - h as f64 * HOUR)
    }
}

/// What one account saw in one replication.
#[derive(Clone, Debug, Default)]
pub struct Account {
    /// Time down inside the horizon (seconds).
    pub downtime: f64,
    /// Request weight down inside the horizon (seconds × profile multiplier).
    pub weighted_down: f64,
    /// Outages (at least `min_outage` long) starting inside the horizon.
    pub outages: u32,
    /// Blips (shorter than `min_outage`) starting inside the horizon.
    pub blips: u32,
    /// Sum of outage durations, each followed to its end (seconds).
    pub duration_sum: f64,
    /// Longest outage (seconds).
    pub longest: f64,
    /// Every outage duration (seconds), for quantiles.
    pub durations: Vec<f64>,
    /// Start of the first outage (first-outage mode; `None` until one closed).
    pub first_outage: Option<f64>,
    /// Outages still going on when the replication stopped following them (closed at the end
    /// of the simulated time, so their recorded length is a bound, not a duration).
    pub unfinished: u32,
    /// Outages cut after relsim had followed them past the horizon for its budget of events
    /// (`sim::follow`): counted at their followed length, a lower bound of their duration.
    pub cut: u32,
    down_since: f64,
    cause: u32,
    tracking: bool,
}

/// All accounts of one replication.
#[derive(Clone, Debug)]
pub struct Accounts {
    /// Per architecture × class (index `architecture * classes + class`).
    pub list: Vec<Account>,
    /// Downtime per account per SLA period (index `account * periods + period`).
    pub period_down: Vec<f64>,
    /// Downtime per account per component whose failure started it (index
    /// `account * components + component`).
    pub cause_down: Vec<f64>,
    /// Components in the model.
    pub components: usize,
    /// Per account: what its requests saw (request-level architectures only).
    pub tallies: Vec<Tally>,
    /// Per account: whether its requests are tallied (otherwise they follow availability).
    pub tallied: Vec<bool>,
    /// Per account: times a breaker on its route opened inside the horizon.
    pub breaker_opens: Vec<u32>,
    /// Complete SLA periods inside the horizon (0 without an SLA).
    pub periods: usize,
    period_len: f64,
    horizon: f64,
    min_outage: f64,
    classes: usize,
    weights: Vec<Option<Weight>>,
    /// Accounts down since before the horizon.
    open: u32,
    mode: Mode,
    /// Accounts (of this world) without a first outage yet.
    awaiting: u32,
    /// Per account, when recording (see [`Accounts::record_intervals`]): each outage's part
    /// inside the horizon, `(start, end)` in seconds, as it was added to `downtime`.
    intervals: Option<Box<Intervals>>,
}

impl Accounts {
    /// Empty accounts for a model.
    pub fn new(model: &Model) -> Self {
        let classes = model.classes.len();
        let n = model.architectures.len() * classes;
        let (periods, period_len) = match &model.sla {
            Some(s) => (((model.horizon / s.period) + 1e-9).floor() as usize, s.period),
            None => (0, f64::INFINITY),
        };
        let components = model.components.len();
        Accounts {
            list: vec![Account::default(); n],
            period_down: vec![0.0; n * periods],
            cause_down: vec![0.0; n * components],
            components,
            tallies: vec![Tally::default(); n],
            tallied: (0..n).map(|i| model.request_level(i / classes.max(1))).collect(),
            breaker_opens: vec![0; n],
            periods,
            period_len,
            horizon: model.horizon,
            min_outage: model.min_outage,
            classes,
            weights: model.classes.iter().map(|c| c.profile.map(Weight::new)).collect(),
            open: 0,
            mode: Mode::Horizon,
            awaiting: 0,
            intervals: None,
        }
    }

    /// Starts (`true`) or stops keeping every outage's interval inside the horizon, for
    /// timelines (see `sim::trace`). Off by default; it costs one branch per outage.
    pub fn record_intervals(&mut self, on: bool) {
        self.intervals = on.then(|| Box::new(vec![Vec::new(); self.list.len()]));
    }

    /// When recording: account `acc`'s outages in the last replication, each as its part inside
    /// the horizon `(start, end)` in seconds, in the order they ended; exactly what was added to
    /// its `downtime` (blips included, empty intervals left out). Not merged: an outage that
    /// ends where the next begins gives two touching intervals.
    pub fn intervals(&self, acc: usize) -> Option<&[(f64, f64)]> {
        self.intervals.as_ref().map(|v| v[acc].as_slice())
    }

    /// Sets what the replication measures, for the accounts of architectures `archs`.
    pub fn set_mode(&mut self, mode: Mode, archs: &[usize]) {
        self.mode = mode;
        self.awaiting = (archs.len() * self.classes) as u32;
    }

    /// Accounts still waiting for their first outage (first-outage mode).
    pub fn awaiting_first(&self) -> u32 {
        self.awaiting
    }

    /// Clears everything for a new replication (keeping allocations).
    pub fn reset(&mut self) {
        for a in &mut self.list {
            a.downtime = 0.0;
            a.weighted_down = 0.0;
            a.outages = 0;
            a.blips = 0;
            a.duration_sum = 0.0;
            a.longest = 0.0;
            a.durations.clear();
            a.first_outage = None;
            a.unfinished = 0;
            a.cut = 0;
            a.tracking = false;
        }
        self.period_down.fill(0.0);
        self.cause_down.fill(0.0);
        for t in &mut self.tallies {
            t.clear();
        }
        self.breaker_opens.fill(0);
        self.open = 0;
        if let Some(v) = self.intervals.as_mut() {
            for list in v.iter_mut() {
                list.clear();
            }
        }
    }

    /// Accounts down since before the horizon and not yet back up.
    #[inline]
    pub fn open(&self) -> u32 {
        self.open
    }

    /// Request weight of `[0, t]` for class `class`: `t` under a flat profile.
    pub fn weight_at(&self, class: usize, t: f64) -> f64 {
        match &self.weights[class] {
            Some(w) => w.at(t),
            None => t,
        }
    }

    /// The profile multiplier of class `class` at time `t`.
    pub fn multiplier(&self, class: usize, t: f64) -> f64 {
        match &self.weights[class] {
            Some(w) => w.profile[((t / HOUR) as u64 % 24) as usize],
            None => 1.0,
        }
    }

    /// The horizon.
    pub fn horizon(&self) -> f64 {
        self.horizon
    }

    /// Request weight of the whole horizon for class `class`.
    pub fn total_weight(&self, class: usize) -> f64 {
        match &self.weights[class] {
            Some(w) => w.at(self.horizon),
            None => self.horizon,
        }
    }

    /// Records that account `acc` went down (`up = false`, because of a failure of component
    /// `cause`) or came back up at time `t`.
    #[inline]
    pub fn change(&mut self, acc: usize, up: bool, t: f64, cause: u32) {
        if !up {
            let inside = self.mode == Mode::FirstOutage || t < self.horizon;
            if inside && !self.list[acc].tracking {
                let a = &mut self.list[acc];
                a.tracking = true;
                a.down_since = t;
                a.cause = cause;
                self.open += 1;
            }
        } else if self.list[acc].tracking {
            self.close(acc, t);
        }
    }

    /// Closes every outage still open at `t` (the end of the simulated time). In
    /// [`Mode::Horizon`] such an outage did not end: it is counted as `cut` when following it
    /// used up the event budget (`budget_spent`), otherwise as `unfinished`.
    pub fn close_all(&mut self, t: f64, budget_spent: bool) {
        for acc in 0..self.list.len() {
            if self.list[acc].tracking {
                if self.mode == Mode::Horizon {
                    let a = &mut self.list[acc];
                    if budget_spent {
                        a.cut += 1;
                    } else {
                        a.unfinished += 1;
                    }
                }
                self.close(acc, t);
            }
        }
    }

    fn close(&mut self, acc: usize, t: f64) {
        if self.mode == Mode::FirstOutage {
            let min_outage = self.min_outage;
            let a = &mut self.list[acc];
            a.tracking = false;
            self.open -= 1;
            if a.first_outage.is_none() && t - a.down_since >= min_outage.max(f64::MIN_POSITIVE) {
                a.first_outage = Some(a.down_since);
                self.awaiting -= 1;
            }
            return;
        }
        let start = self.list[acc].down_since;
        let end = t.min(self.horizon);
        let class = acc % self.classes;
        let weighted = match &self.weights[class] {
            Some(w) => w.at(end) - w.at(start),
            None => end - start,
        };
        if self.periods > 0 {
            self.add_to_periods(acc, start, end);
        }
        let cause = self.list[acc].cause;
        if cause != NO_CAUSE && end > start {
            self.cause_down[acc * self.components + cause as usize] += end - start;
        }
        if let Some(v) = self.intervals.as_mut() {
            if end > start {
                v[acc].push((start, end));
            }
        }
        let min_outage = self.min_outage;
        let a = &mut self.list[acc];
        a.tracking = false;
        self.open -= 1;
        a.downtime += end - start;
        a.weighted_down += weighted;
        let d = t - start;
        if d <= 0.0 {
            // Down and up at the same instant (simultaneous events): not an outage.
            return;
        }
        if d < min_outage {
            a.blips += 1;
        } else {
            a.outages += 1;
            a.duration_sum += d;
            a.longest = a.longest.max(d);
            a.durations.push(d);
        }
    }

    fn add_to_periods(&mut self, acc: usize, start: f64, end: f64) {
        let judged_end = self.periods as f64 * self.period_len;
        let (s, e) = (start.min(judged_end), end.min(judged_end));
        if e <= s {
            return;
        }
        let first = (s / self.period_len) as usize;
        let last = (((e / self.period_len) as usize).max(first)).min(self.periods - 1);
        let row = &mut self.period_down[acc * self.periods..(acc + 1) * self.periods];
        for (k, slot) in row.iter_mut().enumerate().take(last + 1).skip(first) {
            let lo = (k as f64 * self.period_len).max(s);
            let hi = ((k + 1) as f64 * self.period_len).min(e);
            if hi > lo {
                *slot += hi - lo;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_of_a_flat_profile_is_time() {
        let w = Weight::new([1.0; 24]);
        for t in [0.0, 1.0, 3599.0, 3600.0, 86_399.0, 86_400.0, 1e7] {
            assert!((w.at(t) - t).abs() < 1e-6 * t.max(1.0));
        }
    }

    #[test]
    fn weight_follows_the_hour_of_day() {
        let mut p = [0.5; 24];
        p[12] = 12.5; // 23*0.5 + 12.5 = 24, mean 1
        let w = Weight::new(p);
        assert!((w.at(12.0 * HOUR) - 6.0 * HOUR).abs() < 1e-9);
        assert!((w.at(13.0 * HOUR) - w.at(12.0 * HOUR) - 12.5 * HOUR).abs() < 1e-9);
        assert!((w.at(DAY) - DAY).abs() < 1e-9);
        assert!((w.at(DAY + 12.5 * HOUR) - (DAY + 6.0 * HOUR + 6.25 * HOUR)).abs() < 1e-6);
    }
}
