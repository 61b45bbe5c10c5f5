//! Distributions across a run, for plots: per architecture × class, the downtime of each
//! replication (per year) and the duration of each outage, as counts in narrow bins.

/// Per architecture × class distributions, architecture-major (index `a * classes + c`), in the
/// order of the summary's architectures and classes.
#[derive(Clone, Debug, PartialEq)]
pub struct Distributions {
    /// Number of traffic classes (the row length).
    pub classes: usize,
    /// One entry per architecture × class.
    pub cells: Vec<ClassDistributions>,
}

/// What one class saw in one architecture over all replications.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassDistributions {
    /// Architecture name.
    pub architecture: String,
    /// Class name.
    pub class: String,
    /// Downtime per year of each replication: `(hours per year, replications)` in increasing
    /// order of hours, in bins 1 % wide; replications with no downtime are the bin at 0.0.
    pub downtime_hours_per_year: Vec<(f64, u64)>,
    /// Outage durations: `(hours, outages)` in increasing order, bins 1 % wide.
    pub outage_hours: Vec<(f64, u64)>,
}

impl Distributions {
    /// The cell of architecture `a`, class `c`.
    pub fn cell(&self, a: usize, c: usize) -> &ClassDistributions {
        &self.cells[a * self.classes + c]
    }
}
