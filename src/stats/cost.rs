//! What each architecture costs, replication by replication: its running cost (fixed costs and
//! the prices of the requests its components answered), the parts of what its failures cost,
//! and the total; plus, for every pair of architectures, the paired differences the decision
//! needs (see [`crate::stats::decision`]). Sums are exact, as everywhere in [`crate::stats`], so
//! they merge to the same bits in any grouping.
//!
//! Per replication and architecture, with `per_year` = a year over the horizon:
//! - fixed = its own running cost + Σ units × running cost of every component it uses;
//! - requests = Σ over classes of the money the answered requests cost, × `per_year`;
//! - running = fixed + requests;
//! - downtime, failed = Σ over classes of `cost_per_hour_down` × hours down and
//!   `cost_per_failed_request` × requests not answered rightly, × `per_year`;
//! - failure = `cost_per_year` (downtime + failed + SLA credits), as `summary` computes it;
//! - total = running + failure;
//! - hours = Σ over classes of weight × hours down, × `per_year` (weights from
//!   [`crate::model::cost::downtime_weights`]), and other = running + failed + credits: what the
//!   total is besides the downtime cost, so total = other + price of an hour down × hours.

use serde::{Deserialize, Serialize};

use crate::model::cost::downtime_weights;
use crate::model::Model;
use crate::scenario::units::{HOUR, YEAR};
use crate::sim::accounting::Accounts;
use crate::stats::estimate::{Estimate, Moments, Pair};
use crate::stats::accumulator::architecture_pairs;

/// Sums for one architecture, per replication (money per year, hours per year).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ArchSums {
    fixed: Moments,
    requests: Moments,
    running: Moments,
    downtime: Moments,
    failed: Moments,
    total: Moments,
    hours: Moments,
}

/// Paired sums for architectures `(a, b)`, `a < b`: `a` minus `b`, replication by replication.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct PairSums {
    running: Moments,
    failure: Moments,
    total: Moments,
    /// (other cost of a − of b, weighted hours down of a − of b).
    other_hours: Pair,
}

/// One architecture's figures in the replication being added.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Current {
    running: f64,
    failure: f64,
    total: f64,
    other: f64,
    hours: f64,
}

/// The cost sums of a run (part of [`crate::stats::summary::Accumulator`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostAcc {
    archs: Vec<ArchSums>,
    pairs: Vec<PairSums>,
    /// Per architecture: its fixed cost per year (from the model; not part of the sums).
    #[serde(skip)]
    fixed: Vec<f64>,
    /// Per class: the weight of its hours down (from the model).
    #[serde(skip)]
    weights: Vec<f64>,
    /// This replication's figures per architecture, turned into differences by
    /// [`CostAcc::count_replication`].
    #[serde(skip)]
    current: Vec<Current>,
}

/// The paired figures of a candidate against a baseline, oriented candidate against baseline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Paired {
    /// Candidate's running cost minus the baseline's.
    pub extra_running: Estimate,
    /// Baseline's `cost_per_year` minus the candidate's.
    pub failure_saved: Estimate,
    /// Baseline's total cost minus the candidate's.
    pub net_benefit: Estimate,
    /// Baseline's weighted hours down minus the candidate's.
    pub hours_saved: Estimate,
    /// Replications.
    pub n: u64,
    /// Mean and variance of the candidate's other cost minus the baseline's (X).
    pub x: (f64, f64),
    /// Mean and variance of the hours saved (S).
    pub s: (f64, f64),
    /// Covariance of X and S.
    pub cov: f64,
}

impl CostAcc {
    /// Empty sums for `model`.
    pub fn new(model: &Model) -> Self {
        let n = model.architectures.len();
        CostAcc {
            archs: vec![ArchSums::default(); n],
            pairs: vec![PairSums::default(); architecture_pairs(n).count()],
            fixed: (0..n).map(|a| model.costs.fixed_per_year(model, a)).collect(),
            weights: downtime_weights(model),
            current: vec![Current::default(); n],
        }
    }

    /// Adds architecture `arch`'s replication: `parts` holds each class's downtime cost and
    /// failed-request cost per year, `credits` the SLA credits per year, `failure` its
    /// `cost_per_year` (the sum of those, as the summary adds it up).
    pub fn add(&mut self, model: &Model, acc: &Accounts, arch: usize, parts: &[(f64, f64)], credits: f64, failure: f64) {
        let per_year = YEAR / model.horizon;
        let ncls = model.classes.len();
        let (mut requests, mut downtime, mut failed, mut hours) = (0.0, 0.0, 0.0, 0.0);
        for (k, &(d, f)) in parts.iter().enumerate().take(ncls) {
            let i = arch * ncls + k;
            if acc.tallied[i] {
                requests += acc.tallies[i].charge * per_year;
            }
            downtime += d;
            failed += f;
            hours += self.weights[k] * (acc.list[i].downtime / HOUR * per_year);
        }
        let fixed = self.fixed[arch];
        let running = fixed + requests;
        let total = running + failure;
        let s = &mut self.archs[arch];
        s.fixed.add(fixed);
        s.requests.add(requests);
        s.running.add(running);
        s.downtime.add(downtime);
        s.failed.add(failed);
        s.total.add(total);
        s.hours.add(hours);
        self.current[arch] = Current { running, failure, total, other: running + failed + credits, hours };
    }

    /// Records the paired differences of the replication just added (every architecture).
    pub fn count_replication(&mut self) {
        let n = self.archs.len();
        for (k, (a, b)) in architecture_pairs(n).enumerate() {
            let (x, y) = (self.current[a], self.current[b]);
            let p = &mut self.pairs[k];
            p.running.add(x.running - y.running);
            p.failure.add(x.failure - y.failure);
            p.total.add(x.total - y.total);
            p.other_hours.add(x.other - y.other, x.hours - y.hours);
        }
    }

