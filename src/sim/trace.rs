//! One replication recorded as a timeline, for the timeline plot: every component's down
//! intervals and every class's outages, per architecture, on the run's random numbers.
//!
//! [`trace`] runs replication `r` of every world (see [`crate::plan::worlds`]) with an engine that is
//! built and driven exactly as in a Monte Carlo run, so it draws the same random numbers and has
//! the same history; the only difference is that the engine's `Recorder` and the accounts'
//! interval list are switched on. They only watch: the hooks sit where a component's effective
//! state flips (`Engine::component_changed`, fast path and `propagate`, which every unit
//! failure and recovery, grace expiry and bad deploy goes through) and where an outage is
//! closed and added to the downtime (`Accounts::close`).
//!
//! What "down" means:
//! - a **component** track holds the times the component is *effectively* down: fewer than
//!   `need` of its units up, or a component it is `within` or `requires` blocking it (after its
//!   `grace`), or a bad deploy with effect `down` in place. This is the state routes read
//!   (a member is up when nothing blocks it), so the component tracks explain the class tracks.
//!   A unit-level view (a pool that lost units but still has `need`) and request-level effects
//!   (degraded capacity, silent wrong answers, a balance member out of rotation, a cold standby
//!   idling) are not shown as down.
//! - a **class** track holds the account's outages as the downtime counts them: every outage
//!   that starts inside the horizon, blips shorter than `min_outage` included, cut at the
//!   horizon. Their total is the replication's downtime.
//!
//! Intervals are in hours, sorted, merged where they touch, and end at the horizon at the
//! latest (the engine follows an open outage past it for MTTR; that part is not shown).

use crate::model::Model;
use crate::plan::{self, Plan};
use crate::sim::{Accounting, Engine};

const HOUR: f64 = 3600.0;

/// Down intervals of one component or one class.
#[derive(Clone, Debug, PartialEq)]
pub struct Track {
    /// Component or class name.
    pub name: String,
    /// Down intervals `(start, end)` in hours from the start, sorted, not overlapping, clipped
    /// to the horizon.
    pub down: Vec<(f64, f64)>,
}

/// One architecture's part of a timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchTimeline {
    /// Architecture name.
    pub name: String,
    /// The components the architecture uses, in scenario order.
    pub components: Vec<Track>,
    /// The traffic classes, in scenario order.
    pub classes: Vec<Track>,
}

/// One replication as a timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// Which replication (its random numbers are those of replication `replication` of the run).
    pub replication: u64,
    /// Horizon in hours.
    pub horizon_hours: f64,
    /// Per architecture, in scenario order.
    pub architectures: Vec<ArchTimeline>,
}

impl Track {
    /// Total time down (hours).
    pub fn total(&self) -> f64 {
        self.down.iter().map(|(s, e)| e - s).sum()
    }
}

impl Timeline {
    /// The timeline of architecture `name`, if the model has one.
    pub fn architecture(&self, name: &str) -> Option<&ArchTimeline> {
        self.architectures.iter().find(|a| a.name == name)
    }
}

impl ArchTimeline {
    /// The track of component `name`, if the architecture uses it.
    pub fn component(&self, name: &str) -> Option<&Track> {
        self.components.iter().find(|t| t.name == name)
    }

    /// The track of class `name`.
    pub fn class(&self, name: &str) -> Option<&Track> {
        self.classes.iter().find(|t| t.name == name)
    }
}

/// Runs replication `replication` of every world of `model`, as a Monte Carlo run of the model
/// does (same engine, same random numbers, fast request accounting), and records it as a
/// timeline: per architecture, the effective down intervals of each component it uses and the
/// outages of each traffic class (see the module documentation for what counts as down).
///
/// Errors if the run has no such replication (`replication >= model.replications`).
pub fn trace(model: &Model, replication: u64) -> anyhow::Result<Timeline> {
    anyhow::ensure!(
        replication < model.replications,
        "replication {replication} is not part of the run: it has {} replication(s), numbered from 0",
        model.replications
    );
    let ncls = model.classes.len();
    let mut archs: Vec<Option<ArchTimeline>> = vec![None; model.architectures.len()];
    for world in plan::worlds(model) {
        let plan = Plan::new(model, &world);
        let mut engine = Engine::with_accounting(model, &plan, Accounting::default());
        engine.set_tracing(true);
        engine.run(replication);
        for &a in engine.archs() {
            let used = model.components_of(a);
            let components = (0..model.components.len())
                .filter(|&c| used[c])
                .map(|c| Track { name: model.components[c].name.clone(), down: hours(engine.component_intervals(c).unwrap_or_default()) })
                .collect();
            let classes = (0..ncls)
                .map(|k| Track { name: model.classes[k].name.clone(), down: hours(engine.accounts.intervals(a * ncls + k).unwrap_or_default()) })
                .collect();
            archs[a] = Some(ArchTimeline { name: model.architectures[a].name.clone(), components, classes });
        }
    }
    let architectures = archs.into_iter().collect::<Option<Vec<_>>>().ok_or_else(|| anyhow::anyhow!("an architecture is in no world"))?;
    Ok(Timeline { replication, horizon_hours: model.horizon / HOUR, architectures })
}

