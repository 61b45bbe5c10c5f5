//! Point estimates with confidence intervals, from accumulators that merge exactly.
//!
//! - means over replications: Student-t interval on the replication values;
//! - ratios of sums (MTTR = outage time / outages, MTBF = up time / outages): the ratio
//!   estimator with a delta-method interval, replications being the independent units;
//! - quantiles of pooled outage durations: the distribution-free order-statistic interval
//!   (normal approximation to the binomial), which treats outages as independent.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use crate::stats::exact_sum::{centered_cross_sum, ExactSum};
use crate::stats::histogram::LogHistogram;

/// A point estimate with its confidence interval; `None` where the data give no value (for
/// example MTTR when no outage was seen), written as `null` in JSON. `exact` is the value the
/// analytic engine computes, where it can (`null` otherwise).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Estimate {
    /// Point estimate.
    pub mean: Option<f64>,
    /// Low end of the interval.
    pub ci_low: Option<f64>,
    /// High end of the interval.
    pub ci_high: Option<f64>,
    /// The exact (steady-state) value, where known.
    pub exact: Option<f64>,
}

impl Estimate {
    /// An estimate from a mean and a half-width.
    pub fn symmetric(mean: f64, half: f64) -> Self {
        Estimate { mean: Some(mean), ci_low: Some(mean - half), ci_high: Some(mean + half), exact: None }
    }

    /// No estimate.
    pub fn none() -> Self {
        Estimate::default()
    }

    /// `a + b·x` applied to the estimate (for `b ≥ 0`; a negative `b` swaps the ends).
    pub fn affine(&self, a: f64, b: f64) -> Self {
        let f = |v: Option<f64>| v.map(|x| a + b * x);
        if b >= 0.0 {
            Estimate { mean: f(self.mean), ci_low: f(self.ci_low), ci_high: f(self.ci_high), exact: f(self.exact) }
        } else {
            Estimate { mean: f(self.mean), ci_low: f(self.ci_high), ci_high: f(self.ci_low), exact: f(self.exact) }
        }
    }

    /// Half the interval's width.
    pub fn half_width(&self) -> Option<f64> {
        Some((self.ci_high? - self.ci_low?) / 2.0)
    }

    /// Whether the interval contains `x`.
    pub fn contains(&self, x: f64) -> bool {
        matches!((self.ci_low, self.ci_high), (Some(lo), Some(hi)) if lo <= x && x <= hi)
    }
}

/// A quantile with its interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct QuantileEstimate {
    /// The quantile.
    pub value: Option<f64>,
    /// Low end of the interval.
    pub ci_low: Option<f64>,
    /// High end of the interval.
    pub ci_high: Option<f64>,
}

impl QuantileEstimate {
    /// All values multiplied by `k`.
    pub fn scaled(&self, k: f64) -> Self {
        QuantileEstimate { value: self.value.map(|v| v * k), ci_low: self.ci_low.map(|v| v * k), ci_high: self.ci_high.map(|v| v * k) }
    }
}

/// Sum and sum of squares of per-replication values, summed exactly (squares included), so the
/// variance is correctly rounded however large the mean is next to the spread.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    n: u64,
    sum: ExactSum,
    sum_sq: ExactSum,
}

impl Moments {
    /// Adds one replication's value.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum.add(x);
        self.sum_sq.add_product(x, x);
    }

    /// Merges another accumulator.
    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum.merge(&o.sum);
        self.sum_sq.merge(&o.sum_sq);
    }

    /// Whether these sums could come from at most `replications` replications: no more values
    /// than that, and plausible sums (see [`ExactSum::is_plausible`]). For sums read from a file.
    pub fn plausible(&self, replications: u64) -> bool {
        self.n <= replications && self.sum.is_plausible() && self.sum_sq.is_plausible()
    }

    /// Values added.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Mean of the values.
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.sum.value() / self.n as f64 }
    }

    /// Sample variance (n − 1 denominator), never negative.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            return f64::NAN;
        }
        let n = self.n as f64;
        (centered_cross_sum(self.n, &self.sum, &self.sum, &self.sum_sq) / (n * (n - 1.0))).max(0.0)
    }

    /// Mean with a Student-t interval at `confidence`.
    pub fn estimate(&self, confidence: f64) -> Estimate {
        if self.n == 0 {
            return Estimate::none();
        }
        if self.n < 2 {
            return Estimate { mean: Some(self.mean()), ..Estimate::default() };
        }
        let half = t_quantile(confidence, self.n - 1) * (self.variance() / self.n as f64).sqrt();
        Estimate::symmetric(self.mean(), half)
    }
}

