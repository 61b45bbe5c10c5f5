//! Incident histories: a CSV file of incidents (a status-page export, on-call tickets, cloud
//! health events) read into one [`ComponentHistory`] per component, with its observation
//! window, its incidents cut to the window and merged where they overlap.
//!
//! Two layouts are read ([`long`]: one row per incident with a `component` column; [`wide`]: one
//! row per incident with a 0/1 column per service, as status pages export them). Times are
//! seconds since the Unix epoch in UTC ([`time`]); windows, clipping and merging are [`merge`]'s.
//! The command-line options that choose all this are [`IncidentArgs`], shared by every command
//! that reads incidents. docs/incidents.md is the user's reference.
//!
//! Every value that cannot be read is an error naming the file, line and column and saying what
//! to write instead; nothing is skipped in silence (rows left out on purpose, by the impact
//! filter or for lying outside the window, are counted in warnings).

pub mod args;
pub mod long;
pub mod merge;
pub mod table;
pub mod time;
pub mod wide;

#[cfg(test)]
mod tests;

use std::path::Path;

pub use args::IncidentArgs;

use crate::diagnostic::{Diagnostic, InputError, Origin, Severity, Sources};
use table::Table;
use wide::ArgList;

/// How to read an incident file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadOptions {
    /// The observation window `START..END` as written (either end may be left out), for every
    /// component; it overrides `observed_from`/`observed_to` columns.
    pub window: Option<String>,
    /// The wide layout's column mapping; `None` reads the long layout.
    pub wide: Option<WideMapping>,
    /// Keep only incidents whose impact is one of these (compared without case); `None` keeps
    /// every incident.
    pub impacts: Option<Vec<String>>,
}

/// Which columns of a wide (status-page) file mean what.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WideMapping {
    /// The 0/1 service columns; each becomes a component of that name.
    pub services: Vec<String>,
    /// Start columns: an incident starts at the first of them that is not empty.
    pub start: Vec<String>,
    /// The end column (empty: still going on).
    pub end: String,
    /// The impact column; `None`: `impact` or `incident_impact_level` if the file has one.
    pub impact: Option<String>,
}

/// Everything read from one file.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentLog {
    /// One history per component, in the order they first appear (the wide layout: in the order
    /// of the services option).
    pub components: Vec<ComponentHistory>,
    /// What the reader noticed and did (defaults taken, rows left out), one line each.
    pub warnings: Vec<String>,
}

/// One component's observed history.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentHistory {
    /// The component's name as in the file.
    pub name: String,
    /// Observation window, seconds since the Unix epoch (UTC): [start, end).
    pub window: (f64, f64),
    /// Incidents after merging overlaps, sorted by start, clipped to the window; `end = None`:
    /// still going on at the window's end (right-censored).
    pub incidents: Vec<Incident>,
    /// How many overlapping incidents were merged into others.
    pub merged: usize,
    /// How many incidents lay wholly outside the window and were left out.
    pub outside: usize,
}

/// One incident: the component was down from `start` to `end`.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    /// Seconds since the epoch; the window's start if the incident began before it.
    pub start: f64,
    /// Seconds since the epoch; `None` while still going on at the window's end.
    pub end: Option<f64>,
    /// The impact as written (or Statuspage's name for a numeric level); for merged incidents
    /// the most severe.
    pub impact: Option<String>,
    /// The file's lines of the rows merged into this incident, in increasing order.
    pub lines: Vec<usize>,
    /// Whether the incident began before the window (so its repair time is not known).
    pub clipped_start: bool,
}

impl Incident {
    /// The time down inside the window, in seconds (to `window_end` when still going on).
    pub fn down_time(&self, window_end: f64) -> f64 {
        self.end.unwrap_or(window_end) - self.start
    }
}

impl ComponentHistory {
    /// How many incidents have start = end (no measurable repair time).
    pub fn zero_length(&self) -> usize {
        self.incidents.iter().filter(|i| i.end == Some(i.start)).count()
    }
}

/// A row read but not yet cut to a window.
#[derive(Clone, Debug)]
pub struct RawIncident {
    /// Index into [`Parsed::names`].
    pub component: usize,
    /// Start, seconds since the epoch.
    pub start: f64,
    /// End, if it has one.
    pub end: Option<f64>,
    /// Impact, if given.
    pub impact: Option<String>,
    /// The row's line.
    pub line: usize,
    /// Where its end value is (for errors about open incidents).
    pub end_origin: Origin,
}

/// A component's window bounds from its cells: the value and where it was written.
#[derive(Clone, Debug, Default)]
pub struct Bounds {
    /// `observed_from`.
    pub from: Option<(f64, Origin)>,
    /// `observed_to`.
    pub to: Option<(f64, Origin)>,
}

/// A layout's rows: component names in order of appearance, their window cells and incidents.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// Component names.
    pub names: Vec<String>,
    /// Per component, the window from its cells.
    pub windows: Vec<Bounds>,
    /// Every incident row.
    pub incidents: Vec<RawIncident>,
}

