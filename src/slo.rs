//! `relsim check`: the scenario's `[[slo]]` entries judged against a run's estimates.
//!
//! A bound is judged on the conservative end of its metric's interval: `min` on the low end,
//! `max` on the high end, so a check holds only when the whole interval is on the right side of
//! the bound, not merely the mean. A bound whose metric has no interval (no outages to measure
//! MTTR on, a quantile reported as a point value) cannot be judged and counts as breached: a gate
//! must not pass on missing data. An entry with both `min` and `max` is two checks.

use std::fmt;

use crate::model::metric::{ArchitectureMetric, ClassMetric, Metric};
use crate::model::Model;
use crate::report::format;
use crate::stats::estimate::{Estimate, QuantileEstimate};
use crate::stats::summary::{ArchitectureSummary, ClassSummary, Summary};

/// One bound of an `[[slo]]` entry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// The interval's low end must be at least this.
    Min(f64),
    /// The interval's high end must be at most this.
    Max(f64),
}

impl Bound {
    /// The bound's value.
    pub fn value(self) -> f64 {
        match self {
            Bound::Min(v) | Bound::Max(v) => v,
        }
    }

    /// `≥` or `≤`.
    pub fn symbol(self) -> &'static str {
        match self {
            Bound::Min(_) => "≥",
            Bound::Max(_) => "≤",
        }
    }

    /// `>=` or `<=`, for reports read by tools that may not show Unicode.
    pub fn ascii(self) -> &'static str {
        match self {
            Bound::Min(_) => ">=",
            Bound::Max(_) => "<=",
        }
    }

    /// Which end of the interval is judged: "low end" or "high end".
    pub fn end_name(self) -> &'static str {
        match self {
            Bound::Min(_) => "low end",
            Bound::Max(_) => "high end",
        }
    }

    /// The comparison a breach fails: `<` (below a min) or `>` (above a max).
    fn breach_symbol(self) -> &'static str {
        match self {
            Bound::Min(_) => "<",
            Bound::Max(_) => ">",
        }
    }

    /// The conservative end of an interval for this bound.
    fn end(self, figure: &Figure) -> Option<f64> {
        match self {
            Bound::Min(_) => figure.ci_low,
            Bound::Max(_) => figure.ci_high,
        }
    }

    /// Whether `x` satisfies the bound (NaN never does).
    fn holds(self, x: f64) -> bool {
        match self {
            Bound::Min(v) => x >= v,
            Bound::Max(v) => x <= v,
        }
    }
}

/// A metric's figures in a run: the point estimate and its interval.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Figure {
    /// The mean (or, for a quantile, its value).
    pub point: Option<f64>,
    /// Low end of the interval.
    pub ci_low: Option<f64>,
    /// High end of the interval.
    pub ci_high: Option<f64>,
    /// Whether this is a quantile (its interval is not symmetric about the value).
    pub quantile: bool,
}

impl From<&Estimate> for Figure {
    fn from(e: &Estimate) -> Self {
        Figure { point: e.mean, ci_low: e.ci_low, ci_high: e.ci_high, quantile: false }
    }
}

impl From<&QuantileEstimate> for Figure {
    fn from(q: &QuantileEstimate) -> Self {
        Figure { point: q.value, ci_low: q.ci_low, ci_high: q.ci_high, quantile: true }
    }
}

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The conservative end satisfies the bound.
    Pass,
    /// The conservative end does not.
    Breach,
    /// There is no conservative end to judge (the reason says why); counts as breached.
    Unjudged(String),
}

/// One bound of one `[[slo]]` entry, judged.
#[derive(Clone, Debug, PartialEq)]
pub struct SloResult {
    /// Architecture name.
    pub architecture: String,
    /// Class name (`None` for an architecture-level metric).
    pub class: Option<String>,
    /// The metric.
    pub metric: Metric,
    /// The bound.
    pub bound: Bound,
    /// The metric's estimate.
    pub figure: Figure,
    /// The conservative end judged (`None` when there is none).
    pub end: Option<f64>,
    /// Pass, breach, or cannot be judged.
    pub verdict: Verdict,
    /// Replications behind the estimate.
    pub replications: u64,
}

