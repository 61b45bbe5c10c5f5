//! The Kaplan–Meier estimate of a survival function from right-censored durations, the
//! Kolmogorov–Smirnov distance of a fitted CDF from it, and plotting positions for probability
//! paper.
//!
//! Without censoring Kaplan–Meier is the empirical distribution, so the distance is the usual
//! KS statistic. With censoring it is the supremum distance to the Kaplan–Meier CDF up to the
//! last observed duration (beyond it Kaplan–Meier says nothing). Parameters are estimated from
//! the same data, so the classical KS p-values do not apply: the distance is a measure to
//! compare fits, not a test.

use serde::Serialize;

use super::dist::Sample;

/// One step of the Kaplan–Meier estimate, at a time with at least one observed end.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Step {
    /// The duration, hours.
    pub time: f64,
    /// How many durations were at least this long (still at risk).
    pub at_risk: usize,
    /// How many ended exactly here.
    pub events: usize,
    /// S just before `time`.
    pub before: f64,
    /// S at `time` (just after the step).
    pub after: f64,
}

/// The Kaplan–Meier steps of `s`. Durations censored at a time with events count as at risk
/// there (the usual convention: censoring happens just after).
pub fn kaplan_meier(s: &Sample) -> Vec<Step> {
    let mut all: Vec<(f64, bool)> = s.observed.iter().map(|&t| (t, true)).chain(s.censored.iter().map(|&t| (t, false))).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut steps = Vec::new();
    let mut surv = 1.0;
    let mut i = 0;
    while i < all.len() {
        let t = all[i].0;
        let at_risk = all.len() - i;
        let mut j = i;
        let mut events = 0;
        while j < all.len() && all[j].0 == t {
            events += usize::from(all[j].1);
            j += 1;
        }
        if events > 0 {
            let before = surv;
            surv *= 1.0 - events as f64 / at_risk as f64;
            steps.push(Step { time: t, at_risk, events, before, after: surv });
        }
        i = j;
    }
    steps
}

/// The largest distance between `cdf` and the Kaplan–Meier CDF, on both sides of every step.
pub fn ks_distance(steps: &[Step], cdf: impl Fn(f64) -> f64) -> f64 {
    steps.iter().map(|st| {
        let f = cdf(st.time);
        ((1.0 - st.before) - f).abs().max(((1.0 - st.after) - f).abs())
    }).fold(0.0, f64::max)
}

/// Points for probability paper: at each step, the CDF halfway through the step
/// (1 − (S before + S after) / 2), which keeps the last point of an uncensored sample off
/// F = 1 (where no probability scale can draw it); for a sample without censoring and ties
/// this is Hazen's plotting position (i − ½) / n.
pub fn plotting_positions(steps: &[Step]) -> Vec<(f64, f64)> {
    steps.iter().map(|st| (st.time, 1.0 - 0.5 * (st.before + st.after))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kaplan_meier_by_hand() {
        // Durations 1, 2+, 3, 3, 4+, 5 (+: censored). At 1: 6 at risk, S = 5/6. At 3: 4 at
        // risk (2+ has left), 2 events, S = 5/6 · 2/4 = 5/12. At 5: 1 at risk, S = 0.
        let s = Sample { observed: vec![3.0, 1.0, 5.0, 3.0], censored: vec![2.0, 4.0] };
        let km = kaplan_meier(&s);
        assert_eq!(km.len(), 3);
        assert_eq!((km[0].time, km[0].at_risk, km[0].events), (1.0, 6, 1));
        assert!((km[0].after - 5.0 / 6.0).abs() < 1e-15);
        assert_eq!((km[1].time, km[1].at_risk, km[1].events), (3.0, 4, 2));
        assert!((km[1].after - 5.0 / 12.0).abs() < 1e-15);
        assert_eq!((km[2].at_risk, km[2].after), (1, 0.0));
        let pp = plotting_positions(&km);
        assert!((pp[0].1 - 1.0 / 12.0).abs() < 1e-15);
    }

    #[test]
    fn without_censoring_the_distance_is_the_ks_statistic() {
        // Uniform(0, 1) CDF against the sample 0.1, 0.5, 0.6: the ECDF jumps to 1/3, 2/3, 1;
        // distances |1/3 - 0.1| = 0.2333, |1/3 - 0.5|, |2/3 - 0.5|, |2/3 - 0.6|, |1 - 0.6| = 0.4.
        let s = Sample { observed: vec![0.5, 0.1, 0.6], censored: vec![] };
        let km = kaplan_meier(&s);
        let d = ks_distance(&km, |t| t.clamp(0.0, 1.0));
        assert!((d - 0.4).abs() < 1e-12, "{d}");
        // Hazen's positions (i - 1/2)/n.
        let pp: Vec<f64> = plotting_positions(&km).iter().map(|p| p.1).collect();
        for (got, want) in pp.iter().zip([1.0 / 6.0, 0.5, 5.0 / 6.0]) {
            assert!((got - want).abs() < 1e-15, "{pp:?}");
        }
    }
}
