//! The scenario as a tree of TOML values that remember where they were written.
//!
//! The TOML parser gives spans; this module turns its output into an owned tree whose every key
//! and value carries an [`Origin`], and applies `--set key.path=value` overrides to it (their
//! values point into the `--set` argument, so errors about them point there too).

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Origin, SourceId, Sources};

/// A TOML value with its origin.
#[derive(Clone, Debug)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value was written.
    pub origin: Origin,
}

/// A TOML value.
#[derive(Clone, Debug)]
pub enum Value {
    /// A string.
    String(String),
    /// An integer. Wider than TOML's 64-bit signed integers, so that a value such as a `u64`
    /// seed (up to 18446744073709551615) is read as written; range checks are the reader's.
    Integer(i128),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A date or time (never valid in a scenario, kept for the error message).
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// A table, in source order.
    Table(Vec<Entry>),
}

/// One `key = value` of a table.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key was written.
    pub key_origin: Origin,
    /// The value.
    pub node: Node,
}

impl Value {
    /// A short name of the value's type for error messages ("a string", "a table", …).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

impl Node {
    /// The entries of a table node (empty for any other value).
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Table(e) => e,
            _ => &[],
        }
    }

    /// The value of `key` in a table node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries().iter().find(|e| e.key == key).map(|e| &e.node)
    }
}

/// Parses TOML text into a tree, or returns the syntax error located in the text.
pub fn parse(source: SourceId, text: &str) -> Result<Node, Diagnostic> {
    match DeTable::parse(text) {
        Ok(table) => Ok(convert_table(source, table)),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().to_string();
            Err(Diagnostic::error(&Origin::new(source, span), format!("TOML syntax error: {message}"))
                .help("see docs/scenario-format.md for the file format"))
        }
    }
}

fn convert_table(source: SourceId, table: Spanned<DeTable<'_>>) -> Node {
    let span = table.span();
    let entries = convert_entries(source, table.into_inner());
    Node { value: Value::Table(entries), origin: Origin::new(source, span) }
}

fn convert_entries(source: SourceId, table: DeTable<'_>) -> Vec<Entry> {
    let mut entries = Vec::with_capacity(table.len());
    for (k, v) in table.into_iter() {
        let key_origin = Origin::new(source, k.span());
        entries.push(Entry { key: k.into_inner().into_owned(), key_origin, node: convert_value(source, v) });
    }
    entries
}

fn convert_value(source: SourceId, v: Spanned<DeValue<'_>>) -> Node {
    let span = v.span();
    let origin = Origin::new(source, span);
    let value = match v.into_inner() {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(i) => match i128::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Integer(n),
            // Beyond even i128: keep it as a float so the reader reports a range error.
            Err(_) => Value::Float(i.as_str().parse::<f64>().unwrap_or(f64::INFINITY)),
        },
        DeValue::Float(f) => Value::Float(f.as_str().parse::<f64>().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().cloned().map(|x| convert_value(source, x)).collect()),
        DeValue::Table(t) => Value::Table(convert_entries(source, t)),
    };
    Node { value, origin }
}

/// One `--set key.path=value` override, parsed.
#[derive(Clone, Debug)]
pub struct Override {
    /// The key path, split into segments.
    pub path: Vec<String>,
    /// Where each segment was written in the argument.
    pub path_origins: Vec<Origin>,
    /// The new value.
    pub node: Node,
}

