//! `relsim check`: a run judged against the scenario's `[[slo]]` entries (`crate::slo`), the
//! verdicts on stdout, optionally a JUnit report; the output folder is written as by `run`.

use std::path::PathBuf;

use clap::Args;

use super::{EXIT_FAILURE, EXIT_INPUT};
use crate::model::Model;
use crate::run::{self, RunArgs};

#[derive(Debug, Args)]
pub(super) struct CheckArgs {
    /// Every option of `run`. Stdout holds the verdicts instead of the report (so `--format`
    /// has no effect); the output folder is written as by `run`.
    #[command(flatten)]
    run: RunArgs,

    /// Also write the verdicts as a JUnit XML report to FILE, for CI test reporters.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
}

/// The `[[slo]]` entry shown when a file has none, with the file's own names.
fn slo_example(model: &Model) -> String {
    let arch = model.architectures.first().map_or("ARCHITECTURE", |a| a.name.as_str());
    let class = model.classes.first().map_or("CLASS", |c| c.name.as_str());
    format!("[[slo]]\narchitecture = \"{arch}\"\nclass = \"{class}\"\nmetric = \"availability\"\nmin = 0.999")
}

pub(super) fn check(args: CheckArgs) -> i32 {
    let mut run_args = args.run;
    let loaded = match run::load_for_run(&run_args) {
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
    if !run_args.first_outage && loaded.model.slos.iter().any(|s| s.metric == crate::model::metric::Metric::Class(crate::model::metric::ClassMetric::TimeToFirstOutageHours)) {
        run_args.first_outage = true;
        if !run_args.output.quiet {
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
    let finished = match run::execute(&run_args, loaded) {
        Ok(Some(f)) => f,
        Ok(None) => return 0,
        Err(code) => return code,
    };
    let model = &finished.loaded.model;
    let results = crate::slo::evaluate(model, &finished.summary);
    let tally = crate::slo::Tally::of(&results);
    let color = run::stdout_color();
    let paint = |text: &str, code: &str| if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() };
    let mut text = String::new();
    for r in &results {
        let status = paint(r.status(), if r.holds() { "32" } else { "1;31" });
        text.push_str(&format!("{status} {}\n", r.line()));
    }
    text.push_str(&format!("{}\n", paint(&tally.to_string(), "1")));
    run::print_stdout(&text);
    let mut code = if tally.failed() > 0 { EXIT_FAILURE } else { 0 };
    if let Some(path) = &args.junit {
        let file = run_args.scenario.file.display().to_string();
        let command = run::reproduce_command(&file, &run_args.scenario.sets, model, finished.summary.replications).replacen("relsim run", "relsim check", 1);
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
                if !run_args.output.quiet {
                    eprintln!("relsim: wrote the JUnit report {}", path.display());
                }
            }
            Err(e) => {
                eprintln!("error: cannot write the JUnit report {}: {e:#}", path.display());
                code = EXIT_FAILURE;
            }
        }
    }
    match run::emit_run(&run_args, &finished, false) {
        0 => code,
        failed => failed,
    }
}
