//! Monte Carlo: run every replication of a model in parallel and reduce the outcomes.
//!
//! Replication `r` draws only from streams derived from `(seed, r, …)`, so its outcome does not
//! depend on which thread runs it; the accumulators merge exactly (see `stats::exact_sum`), and
//! rayon reduces adjacent ranges in replication order, so the result is bit-identical for any
//! thread count. Each worker keeps one engine and one accumulator, so memory does not grow with
//! the number of replications.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::model::Model;
use crate::sim::plan::Plan;
use crate::sim::Engine;
use crate::stats::summary::Accumulator;

/// Runs replications `range` of `model` on `threads` threads (`None`: one per core).
/// `done` is incremented after each replication, for progress reporting.
pub fn simulate(model: &Model, range: Range<u64>, threads: Option<usize>, done: &AtomicU64) -> anyhow::Result<Accumulator> {
    let plan = Plan::new(model);
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    let pool = builder.build()?;
    let acc = pool.install(|| {
        range
            .into_par_iter()
            .fold(
                || (Engine::new(model, &plan), Accumulator::new(model)),
                |(mut engine, mut acc), rep| {
                    engine.run(rep);
                    acc.add(model, &engine.accounts, engine.events);
                    done.fetch_add(1, Ordering::Relaxed);
                    (engine, acc)
                },
            )
            .map(|(_, acc)| acc)
            .reduce(
                || Accumulator::new(model),
                |mut a, b| {
                    a.merge(&b);
                    a
                },
            )
    });
    Ok(acc)
}
