//! The command line: raw arguments become validated settings here, in one place, and each
//! subcommand is a function returning the process exit code.
//!
//! Exit codes: 0 success, 1 a failure while running (for example an unwritable output folder,
//! found before simulating) or, for `check`, an [[slo]] that does not hold, 2 bad input
//! (arguments, scenario, or work far beyond usual without `--force`), 130/143 interrupted by
//! SIGINT/SIGTERM (see `crate::interrupt`, `crate::preflight`; docs/errors.md).

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::analytic::Analysis;
use crate::diagnostic::{render, InputError};
use crate::model::Model;
use crate::report::{self, Format, Report};
use crate::format::duration as format_duration;
use crate::scenario::{self, Loaded};
use crate::shard::Shard;
use crate::stats::summary::{Accumulator, Summary};

/// Exit code for bad input.
pub const EXIT_INPUT: i32 = 2;
/// Exit code for a failure while running.
pub const EXIT_FAILURE: i32 = 1;

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
    Check(CheckArgs),
    /// Check a scenario file without running it.
    Validate(ValidateArgs),
    /// Exact steady-state answers for a model whose distributions are all exponential.
    Exact(ExactArgs),
    /// Run every point of a sweep ([sweep] in the file, or --set key.path=v1,v2,v3) on the same
    /// random numbers and write sweep.csv, sweep.json and sweep plots.
    Sweep(RunArgs),
    /// Combine the partial results of shards (run --shard I/N) into the outputs of one run.
    Merge(MergeArgs),
    /// Fit failure and repair distributions to an incident history (CSV), with intervals,
    /// AIC ranking and probability plots; --into writes them into a scenario.
    Fit(crate::fit::command::FitArgs),
    /// Replay a recorded incident history through the scenario's architectures: the components
    /// in the file follow their record over its window, the others are sampled (docs/incidents.md).
    Replay(crate::replay::ReplayArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ScenarioArgs {
    /// The scenario file (TOML), for example scenarios/multicloud.toml.
    pub(crate) file: PathBuf,

    /// Override any scenario value: --set key.path=value (repeatable), for example
    /// --set simulation.replications=200 or --set components.auth.repair.median=30m.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub(crate) sets: Vec<String>,
}

#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,

    /// Replications per architecture (overrides simulation.replications).
    #[arg(long, value_name = "N")]
    reps: Option<u64>,

    /// Master seed (overrides simulation.seed).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,

    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,

    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,

    /// Folder for summary.json, summary.csv, report.md, report.html and the plots
    /// [default: output/<file stem>/].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Do not draw the plots (availability, downtime_cdf, outage_durations, timeline, cost,
    /// cost_tradeoff).
    #[arg(long)]
    no_plots: bool,

    /// Print nothing on stderr but errors and warnings (no progress bar).
    #[arg(long, short)]
    quiet: bool,

    /// Also measure the mean time to each class's first outage from the all-up start (runs every
    /// replication again until then, ignoring the horizon).
    #[arg(long)]
    first_outage: bool,

    /// Largest Markov chain built for the exact values shown beside the estimates.
    #[arg(long, value_name = "N", default_value_t = 200_000)]
    max_states: usize,

    /// Also estimate each component's Birnbaum importance by simulation (every replication
    /// runs again with each component held up and held down: about 2 × components times longer).
    #[arg(long)]
    importance: bool,

    /// Draw every request instead of accounting them over intervals of constant state (exact
    /// and slow: for validating the fast mode at low request rates).
    #[arg(long)]
    per_request: bool,

    /// Add replications until every architecture's --metric (availability by default) has an
    /// interval half-width of at most this, e.g. --precision 0.0001.
    #[arg(long, value_name = "HALF_WIDTH", conflicts_with = "rel_precision")]
    precision: Option<f64>,

    /// Add replications until every architecture's --metric has a half-width of at most this
    /// fraction of its estimate, e.g. --rel-precision 0.05.
    #[arg(long, value_name = "FRACTION")]
    rel_precision: Option<f64>,

    /// The metric a precision target applies to (a class metric's JSON name).
    #[arg(long, value_name = "NAME", default_value = "availability")]
    metric: String,

    /// The most replications a precision target may use [default: 1000000].
    #[arg(long, value_name = "N")]
    max_reps: Option<u64>,
    /// Run only shard I of N (counting from 1): its share of the replications. Writes only the
    /// partial result partial.json into --out [default: output/<file stem>/shard-I-of-N/], for
    /// relsim merge. See docs/distributed.md.
    #[arg(long, value_name = "I/N", conflicts_with = "shard_from_env")]
    shard: Option<Shard>,

    /// Like --shard, taking I/N from a Slurm job array (SLURM_ARRAY_TASK_ID counted from
    /// SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job
    /// (JOB_COMPLETION_INDEX from 0, with --shards N).
    #[arg(long)]
    shard_from_env: bool,

    /// The number of shards for --shard-from-env (needed in a Kubernetes Indexed Job: its
    /// completions).
    #[arg(long, value_name = "N", requires = "shard_from_env", value_parser = clap::value_parser!(u64).range(1..))]
    shards: Option<u64>,

    /// The architecture the decision compares every other with (net benefit, break-even cost
    /// of downtime) [default: the first].
    #[arg(long, value_name = "NAME")]
    baseline: Option<String>,
    /// Run even when the estimated work is far beyond usual (above 1e11 events such a run is
    /// refused, with the estimate). Ctrl-C or SIGTERM still stop it cleanly.
    #[arg(long)]
    force: bool,

    /// Rare-event estimates by importance sampling, beside the crude ones: auto (when the crude
    /// run saw too few outages for --rare-precision and the model qualifies), on, or off.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    rare: crate::rare::Mode,

    /// The relative half-width asked of each rare-event estimate of unavailability.
    #[arg(long, value_name = "FRACTION", default_value_t = crate::rare::DEFAULT_PRECISION)]
    rare_precision: f64,
}

