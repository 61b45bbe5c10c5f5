//! Everything a run shows or writes: one [`Exporter`] per format (terminal table, JSON, CSV,
//! Markdown) rendering the same [`Report`], and [`write_outputs`] for the output folder.

pub mod csv;
pub mod exact;
pub mod format;
pub mod json;
pub mod markdown;
pub mod table;

use std::path::Path;

use anyhow::Context;

use crate::model::Model;
use crate::stats::summary::Summary;

/// What a report renders: the estimates plus the context needed to explain them.
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
            Format::Table => Box::new(table::TableExporter),
            Format::Json => Box::new(json::JsonExporter),
            Format::Csv => Box::new(csv::CsvExporter),
            Format::Md => Box::new(markdown::MarkdownExporter),
        }
    }
}

/// Writes `summary.json`, `summary.csv` and `report.md` into `dir` (created if missing) and
/// returns the paths written.
pub fn write_outputs(dir: &Path, report: &Report<'_>) -> anyhow::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create output folder {}", dir.display()))?;
    let files: [(&str, &dyn Exporter); 3] =
        [("summary.json", &json::JsonExporter), ("summary.csv", &csv::CsvExporter), ("report.md", &markdown::MarkdownExporter)];
    let mut written = Vec::with_capacity(files.len());
    for (name, exporter) in files {
        let path = dir.join(name);
        let text = exporter.render(report)?;
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
