//! The wide status-page layout: one row per incident, one 0/1 column per service it affected,
//! and a timestamp per stage of the incident, as in the public ICPE 2025 data set:
//!
//! ```csv
//! incident_id,incident_impact_level,API,api.anthropic.com,investigating_timestamp,resolved_timestamp
//! x5f4s8nvkyqq,2,0,1,2024-02-13 00:21:00+00:00,2024-02-13 01:26:00+00:00
//! ```
//!
//! A [`WideMapping`] names the service columns (each becomes a component), the start columns
//! (the first non-empty one is the start) and the end column (empty: still going on). The impact
//! column is the mapping's, else a column called `impact` or `incident_impact_level`; Statuspage's
//! numeric levels 0 to 4 read as `none`, `minor`, `major`, `critical` and `maintenance`.

use std::ops::Range;

use super::long::{end_before_start, time_error};
use super::table::Table;
use super::time::{parse_time, TIME_FORMATS};
use super::{Parsed, RawIncident, WideMapping};
use crate::diagnostic::{did_you_mean, Diagnostic, Origin, SourceId};

/// Statuspage's impact levels by number.
pub const IMPACT_LEVELS: [&str; 5] = ["none", "minor", "major", "critical", "maintenance"];

/// Impact columns looked for when the mapping names none.
const IMPACT_COLUMNS: [&str; 2] = ["impact", "incident_impact_level"];

/// A command-line list (`--services A,B`) registered as a source, so an unknown name in it can
/// be pointed at.
pub struct ArgList {
    /// The option's name, for messages.
    pub option: &'static str,
    /// Its source id.
    pub source: SourceId,
    /// Each name and its byte range in the source.
    pub items: Vec<(String, Range<usize>)>,
}

impl ArgList {
    /// The list `items` as the text `a,b,c`, and each item's range in it.
    pub fn layout(items: &[String]) -> (String, Vec<(String, Range<usize>)>) {
        let mut text = String::new();
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            let start = text.len();
            text.push_str(item);
            out.push((item.trim().to_string(), start..text.len()));
        }
        (text, out)
    }
}

/// The columns of the mapping, resolved against the header; `None` after recording errors.
struct Columns {
    services: Vec<usize>,
    starts: Vec<usize>,
    end: usize,
    impact: Option<usize>,
}

/// Reads the incidents of a wide-layout table. `lists` are the mapping's `services`, `start`,
/// `end` and `impact` options as sources (in that order; `impact` only when given).
pub fn read(table: &Table, mapping: &WideMapping, lists: &[ArgList], errors: &mut Vec<Diagnostic>) -> Parsed {
    let mut parsed = Parsed::default();
    let Some(cols) = resolve(table, mapping, lists, errors) else {
        return parsed;
    };
    let src = table.source;
    let idx: Vec<usize> = cols.services.iter().map(|&c| parsed.component(&table.header[c])).collect();
    for row in &table.rows {
        let mut hit = Vec::new();
        for (k, &c) in cols.services.iter().enumerate() {
            match flag(row.get(c)) {
                Some(true) => hit.push(idx[k]),
                Some(false) => {}
                None => errors.push(
                    Diagnostic::error(&row.origin(src, c), format!("{}: `{}` is not 0 or 1", table.header[c], row.get(c)))
                        .help("a service column says whether the incident affected the service: 1 (or true, yes) or 0 (or false, no, empty)"),
                ),
            }
        }
        if hit.is_empty() {
            continue;
        }
        let first = cols.starts.iter().copied().find(|&c| !row.get(c).is_empty());
        let Some(first) = first else {
            let names: Vec<&str> = cols.starts.iter().map(|&c| table.header[c].as_str()).collect();
            errors.push(
                Diagnostic::error(&row.origin(src, cols.starts[0]), format!("no start time: every start column ({}) is empty", names.join(", ")))
                    .help(format!("give the incident a time in one of them ({TIME_FORMATS}), or add a column that has one to --start")),
            );
            continue;
        };
        let s = parse_time(row.get(first)).map_err(|m| errors.push(time_error(row.origin(src, first), &table.header[first], &m))).ok();
        let e_text = row.get(cols.end);
        let e = if e_text.is_empty() { Some(None) } else { parse_time(e_text).map(Some).map_err(|m| errors.push(time_error(row.origin(src, cols.end), &table.header[cols.end], &m))).ok() };
        let (Some(s), Some(e)) = (s, e) else { continue };
        if let Some(e) = e {
            if e < s {
                errors.push(end_before_start(row.origin(src, cols.end), s, e));
                continue;
            }
        }
        let impact = cols.impact.map(|c| impact_name(row.get(c))).filter(|v| !v.is_empty());
        for component in hit {
            parsed.incidents.push(RawIncident { component, start: s, end: e, impact: impact.clone(), line: row.line, end_origin: row.origin(src, cols.end) });
        }
    }
    parsed
}

fn resolve(table: &Table, mapping: &WideMapping, lists: &[ArgList], errors: &mut Vec<Diagnostic>) -> Option<Columns> {
    let before = errors.len();
    let mut find = |list: &ArgList, what: &str| -> Vec<usize> {
        let mut found = Vec::new();
        for (name, span) in &list.items {
            match table.column(name) {
                Some(c) => found.push(c),
                None => {
                    let mut d = Diagnostic::error(&Origin::new(list.source, span.clone()), format!("{}: the file has no column `{name}` ({what})", list.option))
                        .help(format!("the columns are: {}", table.header.join(", ")));
                    if let Some(c) = did_you_mean(name, table.header.iter().map(String::as_str)) {
                        d = d.help(format!("did you mean `{c}`?"));
                    }
                    errors.push(d);
                }
            }
        }
        found
    };
    let empty = |option: &str, example: &str| Diagnostic::unlocated(format!("the wide layout needs {option}")).help(format!("for example {option} {example}"));
    let mut cols = Columns { services: Vec::new(), starts: Vec::new(), end: 0, impact: None };
    for list in lists {
        match list.option {
            "--services" => cols.services = find(list, "a 0/1 column per service"),
            "--start" => cols.starts = find(list, "a start time column"),
            "--end" => cols.end = find(list, "the end time column").first().copied().unwrap_or(0),
            "--impact-column" => cols.impact = find(list, "the impact column").first().copied(),
            _ => {}
        }
    }
    if mapping.services.is_empty() {
        errors.push(empty("--services", "'API,api.anthropic.com'"));
    }
    if mapping.start.is_empty() {
        errors.push(empty("--start", "investigating_timestamp,identified_timestamp,monitoring_timestamp,resolved_timestamp"));
    }
    if mapping.end.trim().is_empty() {
        errors.push(empty("--end", "resolved_timestamp"));
    }
    if mapping.impact.is_none() {
        cols.impact = IMPACT_COLUMNS.iter().find_map(|c| table.column(c));
    }
    (errors.len() == before).then_some(cols)
}

/// A service column's value: affected, not affected, or unreadable.
fn flag(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" | "" => Some(false),
        _ => None,
    }
}

/// Statuspage's numeric levels as names; anything else as written.
fn impact_name(v: &str) -> String {
    match v.parse::<usize>() {
        Ok(n) if n < IMPACT_LEVELS.len() => IMPACT_LEVELS[n].to_string(),
        _ => v.to_string(),
    }
}
