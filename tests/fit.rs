//! `relsim fit`'s estimation against known answers: data drawn from known distributions, with
//! and without censoring.
//!
//! - Coverage: over 200 seeds per family, each 95 % interval must hold the true parameter in
//!   a share of the seeds within a binomial tolerance of 95 % (not one lucky draw).
//! - Censoring: where dropping the censored durations is clearly biased, the censored
//!   likelihood is not.
//! - Selection: on large samples AIC picks the family that generated the data.
//!
//! Seeds are fixed, so the outcome is the same on every run; the tolerances are wide enough that
//! a correct estimator passes for any seeds (the binomial band is ±3.2 standard deviations) and
//! narrow enough that a wrong interval (say 90 % or 99 % instead of 95 %) fails.

use rand::SeedableRng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Weibull};
use rand_xoshiro::Xoshiro256PlusPlus;
use relsim::fit::{fit_sample, Dist, Family, Sample};

/// Draws `n` durations from `truth`, each censored at an independent exponential time with mean
/// `censor_mean` (infinite: no censoring).
fn draw(truth: &Dist, n: usize, censor_mean: f64, seed: u64) -> Sample {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let censor = Exp::new(1.0 / censor_mean).ok();
    let mut s = Sample::default();
    for _ in 0..n {
        let t: f64 = match *truth {
            Dist::Exponential { mean } => Exp::new(1.0 / mean).unwrap().sample(&mut rng),
            Dist::Weibull { shape, scale } => Weibull::new(scale, shape).unwrap().sample(&mut rng),
            Dist::Lognormal { mu, sigma } => LogNormal::new(mu, sigma).unwrap().sample(&mut rng),
            Dist::Gamma { shape, scale } => Gamma::new(shape, scale).unwrap().sample(&mut rng),
        };
        let c = match (censor_mean.is_finite(), &censor) {
            (true, Some(e)) => e.sample(&mut rng),
            _ => f64::INFINITY,
        };
        if t.max(1e-300) <= c {
            s.observed.push(t.max(1e-300));
        } else {
            s.censored.push(c);
        }
    }
    s
}

/// The true distributions of the coverage test, and the censoring mean giving about 20 %
/// censored values for each.
fn truths() -> [(Dist, f64); 4] {
    [
        // P(censored) = mean / (mean + censor mean) = 50 / 250 = 20 %.
        (Dist::Exponential { mean: 50.0 }, 200.0),
        (Dist::Weibull { shape: 0.7, scale: 90.0 }, 500.0),
        (Dist::Lognormal { mu: 0.2, sigma: 1.2 }, 12.0),
        (Dist::Gamma { shape: 2.0, scale: 3.0 }, 25.0),
    ]
}

#[test]
fn intervals_cover_the_true_parameters_at_their_level_over_many_seeds() {
    const SEEDS: u64 = 200;
    const N: usize = 80;
    // 95 % of 200 is 190; the standard deviation is √(200 · 0.95 · 0.05) = 3.08, so ±10 is a
    // ±3.2σ band: [180, 200]. An interval that is too narrow (a 90 % one averages 180) fails;
    // one that is too wide would pass here, which `intervals_shrink_like_one_over_root_n`
    // and the width checks of the censoring test rule out.
    let (lo, hi) = (180, 200);
    for (truth, censor_mean) in truths() {
        let family = truth.family();
        let names: Vec<&str> = truth.parameters().iter().map(|p| p.0).collect();
        let mut covered = vec![0u64; names.len()];
        let mut censored = 0usize;
        for seed in 0..SEEDS {
            let s = draw(&truth, N, censor_mean, 1000 + seed);
            censored += s.censored.len();
            let set = fit_sample(&s, 0.95);
            let fit = set.of(family).unwrap_or_else(|| panic!("{family:?} seed {seed}: no fit ({:?})", set.notes));
            for (i, (name, value)) in truth.parameters().iter().enumerate() {
                let e = fit.parameter(name).unwrap();
                covered[i] += u64::from(e.covers(*value));
            }
        }
        let share = censored as f64 / (SEEDS as usize * N) as f64;
        assert!((0.1..0.35).contains(&share), "{family:?}: {share} censored, meant about 20 %");
        for (name, c) in names.iter().zip(&covered) {
            assert!((lo..=hi).contains(c), "{family:?} {name}: the 95 % interval held the truth in {c} of {SEEDS} seeds (expected {lo} to {hi})");
        }
        eprintln!("{family:?}: coverage {names:?} = {covered:?} of {SEEDS}, {:.0} % censored", share * 100.0);
    }
}

#[test]
fn intervals_shrink_like_one_over_root_n() {
    // Not a coverage check: an interval that is right but useless (too wide) would pass the
    // coverage test. For the exponential the width in ln(mean) is 2 z / √d exactly.
    let truth = Dist::Exponential { mean: 10.0 };
    let s = draw(&truth, 400, f64::INFINITY, 7);
    let fit = fit_sample(&s, 0.95);
    let m = fit.of(Family::Exponential).unwrap().parameter("mean").unwrap();
    let width = (m.ci_high.unwrap() / m.ci_low.unwrap()).ln();
    assert!((width - 2.0 * 1.959_964 / 20.0).abs() < 1e-4, "{width}");
}