/// Joint sums of two per-replication values `x` and `y`, for the ratio `Σx / Σy`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    x: Moments,
    y: Moments,
    sum_xy: ExactSum,
}

impl Pair {
    /// Adds one replication's pair.
    pub fn add(&mut self, x: f64, y: f64) {
        self.x.add(x);
        self.y.add(y);
        self.sum_xy.add_product(x, y);
    }

    /// Merges another accumulator.
    pub fn merge(&mut self, o: &Pair) {
        self.x.merge(&o.x);
        self.y.merge(&o.y);
        self.sum_xy.merge(&o.sum_xy);
    }

    /// Whether these sums could come from at most `replications` replications (see
    /// [`Moments::plausible`]).
    pub fn plausible(&self, replications: u64) -> bool {
        self.x.plausible(replications) && self.y.plausible(replications) && self.x.n == self.y.n && self.sum_xy.is_plausible()
    }

    /// The sums of the x values.
    pub fn x(&self) -> &Moments {
        &self.x
    }

    /// The sums of the y values.
    pub fn y(&self) -> &Moments {
        &self.y
    }

    /// Sample covariance of x and y (n − 1 denominator; NaN below two pairs).
    pub fn covariance(&self) -> f64 {
        let n = self.x.n as f64;
        if self.x.n < 2 {
            return f64::NAN;
        }
        centered_cross_sum(self.x.n, &self.x.sum, &self.y.sum, &self.sum_xy) / (n * (n - 1.0))
    }

    /// `Σ(a + b·x) / Σy` with a delta-method interval at `confidence`; `None` when `Σy = 0`.
    ///
    /// The affine map lets MTBF be computed from downtime (`up = H − down`) without summing
    /// nearly equal large numbers.
    pub fn ratio(&self, a: f64, b: f64, confidence: f64) -> Estimate {
        let n = self.x.n;
        if n < 2 {
            return ratio_estimate(n, a + b * self.x.mean(), self.y.mean(), 0.0, 0.0, 0.0, confidence);
        }
        let (vx, vy, cxy) = (b * b * self.x.variance(), self.y.variance(), b * self.covariance());
        ratio_estimate(n, a + b * self.x.mean(), self.y.mean(), vx, vy, cxy, confidence)
    }
}

/// The ratio estimator `x̄ / ȳ` over `n` replications with a delta-method interval, from the
/// means, variances and covariance of the per-replication values.
pub fn ratio_estimate(n: u64, xbar: f64, ybar: f64, vx: f64, vy: f64, cxy: f64, confidence: f64) -> Estimate {
    if n == 0 || ybar.is_nan() || ybar <= 0.0 {
        return Estimate::none();
    }
    let r = xbar / ybar;
    if n < 2 {
        return Estimate { mean: Some(r), ..Estimate::default() };
    }
    let var = ((vx - 2.0 * r * cxy + r * r * vy) / (ybar * ybar) / n as f64).max(0.0);
    Estimate::symmetric(r, t_quantile(confidence, n - 1) * var.sqrt())
}

/// Sums for the share `Σx / Σy` of one part `x` in a total `y` whose moments are kept
/// elsewhere; only replications where `x ≠ 0` need to be added (zeros add nothing).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Share {
    sum_x: ExactSum,
    sum_xx: ExactSum,
    sum_xy: ExactSum,
}

impl Share {
    /// Adds one replication's part `x` of total `y`.
    pub fn add(&mut self, x: f64, y: f64) {
        self.sum_x.add(x);
        self.sum_xx.add_product(x, x);
        self.sum_xy.add_product(x, y);
    }