/// Intervals in seconds → hours, sorted, empty ones dropped, overlapping or touching ones merged.
fn hours(seconds: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut v: Vec<(f64, f64)> = seconds.iter().filter(|(s, e)| e > s).map(|&(s, e)| (s / HOUR, e / HOUR)).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// What the engine records while tracing: when each component is effectively down.
/// Fed by `Engine::record_component` at every flip; see the module documentation.
#[derive(Debug)]
pub(crate) struct Recorder {
    horizon: f64,
    /// Per component: when its current effective outage began (NaN: up, or down only since the
    /// horizon).
    down_since: Vec<f64>,
    /// Per component: its effective outages (seconds), cut at the horizon, in time order.
    intervals: Vec<Vec<(f64, f64)>>,
}

impl Recorder {
    /// A recorder for `components` components, all up.
    pub(crate) fn new(components: usize, horizon: f64) -> Self {
        Recorder { horizon, down_since: vec![f64::NAN; components], intervals: vec![Vec::new(); components] }
    }

    /// Back to all up with nothing recorded, for a new replication (keeping allocations).
    pub(crate) fn reset(&mut self) {
        self.down_since.fill(f64::NAN);
        for v in &mut self.intervals {
            v.clear();
        }
    }

    /// Component `c`'s effective state is `up` from time `t`. Repeating the state it already
    /// has changes nothing; an outage starting at or after the horizon is not recorded.
    #[cold]
    #[inline(never)]
    pub(crate) fn component(&mut self, c: usize, up: bool, t: f64) {
        let since = self.down_since[c];
        if up {
            if !since.is_nan() {
                self.down_since[c] = f64::NAN;
                let end = t.min(self.horizon);
                if end > since {
                    self.intervals[c].push((since, end));
                }
            }
        } else if since.is_nan() && t < self.horizon {
            self.down_since[c] = t;
        }
    }

    /// The replication ended: outages still open end at the horizon.
    pub(crate) fn finish(&mut self) {
        for c in 0..self.down_since.len() {
            let since = self.down_since[c];
            if !since.is_nan() {
                self.down_since[c] = f64::NAN;
                if self.horizon > since {
                    self.intervals[c].push((since, self.horizon));
                }
            }
        }
    }

    /// Component `c`'s recorded outages (seconds).
    pub(crate) fn intervals(&self, c: usize) -> &[(f64, f64)] {
        &self.intervals[c]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_sorts_merges_touching_and_drops_empty_intervals() {
        let s = [(7200.0, 10_800.0), (0.0, 3600.0), (3600.0, 5400.0), (9000.0, 9000.0), (10_000.0, 14_400.0)];
        assert_eq!(hours(&s), vec![(0.0, 1.5), (2.0, 4.0)]);
        assert_eq!(hours(&[]), vec![]);
    }

    #[test]
    fn the_recorder_ignores_repeats_and_cuts_at_the_horizon() {
        let mut r = Recorder::new(2, 100.0);
        r.component(0, false, 10.0);
        r.component(0, false, 12.0); // already down
        r.component(0, true, 20.0);
        r.component(0, true, 25.0); // already up
        r.component(0, false, 90.0);
        r.component(0, true, 130.0); // followed past the horizon
        r.component(0, false, 140.0); // starts after the horizon
        r.component(1, false, 95.0); // still down at the end
        r.finish();
        assert_eq!(r.intervals(0), &[(10.0, 20.0), (90.0, 100.0)]);
        assert_eq!(r.intervals(1), &[(95.0, 100.0)]);
        r.reset();
        r.finish();
        assert!(r.intervals(0).is_empty() && r.intervals(1).is_empty());
    }
}
