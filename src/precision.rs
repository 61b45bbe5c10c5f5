//! Precision targets: add replications in batches until every architecture's estimate of one
//! metric is as precise as asked (an absolute or a relative half-width), or a cap is reached.
//!
//! Replication `r` depends only on `(seed, r)` and accumulators merge exactly, so a run that
//! stops at `R` replications gives the same bits as a plain run with `--reps R`: the target only
//! decides where to stop. The batches are sized from the half-widths seen so far (the half-width
//! shrinks as 1/√R), with a margin, so a target is usually met in two or three batches.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::model::metric::ClassMetric;
use crate::model::Model;
use crate::montecarlo::{simulate, Options};
use crate::stats::summary::{Accumulator, Summary};

/// What a run reports about its target lives with the summary, which holds it.
pub use crate::stats::precision::{HalfWidth, Outcome, Unmet};

/// What precision to reach.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The class metric.
    pub metric: ClassMetric,
    /// The largest acceptable half-width.
    pub half_width: HalfWidth,
    /// Stop at this many replications even if the target is not met.
    pub max_replications: u64,
}

/// Growth of a batch beyond what the half-widths predict, so the next batch usually suffices.
const MARGIN: f64 = 1.2;
/// The most a run grows in one batch (a half-width estimated from few replications can be far off).
const MAX_GROWTH: f64 = 16.0;

/// Per architecture and class: `Some(half-width)` reached, and whether it meets the target.
fn assess(summary: &Summary, target: &Target) -> Vec<(String, String, Option<f64>, bool, f64)> {
    let mut out = Vec::new();
    for a in &summary.architectures {
        for c in &a.classes {
            let e = c.metric(target.metric);
            let half = e.half_width();
            let limit = match target.half_width {
                HalfWidth::Absolute(h) => h,
                HalfWidth::Relative(r) => r * e.mean.unwrap_or(0.0).abs(),
            };
            let met = half.is_some_and(|h| h <= limit);
            // How many times more replications this cell needs: (h / limit)².
            let need = match half {
                Some(h) if limit > 0.0 => (h / limit).powi(2),
                Some(h) if h == 0.0 => 1.0,
                _ => MAX_GROWTH,
            };
            out.push((a.name.clone(), c.name.clone(), half, met, need));
        }
    }
    out
}

/// Runs `model` from its replications onwards, in batches, until `target` is met or its cap is
/// reached. `done` counts replications for progress; `planned` is set to the replications the
/// current batch runs up to.
pub fn run(model: &Model, target: &Target, options: &Options, done: &AtomicU64, planned: &AtomicU64) -> anyhow::Result<(Accumulator, Outcome)> {
    let mut reps = model.replications.min(target.max_replications).max(2);
    planned.store(reps, Ordering::Relaxed);
    let mut acc = simulate(model, 0..reps, options, done)?;
    loop {
        let summary = acc.summarize(model);
        let cells = assess(&summary, target);
        let met = cells.iter().all(|c| c.3);
        if met || reps >= target.max_replications {
            let unmet = cells.into_iter().filter(|c| !c.3).map(|(architecture, class, half_width, _, _)| Unmet { architecture, class, half_width }).collect();
            let outcome = Outcome { metric: target.metric, target: target.half_width, max_replications: target.max_replications, met, unmet };
            return Ok((acc, outcome));
        }
        let growth = cells.iter().filter(|c| !c.3).map(|c| c.4).fold(1.0, f64::max) * MARGIN;
        let next = ((reps as f64 * growth.clamp(1.1, MAX_GROWTH)).ceil() as u64).clamp(reps + 1, target.max_replications);
        planned.store(next, Ordering::Relaxed);
        let more = simulate(model, reps..next, options, done)?;
        acc.merge(&more);
        reps = next;
    }
}