impl Parsed {
    /// The index of component `name`, added if new.
    pub fn component(&mut self, name: &str) -> usize {
        match self.names.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                self.names.push(name.to_string());
                self.windows.push(Bounds::default());
                self.names.len() - 1
            }
        }
    }

    /// Records a window bound from a cell; a different value for the same component is an error.
    pub fn window_bound(&mut self, c: usize, is_from: bool, t: f64, origin: Origin, errors: &mut Vec<Diagnostic>) {
        let b = &mut self.windows[c];
        let slot = if is_from { &mut b.from } else { &mut b.to };
        match slot {
            None => *slot = Some((t, origin)),
            Some((v, _)) if *v == t => {}
            Some((v, _)) => {
                let column = if is_from { "observed_from" } else { "observed_to" };
                errors.push(
                    Diagnostic::error(&origin, format!("{}: {column} differs from the one given before for this component ({})", self.names[c], time::format_time(*v)))
                        .help(format!("a component has one observation window: give the same {column} on each of its rows, or leave it empty on all but one")),
                );
            }
        }
    }
}

/// Reads and checks a whole file; every unreadable row is an error with file, line, column.
pub fn read(path: &Path, options: &ReadOptions) -> Result<IncidentLog, InputError> {
    let bytes = std::fs::read(path).map_err(|e| {
        InputError::unlocated(format!("cannot read the incident file {}: {e}", path.display()), Some("give the path of a CSV file of incidents; docs/incidents.md describes the format".to_string()))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        InputError::unlocated(
            format!("{} is not UTF-8 text (invalid byte at offset {})", path.display(), e.utf8_error().valid_up_to()),
            Some("save the file as UTF-8 CSV (spreadsheets offer \"CSV UTF-8\")".to_string()),
        )
    })?;
    read_str(&path.display().to_string(), &text, options)
}

/// Reads an incident file's text; `name` is how errors name the file.
pub fn read_str(name: &str, text: &str, options: &ReadOptions) -> Result<IncidentLog, InputError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sources = Sources::new();
    let file = sources.add(name, text);
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    let window = options.window.as_ref().and_then(|w| {
        let id = sources.add("--window", w.clone());
        match time::parse_window(w) {
            Ok(arg) => Some((arg, Origin::new(id, 0..w.len()))),
            Err((span, m)) => {
                errors.push(Diagnostic::error(&Origin::new(id, span), format!("--window: {m}")).help(format!("write --window START..END with times such as {}", time::TIME_FORMATS)));
                None
            }
        }
    });
    let table = Table::read(file, text, &mut errors);
    let parsed = match (&table, &options.wide) {
        (None, _) => Parsed::default(),
        (Some(t), None) => long::read(t, &mut errors, &mut warnings),
        (Some(t), Some(mapping)) => {
            let mut lists = Vec::new();
            let mut add = |option: &'static str, items: &[String]| {
                if !items.is_empty() {
                    let (text, items) = ArgList::layout(items);
                    lists.push(ArgList { option, source: sources.add(option, text), items });
                }
            };
            add("--services", &mapping.services);
            add("--start", &mapping.start);
            if !mapping.end.trim().is_empty() {
                add("--end", std::slice::from_ref(&mapping.end));
            }
            if let Some(i) = &mapping.impact {
                add("--impact-column", std::slice::from_ref(i));
            }
            wide::read(t, mapping, &lists, &mut errors)
        }
    };
    let parsed = filter_impacts(parsed, options.impacts.as_deref(), &mut warnings);
    let components = if errors.is_empty() { merge::build(parsed, window.as_ref().map(|(w, o)| (w, o.clone())), &mut errors, &mut warnings) } else { Vec::new() };
    if !errors.is_empty() {
        errors.extend(warnings);
        errors.sort_by_key(|d| d.severity != Severity::Error);
        return Err(InputError { sources, diagnostics: errors });
    }
    let warnings = warnings.iter().map(|d| one_line(&sources, d)).collect();
    Ok(IncidentLog { components, warnings })
}

/// Keeps the incidents whose impact is listed, and says what was left out.
fn filter_impacts(mut parsed: Parsed, impacts: Option<&[String]>, warnings: &mut Vec<Diagnostic>) -> Parsed {
    let Some(wanted) = impacts else { return parsed };
    let wanted: Vec<String> = wanted.iter().map(|w| w.trim().to_ascii_lowercase()).filter(|w| !w.is_empty()).collect();
    let mut seen: Vec<String> = Vec::new();
    let before = parsed.incidents.len();
    let mut no_impact = 0;
    parsed.incidents.retain(|r| {
        let Some(i) = r.impact.as_deref().map(str::to_ascii_lowercase) else {
            no_impact += 1;
            return false;
        };
        if !seen.contains(&i) {
            seen.push(i.clone());
        }
        wanted.contains(&i)
    });
    let kept = parsed.incidents.len();
    if kept < before {
        let none = if no_impact > 0 { format!(", {no_impact} of them without an impact") } else { String::new() };
        warnings.push(Diagnostic::unlocated(format!("--impact {}: kept {kept} of {before} incidents; {} left out{none}", wanted.join(","), before - kept)));
    }
    for w in &wanted {
        if !seen.contains(w) {
            warnings.push(Diagnostic::unlocated(format!("--impact: no incident has the impact `{w}`")).help(format!("the impacts in the file are: {}", if seen.is_empty() { "none".to_string() } else { seen.join(", ") })));
        }
    }
    parsed
}

/// A diagnostic on one line: `file:line:col: message; help`.
fn one_line(sources: &Sources, d: &Diagnostic) -> String {
    let mut s = match &d.origin {
        Some(o) => format!("{}: {}", sources.location(o), d.message),
        None => d.message.clone(),
    };
    for h in &d.help {
        s.push_str("; ");
        s.push_str(h);
    }
    s
}
