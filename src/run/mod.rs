//! The run pipeline every command that simulates a scenario shares: [`load`] (the scenario,
//! its warnings, `--reps`/`--seed`) → [`execute`] (the whole run, or one shard's partial result)
//! → [`conclude`] (the summary and the exact answers) → [`rare_events`] → [`emit`] (stdout and
//! the output folder). `relsim run` is these in a row; `check` judges the summary before it
//! emits, `merge` starts at `conclude` with the shards' accumulator, `sweep` runs `rare_events`
//! on every point, and `replay` loads, simulates the record and ends in `conclude` and `emit`.
//!
//! Every step reports its own errors on stderr and returns the exit code (`crate::preflight`'s
//! `EXIT_INPUT`, `EXIT_FAILURE`, or a signal's), so the commands only pass codes on.

pub mod args;
pub mod emit;

use std::io::IsTerminal;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use crate::analytic::Analysis;
use crate::diagnostic::{render, InputError};
use crate::format;
use crate::model::Model;
use crate::preflight::EXIT_INPUT;
use crate::compile::{self, Loaded};
use crate::stats::summary::{Accumulator, Summary};
pub use args::{OutputArgs, RunArgs, ScenarioArgs, SimulationArgs};
pub use emit::{default_out_dir, emit, emit_run, print_stdout, reproduce_command, shell_quote, written, Emit};

/// Whether `NO_COLOR` asks for no colours (set and not empty, as no-color.org says).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether stderr should get colours: a terminal, and `NO_COLOR` not set.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && !no_color()
}

/// Whether stdout should get colours: a terminal, and `NO_COLOR` not set.
pub fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && !no_color()
}

pub fn load(args: &ScenarioArgs) -> Result<Loaded, i32> {
    match compile::load(&args.file, &args.sets) {
        Ok(loaded) => {
            if !loaded.warnings.is_empty() {
                eprint!("{}", render(&loaded.sources, &loaded.warnings, stderr_color()));
            }
            Ok(loaded)
        }
        Err(e) => {
            report_input_error(&e);
            Err(EXIT_INPUT)
        }
    }
}

pub fn report_input_error(e: &InputError) {
    eprint!("{}", e.render(stderr_color()));
    let errors = e.diagnostics.iter().filter(|d| d.severity == crate::diagnostic::Severity::Error).count();
    if errors > 1 {
        eprintln!("error: {errors} problems; nothing was run");
    }
}

/// Loads the scenario and applies `--reps` and `--seed`.
pub fn load_for_run(args: &RunArgs) -> Result<Loaded, i32> {
    let mut loaded = load(&args.scenario)?;
    args.apply_reps_and_seed(&mut loaded.model)?;
    Ok(loaded)
}

/// `1 architecture`, `3 architectures`, `2 traffic classes`.
pub fn count(n: usize, noun: &str) -> String {
    match (n, noun.ends_with("ss")) {
        (1, _) => format!("1 {noun}"),
        (_, true) => format!("{n} {noun}es"),
        _ => format!("{n} {noun}s"),
    }
}

/// Requests above which `--per-request` warns that it will take very long (at some ten million
/// requests a second, this is minutes).
const PER_REQUEST_WARNING: f64 = 1e9;

/// A finished simulation: what `run` and `check` report on.
pub struct Finished {
    /// The scenario as loaded, with `--reps`, `--seed` and `--baseline` applied.
    pub loaded: Loaded,
    /// Every replication's tallies.
    pub acc: Accumulator,
    /// The estimates, with exact answers, rare-event estimates and the precision outcome.
    pub summary: Summary,
    /// What the exact answers came from.
    pub analysis: Analysis,
    /// Wall-clock seconds from the start of the simulation to the finished summary.
    pub seconds: f64,
}

