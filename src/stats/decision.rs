//! The decision: is each architecture's extra running cost worth the downtime it saves, against
//! a baseline (the first architecture, or `--baseline`)?
//!
//! Everything is paired, replication by replication (every architecture runs on the same random
//! histories), so a difference is known much better than the two totals:
//! - the net benefit per year is the baseline's total cost minus the candidate's, at the
//!   scenario's prices (a Student-t interval on the paired differences);
//! - the break-even cost of downtime is the price P of an hour down at which the two totals are
//!   equal. With X the candidate's other costs minus the baseline's (running cost, failed
//!   requests and SLA credits: everything that does not scale with P) and S the hours down it
//!   saves, the totals differ by X − P·S, so P = E[X] / E[S], a ratio of paired means.
//!
//! Its interval is Fieller's: the prices θ for which E[X] − θ·E[S] = 0 cannot be rejected,
//! `(X̄ − θS̄)² ≤ t²·Var(X − θS)/n`, a quadratic inequality in θ. Unlike the delta method (a
//! symmetric interval around X̄/S̄, which goes wrong as S̄'s interval nears zero), it says what
//! the data say when the saved downtime is barely known: a bounded interval when S̄ is clearly
//! away from zero, two rays or every price when it is not. Hours are weighted across classes by
//! their share of the price of an hour with every class down, so with several classes P is the
//! price of such an hour, the classes keeping the scenario's proportions.

use serde::Serialize;

use crate::model::cost::{downtime_price, downtime_weights};
use crate::model::metric::{DecisionMetric, Metric};
use crate::model::Model;
use crate::stats::cost::{CostAcc, Paired};
use crate::stats::estimate::{t_quantile, Estimate};
use crate::stats::summary::Summary;

/// Whether a candidate pays for itself at the scenario's price of downtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pays {
    /// The net benefit's interval is above zero.
    Yes,
    /// It is below zero.
    No,
    /// It contains zero: this many replications cannot tell.
    Undetermined,
}

/// For which prices of an hour down the candidate beats the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaysWhen {
    /// Above the break-even price (it saves downtime and costs more otherwise).
    Above,
    /// Below it (it is cheaper otherwise, and loses downtime).
    Below,
    /// At any price (it saves downtime and costs no more otherwise).
    Always,
    /// At no price (it loses downtime, or saves none, and costs more otherwise).
    Never,
    /// The data cannot say (the saved downtime cannot be told from zero).
    Undetermined,
}

/// Fieller's confidence set for the break-even price.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConfidenceSet {
    /// A bounded interval.
    Interval {
        /// Low end.
        low: f64,
        /// High end.
        high: f64,
    },
    /// Everything outside an interval: up to `up_to`, and from `from` on.
    TwoRays {
        /// The ray below.
        up_to: f64,
        /// The ray above.
        from: f64,
    },
    /// Every price: the saved downtime is not known well enough to exclude any.
    AllPrices,
    /// No price: the two have the same downtime in every replication and other costs differ.
    Empty,
}

/// The break-even cost of downtime.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BreakEven {
    /// The price of an hour down at which both totals are equal (`mean`), with Fieller's
    /// interval when it is bounded (`ci_low`, `ci_high`; `null` otherwise).
    pub cost_per_hour_down: Estimate,
    /// Fieller's confidence set in full.
    pub confidence_set: ConfidenceSet,
    /// For which prices the candidate beats the baseline.
    pub pays_when: PaysWhen,
}

/// One architecture against the baseline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The candidate.
    pub architecture: String,
    /// Its running cost per year minus the baseline's.
    pub extra_running_cost_per_year: Estimate,
    /// The baseline's `cost_per_year` (downtime, failed requests, SLA credits) minus its own.
    pub failure_cost_saved_per_year: Estimate,
    /// The baseline's total cost per year minus its own: what it is worth at the scenario's
    /// prices (failure cost saved minus extra running cost).
    pub net_benefit_per_year: Estimate,
    /// The baseline's hours down per year minus its own, classes weighted as the price of an
    /// hour down weighs them.
    pub downtime_hours_saved_per_year: Estimate,
    /// Whether it pays at the scenario's prices.
    pub pays: Pays,
    /// From which price of an hour down it pays.
    pub break_even: BreakEven,
}

/// A class's weight in the hours down the decision prices.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassWeight {
    /// The class.
    pub class: String,
    /// Its weight (the weights add up to 1).
    pub weight: f64,
}

/// Every architecture against the baseline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// The architecture the others are compared with.
    pub baseline: String,
    /// The scenario's price of an hour with every class down (the sum of the classes'
    /// `cost_per_hour_down`): the price the net benefit is reckoned at.
    pub cost_per_hour_down: f64,
    /// How each class's hours down count in the hours priced.
    pub class_weights: Vec<ClassWeight>,
    /// Every other architecture, in scenario order.
    pub architectures: Vec<Comparison>,
}

