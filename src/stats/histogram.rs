//! A log-spaced histogram of durations for quantiles (median and p90 outage duration) with
//! bounded memory: bins grow by 1 % from 1 ms, so a quantile is known to within 0.5 %, and
//! merging two histograms is adding counts (associative and exact, like everything reduced).

use serde::{Deserialize, Serialize};

const MIN: f64 = 1e-3;
const GROWTH: f64 = 1.01;
/// Bins up to about 300 years.
const BINS: usize = 2700;

/// Counts of durations (seconds) in log-spaced bins, plus the exact minimum and maximum.
///
/// Serialised sparsely (see [`SparseHistogram`]): most of the bins are empty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "SparseHistogram", try_from = "SparseHistogram")]
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

/// A [`LogHistogram`] as stored in a file: the non-empty bins as `[bin, count]` in increasing
/// order of bin, and the exact minimum and maximum (`null` when empty).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SparseHistogram {
    /// `(bin, count)` of every non-empty bin, bins increasing.
    pub bins: Vec<(usize, u64)>,
    /// Smallest value added.
    pub min: Option<f64>,
    /// Largest value added.
    pub max: Option<f64>,
}

impl From<LogHistogram> for SparseHistogram {
    fn from(h: LogHistogram) -> Self {
        let bins = h.counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(b, &c)| (b, c)).collect();
        let (min, max) = if h.total == 0 { (None, None) } else { (Some(h.min), Some(h.max)) };
        SparseHistogram { bins, min, max }
    }
}

impl TryFrom<SparseHistogram> for LogHistogram {
    type Error = String;

    /// Checks everything a histogram built by [`LogHistogram::add`] satisfies, so that a garbled
    /// file is refused rather than read into a histogram that misbehaves.
    fn try_from(s: SparseHistogram) -> Result<Self, String> {
        let mut h = LogHistogram::new();
        let mut previous = None;
        for &(bin, count) in &s.bins {
            if bin >= BINS {
                return Err(format!("histogram bin {bin} does not exist (there are {BINS})"));
            }
            if previous.is_some_and(|p| p >= bin) {
                return Err(format!("histogram bins are not in increasing order at bin {bin}"));
            }
            if count == 0 {
                return Err(format!("histogram bin {bin} is listed with a count of 0"));
            }
            previous = Some(bin);
            h.counts[bin] = count;
            h.total = h.total.checked_add(count).ok_or("histogram counts overflow")?;
        }
        match (h.total, s.min, s.max) {
            (0, None, None) => {}
            (0, _, _) => return Err("an empty histogram has a minimum or maximum".to_string()),
            (_, Some(min), Some(max)) if min.is_finite() && max.is_finite() && 0.0 <= min && min <= max => {
                h.min = min;
                h.max = max;
            }
            _ => return Err("a histogram's minimum and maximum must be finite, with 0 ≤ min ≤ max".to_string()),
        }
        Ok(h)
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
    fn sparse_form_round_trips_and_refuses_nonsense() {
        let mut h = LogHistogram::new();
        for x in [0.0, 0.5, 3.0, 3.0, 7200.0, 1e12] {
            h.add(x);
        }
        let json = serde_json::to_string(&h).unwrap();
        assert!(json.len() < 200, "{json}");
        assert_eq!(serde_json::from_str::<LogHistogram>(&json).unwrap(), h);
        let empty = serde_json::to_string(&LogHistogram::new()).unwrap();
        assert_eq!(empty, r#"{"bins":[],"min":null,"max":null}"#);
        assert_eq!(serde_json::from_str::<LogHistogram>(&empty).unwrap(), LogHistogram::new());
        for bad in [
            r#"{"bins":[[2700,1]],"min":1.0,"max":1.0}"#,
            r#"{"bins":[[5,1],[5,1]],"min":1.0,"max":1.0}"#,
            r#"{"bins":[[5,0]],"min":null,"max":null}"#,
            r#"{"bins":[[5,1]],"min":null,"max":null}"#,
            r#"{"bins":[[5,1]],"min":2.0,"max":1.0}"#,
            r#"{"bins":[],"min":1.0,"max":null}"#,
            r#"{"bins":[[1,18446744073709551615],[2,1]],"min":1.0,"max":1.0}"#,
        ] {
            assert!(serde_json::from_str::<LogHistogram>(bad).is_err(), "{bad}");
        }
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
