//! The command-line options that say how to read an incident file, flattened into every command
//! that reads one (`relsim fit`, `relsim replay`).

use clap::Args;

use super::{ReadOptions, WideMapping};

/// How to read the incident file (see docs/incidents.md).
#[derive(Clone, Debug, Default, Args)]
pub struct IncidentArgs {
    /// Observation window for every component, START..END (either end may be left out), for
    /// example 2024-01-01..2024-09-01; overrides observed_from/observed_to columns. Without
    /// one, each component's window is the span of its own incidents.
    #[arg(long, value_name = "START..END")]
    pub window: Option<String>,

    /// Read the wide status-page layout: one row per incident, a 0/1 column per service
    /// (with --services, --start and --end).
    #[arg(long)]
    pub wide: bool,

    /// Wide layout: the 0/1 service columns, each read as a component, e.g. 'API,api.anthropic.com'.
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',', requires = "wide")]
    pub services: Vec<String>,

    /// Wide layout: the start time columns; an incident starts at the first that is not empty.
    #[arg(long = "start", value_name = "COLUMNS", value_delimiter = ',', requires = "wide")]
    pub start_columns: Vec<String>,

    /// Wide layout: the end time column (empty: the incident is still going on).
    #[arg(long = "end", value_name = "COLUMN", requires = "wide")]
    pub end_column: Option<String>,

    /// Wide layout: the impact column [default: impact or incident_impact_level, if present].
    #[arg(long = "impact-column", value_name = "COLUMN", requires = "wide")]
    pub impact_column: Option<String>,

    /// Keep only incidents with one of these impacts, e.g. major,critical (without case).
    #[arg(long = "impact", value_name = "IMPACTS", value_delimiter = ',')]
    pub impacts: Vec<String>,
}

impl IncidentArgs {
    /// The options the arguments describe. Missing wide-layout columns are reported by
    /// [`super::read`], with the file's header at hand.
    pub fn to_options(&self) -> ReadOptions {
        let wide = self.wide.then(|| WideMapping {
            services: self.services.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            start: self.start_columns.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            end: self.end_column.clone().unwrap_or_default(),
            impact: self.impact_column.clone(),
        });
        let impacts = (!self.impacts.is_empty()).then(|| self.impacts.clone());
        ReadOptions { window: self.window.clone(), wide, impacts }
    }
}
