//! Maximum-likelihood estimates of each family from right-censored durations.
//!
//! - Exponential: closed form, mean = total time / observed count.
//! - Weibull: the scale is profiled out exactly even with censoring (λ^k = Σ t^k / d for every
//!   t, observed or censored), leaving one decreasing score equation in k, solved by bisection.
//! - Lognormal: closed form without censoring (mean and standard deviation of ln t, the
//!   latter with divisor n); with censoring, Nelder–Mead over (mu, ln sigma) from the closed
//!   form of the observed values.
//! - Gamma: without censoring the scale is profiled out (β = mean / α, then
//!   ln α − ψ(α) = ln mean − mean ln t, solved by bisection); with censoring, Nelder–Mead over
//!   (ln α, ln β) from that profile of the observed values.
//!
//! Every estimator needs at least one observed value, and the two-parameter ones at least two
//! distinct observed values; otherwise there is no maximum and the result is `None`.

use statrs::function::gamma::digamma;

use super::dist::{Dist, Family, Sample};
use super::optimize::{bisect_decreasing, nelder_mead};

/// The maximum-likelihood estimate of `family` from `s`, or `None` when the likelihood has no
/// maximum (no observed value, all observed values equal, or no convergence).
pub fn estimate(family: Family, s: &Sample) -> Option<Dist> {
    let d = s.observed.len();
    if d == 0 || s.observed.iter().chain(&s.censored).any(|t| !(t.is_finite() && *t > 0.0)) {
        return None;
    }
    let dist = match family {
        Family::Exponential => Some(Dist::Exponential { mean: s.total() / d as f64 }),
        Family::Weibull => weibull(s),
        Family::Lognormal => lognormal(s),
        Family::Gamma => gamma(s),
    }?;
    let ok = dist.parameters().iter().all(|(_, v)| v.is_finite()) && s.log_likelihood(&dist).is_finite();
    ok.then_some(dist)
}

/// Whether the observed values hold at least two distinct ones (a two-parameter fit needs
/// spread).
fn spread(s: &Sample) -> bool {
    s.observed.iter().any(|&t| t != s.observed[0])
}

fn weibull(s: &Sample) -> Option<Dist> {
    if !spread(s) {
        return None;
    }
    // Divide by the largest value so that x^k never overflows, whatever k is tried.
    let c = s.observed.iter().chain(&s.censored).fold(0.0f64, |a, &b| a.max(b));
    let logs: Vec<f64> = s.observed.iter().chain(&s.censored).map(|&t| (t / c).ln()).collect();
    let d = s.observed.len() as f64;
    let sum_ln_obs: f64 = s.observed.iter().map(|&t| (t / c).ln()).sum();
    // The profile score in k: d/k + Σ_obs ln x − d Σ x^k ln x / Σ x^k, decreasing in k.
    let score = |u: f64| {
        let k = u.exp();
        let (mut a, mut b) = (0.0, 0.0);
        for &lx in &logs {
            let p = (k * lx).exp();
            a += p;
            b += p * lx;
        }
        d / k + sum_ln_obs - d * b / a
    };
    let u = bisect_decreasing(score, (0.01f64).ln(), (100.0f64).ln(), 1e-12)?;
    let k = u.exp();
    let sum: f64 = logs.iter().map(|&lx| (k * lx).exp()).sum();
    let scale = c * (sum / d).powf(1.0 / k);
    Some(Dist::Weibull { shape: k, scale })
}

fn lognormal(s: &Sample) -> Option<Dist> {
    if !spread(s) {
        return None;
    }
    let logs: Vec<f64> = s.observed.iter().map(|t| t.ln()).collect();
    let n = logs.len() as f64;
    let mu = logs.iter().sum::<f64>() / n;
    let sigma = (logs.iter().map(|l| (l - mu) * (l - mu)).sum::<f64>() / n).sqrt();
    let closed = Dist::Lognormal { mu, sigma };
    if s.censored.is_empty() {
        return Some(closed);
    }
    let m = nelder_mead(|th| s.log_likelihood(&Family::Lognormal.at(th)), &closed.theta(), &[0.3, 0.3], 1e-13);
    Some(Family::Lognormal.at(&m.x))
}

