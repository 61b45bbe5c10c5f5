//! A log-spaced histogram of durations for quantiles (median and p90 outage duration) with
//! bounded memory: bins grow by 1 % from 1 ms, so a quantile is known to within 0.5 %, and
//! merging two histograms is adding counts (associative and exact, like everything reduced).

const MIN: f64 = 1e-3;
const GROWTH: f64 = 1.01;
/// Bins up to about 300 years.
const BINS: usize = 2700;

/// Counts of durations (seconds) in log-spaced bins, plus the exact minimum and maximum.
#[derive(Clone, Debug, PartialEq)]
pub struct LogHistogram {
    counts: Vec<u64>,
    total: u64,
    min: f64,
    max: f64,
}

impl Default for LogHistogram {
    fn default() -> Self {
        Self::new()
    }
}

fn bin_of(x: f64) -> usize {
    if x <= MIN {
        return 0;
    }
    (((x / MIN).ln() / GROWTH.ln()) as usize + 1).min(BINS - 1)
}

/// Representative value of a bin: the geometric middle of its bounds.
fn value_of(bin: usize) -> f64 {
    if bin == 0 {
        return MIN;
    }
    MIN * GROWTH.powf(bin as f64 - 0.5)
}

impl LogHistogram {
    /// Empty.
    pub fn new() -> Self {
        LogHistogram { counts: vec![0; BINS], total: 0, min: f64::INFINITY, max: 0.0 }
    }

    /// Adds one duration.
    pub fn add(&mut self, x: f64) {
        self.counts[bin_of(x)] += 1;
        self.total += 1;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Adds every count of another histogram.
    pub fn merge(&mut self, other: &LogHistogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Values recorded.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The value of rank `k` (0-based) in sorted order, to within half a bin, clamped to the
    /// exact range seen.
    pub fn value_at_rank(&self, k: u64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let k = k.min(self.total - 1);
        let mut seen = 0;
        for (bin, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen > k {
                return Some(value_of(bin).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }

    /// Non-empty bins in increasing order as `(value, count)`: each bin's middle, clamped to the
    /// exact range seen (so a histogram of one repeated value gives that value).
    pub fn bins(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        self.counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(b, &c)| (value_of(b).clamp(self.min, self.max), c))
    }

    /// The `p`-quantile (smallest value with at least a fraction `p` at or below it).
    pub fn quantile(&self, p: f64) -> Option<f64> {
        let rank = ((p * self.total as f64).ceil() as u64).max(1) - 1;
        self.value_at_rank(rank)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_half_a_percent() {
        let mut h = LogHistogram::new();
        for i in 1..=10_000 {
            h.add(i as f64);
        }
        let med = h.quantile(0.5).unwrap();
        let p90 = h.quantile(0.9).unwrap();
        assert!((med - 5000.0).abs() / 5000.0 < 0.006, "{med}");
        assert!((p90 - 9000.0).abs() / 9000.0 < 0.006, "{p90}");
    }

    #[test]
    fn constant_values_come_back_exactly() {
        let mut h = LogHistogram::new();
        for _ in 0..7 {
            h.add(36_000.0);
        }
        assert_eq!(h.quantile(0.5), Some(36_000.0));
        assert_eq!(h.quantile(0.9), Some(36_000.0));
        assert_eq!(LogHistogram::new().quantile(0.5), None);
    }

    #[test]
    fn merging_equals_adding_everything_to_one() {
        let (mut a, mut b, mut all) = (LogHistogram::new(), LogHistogram::new(), LogHistogram::new());
        for i in 0..1000 {
            let x = (i as f64 * 7.3) % 500.0 + 0.5;
            if i % 3 == 0 { a.add(x) } else { b.add(x) }
            all.add(x);
        }
        a.merge(&b);
        assert_eq!(a, all);
    }
}