/// Simulates the run the arguments ask for: the whole run (`Some`), or one shard, whose partial
/// result is written here (`None`). Errors are the exit code, already reported.
pub fn execute(args: &RunArgs, loaded: Loaded) -> Result<Option<Finished>, i32> {
    let model = &loaded.model;
    let shard = match (args.shard, args.shard_from_env) {
        (Some(s), _) => Some(s),
        (None, true) => match crate::shard::from_env(args.shards, |k| std::env::var_os(k).map(|v| v.to_string_lossy().into_owned())) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("error: {e}");
                return Err(EXIT_INPUT);
            }
        },
        (None, false) => None,
    };
    if let Some(Err(e)) = shard.map(|s| s.check(model.replications)) {
        eprintln!("error: {e}");
        return Err(EXIT_INPUT);
    }
    let range = shard.map_or(0..model.replications, |s| s.range(model.replications));
    if !args.output.quiet && loaded.has_sweep {
        eprintln!("relsim: note: this file has a [sweep]; `relsim run` simulates the scenario as written, `relsim sweep {}` runs every point", args.scenario.file.display());
    }
    if !args.output.quiet {
        let share = shard.map(|s| format!("shard {s}: replications {}..{} of ", range.start, range.end)).unwrap_or_default();
        eprintln!(
            "relsim: {share}{} × {}, {} replications of {}, seed {}",
            count(model.architectures.len(), "architecture"),
            count(model.classes.len(), "traffic class"),
            model.replications,
            format::duration(model.horizon),
            model.seed
        );
    }
    let replications = range.end - range.start;
    if args.per_request {
        // Drawing every request is meant for checking the fast mode at low rates; say up front
        // when it cannot finish in any reasonable time. (Warnings show even with --quiet.)
        let requests = model.total_rate() * model.horizon * replications as f64;
        if requests > PER_REQUEST_WARNING {
            eprintln!(
                "warning: --per-request draws every request: about {requests:.1e} here ({}/s × {} × {} replications), which takes hours or more\n  = help: it is meant to check the fast mode at low rates, for example --set traffic.{}.rate=5/s --reps 200",
                model.total_rate(),
                format::duration(model.horizon),
                replications,
                model.classes.first().map_or("CLASS", |c| c.name.as_str())
            );
        }
    }
    let target = match args.precision_target() {
        Ok(t) => t,
        Err(message) => {
            eprintln!("error: {message}");
            return Err(EXIT_INPUT);
        }
    };
    if let Err(e) = crate::rare::check(model, &args.rare_settings()?) {
        eprintln!("error: {e}");
        return Err(EXIT_INPUT);
    }
    if target.is_some() && shard.is_some() {
        eprintln!("error: a precision target decides the replications as it goes, so it cannot be split into shards\n  = help: shard a fixed number of replications (--reps N), or run the precision target without --shard");
        return Err(EXIT_INPUT);
    }
    let options = args.options();
    let out_dir = match shard {
        Some(s) => args.output.out.clone().unwrap_or_else(|| default_out_dir(&args.scenario.file).join(format!("shard-{}-of-{}", s.index(), s.count()))),
        None => args.output.out.clone().unwrap_or_else(|| default_out_dir(&args.scenario.file)),
    };
    crate::preflight::run_work(&loaded, &args.scenario.sets, args.simulation.reps.is_some(), replications, &options, args.force, stderr_color())?;
    crate::preflight::outputs(&[&out_dir], &[])?;
    let started = Instant::now();
    let done = AtomicU64::new(0);
    let planned = AtomicU64::new(replications);
    let show_progress = args.output.show_progress();
    let simulated = crate::progress::with_progress(&planned, &done, show_progress, stderr_color(), || match &target {
        Some(target) => crate::precision::run(model, target, &options, &done, &planned).map(|(acc, outcome)| (acc, Some(outcome))),
        None => crate::montecarlo::simulate(model, range.clone(), &options, &done).map(|acc| (acc, None)),
    });
    let (acc, precision) = match simulated {
        Ok(r) => r,
        Err(e) => return Err(crate::preflight::simulation_failed(&e, done.load(std::sync::atomic::Ordering::Relaxed), planned.load(std::sync::atomic::Ordering::Relaxed))),
    };
    let simulated = started.elapsed().as_secs_f64();
    let file = args.scenario.file.display().to_string();
    let max_states = args.max_states.max(1);
    if let Some(shard) = shard {
        if !args.output.quiet {
            eprintln!("relsim: {} events in {simulated:.2} s ({:.1} M events/s)", acc.events(), acc.events() as f64 / simulated.max(1e-9) / 1e6);
        }
        let shard_options = crate::shard::Options { first_outage: args.first_outage, importance: args.importance, per_request: args.per_request, max_states, rare: args.rare_settings()? };
        let setup = crate::shard::Setup::new(model, &args.scenario.sets, shard_options);
        let partial = crate::shard::Partial::new(shard, &file, loaded.text(), setup, acc);
        return match partial.write(&out_dir) {
            Ok(path) => {
                if !args.output.quiet {
                    eprintln!(
                        "relsim: shard {shard}: replications {}..{} → {}; combine all {} parts with relsim merge PART... --out DIR",
                        range.start,
                        range.end,
                        path.display(),
                        shard.count()
                    );
                }
                Ok(None)
            }
            Err(e) => Err(crate::preflight::writing_failed(&e)),
        };
    }
    let (mut summary, analysis) = conclude(model, &acc, max_states, args.first_outage);
    rare_events(model, &mut summary, Some(&analysis), &args.rare_run()?, args.output.quiet);
    if let Some(outcome) = &precision {
        summary.notes.insert(0, outcome.sentence(summary.replications));
    }
    summary.precision = precision;
    let seconds = started.elapsed().as_secs_f64();
    if !args.output.quiet {
        eprintln!(
            "relsim: {} events in {simulated:.2} s ({:.1} M events/s); {seconds:.2} s in all with the exact answers and the summary",
            acc.events(),
            acc.events() as f64 / simulated.max(1e-9) / 1e6,
        );
    }
    Ok(Some(Finished { loaded, acc, summary, analysis, seconds }))
}

/// The estimates of `acc` with the exact answers attached, and the analysis they came from.
pub fn conclude(model: &Model, acc: &Accumulator, max_states: usize, first_outage: bool) -> (Summary, Analysis) {
    let mut summary = acc.summarize(model);
    let exact_options = crate::analytic::Options { max_states: max_states.max(1), mttff: first_outage, birnbaum: true };
    let analysis = crate::analytic::analyze(model, &exact_options);
    crate::analytic::attach(&mut summary, &analysis, model);
    (summary, analysis)
}

/// Adds the rare-event estimates `rare` asks for to `summary` (see `crate::rare`), telling on
/// stderr what was estimated and why, unless `quiet`.
pub fn rare_events(model: &Model, summary: &mut Summary, analysis: Option<&Analysis>, rare: &crate::rare::Run, quiet: bool) {
    let started = Instant::now();
    let outcome = crate::rare::apply(model, summary, analysis, rare);
    if !quiet {
        for m in &outcome.messages {
            eprintln!("relsim: {m}");
        }
        if outcome.estimated > 0 {
            eprintln!("relsim: rare events: {} cycles ({} transitions) in {:.3} s", outcome.cycles, outcome.steps, started.elapsed().as_secs_f64());
        }
    }
}
