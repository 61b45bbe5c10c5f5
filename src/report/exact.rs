//! What `relsim exact` prints: per architecture the method used (or why none applies) and per
//! class the exact steady-state figures, as a table or as JSON.

use comfy_table::{presets, CellAlignment, ContentArrangement, Table};
use serde::Serialize;

use crate::analytic::{Analysis, ArchExact};
use crate::model::Model;
use crate::scenario::units::{HOUR, YEAR};

/// Components shown per class in the table's importance column.
const TOP: usize = 3;

#[derive(Serialize)]
struct JsonAnalysis<'a> {
    scenario: &'a str,
    exact: bool,
    architectures: Vec<JsonArch<'a>>,
}

#[derive(Serialize)]
struct JsonArch<'a> {
    name: &'a str,
    method: Option<String>,
    reason: Option<&'a str>,
    notes: Vec<&'a str>,
    classes: Vec<JsonClass<'a>>,
}

#[derive(Serialize)]
struct JsonClass<'a> {
    name: &'a str,
    availability: f64,
    downtime_minutes_per_year: f64,
    outages_per_year: Option<f64>,
    mttr_hours: Option<f64>,
    mtbf_hours: Option<f64>,
    time_to_first_outage_hours: Option<f64>,
    birnbaum: Vec<JsonImportance<'a>>,
}

#[derive(Serialize)]
struct JsonImportance<'a> {
    component: &'a str,
    value: f64,
}

/// The analysis as JSON.
pub fn json(model: &Model, analysis: &Analysis) -> anyhow::Result<String> {
    let architectures = model
        .architectures
        .iter()
        .zip(&analysis.archs)
        .map(|(a, r)| match r {
            Ok(e) => JsonArch {
                name: &a.name,
                method: Some(e.method.describe()),
                reason: None,
                notes: e.notes.iter().map(String::as_str).collect(),
                classes: e
                    .classes
                    .iter()
                    .zip(&model.classes)
                    .map(|(c, cls)| JsonClass {
                        name: &cls.name,
                        availability: c.availability,
                        downtime_minutes_per_year: c.downtime_minutes_per_year(),
                        outages_per_year: c.frequency.map(|f| f * YEAR / HOUR),
                        mttr_hours: c.mttr_hours(),
                        mtbf_hours: c.mtbf_hours(),
                        time_to_first_outage_hours: c.mttff_hours,
                        birnbaum: sorted(&c.birnbaum).into_iter().map(|(k, v)| JsonImportance { component: &model.components[k].name, value: v }).collect(),
                    })
                    .collect(),
            },
            Err(reason) => JsonArch { name: &a.name, method: None, reason: Some(reason), notes: Vec::new(), classes: Vec::new() },
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&JsonAnalysis { scenario: &model.name, exact: analysis.complete(), architectures })?;
    s.push('\n');
    Ok(s)
}

fn sorted(b: &[(usize, f64)]) -> Vec<(usize, f64)> {
    let mut v = b.to_vec();
    v.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    v
}

fn opt(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.decimals$}"),
        Some(_) => "∞".to_string(),
        None => "—".to_string(),
    }
}

fn arch_table(model: &Model, e: &ArchExact) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_header(vec![
        "class",
        "availability",
        "downtime min/yr",
        "outages/yr",
        "MTTR h",
        "MTBF h",
        "MTTFF h",
        "highest Birnbaum importance",
    ]);
    for (c, cls) in e.classes.iter().zip(&model.classes) {
        let top: Vec<String> = sorted(&c.birnbaum).into_iter().take(TOP).map(|(k, v)| format!("{} {v:.6}", model.components[k].name)).collect();
        t.add_row(vec![
            cls.name.clone(),
            format!("{:.10}", c.availability),
            format!("{:.4}", c.downtime_minutes_per_year()),
            opt(c.frequency.map(|f| f * YEAR / HOUR), 6),
            opt(c.mttr_hours(), 6),
            opt(c.mtbf_hours(), 3),
            opt(c.mttff_hours, 3),
            top.join("; "),
        ]);
    }
    for i in 1..7 {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

/// The analysis as text for the terminal.
pub fn table(model: &Model, analysis: &Analysis) -> String {
    let mut out = format!("{}: exact steady-state results\n", model.name);
    for (a, r) in model.architectures.iter().zip(&analysis.archs) {
        match r {
            Ok(e) => {
                out.push_str(&format!("\n{}: {}\n", a.name, e.method.describe()));
                out.push_str(&arch_table(model, e).to_string());
                out.push('\n');
                for n in &e.notes {
                    out.push_str(&format!("note: {n}\n"));
                }
            }
            Err(reason) => out.push_str(&format!("\n{}: {reason}\n", a.name)),
        }
    }
    out.push_str("\nMTBF is the mean up time between outages; MTTFF the mean time to the first outage from all up.\n");
    out
}
