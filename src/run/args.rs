//! The arguments of the run pipeline, as clap reads them: the scenario and its `--set`s, the
//! replications, what is printed and written (one [`OutputArgs`] that `run`, `check`, `sweep`,
//! `merge` and `replay` all flatten), and the rest of `relsim run`'s options ([`RunArgs`]),
//! with the checks that turn them into settings (a bad value is reported and becomes the exit
//! code for bad input).

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use crate::model::Model;
use crate::precision::{HalfWidth, Target};
use crate::preflight::EXIT_INPUT;
use crate::report::Format;
use crate::shard::Shard;

/// The scenario file and its overrides.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// The scenario file (TOML), for example scenarios/multicloud.toml.
    pub file: PathBuf,

    /// Override any scenario value: --set key.path=value (repeatable), for example
    /// --set simulation.replications=200 or --set components.auth.repair.median=30m.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
}

/// How many replications, from which seed, on how many threads.
#[derive(Debug, Args)]
pub struct SimulationArgs {
    /// Replications per architecture (overrides simulation.replications).
    #[arg(long, value_name = "N")]
    pub reps: Option<u64>,

    /// Master seed (overrides simulation.seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,

    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
}

impl SimulationArgs {
    /// Applies `--reps` and `--seed` to `model`; too few replications is bad input (reported).
    pub fn apply(&self, model: &mut Model) -> Result<(), i32> {
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
        Ok(())
    }

    /// `--threads` as the worker count (`None`: one per core).
    pub fn threads(&self) -> Option<usize> {
        self.threads.map(|t| t as usize)
    }
}

/// What is printed on stdout and written into the output folder.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Folder for summary.json, summary.csv, report.md, report.html and the plots
    /// [default: output/<file stem>/, for replay output/<file stem>-replay/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Do not draw the plots (availability, downtime_cdf, outage_durations, timeline, cost,
    /// cost_tradeoff).
    #[arg(long)]
    pub no_plots: bool,

    /// Print nothing on stderr but errors and warnings (no progress bar).
    #[arg(long, short)]
    pub quiet: bool,
}

impl OutputArgs {
    /// Whether to show the progress bar: on a terminal, unless `--quiet`.
    pub fn show_progress(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }
}

/// `relsim run`'s arguments (also `check`'s, flattened, and `sweep`'s).
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,

    #[command(flatten)]
    pub simulation: SimulationArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Also measure the mean time to each class's first outage from the all-up start (runs every
    /// replication again until then, ignoring the horizon).
    #[arg(long)]
    pub first_outage: bool,

    /// Largest Markov chain built for the exact values shown beside the estimates.
    #[arg(long, value_name = "N", default_value_t = 200_000)]
    pub max_states: usize,

    /// Also estimate each component's Birnbaum importance by simulation (every replication
    /// runs again with each component held up and held down: about 2 × components times longer).
    #[arg(long)]
    pub importance: bool,

    /// Draw every request instead of accounting them over intervals of constant state (exact
    /// and slow: for validating the fast mode at low request rates).
    #[arg(long)]
    pub per_request: bool,

    /// Add replications until every architecture's --metric (availability by default) has an
    /// interval half-width of at most this, e.g. --precision 0.0001.
    #[arg(long, value_name = "HALF_WIDTH", conflicts_with = "rel_precision")]
    pub precision: Option<f64>,

    /// Add replications until every architecture's --metric has a half-width of at most this
    /// fraction of its estimate, e.g. --rel-precision 0.05.
    #[arg(long, value_name = "FRACTION")]
    pub rel_precision: Option<f64>,

    /// The metric a precision target applies to (a class metric's JSON name).
    #[arg(long, value_name = "NAME", default_value = "availability")]
    pub metric: String,

    /// The most replications a precision target may use [default: 1000000].
    #[arg(long, value_name = "N")]
    pub max_reps: Option<u64>,
    /// Run only shard I of N (counting from 1): its share of the replications. Writes only the
    /// partial result partial.json into --out [default: output/<file stem>/shard-I-of-N/], for
    /// relsim merge. See docs/distributed.md.
    #[arg(long, value_name = "I/N", conflicts_with = "shard_from_env")]
    pub shard: Option<Shard>,

    /// Like --shard, taking I/N from a Slurm job array (SLURM_ARRAY_TASK_ID counted from
    /// SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job
    /// (JOB_COMPLETION_INDEX from 0, with --shards N).
    #[arg(long)]
    pub shard_from_env: bool,

    /// The number of shards for --shard-from-env (needed in a Kubernetes Indexed Job: its
    /// completions).
    #[arg(long, value_name = "N", requires = "shard_from_env", value_parser = clap::value_parser!(u64).range(1..))]
    pub shards: Option<u64>,

    /// The architecture the decision compares every other with (net benefit, break-even cost
    /// of downtime) [default: the first].
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// Run even when the estimated work is far beyond usual (above 1e11 events such a run is
    /// refused, with the estimate). Ctrl-C or SIGTERM still stop it cleanly.
    #[arg(long)]
    pub force: bool,

    /// Rare-event estimates by importance sampling, beside the crude ones: auto (when the crude
    /// run saw too few outages for --rare-precision and the model qualifies), on, or off.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub rare: crate::rare::Mode,

    /// The relative half-width asked of each rare-event estimate of unavailability.
    #[arg(long, value_name = "FRACTION", default_value_t = crate::rare::DEFAULT_PRECISION)]
    pub rare_precision: f64,
}