/// The gamma's shape and scale that maximise the likelihood of `values`, all observed.
fn gamma_profile(values: &[f64]) -> Option<Dist> {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let target = mean.ln() - values.iter().map(|t| t.ln()).sum::<f64>() / n;
    if target.is_nan() || target <= 0.0 {
        return None;
    }
    // ln α − ψ(α) falls from +∞ to 0 as α grows.
    let u = bisect_decreasing(|u: f64| u - digamma(u.exp()) - target, (1e-4f64).ln(), (1e6f64).ln(), 1e-12)?;
    let shape = u.exp();
    Some(Dist::Gamma { shape, scale: mean / shape })
}

fn gamma(s: &Sample) -> Option<Dist> {
    if !spread(s) {
        return None;
    }
    let start = gamma_profile(&s.observed)?;
    if s.censored.is_empty() {
        return Some(start);
    }
    let m = nelder_mead(|th| s.log_likelihood(&Family::Gamma.at(th)), &start.theta(), &[0.3, 0.3], 1e-13);
    Some(Family::Gamma.at(&m.x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use super::super::optimize::gradient;

    fn sample(observed: &[f64], censored: &[f64]) -> Sample {
        Sample { observed: observed.to_vec(), censored: censored.to_vec() }
    }

    #[test]
    fn exponential_is_total_time_over_failures() {
        // 1 + 2 + 3 observed, 4 censored: 10 h at risk, 3 failures, mean 10/3 h.
        let d = estimate(Family::Exponential, &sample(&[1.0, 2.0, 3.0], &[4.0])).unwrap();
        assert_eq!(d, Dist::Exponential { mean: 10.0 / 3.0 });
        assert_eq!(estimate(Family::Exponential, &sample(&[], &[4.0])), None);
    }

    #[test]
    fn the_uncensored_lognormal_is_the_log_mean_and_deviation() {
        // ln t = 0, 1, 2: mean 1, variance (1 + 0 + 1)/3.
        let e = std::f64::consts::E;
        let d = estimate(Family::Lognormal, &sample(&[1.0, e, e * e], &[])).unwrap();
        let Dist::Lognormal { mu, sigma } = d else { panic!("{d:?}") };
        assert!((mu - 1.0).abs() < 1e-12 && (sigma - (2.0f64 / 3.0).sqrt()).abs() < 1e-12, "{d:?}");
    }

    #[test]
    fn every_estimate_is_a_stationary_point_of_its_likelihood() {
        // A mixed sample with censoring: at the maximum the gradient in θ vanishes, and the
        // likelihood is not higher a little way off in any direction.
        let s = sample(&[0.3, 1.1, 2.0, 2.5, 4.2, 7.7, 0.9, 12.0, 3.3, 0.05], &[5.0, 9.0, 1.0]);
        for f in Family::ALL {
            let d = estimate(f, &s).unwrap_or_else(|| panic!("{f:?} did not fit"));
            let th = d.theta();
            let l = |x: &[f64]| s.log_likelihood(&f.at(x));
            let g = gradient(l, &th, 1e-6);
            assert!(g.iter().all(|v| v.abs() < 1e-4), "{f:?}: gradient {g:?} at {d:?}");
            for i in 0..th.len() {
                for delta in [-1e-3, 1e-3] {
                    let mut p = th.clone();
                    p[i] += delta;
                    assert!(l(&p) <= l(&th) + 1e-9, "{f:?}: higher at {p:?}");
                }
            }
        }
    }

    #[test]
    fn the_weibull_with_shape_one_data_matches_the_exponential_likelihood() {
        // For any data, the Weibull maximum is at least the exponential's (k = 1 is a Weibull).
        let s = sample(&[0.3, 1.1, 2.0, 2.5, 4.2, 7.7], &[5.0]);
        let w = estimate(Family::Weibull, &s).unwrap();
        let e = estimate(Family::Exponential, &s).unwrap();
        assert!(s.log_likelihood(&w) >= s.log_likelihood(&e));
        let Dist::Exponential { mean } = e else { unreachable!() };
        assert!((s.log_likelihood(&Dist::Weibull { shape: 1.0, scale: mean }) - s.log_likelihood(&e)).abs() < 1e-12);
    }

    #[test]
    fn degenerate_samples_have_no_two_parameter_fit() {
        let s = sample(&[2.0, 2.0, 2.0], &[1.0]);
        for f in [Family::Weibull, Family::Lognormal, Family::Gamma] {
            assert_eq!(estimate(f, &s), None, "{f:?}");
        }
        assert!(estimate(Family::Exponential, &s).is_some());
        assert_eq!(estimate(Family::Weibull, &sample(&[1.0, f64::NAN], &[])), None);
    }
}
