//! What a report says about a replayed history (`relsim replay`), beside the usual estimates:
//! the observation window, the traced components and how often they were down together.
//!
//! Everything here except the per-window figures is computed exactly from the record
//! (`model::history`), not estimated: the record is the same in every replication. The overlap
//! of two traced providers is the time both were down at once, in episodes (maximal stretches
//! of it); it bounds what failing over from one to the other can do, since during an overlap
//! there is nothing to fail over to.

use serde::Serialize;

use crate::model::Model;
use crate::format::duration as format_duration;
use crate::scenario::units::{HOUR, YEAR};
use crate::stats::estimate::Estimate;
use crate::stats::summary::Summary;

/// The replay part of a report (`replay` in summary.json).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplaySection {
    /// The incident file replayed, as given on the command line.
    pub trace: String,
    /// The observation window: the horizon of every replication.
    pub window: Window,
    /// The traced components, in scenario order.
    pub traced: Vec<TracedSummary>,
    /// Every two traced components that were down at some time in the window: how long they
    /// were down together.
    pub overlaps: Vec<Overlap>,
    /// All of those at once (only with three or more).
    pub all_at_once: Option<Overlap>,
    /// Traced components never down in the window (left out of the overlaps).
    pub never_down: Vec<String>,
    /// Classes of architectures whose every component is traced: the same in every
    /// replication, so their intervals have zero width.
    pub fully_traced: Vec<ArchClass>,
    /// Per architecture and class, the figures over the window rather than per year.
    pub over_window: Vec<WindowFigures>,
    /// How to read the numbers.
    pub notes: Vec<String>,
}

/// The observation window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Window {
    /// Start (RFC 3339, UTC).
    pub start: String,
    /// End (RFC 3339, UTC), exclusive.
    pub end: String,
    /// Length in hours.
    pub hours: f64,
}

/// One traced component.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TracedSummary {
    /// The scenario's component.
    pub component: String,
    /// Its name in the incident file, where it differs (`--map`).
    pub source_name: Option<String>,
    /// Incidents inside the window, after merging overlapping ones.
    pub incidents: usize,
    /// Incidents merged into others because they overlapped.
    pub merged: usize,
    /// Incidents still open at the window's end (cut there).
    pub open_at_end: usize,
    /// Hours down in the window.
    pub down_hours: f64,
    /// Fraction of the window it was down.
    pub down_fraction: f64,
    /// The architectures that use it.
    pub architectures: Vec<String>,
}

/// Time some traced components were down together.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Overlap {
    /// The components.
    pub components: Vec<String>,
    /// Hours all of them were down at once.
    pub hours: f64,
    /// Maximal stretches of time all of them were down.
    pub episodes: usize,
    /// For each component (same order), the fraction of its own down time during which the
    /// others were down too (`null` for a component never down): 0 means failing over away
    /// from it always had somewhere to go, 1 that it never had.
    pub share_of_downtime: Vec<Option<f64>>,
}

/// An architecture's traffic class.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArchClass {
    /// Architecture.
    pub architecture: String,
    /// Class.
    pub class: String,
}

/// One architecture and class over the window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowFigures {
    /// Architecture.
    pub architecture: String,
    /// Class.
    pub class: String,
    /// Hours down in the window.
    pub downtime_hours: Estimate,
    /// Outages in the window.
    pub outages: Estimate,
    /// Cost of the window (downtime and failed requests).
    pub cost: Estimate,
}

/// What the command knows about a traced component beyond its intervals.
#[derive(Clone, Debug, PartialEq)]
pub struct TracedSource {
    /// The component (index into `Model::components`).
    pub component: usize,
    /// Its name in the incident file, where it differs.
    pub source_name: Option<String>,
    /// Incidents inside the window after merging.
    pub incidents: usize,
    /// Incidents merged into others.
    pub merged: usize,
    /// Incidents still open at the window's end.
    pub open_at_end: usize,
}

