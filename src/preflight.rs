//! What the command line checks before it simulates, and how it reports a run cut short.
//!
//! Before any replication runs: the work estimate (`crate::budget`; refused with exit code 2
//! above the limit unless `--force`) and the places the run will write (`crate::output`; exit
//! code 1 at once when the output folder or the JUnit file cannot be written). After a signal:
//! what had completed, that nothing was written, and the signal's exit code (130 for Ctrl-C,
//! 143 for SIGTERM).

use std::path::Path;

use crate::budget::{self, Work};
use crate::diagnostic::{render, Diagnostic};
use crate::model::Model;
use crate::montecarlo::Options;
use crate::scenario::units::YEAR;
use crate::compile::Loaded;

/// Exit code for bad input (arguments, scenario, or work far beyond usual without `--force`).
pub const EXIT_INPUT: i32 = 2;
/// Exit code for a failure while running (or, for `relsim check`, an `[[slo]]` that does not
/// hold).
pub const EXIT_FAILURE: i32 = 1;

/// The threads a run will use.
pub fn threads(options: &Options) -> usize {
    options.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Refuses (printing why, returning exit code 2) work above the limit unless `force`.
pub fn work(work: &Work, model: &Model, options: &Options, force: bool) -> Result<(), i32> {
    if !work.too_much() {
        if let Some(w) = work.first_outage_warning(threads(options)) {
            eprintln!("warning: {w}");
        }
        return Ok(());
    }
    let threads = threads(options);
    let (message, help) = work.refusal(model, threads);
    if force {
        eprintln!("warning: --force: {message}");
        return Ok(());
    }
    eprint!("error: {message}\n{}", help.iter().map(|h| format!("  = help: {h}\n")).collect::<String>());
    Err(EXIT_INPUT)
}

/// The work check for one scenario run with `options` for `replications`. A refusal points at
/// the key of the file (or `--set`) to change: `simulation.replications` or
/// `simulation.horizon`, whichever is further beyond the usual (a thousand replications of a
/// year), unless the replications came from `--reps` (`reps_from_cli`).
pub fn run_work(loaded: &Loaded, sets: &[String], reps_from_cli: bool, replications: u64, options: &Options, force: bool, color: bool) -> Result<(), i32> {
    let model = &loaded.model;
    let estimate = budget::estimate(model, replications, options);
    if !estimate.too_much() || force {
        return work(&estimate, model, options, force);
    }
    let reps_ratio = replications as f64 / 1000.0;
    let horizon_ratio = model.horizon / YEAR;
    let key = if reps_ratio >= horizon_ratio { "replications" } else { "horizon" };
    let origin = match (key, reps_from_cli) {
        ("replications", true) => None,
        _ => crate::scenario::origin_of(loaded.text(), sets, &["simulation", key]),
    };
    let Some(origin) = origin else {
        return work(&estimate, model, options, force);
    };
    let (message, help) = estimate.refusal(model, threads(options));
    let mut d = Diagnostic::error(&origin, format!("simulation.{key}: {message}"));
    for h in help {
        d = d.help(h);
    }
    eprint!("{}", render(&loaded.sources, &[d], color));
    Err(EXIT_INPUT)
}

/// Checks that the output folders and files can be written; prints the problem and returns
/// exit code 1 if one cannot.
pub fn outputs(dirs: &[&Path], files: &[&Path]) -> Result<(), i32> {
    let problems = dirs.iter().map(|d| crate::output::check_writable(d)).chain(files.iter().map(|f| crate::output::check_file_writable(f)));
    for p in problems {
        if let Err(e) = p {
            eprintln!("error: {e:#}\n  = help: nothing was run; choose another folder with --out DIR (or another --junit FILE)");
            return Err(EXIT_FAILURE);
        }
    }
    Ok(())
}

/// Reports a simulation that failed: cut short by a signal (what had completed, and the
/// signal's exit code) or any other failure (exit code 1). `done` of `planned` replications
/// had completed.
pub fn simulation_failed(e: &anyhow::Error, done: u64, planned: u64) -> i32 {
    match interrupted(e) {
        Some((name, code)) => {
            eprintln!("relsim: interrupted by {name} after {done} of {planned} replications; nothing written");
            code
        }
        None => {
            eprintln!("error: {e:#}");
            EXIT_FAILURE
        }
    }
}

/// Reports outputs that could not be written: cut short by a signal, or any other failure.
pub fn writing_failed(e: &anyhow::Error) -> i32 {
    match interrupted(e) {
        Some((name, code)) => {
            eprintln!("relsim: interrupted by {name} while writing the outputs; nothing written (the folder is as it was)");
            code
        }
        None => {
            eprintln!("error: {e:#}\n  = help: choose another folder with --out DIR");
            EXIT_FAILURE
        }
    }
}

/// The signal's name and exit code, when `e` is an interruption.
fn interrupted(e: &anyhow::Error) -> Option<(&'static str, i32)> {
    if !crate::interrupt::is_interrupted(e) {
        return None;
    }
    let signal = crate::interrupt::signal();
    Some((signal.map_or("a signal", |s| s.name()), signal.map_or(130, |s| s.exit_code())))
}
