//! The replay section of the terminal table and of report.md (`relsim replay`): the window,
//! the traced components, how long they were down together, and each architecture's figures
//! over the window. Rendered from `Summary::replay`; absent in a normal run.

use super::estimate::{money, pm};
use crate::stats::replay::{Overlap, ReplaySection};

/// A heading line: what was replayed over which window.
pub fn heading(r: &ReplaySection) -> String {
    format!("Replay of {} over {} to {} ({} h)", r.trace, r.window.start, r.window.end, hours(r.window.hours))
}

/// Headers of the traced components' rows.
pub const TRACED_HEADERS: [&str; 7] = ["traced component", "in the file", "incidents", "merged", "open at end", "down h", "down"];

/// One row per traced component.
pub fn traced_rows(r: &ReplaySection) -> Vec<Vec<String>> {
    r.traced
        .iter()
        .map(|t| {
            vec![
                t.component.clone(),
                t.source_name.clone().unwrap_or_else(|| "same".to_string()),
                t.incidents.to_string(),
                t.merged.to_string(),
                t.open_at_end.to_string(),
                hours(t.down_hours),
                format!("{:.3}%", t.down_fraction * 100.0),
            ]
        })
        .collect()
}

/// Headers of the overlap rows.
pub const OVERLAP_HEADERS: [&str; 4] = ["down together", "hours", "episodes", "share of each one's down time"];

/// One row per pair of traced components, then all of them at once (three or more).
pub fn overlap_rows(r: &ReplaySection) -> Vec<Vec<String>> {
    let row = |o: &Overlap, all: bool| {
        let shares: Vec<String> = o
            .components
            .iter()
            .zip(&o.share_of_downtime)
            .map(|(c, s)| match s {
                Some(s) => format!("{c} {:.1}%", s * 100.0),
                None => format!("{c} never down"),
            })
            .collect();
        let what = if all { format!("all of {}", o.components.join(", ")) } else { o.components.join(" + ") };
        vec![what, hours(o.hours), o.episodes.to_string(), shares.join(", ")]
    };
    r.overlaps.iter().map(|o| row(o, false)).chain(r.all_at_once.iter().map(|o| row(o, true))).collect()
}

/// Headers of the per-window figures.
pub const WINDOW_HEADERS: [&str; 5] = ["architecture", "class", "downtime h in the window", "outages in the window", "cost of the window"];

/// One row per architecture and class.
pub fn window_rows(r: &ReplaySection) -> Vec<Vec<String>> {
    let mut last = "";
    r.over_window
        .iter()
        .map(|w| {
            let name = if w.architecture == last { String::new() } else { w.architecture.clone() };
            last = &w.architecture;
            vec![name, w.class.clone(), pm(&w.downtime_hours), pm(&w.outages), money(&w.cost)]
        })
        .collect()
}

/// What to say about the components left out of the overlaps, or instead of them when there
/// is no pair to show.
pub fn overlap_sentence(r: &ReplaySection) -> Option<String> {
    let down: Vec<&str> = r.traced.iter().map(|t| t.component.as_str()).filter(|c| !r.never_down.iter().any(|n| n == c)).collect();
    let never = if r.never_down.is_empty() { String::new() } else { format!("Never down in the window: {}.", r.never_down.join(", ")) };
    let sentence = match down.as_slice() {
        [] => format!("No traced component was down in the window, so none was down together with another. {never}"),
        [one] => format!("Only {one} was down in the window, so no two traced components were down together. {never}"),
        _ => never,
    };
    let sentence = sentence.trim().to_string();
    (!sentence.is_empty()).then_some(sentence)
}

/// Hours with as many decimals as a short value needs.
fn hours(h: f64) -> String {
    if h == 0.0 {
        "0".to_string()
    } else if h >= 100.0 {
        crate::format::thousands(h)
    } else {
        format!("{h:.2}")
    }
}

/// The section as the terminal shows it (`color`, `wrap`: as for the other tables).
pub fn terminal(r: &ReplaySection, color: bool, wrap: bool) -> String {
    let owned = |h: &[&str]| h.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let bold = |t: &str| if color { format!("\x1b[1m{t}\x1b[0m") } else { t.to_string() };
    let mut out = format!("{}\n", bold(&heading(r)));
    out.push_str(&super::table::table(&owned(&TRACED_HEADERS), &traced_rows(r), color, wrap).to_string());
    out.push('\n');
    if !r.overlaps.is_empty() {
        out.push_str("Traced components down together (exact, from the record)\n");
        out.push_str(&super::table::table(&owned(&OVERLAP_HEADERS), &overlap_rows(r), color, wrap).to_string());
        out.push('\n');
    }
    if let Some(s) = overlap_sentence(r) {
        out.push_str(&format!("{s}\n"));
    }
    out.push_str("Over the window (not per year)\n");
    out.push_str(&super::table::table(&owned(&WINDOW_HEADERS), &window_rows(r), color, wrap).to_string());
    out.push('\n');
    for n in &r.notes {
        out.push_str(&format!("Replay: {n}.\n"));
    }
    out
}

/// The section of report.md.
pub fn markdown(r: &ReplaySection) -> String {
    let owned = |h: &[&str]| h.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut out = format!("## Replayed history\n\n{}. The components below follow the recorded incidents in every replication; every other component is sampled.\n\n", heading(r));
    out.push_str(&super::markdown::md_table(&owned(&TRACED_HEADERS), &traced_rows(r), 2));
    out.push_str("\n### Down together\n\n");
    if !r.overlaps.is_empty() {
        out.push_str(&super::markdown::md_table(&owned(&OVERLAP_HEADERS), &overlap_rows(r), 1));
        out.push_str("\nComputed exactly from the record. While two providers are down together there is nothing to fail over to: the overlap is what failover cannot hide.\n");
    }
    if let Some(s) = overlap_sentence(r) {
        out.push_str(&format!("{}{s}\n", if r.overlaps.is_empty() { "" } else { "\n" }));
    }
    out.push_str("\n### Over the window\n\n");
    out.push_str(&super::markdown::md_table(&owned(&WINDOW_HEADERS), &window_rows(r), 2));
    out.push('\n');
    for n in &r.notes {
        out.push_str(&format!("- {n}.\n"));
    }
    out.push('\n');
    out
}
