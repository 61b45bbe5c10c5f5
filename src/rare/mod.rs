//! Rare events: steady-state unavailability, outage frequency and mean time to first outage of
//! architectures whose outages are too rare for crude simulation to see (five nines and
//! beyond), by importance sampling: balanced failure biasing ([`bias`]) of the architecture's
//! Markov chain walked on the fly ([`chain`], with the exact engine's rules), in regenerative
//! cycles from the all-up state ([`regenerative`]).
//!
//! Which models qualify: those whose every component the architecture uses has one failure
//! process with exponential failure, repair and detection times, with no request-level
//! behaviour (capacity, hanging, deploys, surges, timeouts, costs per failed request,
//! balancing, retries, breakers), route-level failovers with instant switch-overs (any
//! `switch_success`, failback or not, hot or cold standby), crews, pools, `within` and
//! `requires`, and no grace periods: exactly the models `relsim exact` solves by a Markov
//! chain, but without building the chain, so they may be far too large to solve. The rest are
//! refused with the reason, naming the key.
//!
//! `--rare auto` (the default) estimates an architecture when it qualifies and the crude run
//! saw fewer outages of one of its classes than an interval of the asked relative half-width
//! would need, and fewer than one per replication (outages are rare: more replications would
//! be a slow way to more of them); `on` estimates every qualifying architecture; `off` none. The estimates sit
//! beside the crude ones in a `rare` block per architecture × class; they never replace them.

pub mod bias;
pub mod chain;
pub mod regenerative;
pub mod weights;

use serde::{Deserialize, Serialize};

use crate::analytic::chain::Chain;
use crate::analytic::Analysis;
use crate::model::Model;
use crate::scenario::units::{HOUR, YEAR};
use crate::rng::name_id;
use crate::stats::estimate::{normal_quantile, Estimate};
use crate::stats::rare::{independent_ratio, ClassRare, RareFigure};
use crate::stats::summary::Summary;

/// Whether to estimate rare events (`--rare`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// When the crude run saw too few outages for the precision asked (and fewer than one per
    /// replication), and the model qualifies.
    #[default]
    Auto,
    /// For every architecture that qualifies.
    On,
    /// Never.
    Off,
}

impl Mode {
    /// The option's value, as written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Auto => "auto",
            Mode::On => "on",
            Mode::Off => "off",
        }
    }
}

/// Relative half-width asked of the unavailability by default (`--rare-precision`).
pub const DEFAULT_PRECISION: f64 = 0.1;
/// Most cycles of each sample (the biased cycles of each class, the plain cycles).
pub const MAX_CYCLES: u64 = 1 << 28;
/// Most transitions over all cycles of one architecture, times the components its chain
/// follows: a bound on the time a run takes (a transition costs some 0.1 µs in a small chain
/// and up to 0.03 µs per component in a large one, so this is at most some ten seconds on one
/// core).
pub const MAX_WORK: u64 = 400_000_000;
/// Largest Markov chain explored, and most components, for an exact mean time to first outage
/// to show beside a rare-event estimate when the analysis has none (a bigger one is skipped).
const MTTFF_STATES: usize = 20_000;
const MTTFF_COMPONENTS: usize = 64;

/// What decides the rare-event estimates (stored with a shard's partial result, since they
/// change what a run writes).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// `--rare`.
    pub mode: Mode,
    /// `--rare-precision`: the relative half-width asked of each class's unavailability.
    pub precision: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { mode: Mode::Auto, precision: DEFAULT_PRECISION }
    }
}

/// How to run the estimation besides the settings.
#[derive(Clone, Copy, Debug, Default)]
pub struct Run {
    /// The settings.
    pub settings: Settings,
    /// Worker threads (`None`: one per core); results do not depend on it.
    pub threads: Option<usize>,
    /// Largest Markov chain built for an exact mean time to first outage to show beside the
    /// estimate, when the analysis given has none.
    pub max_states: usize,
}

/// The method, as reports name it.
pub fn method() -> String {
    format!("importance sampling: balanced failure biasing (failure probability {}), regenerative cycles from all up", bias::FAILURE_PROBABILITY)
}

/// Whether architecture `arch` qualifies for rare-event estimation, or why not (naming the key).
pub fn qualifies(model: &Model, arch: usize) -> Result<(), String> {
    crate::analytic::chain_supported(model, arch)
}

/// Outages a crude run must see for an interval of relative half-width `precision` at
/// `confidence`: (z / precision)², a Poisson count's relative half-width being z / √n.
pub fn needed_outages(confidence: f64, precision: f64) -> u64 {
    (normal_quantile(confidence) / precision).powi(2).ceil() as u64
}

