//! Monte Carlo: run every replication of a model in parallel and reduce the outcomes.
//!
//! Replication `r` draws only from streams derived from `(seed, r, …)`, so its outcome does not
//! depend on which thread runs it; the accumulators merge exactly (see `stats::exact_sum`), and
//! rayon reduces adjacent ranges in replication order, so the result is bit-identical for any
//! thread count. Each worker keeps one engine per world and one accumulator, so memory does not
//! grow with the number of replications.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::model::Model;
use crate::plan::{worlds, Plan};
use crate::sim::{Accounting, Engine, Mode};
use crate::stats::summary::Accumulator;

/// How to run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Also run every replication until each class's first outage, for
    /// `time_to_first_outage_hours`.
    pub first_outage: bool,
    /// Also estimate each component's Birnbaum importance: every replication runs again with
    /// each component held up and held down, on the same random numbers.
    pub importance: bool,
    /// How requests are accounted (fast by default; per request for validation).
    pub accounting: Accounting,
}

/// Runs replications `range` of `model`. `done` is incremented after each replication, for
/// progress reporting. A signal (see `crate::interrupt`) stops the run within a fraction of a
/// second with an error that is `Interrupted`; `done` then says how many replications had
/// completed.
pub fn simulate(model: &Model, range: Range<u64>, options: &Options, done: &AtomicU64) -> anyhow::Result<Accumulator> {
    let plans: Vec<Plan> = worlds(model).iter().map(|archs| Plan::new(model, archs)).collect();
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = options.threads {
        builder = builder.num_threads(n);
    }
    let pool = builder.build()?;
    let acc = pool.install(|| {
        range
            .into_par_iter()
            .fold(
                || (plans.iter().map(|p| Engine::with_accounting(model, p, options.accounting)).collect::<Vec<_>>(), Accumulator::new(model)),
                |(mut engines, mut acc), rep| {
                    // Once a signal asked to stop, the remaining replications are skipped (and
                    // the whole result thrown away below).
                    if crate::interrupt::requested() {
                        return (engines, acc);
                    }
                    for engine in engines.iter_mut() {
                        engine.run(rep);
                        acc.add(model, &engine.accounts, engine.archs(), engine.events);
                        if options.first_outage {
                            engine.run_mode(rep, Mode::FirstOutage);
                            acc.add_first_outage(model, &engine.accounts, engine.archs());
                        }
                        if options.importance {
                            let simulated: Vec<usize> = (0..model.components.len()).filter(|&c| engine.simulates(c)).collect();
                            for c in simulated {
                                engine.set_forced(Some((c, true)));
                                engine.run_mode(rep, Mode::Availability);
                                let up = acc.unavailabilities(model, &engine.accounts, engine.archs());
                                engine.set_forced(Some((c, false)));
                                engine.run_mode(rep, Mode::Availability);
                                acc.add_birnbaum(model, &engine.accounts, engine.archs(), c, &up);
                            }
                            engine.set_forced(None);
                        }
                    }
                    // A replication cut short by a signal is not counted as done.
                    if crate::interrupt::requested() {
                        return (engines, acc);
                    }
                    acc.count_replication();
                    done.fetch_add(1, Ordering::Relaxed);
                    (engines, acc)
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
    crate::interrupt::check()?;
    Ok(acc)
}