/// Default cap on replications for a precision target.
const DEFAULT_MAX_REPS: u64 = 1_000_000;

/// The precision target of the arguments, or an error message for bad values.
fn precision_target(args: &RunArgs) -> Result<Option<crate::precision::Target>, String> {
    use crate::precision::{HalfWidth, Target};
    let half_width = match (args.precision, args.rel_precision) {
        (Some(h), _) if !(h.is_finite() && h > 0.0) => return Err(format!("--precision {h}: give a positive half-width, for example --precision 0.0001")),
        (_, Some(r)) if !(r.is_finite() && r > 0.0) => return Err(format!("--rel-precision {r}: give a positive fraction, for example --rel-precision 0.05")),
        (Some(h), _) => HalfWidth::Absolute(h),
        (_, Some(r)) => HalfWidth::Relative(r),
        (None, None) => {
            if args.max_reps.is_some() {
                return Err("--max-reps caps a precision target; add --precision HALF_WIDTH or --rel-precision FRACTION (or use --reps N for a fixed run)".to_string());
            }
            if args.metric != "availability" {
                return Err(format!("--metric {} names the metric of a precision target; add --precision HALF_WIDTH or --rel-precision FRACTION", args.metric));
            }
            return Ok(None);
        }
    };
    if !crate::model::CLASS_METRICS.contains(&args.metric.as_str()) {
        let hint = crate::diagnostic::did_you_mean(&args.metric, crate::model::CLASS_METRICS.iter().copied()).map(|m| format!("did you mean --metric {m}? ")).unwrap_or_default();
        return Err(format!("--metric {}: not a class metric; {hint}the metrics are {}", args.metric, crate::model::CLASS_METRICS.join(", ")));
    }
    let max_replications = args.max_reps.unwrap_or(DEFAULT_MAX_REPS);
    if max_replications < 2 {
        return Err(format!("--max-reps {max_replications}: a confidence interval needs at least 2 replications"));
    }
    Ok(Some(Target { metric: args.metric.clone(), half_width, max_replications }))
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Every option of `run`. Stdout holds the verdicts instead of the report (so `--format`
    /// has no effect); the output folder is written as by `run`.
    #[command(flatten)]
    run: RunArgs,

    /// Also write the verdicts as a JUnit XML report to FILE, for CI test reporters.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct MergeArgs {
    /// The shards' partial results: their --out folders, or the partial.json in each.
    #[arg(value_name = "PART", required = true)]
    parts: Vec<PathBuf>,

    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,

    /// Folder for summary.json, summary.csv, report.md, report.html and the plots
    /// [default: output/<file stem>/].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Do not draw the plots.
    #[arg(long)]
    no_plots: bool,

    /// Print nothing on stderr but errors and warnings.
    #[arg(long, short)]
    quiet: bool,

    /// The architecture the decision compares every other with [default: the parts' baseline].
    #[arg(long, value_name = "NAME")]
    baseline: Option<String>,
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

/// Whether `NO_COLOR` asks for no colours (set and not empty, as no-color.org says).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether stderr should get colours: a terminal, and `NO_COLOR` not set.
pub(crate) fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && !no_color()
}

/// Whether stdout should get colours: a terminal, and `NO_COLOR` not set.
fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && !no_color()
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
        Command::Run(args) => run(args),
        Command::Validate(args) => validate(args),
        Command::Exact(args) => exact(args),
        Command::Sweep(args) => sweep(args),
        Command::Merge(args) => merge(args),
        Command::Check(args) => check(args),
        Command::Fit(args) => crate::fit::command::run(args, stderr_color()),
        Command::Replay(args) => crate::replay::replay(args),
    }
}

