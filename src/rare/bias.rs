//! Balanced failure biasing (Shahabuddin, 1994): how importance sampling draws the next
//! transition of an architecture's jump chain, and the likelihood ratio of each draw.
//!
//! The biased transitions are the failures of the units of the components the class being
//! estimated depends on (its *target* failures); every other transition (a repair or
//! detection ending, or a unit of an unrelated component failing) is *other*. In a state with
//! both, a target failure is drawn with probability [`FAILURE_PROBABILITY`], shared among the
//! target failures by fixed weights whatever their rates ([`super::weights`]: evenly down the
//! class's route tree), and an other transition otherwise, in proportion to the rates. In a
//! state with no other transition (all up, every component relevant) the target failures share
//! probability 1; in a state with no target failure possible, the original probabilities are
//! kept. Shares that do not depend on the rates ("balanced") keep the relative error bounded
//! even when failure rates differ by orders of magnitude: the failures that matter are never
//! starved by frequent ones. With equal weights on every failure this is Shahabuddin's scheme
//! exactly ([`every_failure`]). Each draw's likelihood ratio is its original probability
//! (rate / total rate) over the probability it was drawn with.

use rand::RngExt;

use crate::analytic::chain::Step;
use crate::rng::Stream;

/// Probability of drawing a failure where a repair is also possible. Shahabuddin's analysis
/// holds for any fixed value in (0, 1); 0.5 makes the number of failed units a fair random walk
/// between the all-up state and the failure set (measured in docs/validation.md).
pub const FAILURE_PROBABILITY: f64 = 0.5;

/// A drawn transition: its index among the steps, and the likelihood ratio of the draw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drawn {
    /// Index into the steps.
    pub index: usize,
    /// Original probability over the probability it was drawn with.
    pub ratio: f64,
}

/// The step whose share of `total` (the sum of the rates) covers `u · total`; the last one of
/// positive rate if rounding leaves `u · total` beyond them all.
fn pick(steps: &[(f64, Step)], total: f64, u: f64) -> usize {
    let mut x = u * total;
    let mut last = 0;
    for (i, s) in steps.iter().enumerate() {
        if s.0 > 0.0 {
            if x < s.0 {
                return i;
            }
            x -= s.0;
            last = i;
        }
    }
    last
}

/// A step drawn with the original probabilities (rate / total rate), `total` being the sum of
/// the rates; its likelihood ratio is 1.
pub fn plain(steps: &[(f64, Step)], total: f64, rng: &mut Stream) -> usize {
    pick(steps, total, rng.random::<f64>())
}

/// A step drawn by balanced failure biasing with failure probability `p`, with its likelihood
/// ratio. `weights[k]` is step `k`'s share of `p` if it is a target failure (see
/// [`super::weights`]; the shares of the steps present are normalised), zero for every other
/// step. Steps of rate zero are never drawn. `steps` must hold a step of positive rate.
pub fn balanced(steps: &[(f64, Step)], weights: &[f64], p: f64, rng: &mut Stream) -> Drawn {
    let (mut target_weight, mut target_rate, mut other_rate) = (0.0, 0.0, 0.0);
    for (&(rate, _), &w) in steps.iter().zip(weights).filter(|(s, _)| s.0 > 0.0) {
        if w > 0.0 {
            target_weight += w;
            target_rate += rate;
        } else {
            other_rate += rate;
        }
    }
    let total = target_rate + other_rate;
    if target_weight == 0.0 {
        return Drawn { index: pick(steps, other_rate, rng.random::<f64>()), ratio: 1.0 };
    }
    let p = if other_rate > 0.0 { p } else { 1.0 };
    if rng.random::<f64>() < p {
        let mut x = rng.random::<f64>() * target_weight;
        let mut index = 0;
        for (i, (&(rate, _), &w)) in steps.iter().zip(weights).enumerate() {
            if rate > 0.0 && w > 0.0 {
                index = i;
                if x < w {
                    break;
                }
                x -= w;
            }
        }
        Drawn { index, ratio: (steps[index].0 / total) / (p * weights[index] / target_weight) }
    } else {
        let mut x = rng.random::<f64>() * other_rate;
        let mut index = 0;
        for (i, (&(rate, _), &w)) in steps.iter().zip(weights).enumerate() {
            if rate > 0.0 && w <= 0.0 {
                index = i;
                if x < rate {
                    break;
                }
                x -= rate;
            }
        }
        // (rate / total) / ((1 − p) · rate / other_rate)
        Drawn { index, ratio: other_rate / (total * (1.0 - p)) }
    }
}

