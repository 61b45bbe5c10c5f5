//! A sweep's files: `sweep.csv` in long format (the swept parameters, then architecture, class,
//! metric, mean, ci_low, ci_high: ready for a spreadsheet or a plotting library) and
//! `sweep.json` (every point's full summary).

use super::SweepResult;
use crate::model::metric::{ClassMetric, Metric};
use crate::stats::estimate::Estimate;

fn num(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// `sweep.csv`: one row per point, architecture, class and metric; architecture-level metrics
/// (costs, SLA, and the decision against the baseline: `net_benefit_per_year`,
/// `break_even_cost_per_hour_down`) have an empty class.
pub fn csv(result: &SweepResult) -> anyhow::Result<String> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = result.parameters.iter().map(String::as_str).collect();
    header.extend(["architecture", "class", "metric", "mean", "ci_low", "ci_high"]);
    w.write_record(&header)?;
    for p in &result.points {
        let mut row = |arch: &str, class: &str, metric: &str, e: &Estimate| -> anyhow::Result<()> {
            let mut r: Vec<String> = p.values.clone();
            r.extend([arch.to_string(), class.to_string(), metric.to_string(), num(e.mean), num(e.ci_low), num(e.ci_high)]);
            w.write_record(&r)?;
            Ok(())
        };
        for (ai, a) in p.summary.architectures.iter().enumerate() {
            for c in &a.classes {
                for &m in ClassMetric::ALL {
                    row(&a.name, &c.name, m.name(), &c.metric(m))?;
                }
            }
            for m in Metric::architecture_level() {
                if let Some(e) = p.summary.architecture_metric(ai, m) {
                    row(&a.name, "", m.name(), &e)?;
                }
            }
        }
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// `sweep.json`.
pub fn json(result: &SweepResult) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(result)? + "\n")
}

/// The terminal view: per point and architecture, each class's availability and request
/// success, and the total cost (running cost included).
pub fn table(result: &SweepResult, color: bool, wrap: bool) -> String {
    use crate::report::estimate::{money, percent};
    use comfy_table::{presets, Attribute, Cell, CellAlignment, ContentArrangement, Table};
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(if wrap { ContentArrangement::Dynamic } else { ContentArrangement::Disabled });
    let classes: Vec<String> = result.points.first().and_then(|p| p.summary.architectures.first()).map(|a| a.classes.iter().map(|c| c.name.clone()).collect()).unwrap_or_default();
    let mut headers: Vec<String> = result.parameters.clone();
    headers.push("architecture".to_string());
    for c in &classes {
        headers.push(format!("{c} availability"));
        headers.push(format!("{c} request success"));
    }
    headers.push("total cost/yr".to_string());
    if color {
        t.enforce_styling();
        t.set_header(headers.iter().map(|h| Cell::new(h).add_attribute(Attribute::Bold)));
    } else {
        t.set_header(headers.clone());
    }
    for p in &result.points {
        for (k, a) in p.summary.architectures.iter().enumerate() {
            let mut row: Vec<String> = if k == 0 { p.values.clone() } else { vec![String::new(); p.values.len()] };
            row.push(a.name.clone());
            for c in &a.classes {
                row.push(percent(&c.availability));
                row.push(percent(&c.request_success));
            }
            row.push(money(&a.costs.total_cost_per_year));
            t.add_row(row);
        }
    }
    for i in result.parameters.len() + 1..headers.len() {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let seed = result.points.first().map_or(0, |p| p.summary.seed);
    let reps = result.points.first().map_or(0, |p| p.summary.replications);
    format!(
        "{}: sweep of {} points, {reps} replications each, seed {seed} (the same random numbers at every point)\n{t}\nIntervals are ± half-widths.\n",
        result.scenario,
        result.points.len()
    )
}

/// Writes `sweep.csv`, `sweep.json` and (with `plots`) the sweep plots into `dir`, and returns
/// the paths written.
pub fn write(dir: &std::path::Path, result: &SweepResult, plots: bool) -> anyhow::Result<Vec<std::path::PathBuf>> {
    use anyhow::Context;
    // Staged and moved into place together (see `crate::output`).
    let staging = crate::output::Staging::new(dir)?;
    let mut written = Vec::new();
    for (name, text) in [("sweep.csv", csv(result)?), ("sweep.json", json(result)?)] {
        let path = staging.path().join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    if plots {
        written.extend(super::plot::write(staging.path(), result)?);
    }
    staging.commit(&written)
}
