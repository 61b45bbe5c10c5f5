//! Rare-event estimates as a summary holds them (the `rare` block of an architecture × class,
//! computed by `crate::rare`), and the estimator they need: a ratio of the means of two
//! independent samples with a delta-method interval.

use serde::Serialize;

use crate::stats::estimate::{t_quantile, Estimate, Moments};

/// One rare-event figure: the estimate with its interval (and the exact value where the
/// analytic engine has one), and the interval's half-width relative to the estimate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct RareFigure {
    /// The estimate, flattened into `mean`, `ci_low`, `ci_high`, `exact`.
    #[serde(flatten)]
    pub estimate: Estimate,
    /// Half-width of the interval over the estimate (`null` without an interval).
    pub relative_half_width: Option<f64>,
}

impl RareFigure {
    /// The figure of an estimate.
    pub fn of(estimate: Estimate) -> RareFigure {
        let relative_half_width = match (estimate.mean, estimate.half_width()) {
            (Some(m), Some(h)) if m > 0.0 => Some(h / m),
            _ => None,
        };
        RareFigure { estimate, relative_half_width }
    }

    /// The same figure multiplied by `k > 0` (units), exact value included.
    pub fn scaled(&self, k: f64) -> RareFigure {
        RareFigure { estimate: self.estimate.affine(0.0, k), relative_half_width: self.relative_half_width }
    }
}

/// The rare-event block of one architecture × class: steady-state unavailability, outage
/// frequency and mean time to first outage by importance sampling, beside the crude
/// estimates of the same run (which it never replaces).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassRare {
    /// How it was estimated.
    pub method: String,
    /// Steady-state fraction of time the class is down.
    pub unavailability: RareFigure,
    /// Outages per year in the steady state (`null` with `min_outage` above zero: blips are not
    /// told apart).
    pub outages_per_year: RareFigure,
    /// Mean time to the first outage from the all-up state, in hours (`null` with
    /// `min_outage` above zero).
    pub time_to_first_outage_hours: RareFigure,
    /// Importance-sampled regenerative cycles of this class.
    pub cycles: u64,
    /// Cycles simulated without biasing, shared by the architecture's classes (cycle length
    /// and the time to first outage's numerator).
    pub plain_cycles: u64,
    /// The relative half-width asked of the unavailability.
    pub target: f64,
    /// Whether the unavailability's relative half-width met the target.
    pub target_met: bool,
}

/// `mean(num) / mean(den)` for two independent samples, with a delta-method interval at
/// `confidence`: the relative variance of the ratio is the sum of the two means' relative
/// variances, var(x̄)/x̄² + var(ȳ)/ȳ² (no covariance term, the samples being independent);
/// Student's t with the smaller sample's degrees of freedom. No estimate when `den` has no
/// positive mean; no interval when either sample has fewer than two values or `num`'s mean
/// is zero.
pub fn independent_ratio(num: &Moments, den: &Moments, confidence: f64) -> Estimate {
    let (x, y) = (num.mean(), den.mean());
    if num.n() == 0 || den.n() == 0 || y.is_nan() || y <= 0.0 || x.is_nan() {
        return Estimate::none();
    }
    let r = x / y;
    if num.n() < 2 || den.n() < 2 || x == 0.0 {
        return Estimate { mean: Some(r), ..Estimate::default() };
    }
    let rel = num.variance() / num.n() as f64 / (x * x) + den.variance() / den.n() as f64 / (y * y);
    let df = num.n().min(den.n()) - 1;
    Estimate::symmetric(r, t_quantile(confidence, df) * r.abs() * rel.max(0.0).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratio_of_constants_is_exact_and_a_noisy_one_adds_relative_variances() {
        let (mut x, mut y) = (Moments::default(), Moments::default());
        for _ in 0..10 {
            x.add(3.0);
            y.add(4.0);
        }
        let e = independent_ratio(&x, &y, 0.95);
        assert_eq!((e.mean, e.half_width()), (Some(0.75), Some(0.0)));
        // x: 1, 3 (mean 2, variance 2); y: 4, 4, 4, 4 (mean 4, variance 0).
        let (mut x, mut y) = (Moments::default(), Moments::default());
        x.add(1.0);
        x.add(3.0);
        for _ in 0..4 {
            y.add(4.0);
        }
        // Relative variance of x̄: (2 / 2) / 2² = 0.25, so the half-width is t(0.95, 1) · 0.5 · 0.5.
        let e = independent_ratio(&x, &y, 0.95);
        assert_eq!(e.mean, Some(0.5));
        assert!((e.half_width().unwrap() - 12.7062 * 0.25).abs() < 1e-3, "{e:?}");
        assert_eq!(independent_ratio(&Moments::default(), &y, 0.95), Estimate::none());
        assert_eq!(RareFigure::of(Estimate::symmetric(2.0, 0.5)).relative_half_width, Some(0.25));
    }
}
