//! Everything a run shows or writes: one [`Exporter`] per format (terminal table, JSON, CSV,
//! Markdown) rendering the same [`Report`], and [`write_outputs`] for the output folder (those,
//! the plots and report.html).

pub mod answer;
pub mod csv;
pub mod decision;
pub mod exact;
pub mod estimate;
pub mod html;
pub mod json;
pub mod markdown;
pub mod rare;
pub mod replay;
pub mod table;

use std::path::Path;

use anyhow::Context;

use crate::model::Model;
use crate::stats::summary::Summary;

/// What a report renders: the estimates plus the context needed to explain them.
#[derive(Clone, Copy)]
pub struct Report<'a> {
    /// The estimates.
    pub summary: &'a Summary,
    /// The model they came from (for the scenario summary and assumptions).
    pub model: &'a Model,
    /// The scenario file as given on the command line.
    pub file: &'a str,
    /// A command that reproduces the run.
    pub command: &'a str,
    /// Which exact values are shown and why others are missing, if worth saying.
    pub exact_note: Option<&'a str>,
    /// File names of the plots written beside the report (report.md links the PNGs it finds
    /// here); empty when there are none.
    pub plots: &'a [String],
}

/// Renders a report in one format.
pub trait Exporter {
    /// The rendered text.
    fn render(&self, report: &Report<'_>) -> anyhow::Result<String>;
}

/// Output formats for stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table for the terminal.
    Table,
    /// JSON, as in summary.json.
    Json,
    /// CSV, one row per architecture, class and metric, as in summary.csv.
    Csv,
    /// Markdown, as in report.md.
    Md,
}

impl Format {
    /// The exporter for this format.
    pub fn exporter(self) -> Box<dyn Exporter> {
        match self {
            Format::Table => Box::new(table::TableExporter { color: false, wrap: false }),
            Format::Json => Box::new(json::JsonExporter),
            Format::Csv => Box::new(csv::CsvExporter),
            Format::Md => Box::new(markdown::MarkdownExporter),
        }
    }
}

/// Writes the plots (when `plots` is given), `summary.json`, `summary.csv`, `report.md` and
/// `report.html` into `dir` (created if missing) and returns the paths written.
///
/// Plots come first, so the reports link exactly the plots of this run. Plots of an earlier
/// run left in the folder (for example before a run with `--no-plots`) are not deleted, and not
/// linked. Every file is staged and moved into place only when all are written
/// (`crate::output`), so the folder never holds half of a run's files.
pub fn write_outputs(dir: &Path, report: &Report<'_>, plots: Option<&crate::plot::PlotInput<'_>>) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let staging = crate::output::Staging::new(dir)?;
    let stage = staging.path();
    let mut written = Vec::new();
    if let Some(input) = plots {
        written.extend(crate::plot::write_plots(stage, input)?);
    }
    let names: Vec<String> = written.iter().filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
    let report = Report { plots: &names, ..*report };
    let files: [(&str, &dyn Exporter); 3] =
        [("summary.json", &json::JsonExporter), ("summary.csv", &csv::CsvExporter), ("report.md", &markdown::MarkdownExporter)];
    let write = |path: &Path, text: &str| std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()));
    let mut markdown = String::new();
    for (name, exporter) in files {
        crate::interrupt::check()?;
        let path = stage.join(name);
        let text = exporter.render(&report)?;
        write(&path, &text)?;
        written.push(path);
        markdown = text;
    }
    let path = stage.join("report.html");
    write(&path, &html::render(&markdown, &report.summary.scenario, stage)?)?;
    written.push(path);
    staging.commit(&written)
}