    /// Merges another run's sums (of the same model).
    pub fn merge(&mut self, o: &CostAcc) {
        for (a, b) in self.archs.iter_mut().zip(&o.archs) {
            for (x, y) in [(&mut a.fixed, &b.fixed), (&mut a.requests, &b.requests), (&mut a.running, &b.running), (&mut a.downtime, &b.downtime)] {
                x.merge(y);
            }
            for (x, y) in [(&mut a.failed, &b.failed), (&mut a.total, &b.total), (&mut a.hours, &b.hours)] {
                x.merge(y);
            }
        }
        for (a, b) in self.pairs.iter_mut().zip(&o.pairs) {
            a.running.merge(&b.running);
            a.failure.merge(&b.failure);
            a.total.merge(&b.total);
            a.other_hours.merge(&b.other_hours);
        }
    }

    /// Checks that sums read from a file fit `model` and could come from `replications`.
    pub fn check(&self, model: &Model, replications: u64) -> Result<(), String> {
        let n = model.architectures.len();
        let pairs = architecture_pairs(n).count();
        if self.archs.len() != n || self.pairs.len() != pairs {
            return Err(format!("it has cost sums for {} architectures and {} pairs where the scenario needs {n} and {pairs}", self.archs.len(), self.pairs.len()));
        }
        let arch_ok = |s: &ArchSums| [&s.fixed, &s.requests, &s.running, &s.downtime, &s.failed, &s.total, &s.hours].iter().all(|m| m.plausible(replications));
        let pair_ok = |p: &PairSums| [&p.running, &p.failure, &p.total].iter().all(|m| m.plausible(replications)) && p.other_hours.plausible(replications);
        if !self.archs.iter().all(arch_ok) || !self.pairs.iter().all(pair_ok) {
            return Err(format!("its cost sums cannot come from {replications} replications"));
        }
        Ok(())
    }

    /// The cost figures of architecture `arch`; the fixed cost's exact value is known.
    pub fn summary(&self, model: &Model, arch: usize, confidence: f64) -> CostSummary {
        let s = &self.archs[arch];
        let e = |m: &Moments| m.estimate(confidence);
        CostSummary {
            running_cost_per_year: e(&s.running),
            fixed_cost_per_year: Estimate { exact: Some(model.costs.fixed_per_year(model, arch)), ..e(&s.fixed) },
            request_cost_per_year: e(&s.requests),
            downtime_cost_per_year: e(&s.downtime),
            failed_request_cost_per_year: e(&s.failed),
            total_cost_per_year: e(&s.total),
            weighted_downtime_hours_per_year: e(&s.hours),
        }
    }

    /// The paired cost differences of pair `k` (as [`architecture_pairs`] orders them).
    pub fn difference(&self, k: usize, confidence: f64) -> CostDifference {
        let p = &self.pairs[k];
        CostDifference { running_cost_per_year: p.running.estimate(confidence), total_cost_per_year: p.total.estimate(confidence) }
    }

    /// Candidate `c` against baseline `b` (two different architectures), paired.
    pub fn paired(&self, c: usize, b: usize, confidence: f64) -> Option<Paired> {
        let n = self.archs.len();
        let (lo, hi) = (c.min(b), c.max(b));
        let k = architecture_pairs(n).position(|p| p == (lo, hi))?;
        let p = &self.pairs[k];
        // The pair holds lo − hi; `sign` turns it into candidate − baseline.
        let sign = if c < b { 1.0 } else { -1.0 };
        let e = |m: &Moments| m.estimate(confidence);
        let (x, y) = (p.other_hours.x(), p.other_hours.y());
        Some(Paired {
            extra_running: e(&p.running).affine(0.0, sign),
            failure_saved: e(&p.failure).affine(0.0, -sign),
            net_benefit: e(&p.total).affine(0.0, -sign),
            hours_saved: e(y).affine(0.0, -sign),
            n: x.n(),
            x: (sign * x.mean(), x.variance()),
            s: (-sign * y.mean(), y.variance()),
            // X = sign·x and S = −sign·y, so their covariance is −cov(x, y) either way.
            cov: -p.other_hours.covariance(),
        })
    }
}

/// An architecture's cost figures per year, with intervals (flattened into its JSON object).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CostSummary {
    /// Fixed costs plus the prices of the requests its components answered.
    pub running_cost_per_year: Estimate,
    /// Its own running cost plus every unit of every component it uses (the same every
    /// replication; `exact` holds it).
    pub fixed_cost_per_year: Estimate,
    /// What the requests its components answered cost (prices per request).
    pub request_cost_per_year: Estimate,
    /// `cost_per_hour_down` × hours down, over all classes.
    pub downtime_cost_per_year: Estimate,
    /// `cost_per_failed_request` × requests not answered rightly, over all classes.
    pub failed_request_cost_per_year: Estimate,
    /// Running cost plus `cost_per_year` (downtime, failed requests and SLA credits).
    pub total_cost_per_year: Estimate,
    /// Hours down per year, classes weighted by their share of the price of an hour down (by
    /// their rates when no class has one): the hours the decision prices.
    pub weighted_downtime_hours_per_year: Estimate,
}

/// Paired cost differences of two architectures (flattened into their `Difference`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CostDifference {
    /// Running cost per year of `a` minus `b`.
    pub running_cost_per_year: Estimate,
    /// Total cost per year of `a` minus `b`.
    pub total_cost_per_year: Estimate,
}
