//! The command line: clap parses the arguments, and each subcommand is a function returning
//! the process exit code. The commands that simulate share the library's run pipeline
//! (`crate::run`: its arguments, load, execute, conclude, rare events, emit); `check`
//! ([`check`]), `sweep` ([`sweep`]) and `merge` ([`merge`]) have a file each; `fit` and `replay`
//! are dispatched to `fit::command::run` and `replay::replay`.
//!
//! Exit codes: 0 success, 1 a failure while running (for example an unwritable output folder,
//! found before simulating) or, for `check`, an [[slo]] that does not hold, 2 bad input
//! (arguments, scenario, or work far beyond usual without `--force`), 130/143 interrupted by
//! SIGINT/SIGTERM (see `crate::interrupt`, `crate::preflight`; docs/errors.md).

mod check;
mod merge;
mod sweep;

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand};

use crate::format;
pub use crate::preflight::{EXIT_FAILURE, EXIT_INPUT};
use crate::run::{self, count, RunArgs, ScenarioArgs};

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "relsim",
    version,
    about = "Monte Carlo reliability simulation of AI service architectures: compare designs with confidence intervals.",
    override_usage = "relsim [run] FILE [OPTIONS]\n       relsim check FILE [OPTIONS] [--junit FILE]\n       relsim sweep FILE [--set KEY=V1,V2,...]... [OPTIONS]\n       relsim merge PART... [--out DIR]\n       relsim fit INCIDENTS.csv [--wide ...] [--into SCENARIO]\n       relsim replay FILE --trace INCIDENTS.csv [--map NAME=COMPONENT,...] [OPTIONS]\n       relsim validate FILE [--set KEY=VALUE]...\n       relsim exact FILE",
    after_help = "relsim FILE is short for relsim run FILE. Scenario format: docs/scenario-format.md"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario and compare its architectures (the default command).
    Run(RunArgs),
    /// Simulate like `run` and judge the scenario's [[slo]] entries on the conservative end of
    /// each interval: exit 0 if all hold, 1 if any is breached, 2 on bad input (for CI).
    #[command(
        after_help = "Stdout holds one PASS/FAIL line per [[slo]] bound and a count (--format has no effect here); the output folder is written as by run. A bound that cannot be judged (no interval, for example MTTR without outages) fails. Details and a CI workflow: docs/ci.md"
    )]
    Check(check::CheckArgs),
    /// Check a scenario file without running it.
    Validate(ValidateArgs),
    /// Exact steady-state answers for a model whose distributions are all exponential.
    Exact(ExactArgs),
    /// Run every point of a sweep ([sweep] in the file, or --set key.path=v1,v2,v3) on the same
    /// random numbers and write sweep.csv, sweep.json and sweep plots.
    Sweep(RunArgs),
    /// Combine the partial results of shards (run --shard I/N) into the outputs of one run.
    Merge(merge::MergeArgs),
    /// Fit failure and repair distributions to an incident history (CSV), with intervals,
    /// AIC ranking and probability plots; --into writes them into a scenario.
    Fit(crate::fit::command::FitArgs),
    /// Replay a recorded incident history through the scenario's architectures: the components
    /// in the file follow their record over its window, the others are sampled (docs/incidents.md).
    Replay(crate::replay::ReplayArgs),
}

#[derive(Debug, Args)]
struct ExactArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,

    /// Largest Markov chain to build; a larger one is refused with its size.
    #[arg(long, value_name = "N", default_value_t = 200_000)]
    max_states: usize,

    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "table")]
    format: ExactFormat,
}

/// Output formats of `relsim exact`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ExactFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
struct ValidateArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,

    /// Accept a scenario whose estimated work is far beyond usual (as `run --force`).
    #[arg(long)]
    force: bool,
}

/// Inserts `run` when the first argument is not a subcommand, so `relsim FILE` runs FILE.
fn with_default_command(args: Vec<OsString>) -> Vec<OsString> {
    let known = ["run", "validate", "exact", "sweep", "merge", "check", "fit", "replay", "help", "-h", "--help", "-V", "--version"];
    match args.get(1).and_then(|a| a.to_str()) {
        Some(first) if known.contains(&first) => args,
        None => args,
        Some(_) => {
            let mut out = Vec::with_capacity(args.len() + 1);
            out.push(args[0].clone());
            out.push(OsString::from("run"));
            out.extend(args.into_iter().skip(1));
            out
        }
    }
}

/// Runs the command line and returns the exit code.
pub fn main_with_args(args: Vec<OsString>) -> i32 {
    let cli = match Cli::try_parse_from(with_default_command(args)) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_INPUT } else { 0 };
        }
    };
    if matches!(cli.command, Command::Run(_) | Command::Check(_) | Command::Sweep(_) | Command::Merge(_)) {
        // Ctrl-C and SIGTERM then stop the run cleanly (nothing partial written).
        if let Err(e) = crate::interrupt::install() {
            eprintln!("warning: cannot handle Ctrl-C and SIGTERM ({e}); an interrupted run stops at once");
        }
    }
    match cli.command {
        Command::Run(args) => run_command(args),
        Command::Validate(args) => validate(args),
        Command::Exact(args) => exact(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Merge(args) => merge::merge(args),
        Command::Check(args) => check::check(args),
        Command::Fit(args) => crate::fit::command::run(args, run::stderr_color()),
        Command::Replay(args) => crate::replay::replay(args),
    }
}

/// `relsim run`: the pipeline from start to end.
fn run_command(args: RunArgs) -> i32 {
    let loaded = match run::load_for_run(&args) {
        Ok(l) => l,
        Err(code) => return code,
    };
    match run::execute(&args, loaded) {
        Ok(Some(f)) => run::emit_run(&args, &f, true),
        Ok(None) => 0,
        Err(code) => code,
    }
}

fn validate(args: ValidateArgs) -> i32 {
    let loaded = match run::load(&args.scenario) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let m = &loaded.model;
    if let Err(code) = crate::preflight::run_work(&loaded, &args.scenario.sets, false, m.replications, &crate::montecarlo::Options::default(), args.force, run::stderr_color()) {
        return code;
    }
    println!(
        "{}: valid. {}, {}, {}; {} replications of {}, seed {}.",
        args.scenario.file.display(),
        count(m.components.len(), "component"),
        count(m.classes.len(), "traffic class"),
        count(m.architectures.len(), "architecture"),
        m.replications,
        format::duration(m.horizon),
        m.seed
    );
    0
}

fn exact(args: ExactArgs) -> i32 {
    let loaded = match run::load(&args.scenario) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let model = &loaded.model;
    let options = crate::analytic::Options { max_states: args.max_states.max(1), mttff: true, birnbaum: true };
    let analysis = crate::analytic::analyze(model, &options);
    let text = match args.format {
        ExactFormat::Table => Ok(crate::report::exact::table(model, &analysis)),
        ExactFormat::Json => crate::report::exact::json(model, &analysis),
    };
    match text {
        Ok(t) => print!("{t}"),
        Err(e) => {
            eprintln!("error: {e:#}");
            return EXIT_FAILURE;
        }
    }
    if analysis.complete() {
        0
    } else {
        let n = analysis.archs.iter().filter(|r| r.is_err()).count();
        eprintln!(
            "error: {} of {} architectures have no exact answer (see the reasons above: exact answers need exponential distributions, instant switch-overs and grace periods only where components are independent, within the --max-states budget)",
            n,
            analysis.archs.len()
        );
        EXIT_INPUT
    }
}