/// Parses a `--set` argument (`key.path=value`) registered as its own source text.
///
/// The value is read as TOML when it is valid TOML (`200`, `0.5`, `true`, `"x"`, `[1, 2]`,
/// `{ dist = "fixed", value = "1h" }`) and as a plain string otherwise (`30m`, `2000/s`), so
/// durations and rates need no quoting on the command line.
pub fn parse_override(sources: &mut Sources, arg: &str) -> Result<Override, Diagnostic> {
    let source = sources.add("--set", arg.to_string());
    let whole = Origin::new(source, 0..arg.len());
    let Some(eq) = arg.find('=') else {
        return Err(Diagnostic::error(&whole, format!("--set {arg}: expected key.path=value"))
            .help("for example --set simulation.replications=200 or --set components.auth.repair.median=30m"));
    };
    let path_text = &arg[..eq];
    let segments = split_key_path(path_text).ok_or_else(|| {
        Diagnostic::error(&Origin::new(source, 0..eq), format!("--set {arg}: `{path_text}` is not a key path"))
            .help("write dotted keys such as components.auth.repair.median; quote names that contain dots: components.\"a.b\".kind")
    })?;
    let raw = &arg[eq + 1..];
    let offset = eq + 1;
    let trimmed_start = raw.len() - raw.trim_start().len();
    let value_text = raw.trim();
    let value_origin = Origin::new(source, offset + trimmed_start..offset + trimmed_start + value_text.len());
    let node = match DeValue::parse(value_text) {
        Ok(v) if !value_text.is_empty() => shift(convert_value(source, v), offset + trimmed_start),
        _ => Node { value: Value::String(value_text.to_string()), origin: value_origin },
    };
    let path = segments.iter().map(|(s, _)| s.clone()).collect();
    let path_origins = segments.into_iter().map(|(_, span)| Origin::new(source, span)).collect();
    Ok(Override { path, path_origins, node })
}

fn shift(mut node: Node, by: usize) -> Node {
    node.origin.span = node.origin.span.start + by..node.origin.span.end + by;
    match &mut node.value {
        Value::Array(items) => {
            for item in items.iter_mut() {
                *item = shift(item.clone(), by);
            }
        }
        Value::Table(entries) => {
            for e in entries.iter_mut() {
                e.key_origin.span = e.key_origin.span.start + by..e.key_origin.span.end + by;
                e.node = shift(e.node.clone(), by);
            }
        }
        _ => {}
    }
    node
}

/// Splits `a.b."c.d".e` into segments with their byte spans; `None` when a segment is empty or
/// a quote is unbalanced.
pub fn split_key_path(text: &str) -> Option<Vec<(String, Range<usize>)>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    let mut quoted_segment = false;
    let mut finish = |cur: &mut String, quoted: bool, start: usize, end: usize| -> Option<()> {
        let seg = if quoted { cur.clone() } else { cur.trim().to_string() };
        if seg.is_empty() && !quoted {
            return None;
        }
        let lead = cur.len() - cur.trim_start().len();
        let span = if quoted { start..end } else { start + lead..start + lead + seg.len() };
        out.push((seg, span));
        cur.clear();
        Some(())
    };
    for (i, ch) in text.char_indices() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => cur.push(ch),
            None if ch == '"' || ch == '\'' => {
                quote = Some(ch);
                quoted_segment = true;
            }
            None if ch == '.' => {
                finish(&mut cur, quoted_segment, start, i)?;
                start = i + 1;
                quoted_segment = false;
            }
            None => cur.push(ch),
        }
    }
    if quote.is_some() {
        return None;
    }
    finish(&mut cur, quoted_segment, start, text.len())?;
    Some(out)
}

