//! One sample, every family: the maximum-likelihood fits with their confidence intervals,
//! information criteria and distance from Kaplan–Meier, ranked by AIC.
//!
//! Intervals are Wald intervals from the observed information (the negative Hessian of the
//! log-likelihood at its maximum, by central differences) in each family's working coordinates
//! (logarithms of positive parameters, the lognormal's mu as it is), mapped back: so they are
//! asymmetric and never leave the parameter space. The mean and median get theirs by the delta
//! method on their logarithm.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use super::dist::{Dist, Family, Sample};
use super::km::{self, Step};
use super::mle;
use super::optimize::{gradient, hessian, inverse_spd};

/// Fewer observed durations than this get only the exponential fit.
pub const MIN_FOR_TWO_PARAMETERS: usize = 5;

/// Central-difference step of the observed information, in working coordinates.
const HESSIAN_STEP: f64 = 1e-4;

/// A value with its confidence interval (`None` where it could not be computed).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// Low end of the interval.
    pub ci_low: Option<f64>,
    /// High end of the interval.
    pub ci_high: Option<f64>,
}

impl Estimate {
    /// Whether the interval holds `x`.
    pub fn covers(&self, x: f64) -> bool {
        matches!((self.ci_low, self.ci_high), (Some(lo), Some(hi)) if lo <= x && x <= hi)
    }
}

/// One family fitted to one sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// The fitted distribution (hours).
    pub dist: Dist,
    /// Each parameter as reported ([`Dist::parameters`]) with its interval.
    pub parameters: Vec<(&'static str, Estimate)>,
    /// The mean, hours.
    pub mean: Estimate,
    /// The median, hours.
    pub median: Estimate,
    /// The maximised log-likelihood (densities in 1/hours).
    pub log_likelihood: f64,
    /// Akaike's criterion, 2p − 2 ln L.
    pub aic: f64,
    /// The Bayesian criterion, p ln d − 2 ln L with d the observed count.
    pub bic: f64,
    /// AIC minus the best AIC of the set.
    pub delta_aic: f64,
    /// Kolmogorov–Smirnov distance from Kaplan–Meier.
    pub ks: f64,
}

impl Fit {
    /// The family.
    pub fn family(&self) -> Family {
        self.dist.family()
    }

    /// The parameter called `name`.
    pub fn parameter(&self, name: &str) -> Option<&Estimate> {
        self.parameters.iter().find(|(n, _)| *n == name).map(|(_, e)| e)
    }
}

/// Every fit of one sample.
#[derive(Clone, Debug, PartialEq)]
pub struct FitSet {
    /// The durations fitted.
    pub sample: Sample,
    /// The interval level.
    pub confidence: f64,
    /// The fits, best (lowest AIC) first.
    pub fits: Vec<Fit>,
    /// With nothing observed: the one-sided lower confidence bound of an exponential mean,
    /// hours (no failure in T hours: mean > T / −ln(1 − confidence)).
    pub mean_above: Option<f64>,
    /// What was not fitted and why.
    pub notes: Vec<String>,
    /// The Kaplan–Meier estimate.
    pub km: Vec<Step>,
}

impl FitSet {
    /// The best fit by AIC.
    pub fn best(&self) -> Option<&Fit> {
        self.fits.first()
    }

    /// The fit of `family`, if it was made.
    pub fn of(&self, family: Family) -> Option<&Fit> {
        self.fits.iter().find(|f| f.family() == family)
    }
}

/// Fits every family to `sample` (only the exponential below [`MIN_FOR_TWO_PARAMETERS`]
/// observed durations; nothing, but a bound, with none), intervals at `confidence`.
pub fn fit_sample(sample: &Sample, confidence: f64) -> FitSet {
    let d = sample.observed.len();
    let km = km::kaplan_meier(sample);
    let mut set = FitSet { sample: sample.clone(), confidence, fits: Vec::new(), mean_above: None, notes: Vec::new(), km };
    if d == 0 {
        let total = sample.total();
        if total > 0.0 {
            set.mean_above = Some(total / -(1.0 - confidence).ln());
        } else {
            set.notes.push("nothing observed, so nothing to fit".to_string());
        }
        return set;
    }
    let families: &[Family] = if d < MIN_FOR_TWO_PARAMETERS { &Family::ALL[..1] } else { &Family::ALL };
    if d < MIN_FOR_TWO_PARAMETERS {
        set.notes.push(format!("only {d} observed (fewer than {MIN_FOR_TWO_PARAMETERS}): the exponential alone is fitted"));
    }
    let z = Normal::standard().inverse_cdf(0.5 + confidence / 2.0);
    for &family in families {
        match fit_one(family, sample, z, &set.km) {
            Ok(fit) => set.fits.push(fit),
            Err(why) => set.notes.push(format!("{}: {why}", family.name())),
        }
    }
    set.fits.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    let best = set.fits.first().map_or(0.0, |f| f.aic);
    for f in &mut set.fits {
        f.delta_aic = f.aic - best;
    }
    set
}