/// Default cap on replications for a precision target.
const DEFAULT_MAX_REPS: u64 = 1_000_000;

impl RunArgs {
    /// Applies `--reps`, `--seed` and `--baseline` to `model`; too few replications or an
    /// unknown baseline is bad input (reported).
    pub fn apply_reps_and_seed(&self, model: &mut Model) -> Result<(), i32> {
        self.simulation.apply(model)?;
        apply_baseline(&self.baseline, model)
    }

    /// How to run the replications.
    pub fn options(&self) -> crate::montecarlo::Options {
        let accounting = if self.per_request { crate::sim::Accounting::PerRequest } else { crate::sim::Accounting::Fast };
        crate::montecarlo::Options { threads: self.simulation.threads(), first_outage: self.first_outage, importance: self.importance, accounting }
    }

    /// `--rare` and `--rare-precision`; a precision outside (0, 1) is bad input (reported).
    pub fn rare_settings(&self) -> Result<crate::rare::Settings, i32> {
        let precision = self.rare_precision;
        if !(precision > 0.0 && precision < 1.0) {
            eprintln!("error: --rare-precision {precision}: give a fraction between 0 and 1\n  = help: write --rare-precision 0.1 for ±10 %");
            return Err(EXIT_INPUT);
        }
        Ok(crate::rare::Settings { mode: self.rare, precision })
    }

    /// The rare-event run of these arguments (settings, threads, the chain's size).
    pub fn rare_run(&self) -> Result<crate::rare::Run, i32> {
        Ok(crate::rare::Run { settings: self.rare_settings()?, threads: self.simulation.threads(), max_states: self.max_states.max(1) })
    }

    /// The precision target of the arguments, or an error message for bad values.
    pub fn precision_target(&self) -> Result<Option<Target>, String> {
        let half_width = match (self.precision, self.rel_precision) {
            (Some(h), _) if !(h.is_finite() && h > 0.0) => return Err(format!("--precision {h}: give a positive half-width, for example --precision 0.0001")),
            (_, Some(r)) if !(r.is_finite() && r > 0.0) => return Err(format!("--rel-precision {r}: give a positive fraction, for example --rel-precision 0.05")),
            (Some(h), _) => HalfWidth::Absolute(h),
            (_, Some(r)) => HalfWidth::Relative(r),
            (None, None) => {
                if self.max_reps.is_some() {
                    return Err("--max-reps caps a precision target; add --precision HALF_WIDTH or --rel-precision FRACTION (or use --reps N for a fixed run)".to_string());
                }
                if self.metric != "availability" {
                    return Err(format!("--metric {} names the metric of a precision target; add --precision HALF_WIDTH or --rel-precision FRACTION", self.metric));
                }
                return Ok(None);
            }
        };
        use crate::model::metric::ClassMetric;
        let Some(metric) = ClassMetric::parse(&self.metric) else {
            let hint = crate::diagnostic::did_you_mean(&self.metric, ClassMetric::names()).map(|m| format!("did you mean --metric {m}? ")).unwrap_or_default();
            return Err(format!("--metric {}: not a class metric; {hint}the metrics are {}", self.metric, ClassMetric::names().collect::<Vec<_>>().join(", ")));
        };
        let max_replications = self.max_reps.unwrap_or(DEFAULT_MAX_REPS);
        if max_replications < 2 {
            return Err(format!("--max-reps {max_replications}: a confidence interval needs at least 2 replications"));
        }
        Ok(Some(Target { metric, half_width, max_replications }))
    }
}

/// Applies `--baseline NAME` to `model`; an unknown name is bad input (reported).
pub fn apply_baseline(baseline: &Option<String>, model: &mut Model) -> Result<(), i32> {
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
