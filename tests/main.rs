//! relsim's integration tests: one binary, one module per concern.
//!
//! Statistical tests use fixed seeds and enough replications that their intervals are narrow;
//! each asserts that the Monte Carlo interval contains an exact value worked out by hand (a
//! closed form or a small Markov chain solved in `common::ctmc`, independent of the engine).

mod common;

mod analytic;
mod browser;
mod check;
mod cli;
mod cost;
mod cycling;
mod determinism;
mod exact;
mod fit;
mod fit_cli;
mod follow;
mod fuzz;
mod interrupt;
mod invalid;
mod layers;
mod limits;
mod precision;
mod rare;
mod replay;
mod replay_command;
mod requests;
mod scenario_errors;
mod shard;
mod shipped;
mod snapshots;
mod sweep;
mod trace;
