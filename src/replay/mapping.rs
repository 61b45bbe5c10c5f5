//! Which scenario component each component of an incident file is: the one of the same name,
//! or the one `--map 'CSVNAME=COMPONENT,...'` names (status pages say `API` and
//! `api.anthropic.com` where a scenario says `openai-api` and `anthropic-api`).
//!
//! Every mistake is a located error with a "did you mean" where a name is close: a name in the
//! file that the scenario does not have points at the file's line, a bad `--map` item points at
//! the argument. All of them are reported at once.

use std::ops::Range;

use crate::diagnostic::{did_you_mean, Diagnostic, InputError, Origin, SourceId, Sources};

/// A component of the incident file, as the mapping sees it.
#[derive(Clone, Debug)]
pub struct TraceName<'a> {
    /// Its name in the file.
    pub name: &'a str,
    /// The line (1-based) of a row that names it, if known.
    pub line: Option<usize>,
}

/// One `--map` item.
struct Item {
    from: String,
    from_span: Range<usize>,
    to: String,
    to_span: Range<usize>,
    source: SourceId,
}

/// The scenario component of each trace component (same order as `trace`), or every problem.
/// `file` and `text` are the incident file's name and text (for locating names in it).
pub fn resolve(trace: &[TraceName<'_>], components: &[&str], maps: &[String], file: &str, text: &str) -> Result<Vec<usize>, InputError> {
    let mut sources = Sources::new();
    let file_id = sources.add(file, text);
    let mut errors = Vec::new();
    let trace_names: Vec<&str> = trace.iter().map(|t| t.name).collect();
    let mut items: Vec<Item> = Vec::new();
    for arg in maps {
        let source = sources.add("--map", arg.clone());
        for (span, piece) in split_items(arg) {
            let origin = Origin::new(source, span.clone());
            let Some(eq) = piece.find('=') else {
                errors.push(
                    Diagnostic::error(&origin, format!("--map: `{piece}` is not NAME=COMPONENT"))
                        .help("write --map 'NAME=COMPONENT,...': the name in the incident file, `=`, and the scenario's component, for example --map 'API=openai-api'"),
                );
                continue;
            };
            let (from, to) = (&piece[..eq], &piece[eq + 1..]);
            let trim = |s: &str, at: usize| {
                let lead = s.len() - s.trim_start().len();
                (s.trim().to_string(), span.start + at + lead..span.start + at + lead + s.trim().len())
            };
            let (from, from_span) = trim(from, 0);
            let (to, to_span) = trim(to, eq + 1);
            if from.is_empty() || to.is_empty() {
                errors.push(Diagnostic::error(&origin, format!("--map: `{piece}` leaves a name empty")).help("write NAME=COMPONENT, for example --map 'API=openai-api'"));
                continue;
            }
            items.push(Item { from, from_span, to, to_span, source });
        }
    }
    for (k, item) in items.iter().enumerate() {
        let origin = Origin::new(item.source, item.from_span.clone());
        if !trace_names.contains(&item.from.as_str()) {
            errors.push(
                Diagnostic::error(&origin, format!("--map: the incident file {file} has no component `{}`", item.from))
                    .help(hint(&item.from, &trace_names, "its components are")),
            );
        }
        if items[..k].iter().any(|other| other.from == item.from) {
            errors.push(Diagnostic::error(&origin, format!("--map: `{}` is mapped twice", item.from)).help("map each name of the incident file once"));
        }
        if !components.contains(&item.to.as_str()) {
            errors.push(
                Diagnostic::error(&Origin::new(item.source, item.to_span.clone()), format!("--map: the scenario has no component `{}`", item.to))
                    .help(hint(&item.to, components, "its components are")),
            );
        }
    }
    let mut out = Vec::with_capacity(trace.len());
    for t in trace {
        let target = items.iter().find(|i| i.from == t.name).map(|i| i.to.as_str()).unwrap_or(t.name);
        match components.iter().position(|c| *c == target) {
            Some(c) => out.push(c),
            None if items.iter().any(|i| i.from == t.name) => out.push(usize::MAX), // reported above
            None => {
                let message = format!("the scenario has no component `{}`, which the incident file names", t.name);
                let d = match locate(text, t.line, t.name) {
                    Some(span) => Diagnostic::error(&Origin::new(file_id, span), message),
                    None => Diagnostic::unlocated(format!("{file}: {message}")),
                };
                let close = did_you_mean(t.name, components.iter().copied());
                let example = close.unwrap_or("COMPONENT");
                errors.push(
                    d.help(format!("map it to a component of the scenario: --map '{}={example}'", t.name))
                        .help(match close {
                            Some(c) => format!("did you mean `{c}`?"),
                            None => format!("the scenario's components are: {}", components.join(", ")),
                        }),
                );
            }
        }
    }
    for (i, &c) in out.iter().enumerate() {
        if c == usize::MAX {
            continue;
        }
        if let Some(j) = out[..i].iter().position(|&d| d == c) {
            let d = match locate(text, trace[i].line, trace[i].name) {
                Some(span) => Diagnostic::error(&Origin::new(file_id, span), format!("`{}` and `{}` of the incident file are both the component `{}`", trace[j].name, trace[i].name, components[c])),
                None => Diagnostic::unlocated(format!("{file}: `{}` and `{}` are both the component `{}`", trace[j].name, trace[i].name, components[c])),
            };
            errors.push(d.help("a component follows one record: map each name of the file to a different component (or merge the names in the file)"));
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(InputError { sources, diagnostics: errors }) }
}

/// "did you mean `x`?", or the list of names.
fn hint(word: &str, names: &[&str], what: &str) -> String {
    match did_you_mean(word, names.iter().copied()) {
        Some(m) => format!("did you mean `{m}`?"),
        None => format!("{what}: {}", names.join(", ")),
    }
}

/// The comma-separated items of a `--map` argument with their byte ranges (empty ones left out).
fn split_items(arg: &str) -> Vec<(Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in arg.split(',') {
        let lead = piece.len() - piece.trim_start().len();
        let t = piece.trim();
        if !t.is_empty() {
            out.push((start + lead..start + lead + t.len(), t));
        }
        start += piece.len() + 1;
    }
    out
}

/// Where `name` is written in `text`: in line `line` (1-based) if given and it is there, else
/// its first occurrence as a whole CSV value.
fn locate(text: &str, line: Option<usize>, name: &str) -> Option<Range<usize>> {
    if name.is_empty() {
        return None;
    }
    let whole = |at: usize| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| matches!(c, ',' | '"' | '\n' | '\r'));
        edge(before) && edge(after)
    };
    if let Some(n) = line {
        let start: usize = text.split_inclusive('\n').take(n.saturating_sub(1)).map(str::len).sum();
        let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
        if let Some(at) = text[start..end].match_indices(name).map(|(i, _)| start + i).find(|&at| whole(at)) {
            return Some(at..at + name.len());
        }
    }
    text.match_indices(name).map(|(i, _)| i).find(|&at| whole(at)).map(|at| at..at + name.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "component,start,end\nAPI,2024-01-01,2024-01-02\napi.anthropic.com,2024-01-03,2024-01-04\n";

    fn names() -> Vec<TraceName<'static>> {
        vec![TraceName { name: "API", line: Some(2) }, TraceName { name: "api.anthropic.com", line: Some(3) }]
    }

    const COMPONENTS: [&str; 3] = ["gateway", "openai-api", "anthropic-api"];

    #[test]
    fn names_map_through_map_items() {
        let out = resolve(&names(), &COMPONENTS, &["API=openai-api, api.anthropic.com = anthropic-api".to_string()], "t.csv", FILE).unwrap();
        assert_eq!(out, vec![1, 2]);
    }

    #[test]
    fn an_unknown_name_points_at_its_line_in_the_file() {
        let e = resolve(&names(), &COMPONENTS, &["API=openai-api".to_string()], "t.csv", FILE).unwrap_err();
        let text = e.render(false);
        assert!(text.contains("t.csv:3:1"), "{text}");
        assert!(text.contains("no component `api.anthropic.com`"), "{text}");
        assert!(text.contains("--map 'api.anthropic.com=COMPONENT'") && text.contains("components are: gateway, openai-api, anthropic-api"), "{text}");
    }

    #[test]
    fn bad_map_items_point_at_the_argument() {
        let maps = ["API=openai-apii,claude=anthropic-api,nonsense".to_string()];
        let e = resolve(&names(), &COMPONENTS, &maps, "t.csv", FILE).unwrap_err();
        let text = e.render(false);
        assert!(text.contains("--map:1:5") && text.contains("did you mean `openai-api`?"), "{text}");
        assert!(text.contains("--map:1:17") && text.contains("has no component `claude`"), "{text}");
        assert!(text.contains("--map:1:38") && text.contains("`nonsense` is not NAME=COMPONENT"), "{text}");
    }

    #[test]
    fn two_names_for_one_component_are_refused() {
        let maps = ["API=anthropic-api,api.anthropic.com=anthropic-api".to_string()];
        let text = resolve(&names(), &COMPONENTS, &maps, "t.csv", FILE).unwrap_err().render(false);
        assert!(text.contains("both the component `anthropic-api`"), "{text}");
    }

    #[test]
    fn locate_finds_whole_values_only() {
        let text = "component\nxAPI\n\"API\"\n";
        assert_eq!(locate(text, None, "API"), Some(16..19));
        assert_eq!(locate(text, Some(2), "API"), Some(16..19), "not on line 2 as a whole value: the first whole occurrence");
    }
}
