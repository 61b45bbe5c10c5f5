//! The four fitted families as distributions of durations in hours: densities and survival
//! functions for the likelihood, the CDF for goodness of fit and plots, mean and median.
//!
//! Each family also has its *working coordinates* θ, in which the optimiser and the Wald
//! intervals operate: logarithms of the positive parameters (and the lognormal's `mu` as it is),
//! so every interval maps back inside the parameter space.

use serde::Serialize;
use statrs::function::erf::erfc;
use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur, ln_gamma};

/// A family of distributions relsim fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Exponential (constant hazard): one parameter, the mean.
    Exponential,
    /// Weibull: shape and scale.
    Weibull,
    /// Lognormal: the mean `mu` and standard deviation `sigma` of the log (of hours).
    Lognormal,
    /// Gamma: shape and scale.
    Gamma,
}

impl Family {
    /// Every family, in the order they are fitted and tabled before ranking.
    pub const ALL: [Family; 4] = [Family::Exponential, Family::Weibull, Family::Lognormal, Family::Gamma];

    /// The name as written in scenarios (`dist = "weibull"`).
    pub fn name(self) -> &'static str {
        match self {
            Family::Exponential => "exponential",
            Family::Weibull => "weibull",
            Family::Lognormal => "lognormal",
            Family::Gamma => "gamma",
        }
    }

    /// How many parameters it has.
    pub fn parameters(self) -> usize {
        if self == Family::Exponential { 1 } else { 2 }
    }

    /// The distribution at working coordinates `theta`.
    pub fn at(self, theta: &[f64]) -> Dist {
        let e = |i: usize| theta.get(i).copied().unwrap_or(f64::NAN).exp();
        match self {
            Family::Exponential => Dist::Exponential { mean: e(0) },
            Family::Weibull => Dist::Weibull { shape: e(0), scale: e(1) },
            Family::Lognormal => Dist::Lognormal { mu: theta.first().copied().unwrap_or(f64::NAN), sigma: e(1) },
            Family::Gamma => Dist::Gamma { shape: e(0), scale: e(1) },
        }
    }
}

/// A fitted distribution of durations in hours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dist {
    /// Exponential with this mean (hours).
    Exponential {
        /// Mean, hours.
        mean: f64,
    },
    /// Weibull.
    Weibull {
        /// Shape k.
        shape: f64,
        /// Scale, hours.
        scale: f64,
    },
    /// Lognormal: ln(duration in hours) is normal.
    Lognormal {
        /// Mean of ln hours.
        mu: f64,
        /// Standard deviation of ln hours.
        sigma: f64,
    },
    /// Gamma.
    Gamma {
        /// Shape.
        shape: f64,
        /// Scale, hours.
        scale: f64,
    },
}

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

impl Dist {
    /// Its family.
    pub fn family(&self) -> Family {
        match self {
            Dist::Exponential { .. } => Family::Exponential,
            Dist::Weibull { .. } => Family::Weibull,
            Dist::Lognormal { .. } => Family::Lognormal,
            Dist::Gamma { .. } => Family::Gamma,
        }
    }

    /// Its working coordinates (see [`Family::at`]).
    pub fn theta(&self) -> Vec<f64> {
        match *self {
            Dist::Exponential { mean } => vec![mean.ln()],
            Dist::Weibull { shape, scale } => vec![shape.ln(), scale.ln()],
            Dist::Lognormal { mu, sigma } => vec![mu, sigma.ln()],
            Dist::Gamma { shape, scale } => vec![shape.ln(), scale.ln()],
        }
    }

    /// ln of the density at `t` hours (> 0).
    pub fn ln_pdf(&self, t: f64) -> f64 {
        match *self {
            Dist::Exponential { mean } => -mean.ln() - t / mean,
            Dist::Weibull { shape, scale } => {
                let z = (t / scale).ln();
                shape.ln() - scale.ln() + (shape - 1.0) * z - (shape * z).exp()
            }
            Dist::Lognormal { mu, sigma } => {
                let z = (t.ln() - mu) / sigma;
                -t.ln() - sigma.ln() - LN_SQRT_2PI - 0.5 * z * z
            }
            Dist::Gamma { shape, scale } => -ln_gamma(shape) - shape * scale.ln() + (shape - 1.0) * t.ln() - t / scale,
        }
    }