impl SloResult {
    /// Whether the check holds (a check that cannot be judged does not).
    pub fn holds(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// `architecture/class`, or the architecture alone for an architecture-level metric.
    pub fn subject(&self) -> String {
        match &self.class {
            Some(c) => format!("{}/{c}", self.architecture),
            None => self.architecture.clone(),
        }
    }

    /// `availability ≥ 0.9995` (or with `>=` when `ascii`).
    pub fn check_name(&self, ascii: bool) -> String {
        let op = if ascii { self.bound.ascii() } else { self.bound.symbol() };
        format!("{} {op} {}", self.metric, self.bound.value())
    }

    /// The estimate as the reports write it: `99.9712% ± 0.0031`, `0.81 [0.75, 0.88]`.
    pub fn figures(&self) -> String {
        let f = &self.figure;
        if f.point.is_none() {
            return "no estimate".to_string();
        }
        if f.quantile {
            return format::quantile(&QuantileEstimate { value: f.point, ci_low: f.ci_low, ci_high: f.ci_high });
        }
        let e = Estimate { mean: f.point, ci_low: f.ci_low, ci_high: f.ci_high, exact: None };
        match style(self.metric) {
            Style::Percent => format::percent(&e),
            Style::Money => format::money(&e),
            Style::Plain => format::pm_compact(&e),
        }
    }

    /// What was judged: `low end 99.9681%`, `low end 99.9681% < 99.95%`, or why it cannot be
    /// judged.
    pub fn detail(&self) -> String {
        let end = match (&self.verdict, self.end) {
            (Verdict::Unjudged(reason), _) => return format!("cannot be judged: {reason}"),
            (_, Some(end)) => end,
            (_, None) => return "cannot be judged: the estimate has no interval".to_string(),
        };
        let (end_text, bound_text) = self.end_and_bound(end);
        let mut text = match self.verdict {
            Verdict::Pass => format!("{} {end_text}", self.bound.end_name()),
            _ => format!("{} {end_text} {} {bound_text}", self.bound.end_name(), self.bound.breach_symbol()),
        };
        if !self.figure.quantile && self.figure.ci_low == self.figure.ci_high {
            text.push_str(&format!("; no variation across {} replications", self.replications));
        }
        text
    }

    /// The conservative end and the bound written alike, with enough decimals to tell them
    /// apart.
    fn end_and_bound(&self, end: f64) -> (String, String) {
        let f = &self.figure;
        let half = match (f.ci_low, f.ci_high) {
            (Some(lo), Some(hi)) => (hi - lo) / 2.0,
            _ => 0.0,
        };
        let point = f.point.unwrap_or(end);
        let bound = self.bound.value();
        let (scale, suffix, mut d) = match style(self.metric) {
            _ if f.quantile => (1.0, "", format::decimals_for(half).max(if half == 0.0 { format::significant(point) } else { 0 })),
            Style::Percent => (100.0, "%", format::percent_decimals(point, half)),
            Style::Money => (1.0, "", 0),
            Style::Plain => (1.0, "", format::decimals_for(half).max(if half == 0.0 { format::significant(point) } else { 0 })),
        };
        let write = |x: f64, d: usize| format!("{:.d$}{suffix}", x * scale);
        while d < 12 && end != bound && write(end, d) == write(bound, d) {
            d += 1;
        }
        (write(end, d), write(bound, d))
    }

    /// The line `relsim check` prints after the status word:
    /// `gateway-failover/api availability ≥ 0.9995: 99.9712% ± 0.0031 (low end 99.9681%)`.
    pub fn line(&self) -> String {
        format!("{} {}: {} ({})", self.subject(), self.check_name(false), self.figures(), self.detail())
    }

    /// `PASS` or `FAIL` (a check that cannot be judged fails).
    pub fn status(&self) -> &'static str {
        if self.holds() { "PASS" } else { "FAIL" }
    }
}

/// How a metric's numbers are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Percent,
    Money,
    Plain,
}

fn style(metric: Metric) -> Style {
    if metric.is_fraction() {
        Style::Percent
    } else if metric.is_money() {
        Style::Money
    } else {
        Style::Plain
    }
}

