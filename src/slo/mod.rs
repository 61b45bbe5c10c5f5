//! `relsim check`: the scenario's `[[slo]]` entries judged against a run's estimates.
//!
//! A bound is judged on the conservative end of its metric's interval: `min` on the low end,
//! `max` on the high end, so a check holds only when the whole interval is on the right side of
//! the bound, not merely the mean. A bound whose metric has no interval (no outages to measure
//! MTTR on, a quantile reported as a point value) cannot be judged and counts as breached: a gate
//! must not pass on missing data. An entry with both `min` and `max` is two checks.

pub mod junit;

use std::fmt;

use crate::model::metric::{ArchitectureMetric, ClassMetric, Metric};
use crate::model::Model;
use crate::format;
use crate::report::estimate;
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
            return estimate::quantile(&QuantileEstimate { value: f.point, ci_low: f.ci_low, ci_high: f.ci_high });
        }
        let e = Estimate { mean: f.point, ci_low: f.ci_low, ci_high: f.ci_high, exact: None };
        match style(self.metric) {
            Style::Percent => estimate::percent(&e),
            Style::Money => estimate::money(&e),
            Style::Plain => estimate::pm_compact(&e),
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
mod tests;
