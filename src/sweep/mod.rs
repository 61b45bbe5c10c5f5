//! Running a sweep: every point of a scenario's sweep simulated with the same seed, so each
//! point draws the same random numbers wherever its model allows (common random numbers: each
//! unit's streams are keyed by the component's name, so changing one component's parameters
//! leaves every other draw as it was). Differences between points are then the effect of the
//! parameters, not noise.

pub mod export;
pub mod plot;

use std::sync::atomic::AtomicU64;

use serde::Serialize;

use crate::montecarlo::Options;
use crate::precision::Target;
use crate::compile::SweepLoaded;
use crate::stats::summary::Summary;

/// One point's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PointResult {
    /// The value of each swept key, as written.
    pub values: Vec<String>,
    /// The estimates at this point.
    pub summary: Summary,
}

/// A whole sweep's results (`sweep.json`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepResult {
    /// Scenario name.
    pub scenario: String,
    /// relsim version.
    pub relsim_version: String,
    /// The swept key paths.
    pub parameters: Vec<String>,
    /// Whether the axes were paired (zip) rather than combined.
    pub zip: bool,
    /// Every point, in order.
    pub points: Vec<PointResult>,
}

/// Simulates every point of `sweep`; with a precision `target`, each point runs until it meets
/// it. `done` counts replications over all points, for progress; `planned` is kept at the
/// replications planned so far.
pub fn run(sweep: &SweepLoaded, options: &Options, target: Option<&Target>, done: &AtomicU64, planned: &AtomicU64) -> anyhow::Result<SweepResult> {
    let mut points = Vec::with_capacity(sweep.points.len());
    let mut finished = 0;
    for (i, p) in sweep.points.iter().enumerate() {
        let model = &p.model;
        // Replications run so far plus those the remaining points plan (a precision target may
        // add more as it goes).
        planned.store(finished + sweep.points[i..].iter().map(|q| q.model.replications).sum::<u64>(), std::sync::atomic::Ordering::Relaxed);
        let point_planned = AtomicU64::new(model.replications);
        let (acc, outcome) = match target {
            Some(t) => {
                let (acc, outcome) = crate::precision::run(model, t, options, done, &point_planned)?;
                (acc, Some(outcome))
            }
            None => (crate::montecarlo::simulate(model, 0..model.replications, options, done)?, None),
        };
        finished += acc.replications();
        let mut summary = acc.summarize(model);
        if let Some(o) = &outcome {
            summary.notes.insert(0, o.sentence(summary.replications));
        }
        summary.precision = outcome;
        points.push(PointResult { values: p.values.clone(), summary });
    }
    let scenario = sweep.points.first().map(|p| p.model.name.clone()).unwrap_or_default();
    Ok(SweepResult { scenario, relsim_version: env!("CARGO_PKG_VERSION").to_string(), parameters: sweep.keys.clone(), zip: sweep.zip, points })
}
