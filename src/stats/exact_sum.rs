//! Exact floating-point summation (Shewchuk's algorithm, as in Python's `math.fsum`).
//!
//! The sum is held exactly as a list of non-overlapping partials and rounded once, correctly, on
//! read. Because the exact sum does not depend on the order of additions or on how partial sums
//! are grouped, accumulators built on it merge into bit-identical results for any thread count
//! and any split of the replications into shards.

/// Magnitude no sum of a run comes near (sums of squared costs per year stay below 1e40), and
/// small enough that products of two partials cannot overflow.
pub const PLAUSIBLE: f64 = 1e100;

/// An exact running sum of `f64` values. Serialised as the list of its partials (a shard's
/// partial result stores them, so a merge is as exact as one run).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ExactSum {
    partials: Vec<f64>,
}

impl ExactSum {
    /// Zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `x` exactly. `x` must be finite.
    pub fn add(&mut self, mut x: f64) {
        debug_assert!(x.is_finite(), "ExactSum::add({x})");
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        self.partials.push(x);
    }

    /// Adds the product `a·b` exactly (the rounding error of the product is added too).
    pub fn add_product(&mut self, a: f64, b: f64) {
        let p = a * b;
        let err = a.mul_add(b, -p);
        self.add(p);
        if err != 0.0 {
            self.add(err);
        }
    }

    /// Adds another exact sum.
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// Whether every partial is finite and at most [`PLAUSIBLE`] in magnitude: true of every
    /// sum a run builds; checked on sums read from a file, so that summarising them cannot
    /// overflow.
    pub fn is_plausible(&self) -> bool {
        self.partials.iter().all(|p| p.is_finite() && p.abs() <= PLAUSIBLE)
    }

    /// The sum, correctly rounded to the nearest `f64`.
    pub fn value(&self) -> f64 {
        let p = &self.partials;
        let mut n = p.len();
        if n == 0 {
            return 0.0;
        }
        n -= 1;
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Round half-even correctly when the remaining partials push the tie one way.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
        hi
    }
}

/// `n·Σxy − Σx·Σy`, correctly rounded, from exact sums: the numerator of a sample covariance
/// (a variance when x = y) without cancellation, whatever the size of the mean.
pub fn centered_cross_sum(n: u64, sum_x: &ExactSum, sum_y: &ExactSum, sum_xy: &ExactSum) -> f64 {
    let mut acc = ExactSum::new();
    let nf = n as f64;
    for &p in &sum_xy.partials {
        acc.add_product(p, nf);
    }
    for &a in &sum_x.partials {
        for &b in &sum_y.partials {
            acc.add_product(-a, b);
        }
    }
    acc.value()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn exact_where_naive_summation_fails() {
        let mut s = ExactSum::new();
        for x in [1e100, 1.0, -1e100, 1e-100, 1.0] {
            s.add(x);
        }
        assert_eq!(s.value(), 2.0);
        let mut t = ExactSum::new();
        for _ in 0..10 {
            t.add(0.1);
        }
        assert_eq!(t.value(), 1.0);
    }

    #[test]
    fn centered_sums_are_exact() {
        let (mut sx, mut sxx) = (ExactSum::new(), ExactSum::new());
        for _ in 0..10 {
            sx.add(0.1);
            sxx.add_product(0.1, 0.1);
        }
        assert_eq!(centered_cross_sum(10, &sx, &sx, &sxx), 0.0);
        let (mut sx, mut sxx) = (ExactSum::new(), ExactSum::new());
        for x in [1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0] {
            sx.add(x);
            sxx.add_product(x, x);
        }
        // n·Σx² − (Σx)² = n²·variance·(n−1)/n = 3·2·1 = 6.
        assert_eq!(centered_cross_sum(3, &sx, &sx, &sxx), 6.0);
    }

    #[test]
    fn any_order_and_grouping_gives_the_same_bits() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let xs: Vec<f64> = (0..5000).map(|_| rng.random::<f64>() * 10f64.powi(rng.random_range(-8..8))).collect();
        let mut forward = ExactSum::new();
        xs.iter().for_each(|&x| forward.add(x));
        let mut backward = ExactSum::new();
        xs.iter().rev().for_each(|&x| backward.add(x));
        let mut grouped = ExactSum::new();
        for chunk in xs.chunks(37) {
            let mut part = ExactSum::new();
            chunk.iter().for_each(|&x| part.add(x));
            grouped.merge(&part);
        }
        assert_eq!(forward.value().to_bits(), backward.value().to_bits());
        assert_eq!(forward.value().to_bits(), grouped.value().to_bits());
    }
}