    /// ln of the survival function P(T > t) at `t` hours (> 0).
    pub fn ln_sf(&self, t: f64) -> f64 {
        match *self {
            Dist::Exponential { mean } => -t / mean,
            Dist::Weibull { shape, scale } => -(shape * (t / scale).ln()).exp(),
            Dist::Lognormal { mu, sigma } => (0.5 * erfc((t.ln() - mu) / sigma / std::f64::consts::SQRT_2)).ln(),
            Dist::Gamma { shape, scale } => checked_gamma_ur(shape, t / scale).map_or(f64::NAN, f64::ln),
        }
    }

    /// P(T ≤ t) at `t` hours.
    pub fn cdf(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        match *self {
            Dist::Exponential { mean } => -(-t / mean).exp_m1(),
            Dist::Weibull { shape, scale } => -(-(shape * (t / scale).ln()).exp()).exp_m1(),
            Dist::Lognormal { mu, sigma } => 0.5 * erfc(-(t.ln() - mu) / sigma / std::f64::consts::SQRT_2),
            Dist::Gamma { shape, scale } => checked_gamma_lr(shape, t / scale).unwrap_or(f64::NAN),
        }
    }

    /// The mean, hours.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Exponential { mean } => mean,
            Dist::Weibull { shape, scale } => scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape),
            Dist::Lognormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
            Dist::Gamma { shape, scale } => shape * scale,
        }
    }

    /// The median, hours.
    pub fn median(&self) -> f64 {
        match *self {
            Dist::Exponential { mean } => mean * std::f64::consts::LN_2,
            Dist::Weibull { shape, scale } => scale * std::f64::consts::LN_2.powf(1.0 / shape),
            Dist::Lognormal { mu, .. } => mu.exp(),
            Dist::Gamma { .. } => self.quantile(0.5),
        }
    }

    /// The `p` quantile, hours, by bisection on ln t (the CDF is increasing).
    pub fn quantile(&self, p: f64) -> f64 {
        if !(p > 0.0 && p < 1.0) {
            return f64::NAN;
        }
        let center = match *self {
            Dist::Gamma { shape, scale } => (shape * scale).ln(),
            _ => self.mean().ln(),
        };
        if !center.is_finite() {
            return f64::NAN;
        }
        let g = |u: f64| p - self.cdf(u.exp());
        let (mut lo, mut hi) = (center - 1.0, center + 1.0);
        for _ in 0..200 {
            if g(lo) >= 0.0 {
                break;
            }
            lo -= 2.0;
        }
        for _ in 0..200 {
            if g(hi) <= 0.0 {
                break;
            }
            hi += 2.0;
        }
        super::optimize::bisect_decreasing(g, lo, hi, 1e-12).map_or(f64::NAN, f64::exp)
    }

    /// The parameters' names and values as reported (hours for scales and means, ln hours for
    /// the lognormal's `mu`).
    pub fn parameters(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Dist::Exponential { mean } => vec![("mean", mean)],
            Dist::Weibull { shape, scale } => vec![("shape", shape), ("scale", scale)],
            Dist::Lognormal { mu, sigma } => vec![("mu", mu), ("sigma", sigma)],
            Dist::Gamma { shape, scale } => vec![("shape", shape), ("scale", scale)],
        }
    }
}

/// Observations of a duration in hours: exact values and right-censored ones (the duration was
/// at least this). Every value is positive and finite.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    /// Durations seen to their end.
    pub observed: Vec<f64>,
    /// Durations still going on when observation stopped.
    pub censored: Vec<f64>,
}

impl Sample {
    /// The sum of every duration, observed and censored (total time at risk).
    pub fn total(&self) -> f64 {
        self.observed.iter().chain(&self.censored).sum()
    }

