//! `relsim replay SCENARIO.toml --trace incidents.csv`: the scenario's architectures over a
//! recorded history. The components named in the incident file follow their record inside its
//! observation window (the horizon of every replication); every other component is sampled as
//! usual over many replications; every architecture sees the same history.
//!
//! The run itself is `relsim run`'s: the same engine, `run::conclude` for the estimates and
//! `run::emit` for stdout and the output folder, with a replay section (`stats::replay`) added
//! to the summary.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use clap::Args;

use super::mapping::{self, TraceName};
use crate::format;
use crate::preflight::EXIT_INPUT;
use crate::run::{self, OutputArgs, ScenarioArgs, SimulationArgs};
use crate::incidents::{self, ComponentHistory, IncidentArgs, IncidentLog};
use crate::model::Model;
use crate::stats::replay::{ReplaySection, TracedSource, Window};

/// `relsim replay`'s arguments.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,

    /// The incident file to replay (CSV; docs/incidents.md describes it).
    #[arg(long, value_name = "INCIDENTS")]
    trace: PathBuf,

    #[command(flatten)]
    incidents: IncidentArgs,

    /// Names in the incident file that differ from the scenario's components:
    /// --map 'CSVNAME=COMPONENT,...', for example --map 'API=openai-api,api.anthropic.com=anthropic-api'
    /// (repeatable).
    #[arg(long, value_name = "NAME=COMPONENT,...")]
    map: Vec<String>,

    #[command(flatten)]
    simulation: SimulationArgs,

    #[command(flatten)]
    output: OutputArgs,

    /// Run even when the estimated work is far beyond usual (see `relsim run --force`).
    #[arg(long)]
    force: bool,
}

/// The largest Markov chain built for the exact values of architectures without traced
/// components (as `relsim run`'s default).
const MAX_STATES: usize = 200_000;

/// Runs `relsim replay` and returns the exit code.
pub fn replay(args: ReplayArgs) -> i32 {
    let mut loaded = match run::load(&args.scenario) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if let Err(code) = args.simulation.apply(&mut loaded.model) {
        return code;
    }
    let log = match incidents::read(&args.trace, &args.incidents.to_options()) {
        Ok(log) => log,
        Err(e) => {
            run::report_input_error(&e);
            return EXIT_INPUT;
        }
    };
    for w in &log.warnings {
        eprintln!("warning: {w}");
    }
    let trace_file = args.trace.display().to_string();
    let setup = match follow(&mut loaded.model, &log, &args.map, &args.trace) {
        Ok(s) => s,
        Err(e) => {
            run::report_input_error(&e);
            return EXIT_INPUT;
        }
    };
    for w in warnings(&loaded.model, &setup) {
        eprintln!("warning: {w}");
    }
    let model = &loaded.model;
    if !args.output.quiet {
        eprintln!(
            "relsim: replaying {trace_file} over {} to {} ({}; the horizon): {} traced, {}, {} replications of the rest, seed {}",
            setup.window.start,
            setup.window.end,
            format::duration(model.horizon),
            run::count(model.history.components.len(), "component"),
            run::count(model.architectures.len(), "architecture"),
            model.replications,
            model.seed
        );
    }
    let options = crate::montecarlo::Options { threads: args.simulation.threads(), ..Default::default() };
    let out_dir = args.output.out.clone().unwrap_or_else(|| default_out_dir(&args.scenario.file));
    // The same checks as `relsim run` before simulating: the work, and a usable output folder.
    if let Err(code) = crate::preflight::run_work(&loaded, &args.scenario.sets, args.simulation.reps.is_some(), model.replications, &options, args.force, run::stderr_color())
        .and_then(|()| crate::preflight::outputs(&[&out_dir], &[]))
    {
        return code;
    }
    let started = Instant::now();
    let (done, planned) = (AtomicU64::new(0), AtomicU64::new(model.replications));
    let show = args.output.show_progress();
    let simulated = crate::progress::with_progress(&planned, &done, show, run::stderr_color(), || crate::montecarlo::simulate(model, 0..model.replications, &options, &done));
    let acc = match simulated {
        Ok(acc) => acc,
        Err(e) => return crate::preflight::simulation_failed(&e, done.load(Ordering::Relaxed), planned.load(Ordering::Relaxed)),
    };
    let (mut summary, analysis) = run::conclude(model, &acc, MAX_STATES, false);
    summary.replay = Some(ReplaySection::new(model, &summary, &trace_file, setup.window.clone(), &setup.sources));
    if !args.output.quiet {
        eprintln!("relsim: {} events in {:.2} s", acc.events(), started.elapsed().as_secs_f64());
    }
    let file = args.scenario.file.display().to_string();
    let command = reproduce_command(&args, model, summary.replications);
    run::emit(model, &acc, &summary, &analysis, &run::Emit { file: &file, command: &command, out_dir: &out_dir, output: &args.output, print: true })
}

/// What following the record set up, for the report.
struct Setup {
    window: Window,
    sources: Vec<TracedSource>,
    /// Incidents of zero length (start = end), which change nothing.
    zero_length: usize,
}