    /// Merges another accumulator.
    pub fn merge(&mut self, o: &Share) {
        self.sum_x.merge(&o.sum_x);
        self.sum_xx.merge(&o.sum_xx);
        self.sum_xy.merge(&o.sum_xy);
    }

    /// Whether the sums are plausible (see [`ExactSum::is_plausible`]).
    pub fn plausible(&self) -> bool {
        self.sum_x.is_plausible() && self.sum_xx.is_plausible() && self.sum_xy.is_plausible()
    }

    /// Whether nothing but zeros was added.
    pub fn is_zero(&self) -> bool {
        self.sum_x.value() == 0.0
    }

    /// `Σx / Σy` with an interval, where `total` holds the moments of `y` over all replications.
    pub fn share_of(&self, total: &Moments, confidence: f64) -> Estimate {
        let n = total.n;
        if n < 2 {
            return ratio_estimate(n, self.sum_x.value() / n.max(1) as f64, total.mean(), 0.0, 0.0, 0.0, confidence);
        }
        let nf = n as f64;
        let vx = centered_cross_sum(n, &self.sum_x, &self.sum_x, &self.sum_xx) / (nf * (nf - 1.0));
        let cxy = centered_cross_sum(n, &self.sum_x, &total.sum, &self.sum_xy) / (nf * (nf - 1.0));
        ratio_estimate(n, self.sum_x.value() / nf, total.mean(), vx.max(0.0), total.variance(), cxy, confidence)
    }
}

/// Two-sided Student-t quantile for `confidence` with `df` degrees of freedom.
pub fn t_quantile(confidence: f64, df: u64) -> f64 {
    let p = 0.5 + confidence / 2.0;
    match StudentsT::new(0.0, 1.0, df as f64) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => normal_quantile(confidence),
    }
}

/// Two-sided standard normal quantile for `confidence`.
pub fn normal_quantile(confidence: f64) -> f64 {
    Normal::standard().inverse_cdf(0.5 + confidence / 2.0)
}

/// The `p`-quantile of a histogram with a distribution-free interval at `confidence`.
pub fn quantile(h: &LogHistogram, p: f64, confidence: f64) -> QuantileEstimate {
    let n = h.total();
    if n == 0 {
        return QuantileEstimate::default();
    }
    let nf = n as f64;
    let z = normal_quantile(confidence);
    let spread = z * (nf * p * (1.0 - p)).sqrt();
    let lo_rank = (nf * p - spread).floor().max(1.0) as u64 - 1;
    let hi_rank = ((nf * p + spread).ceil() as u64).clamp(1, n) - 1;
    QuantileEstimate { value: h.quantile(p), ci_low: h.value_at_rank(lo_rank), ci_high: h.value_at_rank(hi_rank) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_interval_matches_textbook_values() {
        assert!((t_quantile(0.95, 10) - 2.228).abs() < 1e-3);
        assert!((t_quantile(0.95, 1_000_000) - 1.960).abs() < 1e-3);
        let mut m = Moments::default();
        for x in [1.0, 2.0, 3.0, 4.0, 5.0] {
            m.add(x);
        }
        assert_eq!(m.mean(), 3.0);
        assert!((m.variance() - 2.5).abs() < 1e-12);
        let e = m.estimate(0.95);
        let half = 2.776 * (2.5f64 / 5.0).sqrt();
        assert!((e.half_width().unwrap() - half).abs() < 1e-3);
    }

    #[test]
    fn constant_values_give_a_zero_width_interval() {
        let mut m = Moments::default();
        for _ in 0..10 {
            m.add(0.1);
        }
        let e = m.estimate(0.95);
        assert_eq!(e.ci_low, e.ci_high);
    }

    #[test]
    fn ratio_of_proportional_pairs_is_exact() {
        let mut p = Pair::default();
        for k in 1..20 {
            p.add(3.0 * k as f64, k as f64);
        }
        let e = p.ratio(0.0, 1.0, 0.95);
        assert!((e.mean.unwrap() - 3.0).abs() < 1e-12);
        assert!(e.half_width().unwrap() < 1e-6);
        assert_eq!(Pair::default().ratio(0.0, 1.0, 0.95), Estimate::none());
    }
}
