//! Numerical guards on a [`Summary`]: no figure that is not a measurement reaches an output,
//! and every missing one is explained.
//!
//! - A value that is not finite (NaN or infinite, from a degenerate model) is dropped (`null`
//!   in JSON, empty in CSV, "—" in tables) and a note names it.
//! - An outage still going on when relsim stops following it (`sim::FOLLOW_LIMIT` past the
//!   horizon, or when nothing is left to happen) has no known length: what was recorded for it
//!   is where relsim stopped, not a duration. MTTR, its median and p90 and the longest outage of
//!   that class would mix it in, so they are dropped, with a note giving the lower bound the
//!   mean is known to exceed.
//! - An outage cut because following it spent the event budget (`sim::follow`: a model down
//!   almost all the time) counts at its followed length. MTTR, its quantiles and the longest
//!   outage are kept, and a note says how many outages were cut and that those figures are
//!   lower bounds; a cut changes nothing else (availability, downtime, outages, MTBF).
//! - Figures that are missing for a plain reason (no outage at all, so no MTTR or MTBF; a
//!   single replication, so no interval) get a note saying so.

use crate::model::metric::ClassMetric;
use crate::scenario::units::YEAR;
use crate::sim::follow::FOLLOW_EVENTS;
use crate::sim::FOLLOW_LIMIT;
use crate::stats::estimate::{Estimate, QuantileEstimate};
use crate::stats::summary::Summary;

/// What the accumulator knows about one architecture × class that the estimates do not show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassFacts {
    /// Outages recorded (blips excluded).
    pub outages: u64,
    /// Outages still going on when the replication stopped following them.
    pub unfinished: u64,
    /// Outages cut when following them spent the event budget (a lower bound of their length).
    pub cut: u64,
}

/// Applies every guard: `facts` has one entry per architecture × class, in summary order.
pub fn apply(summary: &mut Summary, facts: &[ClassFacts]) {
    followed_to_limit(summary, facts);
    cut_at_budget(summary, facts);
    missing(summary, facts);
    drop_non_finite(summary);
}

fn cells(summary: &Summary) -> Vec<String> {
    summary.architectures.iter().flat_map(|a| a.classes.iter().map(move |c| format!("{}/{}", a.name, c.name))).collect()
}

fn followed_to_limit(summary: &mut Summary, facts: &[ClassFacts]) {
    let names = cells(summary);
    let mut hit = Vec::new();
    let classes = summary.architectures.iter_mut().flat_map(|a| a.classes.iter_mut());
    for ((c, f), name) in classes.zip(facts).zip(&names) {
        if f.unfinished == 0 {
            continue;
        }
        let mttr_at_least = c.mttr_hours.mean.mean;
        c.mttr_hours.mean = Estimate { exact: c.mttr_hours.mean.exact, ..Estimate::none() };
        c.longest_outage_hours = Estimate { exact: c.longest_outage_hours.exact, ..Estimate::none() };
        c.mttr_hours.median = QuantileEstimate::default();
        c.mttr_hours.p90 = QuantileEstimate::default();
        let bound = mttr_at_least.map(|m| format!(" (the mean is at least {m:.0} h)")).unwrap_or_default();
        hit.push(format!("{name}: {} of {} outages{bound}", f.unfinished, f.outages));
    }
    if !hit.is_empty() {
        summary.notes.push(format!(
            "outages still going on when relsim stopped following them ({} years past the horizon, or when nothing was left to happen) have no known length, so MTTR (mean, median, p90) and the longest outage are not given: {} (a component that never comes back, such as one whose repair takes centuries?)",
            FOLLOW_LIMIT / YEAR,
            hit.join("; ")
        ));
    }
}

fn cut_at_budget(summary: &mut Summary, facts: &[ClassFacts]) {
    let names = cells(summary);
    let hit: Vec<String> = facts
        .iter()
        .zip(&names)
        .filter(|(f, _)| f.cut > 0)
        .map(|(f, name)| {
            // Where an unfinished outage already took MTTR away, there is no bound to speak of.
            let dropped = if f.unfinished > 0 { ", MTTR not given (see above)" } else { "" };
            format!("{name}: {} of {} outages{dropped}", f.cut, f.outages)
        })
        .collect();
    if !hit.is_empty() {
        summary.notes.push(format!(
            "outages still going on after relsim had followed them past the horizon for {FOLLOW_EVENTS} times the events the horizon took were cut there: {}; MTTR (mean, median, p90) and the longest outage count each cut outage at its followed length, so there they are lower bounds (availability, downtime, outage counts and MTBF do not depend on it)",
            hit.join("; ")
        ));
    }
}