/// Judges every `[[slo]]` entry of `model` against `summary` (a run of that model), one result
/// per bound, in file order.
pub fn evaluate(model: &Model, summary: &Summary) -> Vec<SloResult> {
    let mut out = Vec::new();
    for slo in &model.slos {
        let arch_name = model.architectures.get(slo.architecture).map_or("?", |a| a.name.as_str()).to_string();
        let class_name = slo.class.map(|c| model.classes.get(c).map_or("?", |k| k.name.as_str()).to_string());
        let arch = summary.architectures.get(slo.architecture);
        let class = slo.class.and_then(|c| arch.and_then(|a| a.classes.get(c)));
        let figure = match (arch, slo.class) {
            (Some(_), None) => summary.architecture_metric(slo.architecture, slo.metric).as_ref().map(Figure::from),
            (Some(_), Some(_)) => match slo.metric {
                Metric::Class(m) => class.map(|c| class_figure(c, m)),
                _ => None,
            },
            (None, _) => None,
        };
        let bounds = slo.min.map(Bound::Min).into_iter().chain(slo.max.map(Bound::Max));
        for bound in bounds {
            let figure = figure.unwrap_or_default();
            let end = bound.end(&figure);
            let verdict = match end {
                Some(x) if x.is_finite() => {
                    if bound.holds(x) {
                        Verdict::Pass
                    } else {
                        Verdict::Breach
                    }
                }
                _ if matches!(slo.metric, Metric::Decision(_)) => Verdict::Unjudged(decision_reason(slo.metric, &arch_name, &figure, summary)),
                _ => Verdict::Unjudged(missing_reason(slo.metric, &figure, class, summary.replications)),
            };
            out.push(SloResult {
                architecture: arch_name.clone(),
                class: class_name.clone(),
                metric: slo.metric,
                bound,
                figure,
                end,
                verdict,
                replications: summary.replications,
            });
        }
    }
    out
}

/// Why a decision metric has no interval to judge.
fn decision_reason(metric: Metric, arch: &str, figure: &Figure, summary: &Summary) -> String {
    match &summary.decision {
        Some(d) if d.baseline == arch => format!("`{arch}` is the baseline the decision compares the others with; `{metric}` is theirs (choose another with --baseline)"),
        None => format!("`{metric}` compares an architecture with a baseline, and this run has one architecture"),
        Some(_) if figure.point.is_none() => format!("`{metric}` has no estimate: the downtime saved is the same in every replication"),
        Some(_) => format!("`{metric}` has no bounded interval: the downtime saved cannot be told from zero, so Fieller's set is unbounded"),
    }
}

/// Why a metric has no interval to judge.
fn missing_reason(metric: Metric, figure: &Figure, class: Option<&ClassSummary>, replications: u64) -> String {
    use ClassMetric as C;
    let outage_based = matches!(metric, Metric::Class(C::MttrHours | C::MttrHoursMedian | C::MttrHoursP90 | C::MtbfHours));
    let no_outages = class.is_some_and(|c| c.outages_per_year.mean == Some(0.0));
    if outage_based && no_outages {
        return format!("no outages in {replications} replications, so `{metric}` has no estimate");
    }
    if !metric.has_interval() && figure.point.is_some() {
        return format!("`{metric}` is a point value pooled over all requests, without an interval; bound the mean (`added_latency_seconds`) instead");
    }
    if metric == Metric::Class(C::TimeToFirstOutageHours) && figure.point.is_none() {
        return "measured only with --first-outage".to_string();
    }
    if metric.needs_sla() && figure.point.is_none() {
        return "the scenario has no [sla]".to_string();
    }
    if figure.point.is_none() {
        format!("`{metric}` has no estimate in {replications} replications")
    } else {
        format!("`{metric}` has no interval")
    }
}

/// The figure of a per-class metric.
pub fn class_figure(c: &ClassSummary, metric: ClassMetric) -> Figure {
    Figure { quantile: metric.is_quantile(), ..Figure::from(&c.metric(metric)) }
}

/// The figure of an architecture's own metric; `None` for an SLA metric without an SLA.
pub fn architecture_figure(a: &ArchitectureSummary, metric: ArchitectureMetric) -> Option<Figure> {
    a.metric(metric).as_ref().map(Figure::from)
}

/// Counts of a check's results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Checks that hold.
    pub passed: usize,
    /// Checks whose conservative end is on the wrong side of the bound.
    pub breached: usize,
    /// Checks that cannot be judged (counted as breached).
    pub unjudged: usize,
}

impl Tally {
    /// Counts `results`.
    pub fn of(results: &[SloResult]) -> Self {
        let mut t = Tally::default();
        for r in results {
            match r.verdict {
                Verdict::Pass => t.passed += 1,
                Verdict::Breach => t.breached += 1,
                Verdict::Unjudged(_) => t.unjudged += 1,
            }
        }
        t
    }

    /// Every check.
    pub fn total(&self) -> usize {
        self.passed + self.breached + self.unjudged
    }

    /// Checks that do not hold (breached or not judgeable).
    pub fn failed(&self) -> usize {
        self.breached + self.unjudged
    }
}

