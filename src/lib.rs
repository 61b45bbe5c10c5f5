//! relsim: a discrete-event Monte Carlo reliability simulator for AI service architectures.
//!
//! Data flows one way: a scenario file is read ([`scenario`]) and compiled ([`compile`]) into
//! a [`model`]; the engine ([`sim`]) simulates replications, which [`montecarlo`] runs in
//! parallel and [`stats`] reduces to estimates with confidence intervals; [`report`] renders
//! them.
//! [`shard`] splits a run's replications between processes and merges their partial results.
//! [`run`] is the pipeline every simulating command goes through (load, execute, conclude, rare
//! events, emit), which the command line ([`cli`]) drives; [`format`] writes every number.
//! See ARCHITECTURE.md for the map, the import layers and the invariants.

pub mod analytic;
pub mod budget;
pub mod cli;
pub mod compile;
pub mod diagnostic;
pub mod dist;
pub mod fit;
pub mod format;
pub mod incidents;
pub mod interrupt;
pub mod model;
pub mod montecarlo;
pub mod output;
pub mod plan;
pub mod plot;
pub mod precision;
pub mod preflight;
pub mod progress;
pub mod rare;
pub mod replay;
pub mod report;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod shard;
pub mod sim;
pub mod slo;
pub mod stats;
pub mod sweep;
pub mod traffic;

use std::sync::atomic::AtomicU64;

use model::Model;
use stats::summary::Summary;

/// Simulates every replication of `model` and returns the estimates.
/// `threads`: worker threads (`None`: one per core); the result does not depend on it.
pub fn simulate(model: &Model, threads: Option<usize>) -> anyhow::Result<Summary> {
    simulate_with(model, &montecarlo::Options { threads, ..Default::default() })
}

/// Simulates every replication of `model` with `options` and returns the estimates.
pub fn simulate_with(model: &Model, options: &montecarlo::Options) -> anyhow::Result<Summary> {
    let done = AtomicU64::new(0);
    let acc = montecarlo::simulate(model, 0..model.replications, options, &done)?;
    Ok(acc.summarize(model))
}

/// Loads a scenario from text (with `--set` style overrides).
/// Errors in the scenario come back rendered as text.
pub fn load_str(text: &str, sets: &[&str]) -> anyhow::Result<Model> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let loaded = compile::load_str("scenario.toml", "scenario", text, &sets).map_err(|e| anyhow::anyhow!("{}", e.render(false)))?;
    Ok(loaded.model)
}

/// Loads a scenario from text (with `--set` style overrides) and simulates it.
pub fn simulate_str(text: &str, sets: &[&str], threads: Option<usize>) -> anyhow::Result<Summary> {
    simulate(&load_str(text, sets)?, threads)
}