impl ReplaySection {
    /// The section for `model` (whose history is the record) and its `summary`; `sources`
    /// gives, per traced component, what the incident file said about it.
    pub fn new(model: &Model, summary: &Summary, trace: &str, window: Window, sources: &[TracedSource]) -> ReplaySection {
        let h = model.horizon;
        let traced_arch = |c: usize| -> Vec<String> {
            (0..model.architectures.len()).filter(|&a| model.components_of(a)[c]).map(|a| model.architectures[a].name.clone()).collect()
        };
        let record: Vec<(usize, &[(f64, f64)])> = model.history.components.iter().map(|t| (t.component, t.down.as_slice())).collect();
        let traced: Vec<TracedSummary> = record
            .iter()
            .map(|&(c, down)| {
                let source = sources.iter().find(|s| s.component == c);
                let down_s = down.iter().fold(0.0, |sum, (s, e)| sum + (e - s));
                TracedSummary {
                    component: model.components[c].name.clone(),
                    source_name: source.and_then(|s| s.source_name.clone()),
                    incidents: source.map_or(down.len(), |s| s.incidents),
                    merged: source.map_or(0, |s| s.merged),
                    open_at_end: source.map_or(0, |s| s.open_at_end),
                    down_hours: down_s / HOUR,
                    down_fraction: if h > 0.0 { down_s / h } else { 0.0 },
                    architectures: traced_arch(c),
                }
            })
            .collect();
        let overlap_of = |members: &[usize]| -> Overlap {
            let mut common: Vec<(f64, f64)> = record[members[0]].1.to_vec();
            for &m in &members[1..] {
                common = intersection(&common, record[m].1);
            }
            let hours = common.iter().fold(0.0, |sum, (s, e)| sum + (e - s)) / HOUR;
            Overlap {
                components: members.iter().map(|&m| traced[m].component.clone()).collect(),
                hours,
                episodes: common.len(),
                share_of_downtime: members.iter().map(|&m| (traced[m].down_hours > 0.0).then(|| hours / traced[m].down_hours)).collect(),
            }
        };
        let down: Vec<usize> = (0..record.len()).filter(|&i| !record[i].1.is_empty()).collect();
        let never_down = (0..record.len()).filter(|&i| record[i].1.is_empty()).map(|i| traced[i].component.clone()).collect();
        let mut overlaps = Vec::new();
        for (k, &i) in down.iter().enumerate() {
            for &j in &down[k + 1..] {
                overlaps.push(overlap_of(&[i, j]));
            }
        }
        let all_at_once = (down.len() >= 3).then(|| overlap_of(&down));
        let mut fully_traced = Vec::new();
        for (a, arch) in model.architectures.iter().enumerate() {
            for (k, class) in model.classes.iter().enumerate() {
                if model.components_of_class(a, k).into_iter().all(|c| model.history.follows(c)) {
                    fully_traced.push(ArchClass { architecture: arch.name.clone(), class: class.name.clone() });
                }
            }
        }
        let scale = h / YEAR;
        let over_window = summary
            .architectures
            .iter()
            .flat_map(|a| {
                a.classes.iter().map(move |c| WindowFigures {
                    architecture: a.name.clone(),
                    class: c.name.clone(),
                    downtime_hours: c.downtime_hours_per_year.affine(0.0, scale),
                    outages: c.outages_per_year.affine(0.0, scale),
                    cost: c.cost_per_year.affine(0.0, scale),
                })
            })
            .collect();
        let mut notes = vec![
            format!(
                "the horizon of every replication is the observation window, {} to {} ({}); simulation.horizon is not used",
                window.start,
                window.end,
                format_duration(h)
            ),
            "per-year figures (downtime h/yr, outages/yr, cost/yr) are the window's scaled to a year; the replay tables give them over the window".to_string(),
            "traced components follow the record in every replication (their failure modes, deploys and repairs are not sampled); the other components are sampled, so intervals are over the sampled parts only".to_string(),
        ];
        if !fully_traced.is_empty() {
            let names: Vec<String> = fully_traced.iter().map(|x| format!("{} {}", x.architecture, x.class)).collect();
            notes.push(format!(
                "{} {} on traced components only: every replication is the same, so {} intervals have zero width (the figures are exact for the record)",
                names.join(", "),
                if names.len() == 1 { "depends" } else { "depend" },
                if names.len() == 1 { "its" } else { "their" }
            ));
        }
        let open: usize = traced.iter().map(|t| t.open_at_end).sum();
        if open > 0 {
            notes.push(format!(
                "{open} incident(s) still open at the window's end are cut there: the component comes back at the end of the window, so an outage they cause ends there too (its MTTR counts only the part inside the window)"
            ));
        }
        ReplaySection { trace: trace.to_string(), window, traced, overlaps, all_at_once, never_down, fully_traced, over_window, notes }
    }
}

/// The intersection of two sorted lists of disjoint intervals, empty pieces left out.
pub fn intersection(a: &[(f64, f64)], b: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let (mut i, mut j) = (0, 0);
    let mut out: Vec<(f64, f64)> = Vec::new();
    while i < a.len() && j < b.len() {
        let (s, e) = (a[i].0.max(b[j].0), a[i].1.min(b[j].1));
        if s < e {
            match out.last_mut() {
                Some(last) if last.1 >= s => last.1 = e,
                _ => out.push((s, e)),
            }
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::intersection;

    #[test]
    fn intersections_of_interval_lists() {
        let a = [(10.0, 20.0), (50.0, 60.0)];
        let b = [(15.0, 25.0), (55.0, 56.0), (58.0, 70.0)];
        assert_eq!(intersection(&a, &b), vec![(15.0, 20.0), (55.0, 56.0), (58.0, 60.0)]);
        assert_eq!(intersection(&b, &a), intersection(&a, &b));
        assert_eq!(intersection(&a, &[(20.0, 50.0)]), vec![], "touching is not overlapping");
        assert_eq!(intersection(&a, &[]), vec![]);
    }
}