    /// The log-likelihood of `d`: Σ ln f(observed) + Σ ln S(censored); NaN becomes −∞.
    pub fn log_likelihood(&self, d: &Dist) -> f64 {
        let l: f64 = self.observed.iter().map(|&t| d.ln_pdf(t)).sum::<f64>() + self.censored.iter().map(|&t| d.ln_sf(t)).sum::<f64>();
        if l.is_nan() { f64::NEG_INFINITY } else { l }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms_at_known_points() {
        // Exponential mean 2: F(2) = 1 - e^-1, median 2 ln 2.
        let e = Dist::Exponential { mean: 2.0 };
        assert!((e.cdf(2.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-15);
        assert!((e.median() - 2.0 * 2f64.ln()).abs() < 1e-15);
        // Weibull k = 2, λ = 3: F(3) = 1 - e^-1, mean 3 Γ(1.5) = 3 √π / 2.
        let w = Dist::Weibull { shape: 2.0, scale: 3.0 };
        assert!((w.cdf(3.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-15);
        assert!((w.mean() - 1.5 * std::f64::consts::PI.sqrt()).abs() < 1e-12);
        // ln f + ln... : f(3) = (2/3) e^-1.
        assert!((w.ln_pdf(3.0) - ((2.0f64 / 3.0).ln() - 1.0)).abs() < 1e-14);
        // Lognormal mu = 0: the median is 1 h, F(1) = 1/2, F(e) = Φ(1/σ).
        let l = Dist::Lognormal { mu: 0.0, sigma: 1.0 };
        assert!((l.cdf(1.0) - 0.5).abs() < 1e-15);
        // (statrs' erfc is good to about 1e-11 here.)
        assert!((l.cdf(std::f64::consts::E) - 0.841_344_746_068_542_9).abs() < 1e-10);
        assert!((l.ln_sf(std::f64::consts::E) - (1.0f64 - 0.841_344_746_068_542_9).ln()).abs() < 1e-10);
        // Gamma shape 1 is the exponential; shape 2, scale 1: F(x) = 1 - (1 + x) e^-x.
        let g1 = Dist::Gamma { shape: 1.0, scale: 2.0 };
        assert!((g1.cdf(3.0) - e.cdf(3.0)).abs() < 1e-12 && (g1.ln_pdf(3.0) - e.ln_pdf(3.0)).abs() < 1e-12);
        let g2 = Dist::Gamma { shape: 2.0, scale: 1.0 };
        assert!((g2.cdf(1.5) - (1.0 - 2.5 * (-1.5f64).exp())).abs() < 1e-12);
        // The median of gamma(2, 1) is 1.678346990016661 (the root of (1 + x) e^-x = 1/2).
        assert!((g2.median() - 1.678_346_990_016_661).abs() < 1e-9, "{}", g2.median());
    }

    #[test]
    fn working_coordinates_round_trip_and_quantiles_invert_the_cdf() {
        for d in [Dist::Exponential { mean: 5.0 }, Dist::Weibull { shape: 0.6, scale: 90.0 }, Dist::Lognormal { mu: 0.2, sigma: 1.2 }, Dist::Gamma { shape: 0.7, scale: 4.0 }] {
            let back = d.family().at(&d.theta());
            for ((_, a), (_, b)) in d.parameters().iter().zip(back.parameters()) {
                assert!((a - b).abs() < 1e-12 * a.abs().max(1.0), "{d:?} {back:?}");
            }
            for p in [0.01, 0.3, 0.5, 0.9, 0.999] {
                let q = d.quantile(p);
                assert!((d.cdf(q) - p).abs() < 1e-9, "{d:?} p {p}: q {q}, F(q) {}", d.cdf(q));
            }
            // The density integrates the CDF: (F(b) - F(a)) ≈ f(mid)·(b - a) for a narrow step.
            let (a, b) = (d.median() * 0.999, d.median() * 1.001);
            let mid = 0.5 * (a + b);
            assert!(((d.cdf(b) - d.cdf(a)) / (b - a) - d.ln_pdf(mid).exp()).abs() < 1e-6 * d.ln_pdf(mid).exp().max(1e-3));
        }
    }
}
