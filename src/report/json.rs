//! JSON: the [`Summary`](crate::stats::summary::Summary) as SCENARIO.md's "What a run reports"
//! describes it. It holds nothing that depends on the machine, the thread count or the time of
//! the run, so the same scenario and seed give the same bytes.

use super::{Exporter, Report};

/// Renders `summary.json`.
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn render(&self, report: &Report<'_>) -> anyhow::Result<String> {
        let mut s = serde_json::to_string_pretty(report.summary)?;
        s.push('\n');
        Ok(s)
    }
}