/// Applies an override to the tree: replaces the value at its path, creating missing tables.
pub fn apply_override(root: &mut Node, ov: &Override) -> Result<(), Diagnostic> {
    let mut node = root;
    let joined = ov.path.join(".");
    for (i, seg) in ov.path.iter().enumerate() {
        let last = i + 1 == ov.path.len();
        let so_far = ov.path[..i].join(".");
        match &mut node.value {
            Value::Table(entries) => {
                let pos = match entries.iter().position(|e| &e.key == seg) {
                    Some(p) => p,
                    None => {
                        let fresh = if last {
                            ov.node.clone()
                        } else {
                            Node { value: Value::Table(Vec::new()), origin: ov.node.origin.clone() }
                        };
                        let key_origin = ov.path_origins.get(i).cloned().unwrap_or_else(|| ov.node.origin.clone());
                        entries.push(Entry { key: seg.clone(), key_origin, node: fresh });
                        entries.len() - 1
                    }
                };
                if last {
                    entries[pos].node = ov.node.clone();
                    return Ok(());
                }
                node = &mut entries[pos].node;
            }
            Value::Array(items) => {
                let idx = seg.parse::<usize>().ok().filter(|&k| k < items.len()).ok_or_else(|| {
                    Diagnostic::error(
                        &ov.node.origin,
                        format!("--set {joined}: `{so_far}` is an array of {} items; `{seg}` is not an index into it", items.len()),
                    )
                    .help(format!("use an index from 0 to {}", items.len().saturating_sub(1)))
                })?;
                if last {
                    items[idx] = ov.node.clone();
                    return Ok(());
                }
                node = &mut items[idx];
            }
            other => {
                return Err(Diagnostic::error(
                    &ov.node.origin,
                    format!("--set {joined}: `{so_far}` is {}, not a table, so it has no key `{seg}`", other.type_name()),
                )
                .help(format!("override `{so_far}` itself, for example --set {so_far}=<value>")));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> (Sources, Node) {
        let mut s = Sources::new();
        let id = s.add("t.toml", text);
        let node = parse(id, text).unwrap();
        (s, node)
    }

    #[test]
    fn values_keep_their_spans() {
        let text = "[simulation]\nhorizon = \"1y\"\n";
        let (s, root) = tree(text);
        let h = root.get("simulation").unwrap().get("horizon").unwrap();
        assert_eq!(&text[h.origin.span.clone()], "\"1y\"");
        assert_eq!(s.location(&h.origin), "t.toml:2:11");
    }

    #[test]
    fn syntax_errors_are_located() {
        let mut s = Sources::new();
        let id = s.add("t.toml", "[simulation\n");
        let err = parse(id, "[simulation\n").unwrap_err();
        assert!(err.message.contains("TOML syntax error"));
        assert!(err.origin.is_some());
    }

    #[test]
    fn overrides_parse_toml_or_fall_back_to_strings() {
        let (mut s, mut root) = tree("[components.auth]\nrepair = { dist = \"lognormal\", median = \"50m\", sigma = 1.1 }\n");
        let ov = parse_override(&mut s, "components.auth.repair.median=30m").unwrap();
        apply_override(&mut root, &ov).unwrap();
        let m = root.get("components").unwrap().get("auth").unwrap().get("repair").unwrap().get("median").unwrap();
        assert!(matches!(&m.value, Value::String(v) if v == "30m"));
        let ov = parse_override(&mut s, "simulation.replications=200").unwrap();
        apply_override(&mut root, &ov).unwrap();
        let r = root.get("simulation").unwrap().get("replications").unwrap();
        assert!(matches!(r.value, Value::Integer(200)));
        assert_eq!(s.name(r.origin.source), "--set");
    }

    #[test]
    fn override_into_a_scalar_is_an_error() {
        let (mut s, mut root) = tree("[simulation]\nhorizon = \"1y\"\n");
        let ov = parse_override(&mut s, "simulation.horizon.x=1").unwrap();
        assert!(apply_override(&mut root, &ov).is_err());
        assert!(parse_override(&mut s, "novalue").is_err());
        assert!(parse_override(&mut s, "a..b=1").is_err());
    }

    #[test]
    fn quoted_path_segments() {
        let segs: Vec<String> = split_key_path("components.\"a.b\".kind").unwrap().into_iter().map(|(s, _)| s).collect();
        assert_eq!(segs, vec!["components", "a.b", "kind"]);
        let spans: Vec<Range<usize>> = split_key_path("ab.cd").unwrap().into_iter().map(|(_, r)| r).collect();
        assert_eq!(spans, vec![0..2, 3..5]);
    }
}