/// Checks, before anything runs, that `--rare on` has something to estimate.
pub fn check(model: &Model, settings: &Settings) -> Result<(), String> {
    if settings.mode != Mode::On {
        return Ok(());
    }
    let reasons: Vec<String> = model.architectures.iter().enumerate().filter_map(|(a, arch)| qualifies(model, a).err().map(|e| format!("{}: {e}", arch.name))).collect();
    if reasons.len() < model.architectures.len() {
        return Ok(());
    }
    Err(format!(
        "--rare on: no architecture qualifies for rare-event estimation:\n  - {}\n  = help: rare events need exponential failure, repair and detection times and no request-level behaviour (docs/scenario-format.md, \"Rare events\"); or run with --rare off",
        reasons.join("\n  - ")
    ))
}

/// What [`apply`] did, for the command line to tell.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Lines for stderr: what was switched on and why, and what was refused.
    pub messages: Vec<String>,
    /// Architectures estimated.
    pub estimated: usize,
    /// Cycles simulated in all (biased and plain).
    pub cycles: u64,
    /// Transitions taken in all.
    pub steps: u64,
}

/// Outages (and blips) class `c` of architecture `a` had in the crude run of `summary`.
fn crude_outages(summary: &Summary, a: usize, c: usize) -> u64 {
    let cls = &summary.architectures[a].classes[c];
    let per_year = cls.outages_per_year.mean.unwrap_or(0.0) + cls.blips_per_year.mean.unwrap_or(0.0);
    (per_year * summary.horizon_hours / (YEAR / HOUR) * summary.replications as f64).round() as u64
}

/// Decides which architectures to estimate (see [`Mode`]), estimates them, and puts each
/// class's [`ClassRare`] into `summary`, with the exact values of `analysis` where it has them.
/// Notes in the summary say what was estimated and why, and what was refused or could not be
/// estimated (with the reason).
pub fn apply(model: &Model, summary: &mut Summary, analysis: Option<&Analysis>, run: &Run) -> Outcome {
    let settings = run.settings;
    let mut outcome = Outcome::default();
    if settings.mode == Mode::Off {
        return outcome;
    }
    let needed = needed_outages(model.confidence, settings.precision);
    let pct = settings.precision * 100.0;
    let mut notes = Vec::new();
    let mut chosen = Vec::new();
    for (a, arch) in model.architectures.iter().enumerate() {
        let fewest = (0..model.classes.len()).map(|c| (crude_outages(summary, a, c), c)).min();
        let qualified = qualifies(model, a);
        match (settings.mode, fewest, qualified) {
            (Mode::On, _, Ok(())) => chosen.push(a),
            (Mode::On, _, Err(e)) => notes.push(format!("rare events: {} not estimated: {e}", arch.name)),
            (Mode::Auto, Some((n, c)), q) if n < needed && n < summary.replications => {
                let outages = if n == 1 { "outage" } else { "outages" };
                let saw = format!(
                    "{}/{} had {n} {outages} in {} replications, too few for a ±{pct}% interval (it needs {needed}) and under one per replication",
                    arch.name,
                    model.classes[c].name,
                    summary.replications
                );
                match q {
                    Ok(()) => {
                        notes.push(format!("rare events: {saw}, so --rare auto estimated {} by importance sampling", arch.name));
                        chosen.push(a);
                    }
                    Err(e) => notes.push(format!("rare events: {saw}, but rare-event estimation does not apply to {}: {e}", arch.name)),
                }
            }
            _ => {}
        }
    }
    for &a in &chosen {
        let Estimated { mut classes, cycles, steps } = match estimate_architecture(model, a, &settings, run.threads) {
            Ok(e) => e,
            Err(e) => {
                notes.push(format!("rare events: {} not estimated: {e}", model.architectures[a].name));
                continue;
            }
        };
        outcome.estimated += 1;
        outcome.cycles += cycles;
        outcome.steps += steps;
        if let Some(exact) = analysis.and_then(|x| x.archs.get(a)).and_then(|r| r.as_ref().ok()) {
            let used = model.components_of(a).iter().filter(|&&u| u).count();
            let want_mttff = exact.classes.iter().any(|c| c.mttff_hours.is_none()) && model.min_outage == 0.0 && used <= MTTFF_COMPONENTS;
            let mttff = if want_mttff { crate::analytic::markov::analyze(model, a, None, run.max_states.clamp(1, MTTFF_STATES), true).ok() } else { None };
            for (c, (rare, e)) in classes.iter_mut().zip(&exact.classes).enumerate() {
                rare.unavailability.estimate.exact = Some(1.0 - e.availability);
                if model.min_outage == 0.0 {
                    rare.outages_per_year.estimate.exact = e.frequency.map(|f| f * YEAR / HOUR);
                    rare.time_to_first_outage_hours.estimate.exact = e.mttff_hours.or_else(|| mttff.as_ref().and_then(|m| m.classes[c].mttff_hours));
                }
            }
        }
        for (r, c) in classes.iter().zip(&model.classes).filter(|(r, _)| r.unavailability.estimate.mean.is_none()) {
            notes.push(format!(
                "rare events: importance sampling of {}/{} reached no outage in {} cycles: it takes too many failures at once for balanced failure biasing, so there is no estimate",
                model.architectures[a].name, c.name, r.cycles
            ));
        }
        let missed: Vec<&str> = classes.iter().zip(&model.classes).filter(|(r, _)| !r.target_met && r.unavailability.estimate.mean.is_some()).map(|(_, c)| c.name.as_str()).collect();
        if !missed.is_empty() {
            notes.push(format!(
                "rare events: {} {} did not reach ±{pct}% within the budget ({MAX_WORK:.0e} transitions × components, or {MAX_CYCLES} cycles); its interval is wider",
                model.architectures[a].name,
                missed.join(", ")
            ));
        }
        for (cls, rare) in summary.architectures[a].classes.iter_mut().zip(classes) {
            cls.rare = Some(rare);
        }
    }
    if !chosen.is_empty() && model.min_outage > 0.0 {
        notes.push("rare events: min_outage is above zero, and the chain does not tell blips from outages, so only unavailability is estimated".to_string());
    }
    outcome.messages = notes.clone();
    summary.notes.extend(notes);
    outcome
}

fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, String> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder.build().map_err(|e| format!("cannot start the worker threads: {e}"))
}

/// The estimates of one architecture.
#[derive(Clone, Debug)]
pub struct Estimated {
    /// Per class (model order), without exact values.
    pub classes: Vec<ClassRare>,
    /// Cycles simulated (biased and plain).
    pub cycles: u64,
    /// Transitions taken.
    pub steps: u64,
}

/// Estimates architecture `arch` on `threads` worker threads (`None`: one per core; the
/// result does not depend on it), or says why it cannot (naming the key).
pub fn estimate_architecture(model: &Model, arch: usize, settings: &Settings, threads: Option<usize>) -> Result<Estimated, String> {
    qualifies(model, arch)?;
    let pool = thread_pool(threads)?;
    let name = &model.architectures[arch].name;
    let chain = Chain::new(model, arch);
    if let Some(c) = chain.classes_up(chain.start()).iter().position(|up| !up) {
        return Err(format!("class {} is down with every component up, so it has no rare outages", model.classes[c].name));
    }
    let ncls = model.classes.len();
    let streams = regenerative::Streams {
        seed: model.seed,
        plain: name_id(&["rare", "plain", name]),
        biased: model.classes.iter().map(|c| name_id(&["rare", "biased", name, &c.name])).collect(),
    };
    let max_steps = MAX_WORK / chain.components().len().max(1) as u64;
    let budget = regenerative::Budget { confidence: model.confidence, precision: settings.precision, max_cycles: MAX_CYCLES, max_steps };
    let sample = regenerative::sample(&chain, &streams, &budget, &pool)?;
    let conf = model.confidence;
    let length = &sample.plain.length;
    let with_outages = model.min_outage == 0.0;
    let classes = (0..ncls)
        .map(|c| {
            let b = &sample.biased[c];
            let reached = b.down.mean() > 0.0;
            let (outages, first) = if with_outages && reached {
                (RareFigure::of(independent_ratio(&b.outages, length, conf)).scaled(YEAR / HOUR), RareFigure::of(independent_ratio(&sample.plain.until_down[c], &b.hit, conf)))
            } else {
                (RareFigure::of(Estimate::none()), RareFigure::of(Estimate::none()))
            };
            ClassRare {
                method: method(),
                unavailability: RareFigure::of(if reached { independent_ratio(&b.down, length, conf) } else { Estimate::none() }),
                outages_per_year: outages,
                time_to_first_outage_hours: first,
                cycles: b.down.n(),
                plain_cycles: length.n(),
                target: settings.precision,
                target_met: sample.met[c],
            }
        })
        .collect();
    let cycles = length.n() + sample.biased.iter().map(|b| b.down.n()).sum::<u64>();
    let steps = sample.plain.steps + sample.biased.iter().map(|b| b.steps).sum::<u64>();
    Ok(Estimated { classes, cycles, steps })
}
