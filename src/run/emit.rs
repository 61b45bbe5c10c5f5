//! The end of a run: the report on stdout and the output folder ([`emit`]), the same for one
//! run, a merge of shards and a replay, with the command that reproduces the numbers and the
//! sample replication drawn on the timeline plot.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::{stdout_color, Finished, OutputArgs, RunArgs};
use crate::analytic::Analysis;
use crate::model::Model;
use crate::preflight::EXIT_FAILURE;
use crate::report::{self, Format, Report};
use crate::scenario;
use crate::stats::summary::{Accumulator, Summary};

/// How the results are shown and written.
pub struct Emit<'a> {
    /// The scenario file as given on the command line.
    pub file: &'a str,
    /// The command that reproduces the run.
    pub command: &'a str,
    /// Where the files go (`--out`, or the command's default).
    pub out_dir: &'a Path,
    /// `--format`, `--no-plots`, `--quiet`.
    pub output: &'a OutputArgs,
    /// Print the report on stdout (`check` prints its verdicts instead).
    pub print: bool,
}

/// Prints the results on stdout and writes the output folder: the end of `run`, and all of
/// `merge` once the parts are merged, so a merge of shards writes what one run writes.
pub fn emit(model: &Model, acc: &Accumulator, summary: &Summary, analysis: &Analysis, how: &Emit<'_>) -> i32 {
    let exact_note = exact_note(analysis);
    let report = Report { summary, model, file: how.file, command: how.command, exact_note: exact_note.as_deref(), plots: &[] };
    let out_dir = how.out_dir;
    if how.print {
        let exporter = match how.output.format {
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
    let timeline = if how.output.no_plots { None } else { sample_timeline(model) };
    let plots = crate::plot::PlotInput { summary, distributions: &distributions, timeline: timeline.as_ref() };
    match report::write_outputs(out_dir, &report, (!how.output.no_plots).then_some(&plots)) {
        Ok(paths) => {
            if !how.output.quiet {
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

/// Prints and writes the results of a whole run (when `print`, the report on stdout).
pub fn emit_run(args: &RunArgs, f: &Finished, print: bool) -> i32 {
    let model = &f.loaded.model;
    let file = args.scenario.file.display().to_string();
    let out_dir = args.output.out.clone().unwrap_or_else(|| default_out_dir(&args.scenario.file));
    let command = reproduce_command(&file, &args.scenario.sets, model, f.summary.replications);
    emit(model, &f.acc, &f.summary, &f.analysis, &Emit { file: &file, command: &command, out_dir: &out_dir, output: &args.output, print })
}

/// The files written, for a line on stderr (the plots counted, not listed), and how many plots.
pub fn written(paths: &[PathBuf]) -> (String, usize) {
    let names: Vec<String> = paths.iter().filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
    let is_plot = |n: &&String| n.ends_with(".svg") || n.ends_with(".png");
    let plots = names.iter().filter(is_plot).count() / 2;
    let mut listed: Vec<String> = names.iter().filter(|n| !is_plot(n)).cloned().collect();
    if plots > 0 {
        listed.push(format!("{plots} plots (SVG and PNG)"));
    }
    (listed.join(", "), plots)
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

/// Writes `text` to stdout; a closed stdout (for example piped into `head`) is not an error.
pub fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
}

pub fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The command that gives the same numbers: the replications actually run (a precision target
/// may have decided them) and the seed, whatever the file says.
pub fn reproduce_command(file: &str, sets: &[String], model: &Model, replications: u64) -> String {
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

pub fn default_out_dir(file: &Path) -> PathBuf {
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