/// The decision of a run (with a single architecture, the baseline alone and no comparison);
/// `None` without architectures.
pub fn decide(model: &Model, costs: &CostAcc, confidence: f64) -> Option<Decision> {
    let n = model.architectures.len();
    if n == 0 {
        return None;
    }
    let b = model.costs.baseline.min(n - 1);
    let architectures = (0..n)
        .filter(|&c| c != b)
        .filter_map(|c| {
            let p = costs.paired(c, b, confidence)?;
            Some(Comparison {
                architecture: model.architectures[c].name.clone(),
                extra_running_cost_per_year: p.extra_running,
                failure_cost_saved_per_year: p.failure_saved,
                net_benefit_per_year: p.net_benefit,
                downtime_hours_saved_per_year: p.hours_saved,
                pays: pays(&p.net_benefit),
                break_even: break_even(&p, confidence),
            })
        })
        .collect();
    let weights = downtime_weights(model);
    Some(Decision {
        baseline: model.architectures[b].name.clone(),
        cost_per_hour_down: downtime_price(model),
        class_weights: model.classes.iter().zip(weights).map(|(c, w)| ClassWeight { class: c.name.clone(), weight: w }).collect(),
        architectures,
    })
}

/// Yes, no or cannot tell, from the net benefit's interval.
fn pays(net: &Estimate) -> Pays {
    match (net.ci_low, net.ci_high) {
        (Some(lo), _) if lo > 0.0 => Pays::Yes,
        (_, Some(hi)) if hi < 0.0 => Pays::No,
        _ => Pays::Undetermined,
    }
}

/// Fieller's set for E[X] / E[S] from `n` paired replications: means, variances and covariance
/// of the per-replication X and S, and the t quantile `q` of the interval.
pub fn fieller(n: u64, (xbar, vx): (f64, f64), (sbar, vs): (f64, f64), cov: f64, q: f64) -> ConfidenceSet {
    let k = q * q / n.max(1) as f64;
    let (vx, vs, cov) = (vx.max(0.0), vs.max(0.0), if cov.is_finite() { cov } else { 0.0 });
    // (x̄ − θ s̄)² ≤ k (vx − 2θ cov + θ² vs)  ⇔  a θ² − 2 b θ + c ≤ 0.
    let a = sbar * sbar - k * vs;
    let b = xbar * sbar - k * cov;
    let c = xbar * xbar - k * vx;
    let disc = b * b - a * c;
    if a > 0.0 {
        // θ̂ = x̄/s̄ satisfies the inequality, so the roots are real; rounding may say otherwise.
        let r = disc.max(0.0).sqrt();
        return ConfidenceSet::Interval { low: (b - r) / a, high: (b + r) / a };
    }
    if a < 0.0 && disc > 0.0 {
        let r = disc.sqrt();
        let (r1, r2) = ((b - r) / a, (b + r) / a);
        return ConfidenceSet::TwoRays { up_to: r1.min(r2), from: r1.max(r2) };
    }
    if a == 0.0 && b == 0.0 && c > 0.0 {
        return ConfidenceSet::Empty;
    }
    ConfidenceSet::AllPrices
}

/// The break-even price with its Fieller set, and for which prices the candidate pays.
fn break_even(p: &Paired, confidence: f64) -> BreakEven {
    let q = if p.n >= 2 { t_quantile(confidence, p.n - 1) } else { f64::INFINITY };
    let (xbar, vx) = p.x;
    let (sbar, vs) = p.s;
    let set = if p.n >= 2 { fieller(p.n, p.x, p.s, p.cov, q) } else { ConfidenceSet::AllPrices };
    let ratio = (sbar != 0.0).then(|| xbar / sbar);
    let (low, high) = match set {
        ConfidenceSet::Interval { low, high } => (Some(low), Some(high)),
        _ => (None, None),
    };
    // Whether the other costs differ clearly: X's own t interval.
    let half_x = q * (vx.max(0.0) / p.n.max(1) as f64).sqrt();
    let x_sign = if xbar - half_x > 0.0 {
        1
    } else if xbar + half_x < 0.0 {
        -1
    } else {
        0
    };
    let pays_when = if sbar == 0.0 && vs == 0.0 {
        // The same downtime in every replication: the other costs decide, at every price.
        match x_sign {
            1 => PaysWhen::Never,
            -1 => PaysWhen::Always,
            _ => PaysWhen::Undetermined,
        }
    } else {
        match (set, sbar > 0.0) {
            (ConfidenceSet::Interval { high, .. }, true) if high <= 0.0 => PaysWhen::Always,
            (ConfidenceSet::Interval { .. }, true) => PaysWhen::Above,
            (ConfidenceSet::Interval { high, .. }, false) if high <= 0.0 => PaysWhen::Never,
            (ConfidenceSet::Interval { .. }, false) => PaysWhen::Below,
            _ => PaysWhen::Undetermined,
        }
    };
    BreakEven { cost_per_hour_down: Estimate { mean: ratio, ci_low: low, ci_high: high, exact: None }, confidence_set: set, pays_when }
}