impl fmt::Display for Tally {
    /// `2 of 3 SLOs hold; 1 breached`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {} SLOs hold", self.passed, self.total())?;
        match (self.breached, self.unjudged) {
            (0, 0) => Ok(()),
            (b, 0) => write!(f, "; {b} breached"),
            (0, u) => write!(f, "; {u} cannot be judged (counted as breached)"),
            (b, u) => write!(f, "; {b} breached, {u} cannot be judged (counted as breached)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = r#"
[simulation]
horizon = "1y"
replications = 30
seed = 3

[components.a]
failure = { dist = "exponential", mean = "30d" }
repair = { dist = "exponential", mean = "2h" }

[traffic.api]
rate = "1/s"

[architectures.one]
api = ["a"]

[sla]
target = 0.99
"#;

    fn run(slos: &str) -> (Model, Summary) {
        let model = crate::load_str(&format!("{SCENARIO}\n{slos}"), &[]).expect("scenario loads");
        let summary = crate::simulate(&model, Some(1)).expect("runs");
        (model, summary)
    }

    fn slo(metric: &str, bound: &str) -> String {
        let class = if ArchitectureMetric::parse(metric).is_some() && ClassMetric::parse(metric).is_none() { String::new() } else { "class = \"api\"\n".to_string() };
        format!("[[slo]]\narchitecture = \"one\"\n{class}metric = \"{metric}\"\n{bound}\n")
    }

    #[test]
    fn every_metric_name_has_a_figure_matching_the_json() {
        let (_, summary) = run("");
        let json = serde_json::to_value(&summary).expect("serialises");
        let arch = &json["architectures"][0];
        let class = &arch["classes"][0];
        let check = |node: &serde_json::Value, metric: &str, f: Figure| {
            let mut at = node;
            for part in metric.split('.') {
                at = &at[part];
            }
            let point = if f.quantile { &at["value"] } else { &at["mean"] };
            assert_eq!(point.as_f64(), f.point, "{metric}");
            assert_eq!(at["ci_low"].as_f64(), f.ci_low, "{metric}");
            assert_eq!(at["ci_high"].as_f64(), f.ci_high, "{metric}");
        };
        for &metric in ClassMetric::ALL {
            check(class, metric.name(), class_figure(&summary.architectures[0].classes[0], metric));
        }
        for &metric in ArchitectureMetric::ALL {
            let f = architecture_figure(&summary.architectures[0], metric).unwrap_or_else(|| panic!("{metric} has no figure"));
            check(arch, metric.name(), f);
        }
    }

    #[test]
    fn min_is_judged_on_the_low_end_and_max_on_the_high_end() {
        let (_, summary) = run("");
        let a = &summary.architectures[0].classes[0].availability;
        let (lo, mean, hi) = (a.ci_low.unwrap(), a.mean.unwrap(), a.ci_high.unwrap());
        assert!(lo < mean && mean < hi);
        let mid_low = (lo + mean) / 2.0;
        let mid_high = (mean + hi) / 2.0;
        let text = [slo("availability", &format!("min = {lo}")), slo("availability", &format!("min = {mid_low}")), slo("availability", &format!("max = {hi}")), slo("availability", &format!("max = {mid_high}"))].concat();
        let model = crate::load_str(&format!("{SCENARIO}\n{text}"), &[]).expect("loads");
        let results = evaluate(&model, &summary);
        let verdicts: Vec<&Verdict> = results.iter().map(|r| &r.verdict).collect();
        assert_eq!(verdicts, [&Verdict::Pass, &Verdict::Breach, &Verdict::Pass, &Verdict::Breach]);
        assert_eq!(results[1].end, Some(lo));
        assert_eq!(results[3].end, Some(hi));
        assert!(results[1].detail().starts_with("low end ") && results[1].detail().contains(" < "), "{}", results[1].detail());
        assert!(results[3].detail().starts_with("high end ") && results[3].detail().contains(" > "), "{}", results[3].detail());
        assert_eq!(Tally::of(&results).to_string(), "2 of 4 SLOs hold; 2 breached");
    }

    #[test]
    fn a_close_breach_shows_digits_that_tell_the_end_from_the_bound() {
        let (_, summary) = run("");
        let lo = summary.architectures[0].classes[0].availability.ci_low.unwrap();
        let (model, _) = run(&slo("availability", &format!("min = {}", lo + 1e-9)));
        let r = &evaluate(&model, &summary)[0];
        assert_eq!(r.verdict, Verdict::Breach);
        let detail = r.detail();
        let (end, bound) = detail.trim_start_matches("low end ").split_once(" < ").unwrap();
        assert_ne!(end, bound, "{detail}");
    }

    #[test]
    fn missing_data_cannot_be_judged_and_fails() {
        // No outages in a month with a failure every 1000 years: MTTR has no estimate.
        let quiet = "[[slo]]\narchitecture = \"one\"\nclass = \"api\"\nmetric = \"mttr_hours\"\nmax = 4\n";
        let model = crate::load_str(&format!("{SCENARIO}\n{quiet}"), &["components.a.failure.mean=1000y", "simulation.horizon=730h"]).unwrap();
        let summary = crate::simulate(&model, Some(1)).unwrap();
        let r = &evaluate(&model, &summary)[0];
        assert!(!r.holds());
        assert_eq!(r.status(), "FAIL");
        assert_eq!(r.verdict, Verdict::Unjudged("no outages in 30 replications, so `mttr_hours` has no estimate".to_string()));
        assert!(r.line().contains("no estimate (cannot be judged: no outages in 30 replications"), "{}", r.line());
        assert_eq!(Tally::of(std::slice::from_ref(r)).to_string(), "0 of 1 SLOs hold; 1 cannot be judged (counted as breached)");
        // Availability 1 in every replication: judged, with a word on the zero-width interval.
        let model = crate::load_str(&format!("{SCENARIO}\n{}", slo("availability", "min = 0.999")), &["components.a.failure.mean=1000y", "simulation.horizon=730h"]).unwrap();
        let r = &evaluate(&model, &summary)[0];
        assert!(r.holds());
        assert!(r.detail().ends_with("no variation across 30 replications"), "{}", r.detail());
    }

    #[test]
    fn costs_and_the_decision_can_be_bounded() {
        // A second architecture with a fallback: it has a net benefit against the first.
        let two = SCENARIO.replace("[sla]", "[components.b]\nfailure = { dist = \"exponential\", mean = \"30d\" }\nrepair = { dist = \"exponential\", mean = \"2h\" }\nrunning_cost = \"100/month\"\n\n[routes.both]\nfailover = [\"a\", \"b\"]\n\n[architectures.two]\napi = [\"both\"]\n\n[sla]");
        let slo = |arch: &str, metric: &str, bound: &str| format!("[[slo]]\narchitecture = \"{arch}\"\nmetric = \"{metric}\"\n{bound}\n");
        let text = [slo("two", "net_benefit_per_year", "max = 0"), slo("two", "total_cost_per_year", "max = 1200"), slo("one", "net_benefit_per_year", "min = 0"), slo("two", "break_even_cost_per_hour_down", "min = 0")].concat();
        let model = crate::load_str(&format!("{two}\n{text}"), &[]).expect("loads");
        let summary = crate::simulate(&model, Some(1)).expect("runs");
        let r = evaluate(&model, &summary);
        // No price of downtime: `two` costs 1200 a year more to run and saves nothing priced.
        assert!(r[0].holds(), "{}", r[0].line());
        assert!(r[0].line().contains("-1,200"), "money is written as money: {}", r[0].line());
        assert!(r[1].holds(), "{}", r[1].line());
        assert!(matches!(&r[2].verdict, Verdict::Unjudged(why) if why.contains("`one` is the baseline")), "{}", r[2].line());
        // It saves downtime and costs more otherwise: it pays above a positive break-even.
        assert!(r[3].holds(), "{}", r[3].line());
    }

    #[test]
    fn architecture_level_metrics_and_quantiles() {
        let text = [slo("sla_breach_probability", "max = 1"), slo("cost_per_year", "max = 1e12"), slo("mttr_hours.p90", "max = 1000"), slo("added_latency_seconds.p99", "max = 1")].concat();
        let (model, summary) = run(&text);
        let results = evaluate(&model, &summary);
        assert_eq!(results[0].subject(), "one");
        assert!(results[0].holds(), "{}", results[0].line());
        assert!(results[1].holds(), "{}", results[1].line());
        assert!(results[2].holds() && results[2].figure.quantile, "{}", results[2].line());
        assert!(matches!(&results[3].verdict, Verdict::Unjudged(r) if r.contains("without an interval")), "{}", results[3].line());
        assert_eq!(results[3].check_name(true), "added_latency_seconds.p99 <= 1");
    }
}
