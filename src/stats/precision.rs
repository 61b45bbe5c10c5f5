//! How a precision target (`--precision`, `--rel-precision`) went, as the summary holds and the
//! reports write it. `crate::precision` runs the batches that reach it.

use serde::Serialize;

use crate::model::metric::ClassMetric;

/// A half-width target.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum HalfWidth {
    /// At most this much, in the metric's unit.
    Absolute(f64),
    /// At most this fraction of the estimate's magnitude.
    Relative(f64),
}

/// How a precision target went; it goes into the summary and the reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    /// The metric.
    pub metric: ClassMetric,
    /// The target.
    pub target: HalfWidth,
    /// The cap on replications.
    pub max_replications: u64,
    /// Whether every architecture and class met the target.
    pub met: bool,
    /// Those that did not, with the half-width they reached.
    pub unmet: Vec<Unmet>,
}

/// An architecture and class that missed the target.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unmet {
    /// Architecture name.
    pub architecture: String,
    /// Class name.
    pub class: String,
    /// Half-width reached (`null` when the metric has no interval yet, e.g. MTTR without outages).
    pub half_width: Option<f64>,
}

impl Outcome {
    /// One sentence for the reports.
    pub fn sentence(&self, replications: u64) -> String {
        let target = match self.target {
            HalfWidth::Absolute(h) => format!("± {h}"),
            HalfWidth::Relative(r) => format!("± {}% of the estimate", r * 100.0),
        };
        if self.met {
            return format!("Precision target {target} on {} met by every architecture and class after {replications} replications", self.metric);
        }
        let list: Vec<String> = self
            .unmet
            .iter()
            .map(|u| match u.half_width {
                Some(h) => format!("{}/{} (± {h:.3e})", u.architecture, u.class),
                None => format!("{}/{} (no interval yet)", u.architecture, u.class),
            })
            .collect();
        format!(
            "Precision target {target} on {} NOT met after {replications} replications (the --max-reps cap of {}): {}",
            self.metric,
            self.max_replications,
            list.join(", ")
        )
    }
}