impl Summary {
    /// The comparison of architecture `arch` (summary order) with the baseline, if it is not the
    /// baseline.
    pub fn comparison(&self, arch: usize) -> Option<&Comparison> {
        let name = &self.architectures.get(arch)?.name;
        self.decision.as_ref()?.architectures.iter().find(|c| &c.architecture == name)
    }

    /// An architecture-level figure: an architecture's own, or the decision's against the
    /// baseline (`None` for the baseline itself); `None` for a class metric.
    pub fn architecture_metric(&self, arch: usize, metric: Metric) -> Option<Estimate> {
        match metric {
            Metric::Architecture(m) => self.architectures.get(arch)?.metric(m),
            Metric::Decision(DecisionMetric::NetBenefitPerYear) => Some(self.comparison(arch)?.net_benefit_per_year),
            Metric::Decision(DecisionMetric::BreakEvenCostPerHourDown) => Some(self.comparison(arch)?.break_even.cost_per_hour_down),
            Metric::Class(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fieller_gives_an_interval_two_rays_every_price_or_none() {
        // q²/n = 1 throughout. x̄ = 10, s̄ = 2, vx = 4, vs = 1, no covariance:
        // 3θ² − 40θ + 96 ≤ 0, θ in (20 ∓ √112)/3 = [3.1391, 10.1943], around θ̂ = 5.
        let ConfidenceSet::Interval { low, high } = fieller(4, (10.0, 4.0), (2.0, 1.0), 0.0, 2.0) else { panic!("bounded") };
        assert!((low - (20.0 - 112f64.sqrt()) / 3.0).abs() < 1e-12 && (high - (20.0 + 112f64.sqrt()) / 3.0).abs() < 1e-12, "{low} {high}");
        // s̄ = 0.5 is not clear of zero: −0.75θ² − 10θ + 96 ≤ 0 outside (5 ± √97)/(−0.75).
        let ConfidenceSet::TwoRays { up_to, from } = fieller(4, (10.0, 4.0), (0.5, 1.0), 0.0, 2.0) else { panic!("two rays") };
        assert!((up_to - (5.0 + 97f64.sqrt()) / -0.75).abs() < 1e-12 && (from - (5.0 - 97f64.sqrt()) / -0.75).abs() < 1e-12, "{up_to} {from}");
        // And x̄ = 1 is not clear of zero either: every price.
        assert_eq!(fieller(4, (1.0, 4.0), (0.5, 1.0), 0.0, 2.0), ConfidenceSet::AllPrices);
        // No variation: the set is the ratio itself, or empty when s is always 0.
        assert_eq!(fieller(10, (6.0, 0.0), (3.0, 0.0), 0.0, 2.0), ConfidenceSet::Interval { low: 2.0, high: 2.0 });
        assert_eq!(fieller(10, (6.0, 0.0), (0.0, 0.0), 0.0, 2.0), ConfidenceSet::Empty);
    }

    fn paired(x: (f64, f64), s: (f64, f64)) -> Paired {
        let e = Estimate::none();
        Paired { extra_running: e, failure_saved: e, net_benefit: e, hours_saved: e, n: 100, x, s, cov: 0.0 }
    }

    #[test]
    fn who_pays_when() {
        let when = |x, s| break_even(&paired(x, s), 0.95).pays_when;
        // Saves 10 h and costs 1000 more otherwise: pays above 100 per hour.
        assert_eq!(when((1000.0, 100.0), (10.0, 1.0)), PaysWhen::Above);
        let be = break_even(&paired((1000.0, 100.0), (10.0, 1.0)), 0.95);
        assert_eq!(be.cost_per_hour_down.mean, Some(100.0));
        assert!(be.cost_per_hour_down.contains(100.0));
        // Saves downtime and is cheaper: at any price. Loses downtime and dearer: never.
        assert_eq!(when((-1000.0, 100.0), (10.0, 1.0)), PaysWhen::Always);
        assert_eq!(when((1000.0, 100.0), (-10.0, 1.0)), PaysWhen::Never);
        // Cheaper but loses downtime: below the break-even.
        assert_eq!(when((-1000.0, 100.0), (-10.0, 1.0)), PaysWhen::Below);
        // Saved downtime indistinguishable from zero: the data cannot say.
        assert_eq!(when((1000.0, 100.0), (0.01, 100.0)), PaysWhen::Undetermined);
        // Identical downtime: the other costs decide.
        assert_eq!(when((5.0, 0.0), (0.0, 0.0)), PaysWhen::Never);
        assert_eq!(when((-5.0, 0.0), (0.0, 0.0)), PaysWhen::Always);
        assert_eq!(when((0.0, 0.0), (0.0, 0.0)), PaysWhen::Undetermined);
        assert_eq!(pays(&Estimate::symmetric(5.0, 1.0)), Pays::Yes);
        assert_eq!(pays(&Estimate::symmetric(-5.0, 1.0)), Pays::No);
        assert_eq!(pays(&Estimate::symmetric(0.5, 1.0)), Pays::Undetermined);
    }
}
