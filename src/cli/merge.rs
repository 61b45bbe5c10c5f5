//! `relsim merge`: the shards' partial results (`crate::shard`) become the outputs of one run,
//! through the same end of the pipeline as `run` (`run::conclude`, `run::rare_events`,
//! `run::emit`).

use std::path::{Path, PathBuf};

use clap::Args;

use super::EXIT_INPUT;
use crate::diagnostic::render;
use crate::run::{self, args::apply_baseline, Emit, OutputArgs};

#[derive(Debug, Args)]
pub(super) struct MergeArgs {
    /// The shards' partial results: their --out folders, or the partial.json in each.
    #[arg(value_name = "PART", required = true)]
    parts: Vec<PathBuf>,

    #[command(flatten)]
    output: OutputArgs,

    /// The architecture the decision compares every other with [default: the parts' baseline].
    #[arg(long, value_name = "NAME")]
    baseline: Option<String>,
}

/// `relsim merge`: the shards' parts become the outputs of one run, exactly as `run` writes
/// them (see `crate::shard`).
pub(super) fn merge(args: MergeArgs) -> i32 {
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
        eprint!("{}", render(&loaded.sources, &loaded.warnings, run::stderr_color()));
    }
    let (model, acc) = (&loaded.model, &merged.accumulator);
    let (mut summary, analysis) = run::conclude(model, acc, merged.setup.max_states, merged.setup.first_outage);
    let rare = crate::rare::Run { settings: merged.setup.rare, threads: None, max_states: merged.setup.max_states };
    run::rare_events(model, &mut summary, Some(&analysis), &rare, args.output.quiet);
    if !args.output.quiet {
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
    let out_dir = args.output.out.clone().unwrap_or_else(|| run::default_out_dir(Path::new(file)));
    if let Err(code) = crate::preflight::outputs(&[&out_dir], &[]) {
        return code;
    }
    let command = run::reproduce_command(file, &merged.setup.sets, model, summary.replications);
    run::emit(model, acc, &summary, &analysis, &Emit { file, command: &command, out_dir: &out_dir, output: &args.output, print: true })
}
