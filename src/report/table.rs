//! The terminal comparison table, and the rows it shares with the Markdown report.

use comfy_table::{presets, Attribute, Cell, CellAlignment, ContentArrangement, Table};

use super::estimate::{money, percent, pm, pm_compact, probability, with_exact};
use super::{Exporter, Report};
use crate::stats::summary::Summary;

/// Headers of the per-class comparison.
pub const CLASS_HEADERS: [&str; 9] = [
    "architecture",
    "class",
    "availability",
    "downtime h/yr",
    "outages/yr",
    "MTTR h (mean)",
    "MTTR h median / p90",
    "MTBF h",
    "cost/yr",
];

/// One row per architecture and class; where an exact value exists it follows the estimate,
/// after `sep` (a newline in the terminal, `<br>` in Markdown).
pub fn class_rows(s: &Summary, sep: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for a in &s.architectures {
        for (i, c) in a.classes.iter().enumerate() {
            rows.push(vec![
                if i == 0 { a.name.clone() } else { String::new() },
                c.name.clone(),
                with_exact(percent(&c.availability), &c.availability, true, sep),
                with_exact(pm(&c.downtime_hours_per_year), &c.downtime_hours_per_year, false, sep),
                with_exact(pm(&c.outages_per_year), &c.outages_per_year, false, sep),
                with_exact(pm(&c.mttr_hours.mean), &c.mttr_hours.mean, false, sep),
                format!("{} / {}", short(c.mttr_hours.median.value), short(c.mttr_hours.p90.value)),
                with_exact(pm(&c.mtbf_hours), &c.mtbf_hours, false, sep),
                money(&c.cost_per_year),
            ]);
        }
    }
    rows
}

/// Headers of the request-level view.
pub const REQUEST_HEADERS: [&str; 8] = [
    "architecture",
    "class",
    "request success",
    "silent errors",
    "overloaded",
    "retries/request",
    "added latency s mean / p50 / p99",
    "breaker opens/yr",
];

/// Per architecture and class: what requests saw.
pub fn request_rows(s: &Summary, sep: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for a in &s.architectures {
        for (i, c) in a.classes.iter().enumerate() {
            let l = &c.added_latency_seconds;
            rows.push(vec![
                if i == 0 { a.name.clone() } else { String::new() },
                c.name.clone(),
                with_exact(percent(&c.request_success), &c.request_success, true, sep),
                probability(&c.silent_errors),
                probability(&c.overloaded_requests),
                pm_compact(&c.retries_per_request),
                format!("{} / {} / {}", pm_compact(&l.mean), short(l.p50.value), short(l.p99.value)),
                pm(&c.breaker_opens_per_year),
            ]);
        }
    }
    rows
}

/// Components listed per class under "top contributors".
const TOP: usize = 3;

/// Headers of the top-contributors view.
pub const CONTRIBUTOR_HEADERS: [&str; 4] = ["architecture", "class", "largest shares of downtime", "highest Birnbaum importance"];

/// Per architecture and class: the components whose failures started the most downtime, and
/// the components with the highest Birnbaum importance (exact where known).
pub fn contributor_rows(s: &Summary, sep: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for a in &s.architectures {
        for (i, c) in a.classes.iter().enumerate() {
            let mut by_share: Vec<_> = c.importance.iter().filter(|x| x.downtime_share.mean.is_some_and(|m| m > 0.0)).collect();
            by_share.sort_by(|x, y| y.downtime_share.mean.unwrap_or(0.0).total_cmp(&x.downtime_share.mean.unwrap_or(0.0)));
            let shares: Vec<String> = by_share.iter().take(TOP).map(|x| format!("{} {}", x.component, probability(&x.downtime_share))).collect();
            let birnbaum = |x: &crate::stats::summary::ComponentImportance| x.birnbaum.exact.or(x.birnbaum.mean);
            let mut by_b: Vec<_> = c.importance.iter().filter(|x| birnbaum(x).is_some()).collect();
            by_b.sort_by(|x, y| birnbaum(y).unwrap_or(0.0).total_cmp(&birnbaum(x).unwrap_or(0.0)));
            let bs: Vec<String> = by_b
                .iter()
                .take(TOP)
                .map(|x| match (x.birnbaum.exact, x.birnbaum.mean) {
                    (Some(e), _) => format!("{} {e:.4} (exact)", x.component),
                    (None, Some(_)) => format!("{} {}", x.component, pm(&x.birnbaum)),
                    _ => String::new(),
                })
                .collect();
            rows.push(vec![
                if i == 0 { a.name.clone() } else { String::new() },
                c.name.clone(),
                if shares.is_empty() { "no downtime".to_string() } else { shares.join(sep) },
                if bs.is_empty() { "— (run with --importance to estimate)".to_string() } else { bs.join(sep) },
            ]);
        }
    }
    rows
}

fn short(v: Option<f64>) -> String {
    match v {
        Some(x) if x >= 100.0 => format!("{x:.0}"),
        Some(x) if x >= 10.0 => format!("{x:.1}"),
        Some(x) => format!("{x:.2}"),
        None => "—".to_string(),
    }
}

