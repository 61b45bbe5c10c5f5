//! From raw rows to component histories: each component's observation window, incidents cut to
//! it, and overlapping incidents merged.
//!
//! - The window's start and end each come from `--window`, else from the component's
//!   `observed_from`/`observed_to` cells, else from the span of its own incidents (first start,
//!   last end), which a warning says.
//! - An incident that began before the window starts at the window's start and is marked
//!   [`Incident::clipped_start`] (its repair time is unknown); one that ends after the window's
//!   end, or has no end, is still going on at the window's end (`end = None`). Incidents wholly
//!   outside the window are left out and counted.
//! - Incidents of one component that overlap or touch (the next starts before or when the
//!   previous ends) are one incident: the component was down throughout. Zero-length incidents
//!   (start = end) are kept: they are failures whose repair took no measurable time.

use super::time::{format_short, WindowArg};
use super::{ComponentHistory, Incident, Parsed, RawIncident};
use crate::diagnostic::{Diagnostic, Origin};

/// Builds the histories, in the order the components first appear. Errors and warnings are
/// appended to the lists.
pub fn build(parsed: Parsed, window: Option<(&WindowArg, Origin)>, errors: &mut Vec<Diagnostic>, warnings: &mut Vec<Diagnostic>) -> Vec<ComponentHistory> {
    let mut per: Vec<Vec<RawIncident>> = vec![Vec::new(); parsed.names.len()];
    for inc in parsed.incidents {
        per[inc.component].push(inc);
    }
    let (mut span_starts, mut span_ends, mut empty, mut outside_total) = (Vec::new(), Vec::new(), Vec::new(), 0);
    let mut out = Vec::new();
    for (c, raws) in per.into_iter().enumerate() {
        let name = &parsed.names[c];
        let bounds = &parsed.windows[c];
        let cli = window.as_ref().map(|(w, _)| *w);
        let start = cli.and_then(|w| w.start).or(bounds.from.as_ref().map(|b| b.0));
        let end = cli.and_then(|w| w.end).or(bounds.to.as_ref().map(|b| b.0));
        let first = raws.iter().map(|r| r.start).fold(f64::INFINITY, f64::min);
        let last = raws.iter().map(|r| r.end.unwrap_or(r.start)).fold(f64::NEG_INFINITY, f64::max);
        if raws.is_empty() && (start.is_none() || end.is_none()) {
            empty.push(name.clone());
            continue;
        }
        if start.is_none() {
            span_starts.push(name.clone());
        }
        if end.is_none() {
            span_ends.push(name.clone());
        }
        if end.is_none() {
            if let Some(open) = raws.iter().find(|r| r.end.is_none()) {
                errors.push(
                    Diagnostic::error(&open.end_origin, format!("{name}: this incident is still going on (its end is empty), but the observation window has no end"))
                        .help("give the window: --window START..END (or an observed_to column), so relsim knows how long it was seen going on"),
                );
                continue;
            }
        }
        let (w0, w1) = (start.unwrap_or(first), end.unwrap_or(last));
        if w1 < w0 || (w1 == w0 && (start.is_some() && end.is_some())) {
            let origin = window.as_ref().map(|(_, o)| o.clone()).or(bounds.to.as_ref().map(|b| b.1.clone())).or(bounds.from.as_ref().map(|b| b.1.clone()));
            let message = format!("{name}: the observation window ends ({}) before it starts ({})", format_short(w1), format_short(w0));
            let help = "make the window's end later than its start (and than the incidents you want counted)";
            errors.push(match origin {
                Some(o) => Diagnostic::error(&o, message).help(help),
                None => Diagnostic::unlocated(message).help(help),
            });
            continue;
        }
        let (history, outside) = clip_and_merge(name, (w0, w1), raws);
        outside_total += outside;
        out.push(history);
    }
    for (names, which, from, lost, how) in [
        (&span_starts, "start", "its first incident's start", "before the first incident", "--window START.. (or an observed_from column)"),
        (&span_ends, "end", "its last incident's end", "after the last incident", "--window ..END (or an observed_to column)"),
    ] {
        if !names.is_empty() {
            warnings.push(
                Diagnostic::unlocated(format!("no observation window {which} for {}: each uses {from}, so no up time {lost} is counted", names.join(", ")))
                    .help(format!("give it with {how}")),
            );
        }
    }
    if !empty.is_empty() {
        warnings.push(
            Diagnostic::unlocated(format!("{} left out: no incidents and no observation window", empty.join(", ")))
                .help("give --window START..END to count a component that had no incident as up the whole time"),
        );
    }
    if outside_total > 0 {
        warnings.push(Diagnostic::unlocated(format!("{outside_total} incidents lie wholly outside their observation window and are left out")));
    }
    out
}

/// The history of one component in window `w`: incidents clipped to it and merged. Also
/// returns how many incidents lay wholly outside.
pub fn clip_and_merge(name: &str, w: (f64, f64), raws: Vec<RawIncident>) -> (ComponentHistory, usize) {
    let (w0, w1) = w;
    let mut outside = 0;
    let mut clipped: Vec<Incident> = Vec::with_capacity(raws.len());
    for r in raws {
        let end = r.end.unwrap_or(f64::INFINITY);
        // Inside means overlapping the closed window with some length; a zero-length incident
        // exactly at either end still counts as a failure seen in the window.
        if r.start > w1 || end < w0 || (r.start == w1 && end > r.start) || (end == w0 && r.start < end) {
            outside += 1;
            continue;
        }
        clipped.push(Incident {
            start: r.start.max(w0),
            end: (end <= w1).then_some(end),
            impact: r.impact,
            lines: vec![r.line],
            clipped_start: r.start < w0,
        });
    }
    clipped.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.end.unwrap_or(f64::INFINITY).total_cmp(&b.end.unwrap_or(f64::INFINITY))));
    let mut merged: Vec<Incident> = Vec::with_capacity(clipped.len());
    let mut count = 0;
    for inc in clipped {
        if let Some(cur) = merged.last_mut() {
            let cur_end = cur.end.unwrap_or(f64::INFINITY);
            if inc.start <= cur_end {
                count += 1;
                let inc_end = inc.end.unwrap_or(f64::INFINITY);
                cur.end = if inc_end > cur_end { inc.end } else { cur.end };
                if severity(inc.impact.as_deref()) > severity(cur.impact.as_deref()) {
                    cur.impact = inc.impact;
                }
                cur.lines.extend(inc.lines);
                continue;
            }
        }
        merged.push(inc);
    }
    for m in &mut merged {
        m.lines.sort_unstable();
    }
    (ComponentHistory { name: name.to_string(), window: w, incidents: merged, merged: count, outside }, outside)
}

/// How bad an impact sounds, for keeping the worst one when incidents merge: Statuspage's words
/// in order, unknown words between minor and major, no impact lowest.
pub fn severity(impact: Option<&str>) -> u8 {
    match impact.map(str::to_ascii_lowercase).as_deref() {
        None => 0,
        Some("none" | "maintenance") => 1,
        Some("minor" | "partial" | "degraded" | "degraded_performance" | "partial_outage") => 2,
        Some("major" | "major_outage") => 4,
        Some("critical" | "full" | "outage") => 5,
        Some(_) => 3,
    }
}