pub(crate) fn load(args: &ScenarioArgs) -> Result<Loaded, i32> {
    match scenario::load(&args.file, &args.sets) {
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

pub(crate) fn report_input_error(e: &InputError) {
    eprint!("{}", e.render(stderr_color()));
    let errors = e.diagnostics.iter().filter(|d| d.severity == crate::diagnostic::Severity::Error).count();
    if errors > 1 {
        eprintln!("error: {errors} problems; nothing was run");
    }
}

/// Requests above which `--per-request` warns that it will take very long (at some ten million
/// requests a second, this is minutes).
const PER_REQUEST_WARNING: f64 = 1e9;

fn validate(args: ValidateArgs) -> i32 {
    let loaded = match load(&args.scenario) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let m = &loaded.model;
    if let Err(code) = crate::preflight::run_work(&loaded, &args.scenario.sets, false, m.replications, &crate::montecarlo::Options::default(), args.force, stderr_color()) {
        return code;
    }
    println!(
        "{}: valid. {}, {}, {}; {} replications of {}, seed {}.",
        args.scenario.file.display(),
        count(m.components.len(), "component"),
        count(m.classes.len(), "traffic class"),
        count(m.architectures.len(), "architecture"),
        m.replications,
        format_duration(m.horizon),
        m.seed
    );
    0
}

/// `1 architecture`, `3 architectures`, `2 traffic classes`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    match (n, noun.ends_with("ss")) {
        (1, _) => format!("1 {noun}"),
        (_, true) => format!("{n} {noun}es"),
        _ => format!("{n} {noun}s"),
    }
}