/// Weight 1 for every failure, 0 for every other step: Shahabuddin's scheme over all
/// components.
pub fn every_failure(steps: &[(f64, Step)]) -> Vec<f64> {
    steps.iter().map(|s| if s.1.is_failure() { 1.0 } else { 0.0 }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    /// Two failures (rates 1 and 100) and a repair (rate 10), total 111.
    const STEPS: [(f64, Step); 3] = [(1.0, Step::Fail(0)), (100.0, Step::Fail(1)), (10.0, Step::Repair(1))];

    #[test]
    fn balanced_biasing_draws_failures_evenly_and_weighs_them_back() {
        let mut rng = stream(1, 0, 0);
        let n = 200_000;
        let (mut counts, mut weighted) = ([0u32; 3], [0.0; 3]);
        // (1/111)/(1/4), (100/111)/(1/4), (10/111)/(1/2): the original probability over the
        // drawn one, for every single draw.
        let want = [4.0 / 111.0, 400.0 / 111.0, 20.0 / 111.0];
        for _ in 0..n {
            let d = balanced(&STEPS, &every_failure(&STEPS), 0.5, &mut rng);
            counts[d.index] += 1;
            weighted[d.index] += d.ratio;
            assert!((d.ratio - want[d.index]).abs() < 1e-15 * want[d.index], "{d:?}");
        }
        // Drawn with probabilities 1/4, 1/4, 1/2.
        for (c, want) in counts.iter().zip([0.25, 0.25, 0.5]) {
            let got = *c as f64 / n as f64;
            assert!((got - want).abs() < 0.005, "{counts:?}");
        }
        // Unbiased: E[ratio · 1{i}] is the original probability.
        for (i, want) in [1.0 / 111.0, 100.0 / 111.0, 10.0 / 111.0].iter().enumerate() {
            assert!((weighted[i] / n as f64 - want).abs() < 0.01 * want.max(0.05), "{i}");
        }
    }

    #[test]
    fn failures_of_unrelated_components_are_drawn_like_repairs() {
        // Target: component 0 only. Component 1's failure (rate 100) and the repair (rate 10)
        // share 1 − p in proportion: 100/110 and 10/110 of one half.
        let mut rng = stream(3, 0, 0);
        let target = [1.0, 0.0, 0.0];
        let (mut counts, n) = ([0u32; 3], 100_000);
        for _ in 0..n {
            let d = balanced(&STEPS, &target, 0.5, &mut rng);
            counts[d.index] += 1;
            let want = [(1.0 / 111.0) / 0.5, 110.0 / (111.0 * 0.5), 110.0 / (111.0 * 0.5)][d.index];
            assert!((d.ratio - want).abs() < 1e-15 * want, "{d:?}");
        }
        for (c, want) in counts.iter().zip([0.5, 0.5 * 100.0 / 110.0, 0.5 * 10.0 / 110.0]) {
            assert!((*c as f64 / n as f64 - want).abs() < 0.006, "{counts:?}");
        }
    }

    #[test]
    fn without_repairs_every_failure_is_equally_likely_and_without_failures_nothing_changes() {
        let mut rng = stream(2, 0, 0);
        let up: [(f64, Step); 2] = [(1.0, Step::Fail(0)), (3.0, Step::Fail(1))];
        let d = balanced(&up, &every_failure(&up), 0.5, &mut rng);
        assert_eq!(d.ratio, if d.index == 0 { 0.25 * 2.0 } else { 0.75 * 2.0 });
        let down: [(f64, Step); 2] = [(0.0, Step::Fail(0)), (3.0, Step::Repair(1))];
        assert_eq!(balanced(&down, &every_failure(&down), 0.5, &mut rng), Drawn { index: 1, ratio: 1.0 });
        // A zero rate is never drawn, with or without biasing.
        for _ in 0..100 {
            assert_eq!(plain(&down, 3.0, &mut rng), 1);
        }
    }
}
