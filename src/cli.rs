//! The command line: raw arguments become validated settings here, in one place, and each
//! subcommand is a function returning the process exit code.
//!
//! Exit codes: 0 success, 1 a failure while running (for example an unwritable output folder)
//! or, for `check`, an [[slo]] that does not hold, 2 bad input (arguments or scenario).

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::diagnostic::{render, InputError};
use crate::model::Model;
use crate::report::{self, Format, Report};
use crate::scenario::{self, units::format_duration, Loaded};

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
    override_usage = "relsim [run] FILE [OPTIONS]\n       relsim check FILE [OPTIONS] [--junit FILE]\n       relsim validate FILE [--set KEY=VALUE]...",
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
}

#[derive(Debug, Args)]
struct ScenarioArgs {
    /// The scenario file (TOML), for example scenarios/multicloud.toml.
    file: PathBuf,

    /// Override any scenario value: --set key.path=value (repeatable), for example
    /// --set simulation.replications=200 or --set components.auth.repair.median=30m.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
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

    /// Do not draw the plots (availability, downtime_cdf, outage_durations, timeline, cost).
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
}

/// Inserts `run` when the first argument is not a subcommand, so `relsim FILE` runs FILE.
fn with_default_command(args: Vec<OsString>) -> Vec<OsString> {
    let known = ["run", "validate", "exact", "check", "help", "-h", "--help", "-V", "--version"];
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
fn stderr_color() -> bool {
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
    match cli.command {
        Command::Run(args) => run(args),
        Command::Validate(args) => validate(args),
        Command::Exact(args) => exact(args),
        Command::Check(args) => check(args),
    }
}

fn load(args: &ScenarioArgs) -> Result<Loaded, i32> {
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

fn report_input_error(e: &InputError) {
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
fn count(n: usize, noun: &str) -> String {
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
            "error: {} of {} architectures have no exact answer (see the reasons above); exact answers need exponential distributions, instant switch-overs, and grace periods only where components are independent",
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

fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn reproduce_command(args: &RunArgs, model: &Model) -> String {
    let mut parts = vec!["relsim".to_string(), "run".to_string(), shell_quote(&args.scenario.file.display().to_string())];
    parts.push(format!("--seed {}", model.seed));
    parts.push(format!("--reps {}", model.replications));
    for s in &args.scenario.sets {
        parts.push(format!("--set {}", shell_quote(s)));
    }
    parts.join(" ")
}

fn default_out_dir(file: &Path) -> PathBuf {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".to_string());
    PathBuf::from("output").join(stem)
}

/// Replications searched for one worth showing on the timeline plot.
const TIMELINE_SEARCH: u64 = 100;

/// The replication shown on the timeline plot: the first in which some class has an outage
/// (a year with nothing happening says little), else replication 0.
fn sample_timeline(model: &Model) -> Option<crate::sim::trace::Timeline> {
    let _ = (model, TIMELINE_SEARCH);
    None
}

/// A finished simulation: what `run` and `check` both report on.
struct Finished {
    loaded: Loaded,
    acc: crate::stats::summary::Accumulator,
    summary: crate::stats::summary::Summary,
    exact_note: Option<String>,
    /// Wall-clock seconds from the start of the simulation to the finished summary.
    seconds: f64,
}

/// Loads the scenario and applies `--reps` and `--seed`.
fn load_for_run(args: &RunArgs) -> Result<Loaded, i32> {
    let mut loaded = load(&args.scenario)?;
    let model = &mut loaded.model;
    if let Some(reps) = args.reps {
        if reps < 2 {
            eprintln!("error: --reps {reps}: a confidence interval needs at least 2 replications\n  = help: write --reps 1000");
            return Err(EXIT_INPUT);
        }
        model.replications = reps;
    }
    if let Some(seed) = args.seed {
        model.seed = seed;
    }
    Ok(loaded)
}

/// Simulates every replication, attaches the exact answers and summarises: the part of a run
/// that `run` and `check` share.
fn simulate_run(args: &RunArgs, loaded: Loaded) -> Result<Finished, i32> {
    let model = &loaded.model;
    if !args.quiet {
        eprintln!(
            "relsim: {} × {}, {} replications of {}, seed {}",
            count(model.architectures.len(), "architecture"),
            count(model.classes.len(), "traffic class"),
            model.replications,
            format_duration(model.horizon),
            model.seed
        );
    }
    if args.per_request {
        // Drawing every request is meant for checking the fast mode at low rates; say up front
        // when it cannot finish in any reasonable time. (Warnings show even with --quiet.)
        let requests = model.total_rate() * model.horizon * model.replications as f64;
        if requests > PER_REQUEST_WARNING {
            eprintln!(
                "warning: --per-request draws every request: about {requests:.1e} here ({}/s × {} × {} replications), which takes hours or more\n  = help: it is meant to check the fast mode at low rates, for example --set traffic.{}.rate=5/s --reps 200",
                model.total_rate(),
                format_duration(model.horizon),
                model.replications,
                model.classes.first().map_or("CLASS", |c| c.name.as_str())
            );
        }
    }
    let started = Instant::now();
    let done = AtomicU64::new(0);
    let accounting = if args.per_request { crate::sim::Accounting::PerRequest } else { crate::sim::Accounting::Fast };
    let options = crate::montecarlo::Options { threads: args.threads.map(|t| t as usize), first_outage: args.first_outage, importance: args.importance, accounting };
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let simulated = crate::progress::with_progress(model.replications, &done, show_progress, stderr_color(), || {
        crate::montecarlo::simulate(model, 0..model.replications, &options, &done)
    });
    let acc = match simulated {
        Ok(acc) => acc,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Err(EXIT_FAILURE);
        }
    };
    let simulated = started.elapsed().as_secs_f64();
    let mut summary = acc.summarize(model);
    let exact_options = crate::analytic::Options { max_states: args.max_states.max(1), mttff: args.first_outage, birnbaum: true };
    let analysis = crate::analytic::analyze(model, &exact_options);
    crate::analytic::attach(&mut summary, &analysis, model);
    let seconds = started.elapsed().as_secs_f64();
    if !args.quiet {
        eprintln!(
            "relsim: {} events in {simulated:.2} s ({:.1} M events/s); {seconds:.2} s in all with the exact answers and the summary",
            acc.events(),
            acc.events() as f64 / simulated.max(1e-9) / 1e6,
        );
    }
    let exact_note = exact_note(&analysis);
    Ok(Finished { loaded, acc, summary, exact_note, seconds })
}

/// Prints the report on stdout in `--format` (when `print`) and writes the output folder.
/// Returns the exit code: 0, or 1 when something could not be written.
fn write_results(args: &RunArgs, finished: &Finished, print: bool) -> i32 {
    let model = &finished.loaded.model;
    let summary = &finished.summary;
    let file = args.scenario.file.display().to_string();
    let command = reproduce_command(args, model);
    let report = Report { summary, model, file: &file, command: &command, exact_note: finished.exact_note.as_deref(), plots: &[] };
    let out_dir = args.out.clone().unwrap_or_else(|| default_out_dir(&args.scenario.file));
    if print {
        let exporter = match args.format {
            Format::Table => Box::new(report::table::TableExporter { color: stdout_color(), wrap: std::io::stdout().is_terminal() }),
            f => f.exporter(),
        };
        let text = match exporter.render(&report) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e:#}");
                return EXIT_FAILURE;
            }
        };
        print_stdout(&text);
    }
    let distributions = finished.acc.distributions(model);
    let timeline = if args.no_plots { None } else { sample_timeline(model) };
    let plots = crate::plot::PlotInput { summary, distributions: &distributions, timeline: timeline.as_ref() };
    match report::write_outputs(&out_dir, &report, (!args.no_plots).then_some(&plots)) {
        Ok(paths) => {
            if !args.quiet {
                let names: Vec<String> = paths.iter().filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
                let is_plot = |n: &&String| n.ends_with(".svg") || n.ends_with(".png");
                let plots = names.iter().filter(is_plot).count();
                let mut listed: Vec<&str> = names.iter().filter(|n| !is_plot(n)).map(String::as_str).collect();
                let plot_text = format!("{plots} plots (SVG and PNG)");
                if plots > 0 {
                    listed.push(&plot_text);
                }
                eprintln!("relsim: wrote {} in {}", listed.join(", "), out_dir.display());
                if plots > 0 || names.iter().any(|n| n == "report.html") {
                    eprintln!("relsim: open {} in a browser{}", out_dir.join("report.html").display(), if plots > 0 { " for the report with its plots" } else { " for the report" });
                }
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e:#}\n  = help: choose another folder with --out DIR");
            EXIT_FAILURE
        }
    }
}

/// Writes `text` to stdout; a closed stdout (for example piped into `head`) is not an error.
fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
}

fn run(args: RunArgs) -> i32 {
    let loaded = match load_for_run(&args) {
        Ok(l) => l,
        Err(code) => return code,
    };
    match simulate_run(&args, loaded) {
        Ok(finished) => write_results(&args, &finished, true),
        Err(code) => code,
    }
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
    let finished = match simulate_run(&run_args, loaded) {
        Ok(f) => f,
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
        let command = reproduce_command(&run_args, model).replacen("relsim run", "relsim check", 1);
        let suite = report::junit::Suite {
            scenario: &model.name,
            file: &file,
            seed: model.seed,
            replications: model.replications,
            seconds: finished.seconds,
            command: &command,
            results: &results,
        };
        let written = report::junit::render(&suite).and_then(|xml| std::fs::write(path, xml).map_err(anyhow::Error::from));
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
    match write_results(&run_args, &finished, false) {
        0 => code,
        failed => failed,
    }
}
