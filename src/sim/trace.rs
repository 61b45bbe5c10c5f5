//! One replication recorded as a timeline, for the timeline plot: every component's down
//! intervals and every class's outages, per architecture, on the run's random numbers.

/// Down intervals of one component or one class.
#[derive(Clone, Debug, PartialEq)]
pub struct Track {
    /// Component or class name.
    pub name: String,
    /// Down intervals `(start, end)` in hours from the start, sorted, not overlapping, clipped
    /// to the horizon.
    pub down: Vec<(f64, f64)>,
}

/// One architecture's part of a timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchTimeline {
    /// Architecture name.
    pub name: String,
    /// The components the architecture uses, in scenario order.
    pub components: Vec<Track>,
    /// The traffic classes, in scenario order.
    pub classes: Vec<Track>,
}

/// One replication as a timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// Which replication (its random numbers are those of replication `replication` of the run).
    pub replication: u64,
    /// Horizon in hours.
    pub horizon_hours: f64,
    /// Per architecture, in scenario order.
    pub architectures: Vec<ArchTimeline>,
}