fn exact(args: ExactArgs) -> i32 {
    let loaded = match load(&args.scenario) {
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

/// A sentence on which architectures have exact values beside their estimates, and why the
/// others do not.
fn exact_note(analysis: &crate::analytic::Analysis) -> Option<String> {
    let exact = analysis.archs.iter().filter(|r| r.is_ok()).count();
    if exact == 0 {
        let reason = analysis.archs.iter().find_map(|r| r.as_ref().err())?;
        return Some(format!("Exact values: none ({reason}; `relsim exact` explains for each architecture)."));
    }
    Some(format!(
        "\"exact\" lines are steady-state values from the analytic engine ({exact} of {} architectures); the estimates start all up, so over a short horizon they may sit slightly above them.",
        analysis.archs.len()
    ))
}

pub(crate) fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The command that gives the same numbers: the replications actually run (a precision target
/// may have decided them) and the seed, whatever the file says.
fn reproduce_command(file: &str, sets: &[String], model: &Model, replications: u64) -> String {
    let mut parts = vec!["relsim".to_string(), "run".to_string(), shell_quote(file)];
    parts.push(format!("--seed {}", model.seed));
    parts.push(format!("--reps {replications}"));
    if let Some(b) = crate::model::cost::baseline_argument(model) {
        parts.push(format!("--baseline {}", shell_quote(b)));
    }
    for s in sets {
        parts.push(format!("--set {}", shell_quote(s)));
    }
    parts.join(" ")
}

fn default_out_dir(file: &Path) -> PathBuf {
    PathBuf::from("output").join(scenario::stem_of(file))
}

/// Replications searched for one worth showing on the timeline plot.
const TIMELINE_SEARCH: u64 = 100;

/// The replication shown on the timeline plot: the first in which some class has an outage
/// (a year with nothing happening says little), else replication 0.
fn sample_timeline(model: &Model) -> Option<crate::sim::trace::Timeline> {
    let mut first = None;
    for r in 0..model.replications.min(TIMELINE_SEARCH) {
        let Ok(t) = crate::sim::trace::trace(model, r) else { break };
        if t.architectures.iter().any(|a| a.classes.iter().any(|c| !c.down.is_empty())) {
            return Some(t);
        }
        first.get_or_insert(t);
    }
    first
}

/// Loads the scenario and applies `--reps` and `--seed`.
fn load_for_run(args: &RunArgs) -> Result<Loaded, i32> {
    let mut loaded = load(&args.scenario)?;
    args.apply_reps_and_seed(&mut loaded.model)?;
    Ok(loaded)
}

/// Applies `--baseline NAME` to `model`; an unknown name is bad input (reported).
fn apply_baseline(baseline: &Option<String>, model: &mut Model) -> Result<(), i32> {
    if let Some(name) = baseline {
        match crate::model::cost::find_architecture(model, name) {
            Ok(i) => model.costs.baseline = i,
            Err(message) => {
                eprintln!("error: {message}");
                return Err(EXIT_INPUT);
            }
        }
    }
    Ok(())
}

impl RunArgs {
    /// Applies `--reps`, `--seed` and `--baseline` to `model`; too few replications or an
    /// unknown baseline is bad input (reported).
    fn apply_reps_and_seed(&self, model: &mut Model) -> Result<(), i32> {
        if let Some(reps) = self.reps {
            if reps < 2 {
                eprintln!("error: --reps {reps}: a confidence interval needs at least 2 replications\n  = help: write --reps 1000");
                return Err(EXIT_INPUT);
            }
            model.replications = reps;
        }
        if let Some(seed) = self.seed {
            model.seed = seed;
        }
        apply_baseline(&self.baseline, model)
    }

    /// How to run the replications.
    fn options(&self) -> crate::montecarlo::Options {
        let accounting = if self.per_request { crate::sim::Accounting::PerRequest } else { crate::sim::Accounting::Fast };
        crate::montecarlo::Options { threads: self.threads.map(|t| t as usize), first_outage: self.first_outage, importance: self.importance, accounting }
    }

    /// `--rare` and `--rare-precision`; a precision outside (0, 1) is bad input (reported).
    fn rare_settings(&self) -> Result<crate::rare::Settings, i32> {
        let precision = self.rare_precision;
        if !(precision > 0.0 && precision < 1.0) {
            eprintln!("error: --rare-precision {precision}: give a fraction between 0 and 1\n  = help: write --rare-precision 0.1 for ±10 %");
            return Err(EXIT_INPUT);
        }
        Ok(crate::rare::Settings { mode: self.rare, precision })
    }

    /// Whether to show the progress bar: on a terminal, unless `--quiet`.
    fn show_progress(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }
}

/// A finished simulation: what `run` and `check` report on.
struct Finished {
    loaded: Loaded,
    acc: Accumulator,
    summary: Summary,
    analysis: Analysis,
    /// Wall-clock seconds from the start of the simulation to the finished summary.
    seconds: f64,
}

fn run(args: RunArgs) -> i32 {
    let loaded = match load_for_run(&args) {
        Ok(l) => l,
        Err(code) => return code,
    };
    match execute(&args, loaded) {
        Ok(Some(f)) => emit_run(&args, &f, true),
        Ok(None) => 0,
        Err(code) => code,
    }
}

/// Prints and writes the results of a whole run (when `print`, the report on stdout).
fn emit_run(args: &RunArgs, f: &Finished, print: bool) -> i32 {
    let model = &f.loaded.model;
    let file = args.scenario.file.display().to_string();
    let out_dir = args.out.clone().unwrap_or_else(|| default_out_dir(&args.scenario.file));
    let command = reproduce_command(&file, &args.scenario.sets, model, f.summary.replications);
    emit(model, &f.acc, &f.summary, &f.analysis, &Emit { file: &file, command: &command, out_dir: &out_dir, format: args.format, no_plots: args.no_plots, quiet: args.quiet, print })
}

/// Simulates the run the arguments ask for: the whole run (`Some`), or one shard, whose partial
/// result is written here (`None`). Errors are the exit code, already reported.
fn execute(args: &RunArgs, loaded: Loaded) -> Result<Option<Finished>, i32> {
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
    if !args.quiet && loaded.has_sweep {
        eprintln!("relsim: note: this file has a [sweep]; `relsim run` simulates the scenario as written, `relsim sweep {}` runs every point", args.scenario.file.display());
    }
    if !args.quiet {
        let share = shard.map(|s| format!("shard {s}: replications {}..{} of ", range.start, range.end)).unwrap_or_default();
        eprintln!(
            "relsim: {share}{} × {}, {} replications of {}, seed {}",
            count(model.architectures.len(), "architecture"),
            count(model.classes.len(), "traffic class"),
            model.replications,
            format_duration(model.horizon),
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
                format_duration(model.horizon),
                replications,
                model.classes.first().map_or("CLASS", |c| c.name.as_str())
            );
        }
    }
    let target = match precision_target(&args) {
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
        Some(s) => args.out.clone().unwrap_or_else(|| default_out_dir(&args.scenario.file).join(format!("shard-{}-of-{}", s.index(), s.count()))),
        None => args.out.clone().unwrap_or_else(|| default_out_dir(&args.scenario.file)),
    };
    crate::preflight::run_work(&loaded, &args.scenario.sets, args.reps.is_some(), replications, &options, args.force, stderr_color())?;
    crate::preflight::outputs(&[&out_dir], &[])?;
    let started = Instant::now();
    let done = AtomicU64::new(0);
    let planned = AtomicU64::new(replications);
    let show_progress = args.show_progress();
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
        if !args.quiet {
            eprintln!("relsim: {} events in {simulated:.2} s ({:.1} M events/s)", acc.events(), acc.events() as f64 / simulated.max(1e-9) / 1e6);
        }
        let shard_options = crate::shard::Options { first_outage: args.first_outage, importance: args.importance, per_request: args.per_request, max_states, rare: args.rare_settings()? };
        let setup = crate::shard::Setup::new(model, &args.scenario.sets, shard_options);
        let partial = crate::shard::Partial::new(shard, &file, loaded.text(), setup, acc);
        return match partial.write(&out_dir) {
            Ok(path) => {
                if !args.quiet {
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
    let rare = crate::rare::Run { settings: args.rare_settings()?, threads: args.threads.map(|t| t as usize), max_states };
    rare_events(model, &mut summary, Some(&analysis), &rare, args.quiet);
    if let Some(outcome) = &precision {
        summary.notes.insert(0, outcome.sentence(summary.replications));
    }
    summary.precision = precision;
    let seconds = started.elapsed().as_secs_f64();
    if !args.quiet {
        eprintln!(
            "relsim: {} events in {simulated:.2} s ({:.1} M events/s); {seconds:.2} s in all with the exact answers and the summary",
            acc.events(),
            acc.events() as f64 / simulated.max(1e-9) / 1e6,
        );
    }
    Ok(Some(Finished { loaded, acc, summary, analysis, seconds }))
}

/// `relsim merge`: the shards' parts become the outputs of one run, exactly as `run` writes
/// them (see `crate::shard`).
fn merge(args: MergeArgs) -> i32 {
    let mut merged = match crate::shard::merge(&args.parts) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INPUT;
        }
    };
    if let Err(code) = apply_baseline(&args.baseline, &mut merged.loaded.model) {
        return code;
    }
    let loaded = &merged.loaded;
    if !loaded.warnings.is_empty() {
        eprint!("{}", render(&loaded.sources, &loaded.warnings, stderr_color()));
    }
    let (model, acc) = (&loaded.model, &merged.accumulator);
    let (mut summary, analysis) = conclude(model, acc, merged.setup.max_states, merged.setup.first_outage);
    let rare = crate::rare::Run { settings: merged.setup.rare, threads: None, max_states: merged.setup.max_states };
    rare_events(model, &mut summary, Some(&analysis), &rare, args.quiet);
    if !args.quiet {
        eprintln!(
            "relsim: merged {} parts: {} replications of {}, seed {}, {} events",
            merged.parts,
            acc.replications(),
            model.name,
            model.seed,
            acc.events()
        );
    }
    let file = &merged.scenario_file;
    let out_dir = args.out.clone().unwrap_or_else(|| default_out_dir(Path::new(file)));
    if let Err(code) = crate::preflight::outputs(&[&out_dir], &[]) {
        return code;
    }
    let command = reproduce_command(file, &merged.setup.sets, model, summary.replications);
    emit(model, acc, &summary, &analysis, &Emit { file, command: &command, out_dir: &out_dir, format: args.format, no_plots: args.no_plots, quiet: args.quiet, print: true })
}

/// The files written, for a line on stderr (the plots counted, not listed), and how many plots.
fn written(paths: &[PathBuf]) -> (String, usize) {
    let names: Vec<String> = paths.iter().filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
    let is_plot = |n: &&String| n.ends_with(".svg") || n.ends_with(".png");
    let plots = names.iter().filter(is_plot).count() / 2;
    let mut listed: Vec<String> = names.iter().filter(|n| !is_plot(n)).cloned().collect();
    if plots > 0 {
        listed.push(format!("{plots} plots (SVG and PNG)"));
    }
    (listed.join(", "), plots)
}

/// The estimates of `acc` with the exact answers attached, and the analysis they came from.
pub(crate) fn conclude(model: &Model, acc: &Accumulator, max_states: usize, first_outage: bool) -> (Summary, Analysis) {
    let mut summary = acc.summarize(model);
    let exact_options = crate::analytic::Options { max_states: max_states.max(1), mttff: first_outage, birnbaum: true };
    let analysis = crate::analytic::analyze(model, &exact_options);
    crate::analytic::attach(&mut summary, &analysis, model);
    (summary, analysis)
}

/// Adds the rare-event estimates `rare` asks for to `summary` (see `crate::rare`), telling on
/// stderr what was estimated and why, unless `quiet`.
fn rare_events(model: &Model, summary: &mut Summary, analysis: Option<&Analysis>, rare: &crate::rare::Run, quiet: bool) {
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

/// How the results are shown and written.
pub(crate) struct Emit<'a> {
    /// The scenario file as given on the command line.
    pub(crate) file: &'a str,
    /// The command that reproduces the run.
    pub(crate) command: &'a str,
    pub(crate) out_dir: &'a Path,
    pub(crate) format: Format,
    pub(crate) no_plots: bool,
    pub(crate) quiet: bool,
    /// Print the report on stdout (`check` prints its verdicts instead).
    pub(crate) print: bool,
}

/// Prints the results on stdout and writes the output folder: the end of `run`, and all of
/// `merge` once the parts are merged, so a merge of shards writes what one run writes.
pub(crate) fn emit(model: &Model, acc: &Accumulator, summary: &Summary, analysis: &Analysis, how: &Emit<'_>) -> i32 {
    let exact_note = exact_note(analysis);
    let report = Report { summary, model, file: how.file, command: how.command, exact_note: exact_note.as_deref(), plots: &[] };
    let out_dir = how.out_dir;
    if how.print {
        let exporter = match how.format {
            Format::Table => Box::new(report::table::TableExporter { color: stdout_color(), wrap: std::io::stdout().is_terminal() }),
            f => f.exporter(),
        };
        match exporter.render(&report) {
            Ok(text) => print_stdout(&text),
            Err(e) => {
                eprintln!("error: {e:#}");
                return EXIT_FAILURE;
            }
        }
    }
    let distributions = acc.distributions(model);
    let timeline = if how.no_plots { None } else { sample_timeline(model) };
    let plots = crate::plot::PlotInput { summary, distributions: &distributions, timeline: timeline.as_ref() };
    match report::write_outputs(out_dir, &report, (!how.no_plots).then_some(&plots)) {
        Ok(paths) => {
            if !how.quiet {
                let (listed, plots) = written(&paths);
                eprintln!("relsim: wrote {listed} in {}", out_dir.display());
                if listed.contains("report.html") {
                    eprintln!("relsim: open {} in a browser{}", out_dir.join("report.html").display(), if plots > 0 { " for the report with its plots" } else { " for the report" });
                }
            }
            0
        }
        Err(e) => crate::preflight::writing_failed(&e),
    }
}

fn sweep(args: RunArgs) -> i32 {
    let mut loaded = match scenario::load_sweep(&args.scenario.file, &args.scenario.sets) {
        Ok(l) => l,
        Err(e) => {
            report_input_error(&e);
            return EXIT_INPUT;
        }
    };
    if !loaded.warnings.is_empty() {
        eprint!("{}", render(&loaded.sources, &loaded.warnings, stderr_color()));
    }
    if args.format == Format::Md {
        eprintln!("error: --format md is not available for sweeps\n  = help: use --format table, json (sweep.json) or csv (sweep.csv)");
        return EXIT_INPUT;
    }
    if args.shard.is_some() || args.shard_from_env {
        eprintln!("error: relsim sweep does not take --shard\n  = help: shard one point at a time: relsim run FILE --set key=value --shard I/N");
        return EXIT_INPUT;
    }
    for p in &mut loaded.points {
        if let Err(code) = args.apply_reps_and_seed(&mut p.model) {
            return code;
        }
    }
    let target = match precision_target(&args) {
        Ok(t) => t,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_INPUT;
        }
    };
    let first = &loaded.points[0].model;
    if !args.quiet {
        eprintln!(
            "relsim: sweep of {} over {}: {} × {}, {} replications of {} per point, seed {}",
            count(loaded.points.len(), "point"),
            loaded.keys.join(if loaded.zip { " zipped with " } else { " × " }),
            count(first.architectures.len(), "architecture"),
            count(first.classes.len(), "traffic class"),
            first.replications,
            format_duration(first.horizon),
            first.seed
        );
    }
    let options = args.options();
    let out_dir = args.out.clone().unwrap_or_else(|| default_out_dir(&args.scenario.file));
    let mut work = crate::budget::estimate(first, 0, &options);
    for p in &loaded.points {
        let w = crate::budget::estimate(&p.model, p.model.replications, &options);
        work.events += w.events;
        work.replications += w.replications;
    }
    work.per_replication = work.events / work.replications.max(1) as f64;
    if let Err(code) = crate::preflight::work(&work, first, &options, args.force).and_then(|()| crate::preflight::outputs(&[&out_dir], &[])) {
        return code;
    }
    let started = Instant::now();
    let (done, planned) = (AtomicU64::new(0), AtomicU64::new(0));
    let show_progress = args.show_progress();
    let result = crate::progress::with_progress(&planned, &done, show_progress, stderr_color(), || crate::sweep::run(&loaded, &options, target.as_ref(), &done, &planned));
    let mut result = match result {
        Ok(r) => r,
        Err(e) => return crate::preflight::simulation_failed(&e, done.load(std::sync::atomic::Ordering::Relaxed), planned.load(std::sync::atomic::Ordering::Relaxed)),
    };
    let rare = match args.rare_settings() {
        Ok(settings) => crate::rare::Run { settings, threads: args.threads.map(|t| t as usize), max_states: args.max_states.max(1) },
        Err(code) => return code,
    };
    for (point, p) in result.points.iter_mut().zip(&loaded.points) {
        rare_events(&p.model, &mut point.summary, None, &rare, args.quiet);
    }
    if !args.quiet {
        eprintln!("relsim: {} replications in {:.2} s", done.load(std::sync::atomic::Ordering::Relaxed), started.elapsed().as_secs_f64());
    }
    let text = match args.format {
        Format::Json => crate::sweep::export::json(&result),
        Format::Csv => crate::sweep::export::csv(&result),
        _ => Ok(crate::sweep::export::table(&result, stdout_color(), std::io::stdout().is_terminal())),
    };
    match text {
        Ok(t) => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(t.as_bytes()).and_then(|_| stdout.flush());
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            return EXIT_FAILURE;
        }
    }
    match crate::sweep::export::write(&out_dir, &result, !args.no_plots) {
        Ok(paths) => {
            if !args.quiet {
                eprintln!("relsim: wrote {} in {}", written(&paths).0, out_dir.display());
            }
            0
        }
        Err(e) => crate::preflight::writing_failed(&e),
    }
}

/// Writes `text` to stdout; a closed stdout (for example piped into `head`) is not an error.
fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
}

