//! The decision in words and rows: for every architecture but the baseline, one sentence on
//! whether it pays for itself at the scenario's price of downtime, by how much a year, and from
//! which price of an hour down (the terminal's and report's answer), and the table of the
//! paired figures behind it (report.md).

use super::estimate::{money, pm};
use crate::format::{amount, decimals_for, significant};
use crate::stats::decision::{Comparison, ConfidenceSet, Decision, Pays, PaysWhen};
use crate::stats::estimate::Estimate;
use crate::stats::summary::Summary;

/// "per hour down" with one priced class, "per hour with every class down" with several.
pub fn price_unit(d: &Decision) -> &'static str {
    if d.class_weights.iter().filter(|w| w.weight > 0.0).count() > 1 { "per hour with every class down" } else { "per hour down" }
}

/// A price of an hour down known exactly (the scenario's): `1,000`, `2.5`.
fn price(x: f64) -> String {
    amount(x, if x.fract() == 0.0 { 0 } else { significant(x).min(2) })
}

/// Decimals for a break-even price: as many as its interval justifies, or four significant
/// digits without one.
fn price_decimals(c: &Comparison) -> usize {
    match c.break_even.confidence_set {
        ConfidenceSet::Interval { low, high } if high > low => decimals_for((high - low) / 2.0).min(6),
        _ => c.break_even.cost_per_hour_down.mean.map_or(0, significant).min(6),
    }
}

/// Money with its ± and "a year", the sign dropped when `flip` (for "costs … more").
fn per_year(e: &Estimate, flip: bool) -> String {
    money(&if flip { e.affine(0.0, -1.0) } else { *e })
}

/// How the two parts of the net benefit go: `failure cost 12,760,514 ± 266,927 lower, running
/// cost 1,167,855 ± 23,962 higher`.
fn parts(c: &Comparison) -> String {
    let way = |e: &Estimate, lower_if_positive: bool| {
        if e.mean == Some(0.0) && e.half_width() == Some(0.0) {
            return "the same".to_string();
        }
        let positive = e.mean.is_some_and(|m| m >= 0.0);
        let word = if positive == lower_if_positive { "lower" } else { "higher" };
        format!("{} {word}", per_year(e, !positive))
    };
    format!("failure cost {}, running cost {}", way(&c.failure_cost_saved_per_year, true), way(&c.extra_running_cost_per_year, false))
}

/// The break-even clause of a comparison.
fn break_even_clause(d: &Decision, c: &Comparison, confidence: f64, replications: u64) -> String {
    let unit = price_unit(d);
    let be = &c.break_even;
    let conf = format!("{}%", confidence * 100.0);
    let d = price_decimals(c);
    let interval = match be.confidence_set {
        ConfidenceSet::Interval { low, high } if low < 0.0 => format!(" ({conf} interval: at most {})", amount(high, d)),
        ConfidenceSet::Interval { low, high } => format!(" ({conf} interval {} to {})", amount(low, d), amount(high, d)),
        _ => String::new(),
    };
    let estimate = be.cost_per_hour_down.mean.map(|m| amount(m, d)).unwrap_or_default();
    let hours = &c.downtime_hours_saved_per_year;
    match be.pays_when {
        PaysWhen::Above => format!("it breaks even at {estimate} {unit}{interval} and pays above that"),
        PaysWhen::Below => format!("it pays only below {estimate} {unit}{interval}: it has more downtime ({} h a year) but costs less otherwise", pm(&hours.affine(0.0, -1.0))),
        PaysWhen::Always if c.extra_running_cost_per_year.mean.is_some_and(|m| m > 0.0) => {
            "it pays at any price of downtime: it has less downtime, and the failed requests and SLA credits it saves already cover its extra running cost".to_string()
        }
        PaysWhen::Always => "it pays at any price of downtime: it has less downtime and costs no more to run".to_string(),
        PaysWhen::Never if hours.mean == Some(0.0) && hours.half_width() == Some(0.0) => {
            "it pays at no price of downtime: it has the same downtime in every replication and, downtime aside, costs more".to_string()
        }
        PaysWhen::Never => "it pays at no price of downtime: it has more downtime and, downtime aside, costs more".to_string(),
        PaysWhen::Undetermined => format!(
            "the downtime it saves ({} h a year) cannot be told from zero with {replications} replications, so no break-even price can be given",
            pm(hours)
        ),
    }
}