fn fit_one(family: Family, sample: &Sample, z: f64, km_steps: &[Step]) -> Result<Fit, String> {
    let dist = mle::estimate(family, sample).ok_or("the likelihood has no maximum (too little spread in the data)")?;
    let theta = dist.theta();
    let ll = |th: &[f64]| sample.log_likelihood(&family.at(th));
    let log_likelihood = ll(&theta);
    let info: Vec<Vec<f64>> = hessian(ll, &theta, HESSIAN_STEP).into_iter().map(|r| r.into_iter().map(|v| -v).collect()).collect();
    let cov = inverse_spd(&info);
    let parameters = interval_parameters(family, &dist, &theta, cov.as_deref(), z);
    let derived = |g: &dyn Fn(&Dist) -> f64| -> Estimate {
        let value = g(&dist);
        let Some(cov) = cov.as_deref() else { return Estimate { value, ci_low: None, ci_high: None } };
        let grad = gradient(|th| g(&family.at(th)).ln(), &theta, 1e-6);
        let var: f64 = (0..grad.len()).map(|i| (0..grad.len()).map(|j| grad[i] * cov[i][j] * grad[j]).sum::<f64>()).sum();
        if !(var >= 0.0 && var.is_finite()) {
            return Estimate { value, ci_low: None, ci_high: None };
        }
        let half = z * var.sqrt();
        Estimate { value, ci_low: Some(value * (-half).exp()), ci_high: Some(value * half.exp()) }
    };
    let mean = derived(&|d: &Dist| d.mean());
    let median = derived(&|d: &Dist| d.median());
    let p = family.parameters() as f64;
    let d = sample.observed.len() as f64;
    Ok(Fit {
        dist,
        parameters,
        mean,
        median,
        log_likelihood,
        aic: 2.0 * p - 2.0 * log_likelihood,
        bic: p * d.ln() - 2.0 * log_likelihood,
        delta_aic: 0.0,
        ks: km::ks_distance(km_steps, |t| dist.cdf(t)),
    })
}

/// The reported parameters with Wald intervals in working coordinates, mapped back.
fn interval_parameters(family: Family, dist: &Dist, theta: &[f64], cov: Option<&[Vec<f64>]>, z: f64) -> Vec<(&'static str, Estimate)> {
    dist.parameters()
        .into_iter()
        .enumerate()
        .map(|(i, (name, value))| {
            let se = cov.map(|c| c[i][i]).filter(|v| *v >= 0.0 && v.is_finite()).map(f64::sqrt);
            let (lo, hi) = match se {
                Some(se) => {
                    let (a, b) = (theta[i] - z * se, theta[i] + z * se);
                    // Working coordinates are logarithms except the lognormal's mu.
                    if family == Family::Lognormal && i == 0 { (Some(a), Some(b)) } else { (Some(a.exp()), Some(b.exp())) }
                }
                None => (None, None),
            };
            (name, Estimate { value, ci_low: lo, ci_high: hi })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exponential_interval_is_exp_of_log_mean_plus_minus_z_over_root_d() {
        // 4 failures in 20 h: mean 5 h, observed information in ln(mean) is d = 4, so the 95 %
        // interval is 5·exp(±1.959964/2).
        let s = Sample { observed: vec![1.0, 2.0, 3.0, 4.0], censored: vec![10.0] };
        let set = fit_sample(&s, 0.95);
        assert_eq!(set.fits.len(), 1, "fewer than 5 observed: exponential only");
        assert!(set.notes[0].contains("exponential alone"));
        let m = set.fits[0].parameter("mean").unwrap();
        assert!((m.value - 5.0).abs() < 1e-12);
        let half: f64 = 1.959_963_984_540_054 / 2.0;
        assert!((m.ci_low.unwrap() - 5.0 * (-half).exp()).abs() < 1e-5, "{m:?}");
        assert!((m.ci_high.unwrap() - 5.0 * half.exp()).abs() < 1e-5, "{m:?}");
        // ln L = -4 ln 5 - 20/5; AIC = 2 - 2 ln L; BIC = ln 4 - 2 ln L.
        let ll = -4.0 * 5f64.ln() - 4.0;
        assert!((set.fits[0].log_likelihood - ll).abs() < 1e-12);
        assert!((set.fits[0].aic - (2.0 - 2.0 * ll)).abs() < 1e-12);
        assert!((set.fits[0].bic - (4f64.ln() - 2.0 * ll)).abs() < 1e-12);
    }

    #[test]
    fn nothing_observed_gives_a_one_sided_bound() {
        // No failure in 300 h: at 95 %, mean > 300 / ln 20 = 100.14 h.
        let set = fit_sample(&Sample { observed: vec![], censored: vec![300.0] }, 0.95);
        assert!(set.fits.is_empty());
        assert!((set.mean_above.unwrap() - 300.0 / 20f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn fits_are_ranked_by_aic() {
        let s = Sample { observed: vec![0.2, 0.5, 0.9, 1.4, 2.2, 3.1, 4.9, 8.0, 13.0, 30.0], censored: vec![40.0] };
        let set = fit_sample(&s, 0.9);
        assert_eq!(set.fits.len(), 4);
        assert!(set.fits.windows(2).all(|w| w[0].aic <= w[1].aic));
        assert_eq!(set.fits[0].delta_aic, 0.0);
        for f in &set.fits {
            for (name, e) in &f.parameters {
                assert!(e.covers(e.value), "{:?} {name}: {e:?}", f.family());
            }
            assert!(f.mean.covers(f.mean.value) && f.median.covers(f.median.value));
            assert!(f.ks > 0.0 && f.ks < 0.5);
        }
    }
}
