//! Probability distributions of durations (times to failure, detection and repair), with
//! parameters precomputed for sampling. Every sample is in seconds and never negative.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp1, Gamma, StandardNormal};

use crate::format::duration as format_duration;

/// A distribution of durations in seconds.
#[derive(Clone, Debug)]
pub enum Dist {
    /// Exponential with the given mean.
    Exponential {
        /// Mean (seconds).
        mean: f64,
    },
    /// Weibull: `scale · E^(1/shape)` with `E` standard exponential.
    Weibull {
        /// Shape `k`.
        shape: f64,
        /// Scale (seconds).
        scale: f64,
        /// `1/shape`, precomputed.
        inv_shape: f64,
    },
    /// Lognormal: `exp(mu + sigma · Z)`; `exp(mu)` is the median.
    LogNormal {
        /// Mean of the log of the duration in seconds.
        mu: f64,
        /// Standard deviation of the log.
        sigma: f64,
    },
    /// Gamma with shape and scale.
    Gamma {
        /// Shape.
        shape: f64,
        /// Scale (seconds).
        scale: f64,
        /// The sampler (boxed: it is large, and keeping `Dist` small keeps the engine's
        /// per-process arrays dense).
        sampler: Box<Gamma<f64>>,
    },
    /// Normal truncated at zero (negative draws are redrawn).
    Normal {
        /// Mean (seconds) of the untruncated normal.
        mean: f64,
        /// Standard deviation (seconds).
        sd: f64,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower end (seconds).
        min: f64,
        /// Upper end (seconds).
        max: f64,
    },
    /// Always the same duration.
    Fixed {
        /// The duration (seconds).
        value: f64,
    },
    /// One of the given samples, each equally likely.
    Empirical {
        /// The samples (seconds).
        samples: Box<[f64]>,
    },
}

impl Dist {
    /// Weibull from shape and scale (both positive, checked by the reader).
    pub fn weibull(shape: f64, scale: f64) -> Dist {
        Dist::Weibull { shape, scale, inv_shape: 1.0 / shape }
    }

    /// Lognormal from its median (seconds) and the standard deviation of the log.
    pub fn lognormal(median: f64, sigma: f64) -> Dist {
        Dist::LogNormal { mu: median.ln(), sigma }
    }

    /// Gamma from shape and scale; `None` if the parameters are not positive and finite.
    pub fn gamma(shape: f64, scale: f64) -> Option<Dist> {
        Gamma::new(shape, scale).ok().map(|sampler| Dist::Gamma { shape, scale, sampler: Box::new(sampler) })
    }

    /// Draws one duration in seconds. Always inlined: the engine draws once per event, and left
    /// to itself the compiler kept this a call (with the ziggurat's slow path behind it).
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // The exponential is the commonest by far and the cheapest: keep it on the caller's path.
        if let Dist::Exponential { mean } = self {
            return mean * <Exp1 as Distribution<f64>>::sample(&Exp1, rng);
        }
        self.sample_other(rng)
    }

    fn sample_other<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Exponential { mean } => mean * <Exp1 as Distribution<f64>>::sample(&Exp1, rng),
            Dist::Weibull { scale, inv_shape, .. } => {
                let e: f64 = Exp1.sample(rng);
                scale * e.powf(*inv_shape)
            }
            Dist::LogNormal { mu, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Dist::Gamma { sampler, .. } => sampler.sample(rng).max(0.0),
            Dist::Normal { mean, sd } => loop {
                // The reader requires mean > 0, so at least half of the draws are kept.
                let z: f64 = StandardNormal.sample(rng);
                let x = mean + sd * z;
                if x >= 0.0 {
                    break x;
                }
            },
            Dist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            Dist::Fixed { value } => *value,
            Dist::Empirical { samples } => samples[rng.random_range(0..samples.len())],
        }
    }

    /// The mean duration in seconds.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Exponential { mean } => *mean,
            Dist::Weibull { shape, scale, .. } => scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape),
            Dist::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Gamma { shape, scale, .. } => shape * scale,
            Dist::Normal { mean, sd } => {
                if *sd == 0.0 {
                    return *mean;
                }
                use statrs::distribution::{Continuous, ContinuousCDF, Normal};
                let n = Normal::standard();
                let alpha = -mean / sd;
                mean + sd * n.pdf(alpha) / (1.0 - n.cdf(alpha))
            }
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Fixed { value } => *value,
            Dist::Empirical { samples } => samples.iter().sum::<f64>() / samples.len() as f64,
        }
    }

    /// The distribution's name as written in scenarios.
    pub fn name(&self) -> &'static str {
        match self {
            Dist::Exponential { .. } => "exponential",
            Dist::Weibull { .. } => "weibull",
            Dist::LogNormal { .. } => "lognormal",
            Dist::Gamma { .. } => "gamma",
            Dist::Normal { .. } => "normal",
            Dist::Uniform { .. } => "uniform",
            Dist::Fixed { .. } => "fixed",
            Dist::Empirical { .. } => "empirical",
        }
    }

    /// A short description for reports, e.g. `weibull(shape 0.67, scale 93h)`.
    pub fn describe(&self) -> String {
        let d = format_duration;
        match self {
            Dist::Exponential { mean } => format!("exponential(mean {})", d(*mean)),
            Dist::Weibull { shape, scale, .. } => format!("weibull(shape {shape}, scale {})", d(*scale)),
            Dist::LogNormal { mu, sigma } => format!("lognormal(median {}, sigma {sigma})", d(mu.exp())),
            Dist::Gamma { shape, scale, .. } => format!("gamma(shape {shape}, scale {})", d(*scale)),
            Dist::Normal { mean, sd } => format!("normal(mean {}, sd {}, truncated at 0)", d(*mean), d(*sd)),
            Dist::Uniform { min, max } => format!("uniform({} to {})", d(*min), d(*max)),
            Dist::Fixed { value } => format!("fixed({})", d(*value)),
            Dist::Empirical { samples } => format!("empirical({} samples, mean {})", samples.len(), d(self.mean())),
        }
    }

    /// Whether this is the exponential distribution (the subset with exact answers).
    pub fn is_exponential(&self) -> bool {
        matches!(self, Dist::Exponential { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn sample_mean(d: &Dist, n: usize) -> f64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
        (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_analytic_means() {
        let cases = [
            Dist::Exponential { mean: 10.0 },
            Dist::weibull(0.7, 100.0),
            Dist::weibull(2.0, 100.0),
            Dist::lognormal(50.0, 0.8),
            Dist::gamma(2.5, 4.0).unwrap(),
            Dist::Normal { mean: 10.0, sd: 8.0 },
            Dist::Uniform { min: 2.0, max: 6.0 },
            Dist::Fixed { value: 3.0 },
            Dist::Empirical { samples: vec![1.0, 2.0, 6.0].into() },
        ];
        for d in &cases {
            let m = sample_mean(d, 400_000);
            let rel = (m - d.mean()).abs() / d.mean();
            assert!(rel < 0.01, "{}: sample mean {m} vs mean {}", d.describe(), d.mean());
        }
    }

    #[test]
    fn samples_are_never_negative() {
        let d = Dist::Normal { mean: 1.0, sd: 10.0 };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        assert!((0..100_000).all(|_| d.sample(&mut rng) >= 0.0));
    }
}