/// Headers of the per-architecture totals.
pub fn architecture_headers(s: &Summary) -> Vec<String> {
    let mut h: Vec<String> = ["architecture", "running cost/yr", "failure cost/yr", "total cost/yr"].iter().map(|x| x.to_string()).collect();
    if let Some(sla) = &s.sla {
        h.push(format!("SLA breach prob. per {}", sla.period));
        h.push("SLA credits/yr".to_string());
    }
    h
}

/// One row per architecture: running, failure and total cost, and the SLA.
pub fn architecture_rows(s: &Summary) -> Vec<Vec<String>> {
    s.architectures
        .iter()
        .map(|a| {
            let mut r = vec![a.name.clone(), money(&a.costs.running_cost_per_year), money(&a.cost_per_year), money(&a.costs.total_cost_per_year)];
            if s.sla.is_some() {
                r.push(a.sla_breach_probability.as_ref().map(probability).unwrap_or_default());
                r.push(a.sla_credits_per_year.as_ref().map(money).unwrap_or_default());
            }
            r
        })
        .collect()
}

/// How the cost columns add up.
pub const COST_NOTE: &str = "Running cost = fixed costs (running_cost of every unit used and of the architecture) + prices of the requests components answered; failure cost (cost_per_year) = downtime + failed requests + SLA credits; total = running + failure.";

/// The heading line: scenario, replications, horizon, seed, confidence.
pub fn heading(s: &Summary) -> String {
    format!(
        "{}: {} replications of {} h, seed {}, {}% intervals",
        s.scenario,
        s.replications,
        s.horizon_hours,
        s.seed,
        s.confidence * 100.0
    )
}

/// Renders the terminal table.
pub struct TableExporter {
    /// Bold headers (ANSI escapes); the caller decides (a terminal, and `NO_COLOR` unset).
    pub color: bool,
    /// Wrap cells to fit the terminal's width (when stdout is one); otherwise rows are never
    /// wrapped, so the output does not depend on where it is printed.
    pub wrap: bool,
}

/// A table in the project's style; columns from the third on are right-aligned.
pub(super) fn table(headers: &[String], rows: &[Vec<String>], color: bool, wrap: bool) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(if wrap { ContentArrangement::Dynamic } else { ContentArrangement::Disabled });
    if color {
        t.enforce_styling();
        t.set_header(headers.iter().map(|h| Cell::new(h).add_attribute(Attribute::Bold)));
    } else {
        t.set_header(headers.to_vec());
    }
    for r in rows {
        t.add_row(r.clone());
    }
    for i in 2..headers.len() {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

impl Exporter for TableExporter {
    fn render(&self, report: &Report<'_>) -> anyhow::Result<String> {
        let s = report.summary;
        let headers: Vec<String> = CLASS_HEADERS.iter().map(|h| h.to_string()).collect();
        let mut out = format!("{}\n", heading(s));
        out.push_str(&table(&headers, &class_rows(s, "\n"), self.color, self.wrap).to_string());
        out.push('\n');
        if super::rare::shown(s) {
            let headers: Vec<String> = super::rare::HEADERS.iter().map(|h| h.to_string()).collect();
            out.push_str(&format!("{}\n{}\n{}\n", super::rare::TITLE, table(&headers, &super::rare::rows(s, "\n"), self.color, self.wrap), super::rare::EXPLANATION));
        }
        let arch = table(&architecture_headers(s), &architecture_rows(s), self.color, self.wrap);
        out.push_str(&arch.to_string());
        out.push('\n');
        let headers: Vec<String> = REQUEST_HEADERS.iter().map(|h| h.to_string()).collect();
        out.push_str("Requests\n");
        out.push_str(&table(&headers, &request_rows(s, "\n"), self.color, self.wrap).to_string());
        out.push('\n');
        let headers: Vec<String> = CONTRIBUTOR_HEADERS.iter().map(|h| h.to_string()).collect();
        let mut contributors = table(&headers, &contributor_rows(s, "\n"), self.color, self.wrap);
        for i in 2..4 {
            if let Some(col) = contributors.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Left);
            }
        }
        out.push_str("Top contributors\n");
        out.push_str(&contributors.to_string());
        out.push('\n');
        if let Some(r) = &s.replay {
            out.push_str(&super::replay::terminal(r, self.color, self.wrap));
        }
        let bold = |t: &str| if self.color { format!("\x1b[1m{t}\x1b[0m") } else { t.to_string() };
        out.push_str(&format!("{}\n", bold("The answer")));
        for v in super::answer::verdicts(s, &|n| n.to_string()).into_iter().chain(super::rare::verdicts(s, &|n| n.to_string())) {
            out.push_str(&format!("  • {v}\n"));
        }
        if let Some(sla) = &s.sla {
            out.push_str(&format!("SLA: target {} per {}, measured on {}.\n", sla.target, sla.period, sla.measures));
        }
        out.push_str("Intervals are ± half-widths; differences between architectures are paired (same random histories); MTTR median / p90 are over outages.\n");
        out.push_str(COST_NOTE);
        out.push('\n');
        if let Some(note) = report.exact_note {
            out.push_str(&format!("{note}\n"));
        }
        for n in &s.notes {
            out.push_str(&format!("Note: {n}.\n"));
        }
        Ok(out)
    }
}