#[test]
fn censoring_is_handled_where_ignoring_it_is_clearly_biased() {
    // Repair times exponential with mean 2 h, each observation cut at an exponential time with
    // mean 1 h: P(seen to the end) = 1 / (1 + 2) = 1/3, so two thirds are censored. The seen
    // durations are min(T, C) given T < C, exponential with rate 1/2 + 1 = 1.5/h: their mean is
    // 0.667 h, a third of the truth. The censored likelihood's estimate is Σ times / seen,
    // whose expectation is the true mean.
    let truth = Dist::Exponential { mean: 2.0 };
    let s = draw(&truth, 600, 1.0, 42);
    let seen = s.observed.len() as f64 / 600.0;
    assert!((seen - 1.0 / 3.0).abs() < 0.05, "{seen}");
    let naive = s.observed.iter().sum::<f64>() / s.observed.len() as f64;
    assert!((naive - 2.0 / 3.0).abs() < 0.12, "naive mean {naive}");
    let naive_fit = fit_sample(&Sample { observed: s.observed.clone(), censored: vec![] }, 0.95);
    let naive_mean = naive_fit.of(Family::Exponential).unwrap().parameter("mean").unwrap();
    assert!(!naive_mean.covers(2.0) && naive_mean.ci_high.unwrap() < 1.0, "ignoring censoring: {naive_mean:?}");
    let set = fit_sample(&s, 0.95);
    let mean = set.of(Family::Exponential).unwrap().parameter("mean").unwrap();
    assert!(mean.covers(2.0), "with censoring: {mean:?}");
    assert!(mean.ci_high.unwrap() / mean.ci_low.unwrap() < 1.6, "{mean:?} is too wide to test anything");
    // The same for a Weibull's shape (censoring cuts the long durations, so the naive fit sees
    // a steeper distribution) and a lognormal's median.
    for (truth, c) in [(Dist::Weibull { shape: 0.7, scale: 10.0 }, 5.0), (Dist::Lognormal { mu: 1.0, sigma: 1.0 }, 3.0)] {
        let family = truth.family();
        let s = draw(&truth, 800, c, 43);
        assert!(s.censored.len() > s.observed.len() / 2, "{family:?}: heavy censoring wanted");
        let fit = fit_sample(&s, 0.95);
        let naive = fit_sample(&Sample { observed: s.observed.clone(), censored: vec![] }, 0.95);
        // The Weibull's shape, the lognormal's mu.
        let (name, value) = truth.parameters()[0];
        let with = fit.of(family).unwrap().parameter(name).unwrap();
        let without = naive.of(family).unwrap().parameter(name).unwrap();
        assert!(with.covers(value), "{family:?} {name} with censoring: {with:?}");
        assert!(!without.covers(value), "{family:?} {name} ignoring censoring should miss {value}: {without:?}");
        let median = fit.of(family).unwrap().median;
        assert!(median.covers(truth.median()), "{family:?} median {median:?} vs {}", truth.median());
    }
}

#[test]
fn aic_picks_the_generating_family_on_large_samples() {
    // 2,000 durations, 10 % censored, from families that differ clearly (shape 0.6 Weibull,
    // sigma 1.2 lognormal, shape 3 gamma). The exponential is a special case of the Weibull
    // and of the gamma, so on exponential data those two fit as well up to one parameter's
    // worth of noise: there the exponential must be best or within ΔAIC 2 of the best (it is
    // more than 2 behind only when the likelihood ratio exceeds χ²₁ = 4, p = 4.6 %).
    let cases = [
        (Dist::Weibull { shape: 0.6, scale: 100.0 }, 1500.0),
        (Dist::Lognormal { mu: 0.0, sigma: 1.2 }, 20.0),
        (Dist::Gamma { shape: 3.0, scale: 2.0 }, 60.0),
        (Dist::Exponential { mean: 5.0 }, 45.0),
    ];
    for (truth, c) in cases {
        let s = draw(&truth, 2000, c, 99);
        let set = fit_sample(&s, 0.95);
        let best = set.best().unwrap().family();
        if truth.family() == Family::Exponential {
            let e = set.of(Family::Exponential).unwrap();
            assert!(e.delta_aic < 2.0, "exponential data: ΔAIC of the exponential {}", e.delta_aic);
        } else {
            assert_eq!(best, truth.family(), "AIC chose {best:?} for {truth:?}: {:?}", set.fits.iter().map(|f| (f.family(), f.delta_aic)).collect::<Vec<_>>());
            // And clearly: the runner-up is far behind.
            assert!(set.fits[1].delta_aic > 10.0, "{truth:?}: runner-up ΔAIC {}", set.fits[1].delta_aic);
        }
    }
}
