//! `relsim fit`: maximum-likelihood distributions of time between failures and time to repair
//! from incident histories, with right-censoring, confidence intervals, AIC/BIC ranking and the
//! Kolmogorov–Smirnov distance from Kaplan–Meier.
//!
//! Reading is [`crate::incidents`]'; here, [`data`] turns a history into two censored samples,
//! [`mle`] fits each family ([`dist`]) with the tools of [`optimize`], [`estimate`] adds the
//! intervals and criteria and ranks, [`km`] is the empirical side. [`report`] renders the table,
//! `fit.json` and TOML snippets, [`into`] writes fitted distributions into a scenario, and
//! [`command`] is the subcommand. The probability-paper plot is `crate::plot::fit`.

pub mod command;
pub mod data;
pub mod dist;
pub mod estimate;
pub mod into;
pub mod km;
pub mod mle;
pub mod optimize;
pub mod report;

pub use dist::{Dist, Family, Sample};
pub use estimate::{fit_sample, Estimate, Fit, FitSet};

use crate::incidents::ComponentHistory;

/// Everything fitted for one component.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentFit {
    /// The component's name as in the incident file.
    pub name: String,
    /// Observation window, seconds since the epoch.
    pub window: (f64, f64),
    /// Incidents after merging.
    pub incidents: usize,
    /// Incidents merged into others.
    pub merged: usize,
    /// Zero-length incidents (failures without a repair time).
    pub zero_length: usize,
    /// Incidents that began before the window (no repair time).
    pub clipped: usize,
    /// Time between failures (up time).
    pub failure: FitSet,
    /// Time to repair.
    pub repair: FitSet,
}

impl ComponentFit {
    /// What a reader should know about this component's fits, one line each.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        for (what, set) in [("time between failures", &self.failure), ("time to repair", &self.repair)] {
            for n in &set.notes {
                w.push(format!("{}: {what}: {n}", self.name));
            }
            if let Some(bound) = set.mean_above {
                w.push(format!(
                    "{}: {what}: nothing observed in {} h; the mean is above {} h at {}% (one-sided), which an exponential with that mean would assume conservatively",
                    self.name,
                    report::sig(set.sample.total(), 4),
                    report::sig(bound, 4),
                    report::sig(set.confidence * 100.0, 3)
                ));
            }
        }
        if self.zero_length > 0 {
            w.push(format!("{}: {} zero-length incidents (start = end) count as failures but have no repair time to fit", self.name, self.zero_length));
        }
        if self.clipped > 0 {
            w.push(format!("{}: {} incidents began before the window: their repair times are unknown and left out", self.name, self.clipped));
        }
        w
    }
}

/// Fits both samples of `h` at `confidence`.
pub fn fit_component(h: &ComponentHistory, confidence: f64) -> ComponentFit {
    let s = data::samples(h);
    ComponentFit {
        name: h.name.clone(),
        window: h.window,
        incidents: h.incidents.len(),
        merged: h.merged,
        zero_length: s.zero_length,
        clipped: s.clipped,
        failure: fit_sample(&s.up, confidence),
        repair: fit_sample(&s.repair, confidence),
    }
}