fn missing(summary: &mut Summary, facts: &[ClassFacts]) {
    let names = cells(summary);
    let none: Vec<&str> = facts.iter().zip(&names).filter(|(f, _)| f.outages == 0).map(|(_, n)| n.as_str()).collect();
    if !none.is_empty() && summary.replications > 0 {
        let which = if none.len() == names.len() { "any architecture and class".to_string() } else { none.join(", ") };
        summary.notes.push(format!(
            "no outage in {} replications for {which}, so MTTR (mean, median, p90) and MTBF have no estimate there; availability and downtime are still measured",
            summary.replications
        ));
    }
    if summary.replications == 1 {
        summary.notes.push("only 1 replication: the figures have no confidence intervals (an interval needs at least 2 replications)".to_string());
    }
}

/// Drops every value that is not finite and notes which figures lost one; returns how many.
pub fn drop_non_finite(summary: &mut Summary) -> usize {
    let mut dropped: Vec<String> = Vec::new();
    let mut fix = |e: &mut Estimate, what: &str| {
        let mut bad = false;
        for v in [&mut e.mean, &mut e.ci_low, &mut e.ci_high, &mut e.exact] {
            if v.is_some_and(|x| !x.is_finite()) {
                *v = None;
                bad = true;
            }
        }
        if bad && !dropped.iter().any(|d| d == what) {
            dropped.push(what.to_string());
        }
    };
    let fix_q = |q: &mut QuantileEstimate| -> bool {
        let mut bad = false;
        for v in [&mut q.value, &mut q.ci_low, &mut q.ci_high] {
            if v.is_some_and(|x| !x.is_finite()) {
                *v = None;
                bad = true;
            }
        }
        bad
    };
    let mut quantiles = Vec::new();
    for a in &mut summary.architectures {
        for c in &mut a.classes {
            for (e, what) in [
                (&mut c.availability, ClassMetric::Availability.name()),
                (&mut c.request_success, ClassMetric::RequestSuccess.name()),
                (&mut c.silent_errors, ClassMetric::SilentErrors.name()),
                (&mut c.overloaded_requests, ClassMetric::OverloadedRequests.name()),
                (&mut c.retries_per_request, ClassMetric::RetriesPerRequest.name()),
                (&mut c.added_latency_seconds.mean, ClassMetric::AddedLatencySeconds.name()),
                (&mut c.breaker_opens_per_year, ClassMetric::BreakerOpensPerYear.name()),
                (&mut c.downtime_hours_per_year, ClassMetric::DowntimeHoursPerYear.name()),
                (&mut c.outages_per_year, ClassMetric::OutagesPerYear.name()),
                (&mut c.blips_per_year, ClassMetric::BlipsPerYear.name()),
                (&mut c.mttr_hours.mean, ClassMetric::MttrHours.name()),
                (&mut c.mtbf_hours, ClassMetric::MtbfHours.name()),
                (&mut c.longest_outage_hours, ClassMetric::LongestOutageHours.name()),
                (&mut c.cost_per_year, ClassMetric::CostPerYear.name()),
                (&mut c.time_to_first_outage_hours, ClassMetric::TimeToFirstOutageHours.name()),
            ] {
                fix(e, what);
            }
            for imp in &mut c.importance {
                fix(&mut imp.downtime_share, "downtime_share");
                fix(&mut imp.birnbaum, "birnbaum");
            }
            for (q, what) in [
                (&mut c.mttr_hours.median, ClassMetric::MttrHoursMedian.name()),
                (&mut c.mttr_hours.p90, ClassMetric::MttrHoursP90.name()),
                (&mut c.added_latency_seconds.p50, ClassMetric::AddedLatencySecondsP50.name()),
                (&mut c.added_latency_seconds.p99, ClassMetric::AddedLatencySecondsP99.name()),
            ] {
                if fix_q(q) {
                    quantiles.push(what);
                }
            }
        }
        fix(&mut a.cost_per_year, "cost_per_year");
        for e in [&mut a.sla_breach_probability, &mut a.sla_credits_per_year].into_iter().flatten() {
            fix(e, "sla");
        }
    }
    for d in &mut summary.differences {
        fix(&mut d.cost_per_year, "cost_per_year differences");
        for c in &mut d.downtime_hours_per_year {
            fix(&mut c.difference, "downtime_hours_per_year differences");
        }
    }
    for q in quantiles {
        if !dropped.iter().any(|d| d == q) {
            dropped.push(q.to_string());
        }
    }
    if !dropped.is_empty() {
        summary.notes.push(format!(
            "some values of {} were not finite numbers (the model is degenerate there) and are not given",
            dropped.join(", ")
        ));
    }
    dropped.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> Summary {
        let model = crate::load_str(
            "[simulation]\nhorizon = \"30d\"\nreplications = 3\n[components.a]\nfailure = \"1000y\"\nrepair = \"1h\"\n[traffic.api]\nrate = \"1/s\"\n[architectures.one]\napi = [\"a\"]\n",
            &[],
        )
        .unwrap();
        crate::simulate(&model, Some(1)).unwrap()
    }

    #[test]
    fn nothing_failed_says_why_mttr_is_missing() {
        let s = summary();
        let c = &s.architectures[0].classes[0];
        assert_eq!(c.mttr_hours.mean.mean, None);
        assert_eq!(c.availability.mean, Some(1.0));
        assert!(s.notes.iter().any(|n| n.contains("no outage in 3 replications for any architecture and class")), "{:?}", s.notes);
    }

    #[test]
    fn non_finite_values_never_reach_an_output() {
        let mut s = summary();
        s.architectures[0].classes[0].mtbf_hours = Estimate { mean: Some(f64::INFINITY), ci_low: Some(f64::NAN), ci_high: Some(1.0), exact: Some(f64::NEG_INFINITY) };
        s.architectures[0].classes[0].mttr_hours.p90.value = Some(f64::NAN);
        assert_eq!(drop_non_finite(&mut s), 2);
        let c = &s.architectures[0].classes[0];
        assert_eq!(c.mtbf_hours, Estimate { mean: None, ci_low: None, ci_high: Some(1.0), exact: None });
        assert_eq!(c.mttr_hours.p90.value, None);
        assert!(s.notes.last().is_some_and(|n| n.contains("mtbf_hours, mttr_hours.p90")), "{:?}", s.notes);
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
    }

    #[test]
    fn outages_cut_at_the_follow_limit_are_not_measurements() {
        let mut s = summary();
        {
            let c = &mut s.architectures[0].classes[0];
            c.mttr_hours.mean = Estimate::symmetric(884_565.0, 1.0);
            c.mttr_hours.median = QuantileEstimate { value: Some(884_565.0), ci_low: Some(884_000.0), ci_high: Some(885_000.0) };
            c.mttr_hours.p90 = c.mttr_hours.median;
            c.longest_outage_hours = Estimate::symmetric(884_565.0, 1.0);
        }
        followed_to_limit(&mut s, &[ClassFacts { outages: 3, unfinished: 3, cut: 0 }]);
        let c = &s.architectures[0].classes[0];
        assert_eq!(c.mttr_hours.mean.mean, None);
        assert_eq!(c.mttr_hours.median.value, None);
        assert_eq!(c.longest_outage_hours.mean, None);
        assert!(s.notes.last().is_some_and(|n| n.contains("one/api: 3 of 3 outages (the mean is at least 884565 h)")), "{:?}", s.notes);
    }

    #[test]
    fn outages_cut_at_the_event_budget_keep_mttr_as_a_lower_bound() {
        let mut s = summary();
        s.architectures[0].classes[0].mttr_hours.mean = Estimate::symmetric(20_000.0, 1.0);
        cut_at_budget(&mut s, &[ClassFacts { outages: 7, unfinished: 0, cut: 2 }]);
        assert_eq!(s.architectures[0].classes[0].mttr_hours.mean.mean, Some(20_000.0));
        let note = s.notes.last().cloned().unwrap_or_default();
        assert!(note.contains("one/api: 2 of 7 outages;") && note.contains("lower bounds"), "{note}");
    }
}
