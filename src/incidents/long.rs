//! The long layout: one row per incident of one component.
//!
//! ```csv
//! component,start,end,impact,observed_from,observed_to
//! openai-api,2024-03-01 10:02,2024-03-01 11:15,major,2024-01-01,2024-09-01
//! openai-api,2024-03-09T22:40:00Z,,partial,2024-01-01,2024-09-01
//! login,,,,2024-01-01,2024-09-01
//! ```
//!
//! `component`, `start` and `end` are required columns; `impact`, `observed_from` and
//! `observed_to` are optional, and any other column is ignored (with a warning naming it). An
//! empty `end` is an incident still going on. A row with a component and a window but neither
//! start nor end says the component was watched and had no incident in that row.

use super::table::Table;
use super::time::{parse_time, TIME_FORMATS};
use super::{Parsed, RawIncident};
use crate::diagnostic::{Diagnostic, Origin};

/// The columns this layout knows.
const KNOWN: [&str; 6] = ["component", "start", "end", "impact", "observed_from", "observed_to"];

/// Reads the incidents of a long-layout table.
pub fn read(table: &Table, errors: &mut Vec<Diagnostic>, warnings: &mut Vec<Diagnostic>) -> Parsed {
    let mut parsed = Parsed::default();
    let component = table.required("component", "the component each incident belongs to", errors);
    let start = table.required("start", "when each incident began", errors);
    let end = table.required("end", "when each incident ended; leave a value empty for an incident still going on", errors);
    let (Some(component), Some(start), Some(end)) = (component, start, end) else {
        return parsed;
    };
    let impact = table.column("impact");
    let from = table.column("observed_from");
    let to = table.column("observed_to");
    let ignored: Vec<&str> = table.header.iter().map(String::as_str).filter(|h| !KNOWN.iter().any(|k| k.eq_ignore_ascii_case(h))).collect();
    if !ignored.is_empty() {
        warnings.push(
            Diagnostic::warning(&table.header_origin(), format!("columns not used by relsim: {}", ignored.join(", ")))
                .help(format!("the long layout reads {}; for a status-page export with one 0/1 column per service, use --wide", KNOWN.join(", "))),
        );
    }
    let src = table.source;
    for row in &table.rows {
        let name = row.get(component);
        if name.is_empty() {
            errors.push(Diagnostic::error(&row.origin(src, component), "the component is empty").help("name the component this incident belongs to, as in the scenario (for example openai-api)"));
            continue;
        }
        let idx = parsed.component(name);
        let mut ok = true;
        for (col, is_from) in [(from, true), (to, false)] {
            let Some(col) = col else { continue };
            let text = row.get(col);
            if text.is_empty() {
                continue;
            }
            match parse_time(text) {
                Ok(t) => parsed.window_bound(idx, is_from, t, row.origin(src, col), errors),
                Err(m) => {
                    errors.push(time_error(row.origin(src, col), &table.header[col], &m));
                    ok = false;
                }
            }
        }
        let (s_text, e_text) = (row.get(start), row.get(end));
        if s_text.is_empty() {
            if !e_text.is_empty() {
                errors.push(Diagnostic::error(&row.origin(src, start), "the start is empty but the end is not").help(format!("write when the incident began: {TIME_FORMATS}")));
            }
            // No start and no end: the row only says the component was observed.
            continue;
        }
        let s = parse_time(s_text).map_err(|m| errors.push(time_error(row.origin(src, start), "start", &m))).ok();
        let e = if e_text.is_empty() { Some(None) } else { parse_time(e_text).map(Some).map_err(|m| errors.push(time_error(row.origin(src, end), "end", &m))).ok() };
        let (Some(s), Some(e)) = (s, e) else { continue };
        if !ok {
            continue;
        }
        if let Some(e) = e {
            if e < s {
                errors.push(end_before_start(row.origin(src, end), s, e));
                continue;
            }
        }
        let impact = impact.map(|c| row.get(c).to_string()).filter(|v| !v.is_empty());
        parsed.incidents.push(RawIncident { component: idx, start: s, end: e, impact, line: row.line, end_origin: row.origin(src, end) });
    }
    parsed
}

/// An unreadable time in a column.
pub fn time_error(origin: Origin, column: &str, message: &str) -> Diagnostic {
    Diagnostic::error(&origin, format!("{column}: {message}")).help(format!("write {TIME_FORMATS}"))
}

/// An incident that ends before it starts.
pub fn end_before_start(origin: Origin, start: f64, end: f64) -> Diagnostic {
    use super::time::format_time;
    Diagnostic::error(&origin, format!("the incident ends ({}) before it starts ({})", format_time(end), format_time(start)))
        .label("before the start")
        .help("check the order of the start and end values, and their offsets (a time without an offset is UTC)")
}