/// Maps the log's components to the scenario's and makes the model follow them over the
/// window they were all observed in.
fn follow(model: &mut Model, log: &IncidentLog, maps: &[String], trace: &Path) -> Result<Setup, crate::diagnostic::InputError> {
    let file = trace.display().to_string();
    let names: Vec<TraceName<'_>> = log.components.iter().map(|h| TraceName { name: &h.name, line: h.incidents.first().and_then(|i| i.lines.first().copied()) }).collect();
    let components: Vec<&str> = model.components.iter().map(|c| c.name.as_str()).collect();
    // The text is read again only to point at names in it; the reader has read it already.
    let text = std::fs::read_to_string(trace).unwrap_or_default();
    let targets = mapping::resolve(&names, &components, maps, &file, &text)?;
    if log.components.is_empty() {
        return Err(crate::diagnostic::InputError::unlocated(
            format!("the incident file {file} names no component, so there is nothing to replay"),
            Some("give one row per incident with the scenario's component names (docs/incidents.md), or --wide --services COLUMNS for a status-page export".to_string()),
        ));
    }
    let start = log.components.iter().map(|h| h.window.0).fold(f64::NEG_INFINITY, f64::max);
    let end = log.components.iter().map(|h| h.window.1).fold(f64::INFINITY, f64::min);
    if end <= start && log.components.len() == 1 {
        let h = &log.components[0];
        return Err(crate::diagnostic::InputError::unlocated(
            format!("{file}: the observation window of {} is empty ({}..{}), so there is nothing to replay", h.name, incidents::time::format_time(h.window.0), incidents::time::format_time(h.window.1)),
            Some("give the window with --window START..END (or observed_from/observed_to columns)".to_string()),
        ));
    }
    if end <= start {
        let spans: Vec<String> = log.components.iter().map(|h| format!("{} {}..{}", h.name, incidents::time::format_time(h.window.0), incidents::time::format_time(h.window.1))).collect();
        return Err(crate::diagnostic::InputError::unlocated(
            format!("the components of {file} were never observed at the same time ({}), so there is no window to replay", spans.join("; ")),
            Some("give one window for all of them with --window START..END".to_string()),
        ));
    }
    let mut traced = Vec::with_capacity(targets.len());
    let mut sources = Vec::with_capacity(targets.len());
    let mut zero_length = 0;
    for (h, &c) in log.components.iter().zip(&targets) {
        zero_length += h.incidents.iter().filter(|i| i.end == Some(i.start)).count();
        traced.push((c, intervals(h, start)));
        sources.push(TracedSource {
            component: c,
            source_name: (h.name != model.components[c].name).then(|| h.name.clone()),
            incidents: 0,
            merged: h.merged,
            open_at_end: h.incidents.iter().filter(|i| i.start < end && i.end.is_none_or(|e| e > end)).count(),
        });
    }
    model.follow(end - start, traced);
    for s in &mut sources {
        s.incidents = model.history.get(s.component).map_or(0, |t| t.down.len());
    }
    let window = Window { start: incidents::time::format_time(start), end: incidents::time::format_time(end), hours: (end - start) / 3600.0 };
    Ok(Setup { window, sources, zero_length })
}

/// A history's incidents as seconds from `start`, an open one lasting to its window's end.
fn intervals(h: &ComponentHistory, start: f64) -> Vec<(f64, f64)> {
    h.incidents.iter().map(|i| (i.start - start, i.end.unwrap_or(h.window.1) - start)).collect()
}

/// What the user should know about the model following the record.
fn warnings(model: &Model, setup: &Setup) -> Vec<String> {
    let mut out = Vec::new();
    let used: Vec<Vec<bool>> = (0..model.architectures.len()).map(|a| model.components_of(a)).collect();
    for t in &model.history.components {
        let comp = &model.components[t.component];
        if !used.iter().any(|u| u[t.component]) {
            out.push(format!("`{}` is in the incident file, but no architecture uses it: its record changes nothing", comp.name));
        }
        for (how, d) in comp.within.iter().map(|&w| ("within", w)).chain(comp.requires.iter().map(|&r| ("requires", r))) {
            if !model.history.follows(d) {
                out.push(format!(
                    "`{}` follows its record but is {how} `{}`, which is sampled: it is also down whenever `{}` is, on top of its record (trace `{}` too, or leave the dependency out, if the record already includes its outages)",
                    comp.name, model.components[d].name, model.components[d].name, model.components[d].name
                ));
            }
        }
    }
    if setup.zero_length > 0 {
        out.push(format!("{} incident(s) of zero length (start = end) change nothing in the replay", setup.zero_length));
    }
    let start = &setup.window.start;
    if model.classes.iter().any(|c| c.profile.is_some()) && !start.ends_with("T00:00:00Z") {
        out.push(format!("the window starts at {start}, not at midnight UTC, and the daily profile's hour 0 is the window's start: give --window a start at midnight to line the profile up with the clock"));
    }
    out
}

fn default_out_dir(file: &Path) -> PathBuf {
    PathBuf::from("output").join(format!("{}-replay", crate::scenario::stem_of(file)))
}

/// The command that gives the same numbers.
fn reproduce_command(args: &ReplayArgs, model: &Model, replications: u64) -> String {
    let q = |s: &str| run::shell_quote(s);
    let mut parts = vec!["relsim".to_string(), "replay".to_string(), q(&args.scenario.file.display().to_string()), "--trace".to_string(), q(&args.trace.display().to_string())];
    let i = &args.incidents;
    if let Some(w) = &i.window {
        parts.push(format!("--window {}", q(w)));
    }
    if i.wide {
        parts.push("--wide".to_string());
    }
    for (flag, list) in [("--services", &i.services), ("--start", &i.start_columns), ("--impact", &i.impacts)] {
        if !list.is_empty() {
            parts.push(format!("{flag} {}", q(&list.join(","))));
        }
    }
    if let Some(e) = &i.end_column {
        parts.push(format!("--end {}", q(e)));
    }
    if let Some(c) = &i.impact_column {
        parts.push(format!("--impact-column {}", q(c)));
    }
    for m in &args.map {
        parts.push(format!("--map {}", q(m)));
    }
    parts.push(format!("--seed {}", model.seed));
    parts.push(format!("--reps {replications}"));
    for s in &args.scenario.sets {
        parts.push(format!("--set {}", q(s)));
    }
    parts.join(" ")
}