/// One sentence per architecture other than the baseline. `code` wraps names (backticks in
/// Markdown).
pub fn sentences(s: &Summary, code: &dyn Fn(&str) -> String) -> Vec<String> {
    let Some(d) = &s.decision else { return Vec::new() };
    let unit = price_unit(d);
    let at = format!("at the scenario's {} {unit}", price(d.cost_per_hour_down));
    let base = code(&d.baseline);
    d.architectures
        .iter()
        .map(|c| {
            let name = code(&c.architecture);
            let head = match c.pays {
                Pays::Yes => format!(
                    "{name} pays for itself against the baseline {base} {at}: {} a year better in total ({})",
                    per_year(&c.net_benefit_per_year, false),
                    parts(c)
                ),
                Pays::No => format!(
                    "{name} does not pay for itself against the baseline {base} {at}: it costs {} a year more in total ({})",
                    per_year(&c.net_benefit_per_year, true),
                    parts(c)
                ),
                Pays::Undetermined => format!(
                    "{name} against the baseline {base}: {at} its net benefit, {} a year, cannot be told from zero with {} replications",
                    per_year(&c.net_benefit_per_year, false),
                    s.replications
                ),
            };
            format!("{head}; {}.", break_even_clause(d, c, s.confidence, s.replications))
        })
        .collect()
}

/// Headers of the decision table.
pub const HEADERS: [&str; 7] =
    ["architecture", "extra running cost/yr", "failure cost saved/yr", "net benefit/yr", "downtime saved h/yr", "break-even per hour down", "pays at the scenario's price"];

/// The break-even cell: the estimate and Fieller's set.
fn break_even_cell(c: &Comparison) -> String {
    let be = &c.break_even;
    let d = price_decimals(c);
    let est = be.cost_per_hour_down.mean.map(|m| amount(m, d));
    let set = match be.confidence_set {
        ConfidenceSet::Interval { low, high } => format!("[{}, {}]", amount(low, d), amount(high, d)),
        ConfidenceSet::TwoRays { up_to, from } => format!("≤ {} or ≥ {}", amount(up_to, d), amount(from, d)),
        ConfidenceSet::AllPrices => "any price".to_string(),
        ConfidenceSet::Empty => "none".to_string(),
    };
    let when = match be.pays_when {
        PaysWhen::Above => "pays above",
        PaysWhen::Below => "pays below",
        PaysWhen::Always => "always pays",
        PaysWhen::Never => "never pays",
        PaysWhen::Undetermined => "undetermined",
    };
    match est {
        Some(e) => format!("{e} {set} ({when})"),
        None => format!("— ({when})"),
    }
}

/// One row per architecture other than the baseline.
pub fn rows(s: &Summary) -> Vec<Vec<String>> {
    let Some(d) = &s.decision else { return Vec::new() };
    d.architectures
        .iter()
        .map(|c| {
            vec![
                c.architecture.clone(),
                money(&c.extra_running_cost_per_year),
                money(&c.failure_cost_saved_per_year),
                money(&c.net_benefit_per_year),
                pm(&c.downtime_hours_saved_per_year),
                break_even_cell(c),
                match c.pays {
                    Pays::Yes => "yes",
                    Pays::No => "no",
                    Pays::Undetermined => "cannot tell",
                }
                .to_string(),
            ]
        })
        .collect()
}

/// What the decision table means, for under it.
pub fn explanation(d: &Decision, confidence: f64) -> String {
    let weights: Vec<String> = d.class_weights.iter().map(|w| format!("{} {}", w.class, format!("{:.3}", w.weight).trim_end_matches('0').trim_end_matches('.'))).collect();
    format!(
        "Every figure is paired against the baseline `{}`, replication by replication. Net benefit = failure cost saved − extra running cost, at the scenario's {} {}. Downtime is weighted across classes by their share of that price ({}). The break-even is the price of an hour down at which both totals are equal: (extra running cost + extra failed-request cost and SLA credits) / downtime saved, with Fieller's {}% confidence set, which is unbounded (\"or\", \"any price\") when the downtime saved cannot be told from zero.",
        d.baseline,
        price(d.cost_per_hour_down),
        price_unit(d),
        weights.join(", "),
        confidence * 100.0
    )
}