/// The `[[slo]]` entry shown when a file has none, with the file's own names.
fn slo_example(model: &Model) -> String {
    let arch = model.architectures.first().map_or("ARCHITECTURE", |a| a.name.as_str());
    let class = model.classes.first().map_or("CLASS", |c| c.name.as_str());
    format!("[[slo]]\narchitecture = \"{arch}\"\nclass = \"{class}\"\nmetric = \"availability\"\nmin = 0.999")
}

fn check(args: CheckArgs) -> i32 {
    let mut run_args = args.run;
    let loaded = match load_for_run(&run_args) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if loaded.model.slos.is_empty() {
        let example = slo_example(&loaded.model).replace('\n', "\n      ");
        eprintln!(
            "error: {} has no [[slo]] entries, so there is nothing to check\n  = help: add one (the interval's low end must stay at or above min; or max = ... for the high end), for example:\n      {example}\n  = help: docs/scenario-format.md describes [[slo]]",
            run_args.scenario.file.display()
        );
        return EXIT_INPUT;
    }
    if !run_args.first_outage && loaded.model.slos.iter().any(|s| s.metric == "time_to_first_outage_hours") {
        run_args.first_outage = true;
        if !run_args.quiet {
            eprintln!("relsim: note: an [[slo]] bounds time_to_first_outage_hours, so this run measures it (as with --first-outage)");
        }
    }
    if run_args.shard.is_some() || run_args.shard_from_env {
        eprintln!("error: relsim check judges a whole run; it does not take --shard\n  = help: run the shards with relsim run --shard I/N, merge them with relsim merge, and check the merged summary.json's figures, or run relsim check without --shard");
        return EXIT_INPUT;
    }
    if let Some(Err(code)) = args.junit.as_deref().map(|j| crate::preflight::outputs(&[], &[j])) {
        return code;
    }
    let finished = match execute(&run_args, loaded) {
        Ok(Some(f)) => f,
        Ok(None) => return 0,
        Err(code) => return code,
    };
    let model = &finished.loaded.model;
    let results = crate::slo::evaluate(model, &finished.summary);
    let tally = crate::slo::Tally::of(&results);
    let color = stdout_color();
    let paint = |text: &str, code: &str| if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() };
    let mut text = String::new();
    for r in &results {
        let status = paint(r.status(), if r.holds() { "32" } else { "1;31" });
        text.push_str(&format!("{status} {}\n", r.line()));
    }
    text.push_str(&format!("{}\n", paint(&tally.to_string(), "1")));
    print_stdout(&text);
    let mut code = if tally.failed() > 0 { EXIT_FAILURE } else { 0 };
    if let Some(path) = &args.junit {
        let file = run_args.scenario.file.display().to_string();
        let command = reproduce_command(&file, &run_args.scenario.sets, model, finished.summary.replications).replacen("relsim run", "relsim check", 1);
        let suite = crate::slo::junit::Suite {
            scenario: &model.name,
            file: &file,
            seed: model.seed,
            replications: finished.summary.replications,
            seconds: finished.seconds,
            command: &command,
            results: &results,
        };
        let written = crate::slo::junit::render(&suite).and_then(|xml| crate::output::write_atomic(path, xml.as_bytes()));
        match written {
            Ok(()) => {
                if !run_args.quiet {
                    eprintln!("relsim: wrote the JUnit report {}", path.display());
                }
            }
            Err(e) => {
                eprintln!("error: cannot write the JUnit report {}: {e:#}", path.display());
                code = EXIT_FAILURE;
            }
        }
    }
    match emit_run(&run_args, &finished, false) {
        0 => code,
        failed => failed,
    }
}
