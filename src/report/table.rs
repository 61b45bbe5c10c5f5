//! The terminal comparison table, and the rows it shares with the Markdown report.

use comfy_table::{presets, CellAlignment, ContentArrangement, Table};

use super::format::{money, percent, pm, probability};
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

/// One row per architecture and class.
pub fn class_rows(s: &Summary) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for a in &s.architectures {
        for (i, c) in a.classes.iter().enumerate() {
            rows.push(vec![
                if i == 0 { a.name.clone() } else { String::new() },
                c.name.clone(),
                percent(&c.availability),
                pm(&c.downtime_hours_per_year),
                pm(&c.outages_per_year),
                pm(&c.mttr_hours.mean),
                format!("{} / {}", short(c.mttr_hours.median.value), short(c.mttr_hours.p90.value)),
                pm(&c.mtbf_hours),
                money(&c.cost_per_year),
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
    let mut h = vec!["architecture".to_string(), "total cost/yr".to_string()];
    if let Some(sla) = &s.sla {
        h.push(format!("SLA breach prob. per {}", sla.period));
        h.push("SLA credits/yr".to_string());
    }
    h
}

/// One row per architecture: total cost and SLA.
pub fn architecture_rows(s: &Summary) -> Vec<Vec<String>> {
    s.architectures
        .iter()
        .map(|a| {
            let mut r = vec![a.name.clone(), money(&a.cost_per_year)];
            if s.sla.is_some() {
                r.push(a.sla_breach_probability.as_ref().map(probability).unwrap_or_default());
                r.push(a.sla_credits_per_year.as_ref().map(money).unwrap_or_default());
            }
            r
        })
        .collect()
}

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
pub struct TableExporter;

fn table(headers: &[String], rows: &[Vec<String>]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_header(headers.to_vec());
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
        out.push_str(&table(&headers, &class_rows(s)).to_string());
        out.push('\n');
        let arch = table(&architecture_headers(s), &architecture_rows(s));
        out.push_str(&arch.to_string());
        out.push('\n');
        if let Some(sla) = &s.sla {
            out.push_str(&format!("SLA: target {} per {}, measured on {}.\n", sla.target, sla.period, sla.measures));
        }
        out.push_str("Intervals are ± half-widths; MTTR median / p90 are over outages.\n");
        for n in &s.notes {
            out.push_str(&format!("Note: {n}.\n"));
        }
        Ok(out)
    }
}
