//! Sweeps: the `[sweep]` table and `relsim sweep --set key.path=v1,v2,v3`. Each swept key is an
//! axis with a list of values; axes combine as a Cartesian product, or pairwise with
//! `zip = true`. A point is a set of overrides applied to the scenario tree exactly like
//! `--set`, so a sweep can change anything a `--set` can, and every value keeps its place in the
//! file for error messages.
//!
//! ```toml
//! [sweep]
//! "routes.llm.breaker.threshold" = [0.3, 0.5, 0.7]
//! "components.gateway.repair.median" = ["15m", "1h", "4h"]
//! ```

use super::reader::Ctx;
use super::tree::{self, Node, Override, Value};
use crate::diagnostic::{Diagnostic, Origin, Sources};

/// One swept key with its values.
#[derive(Clone, Debug)]
pub struct Axis {
    /// The key path, dotted (`routes.llm.breaker.threshold`).
    pub key: String,
    /// One override per value, in order.
    pub values: Vec<Override>,
    /// Where the axis was written (its key in the file, or the `--set` argument).
    pub origin: Origin,
}

/// The axes of a sweep and how they combine.
#[derive(Clone, Debug, Default)]
pub struct Sweep {
    /// Axes in the order written (file first, then `--set`).
    pub axes: Vec<Axis>,
    /// Pair values by position instead of taking every combination.
    pub zip: bool,
}

/// The most points a sweep may have: past this, a typo (a product of long lists) is likelier
/// than intent, and the run would take very long.
pub const MAX_POINTS: usize = 10_000;

/// Removes the `[sweep]` table from the scenario tree, if there is one, and returns it.
pub fn take(root: &mut Node) -> Option<Node> {
    let Value::Table(entries) = &mut root.value else { return None };
    let pos = entries.iter().position(|e| e.key == "sweep")?;
    Some(entries.remove(pos).node)
}

/// A value as the user would write it on a command line: strings bare, numbers as written.
pub fn label(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Datetime(d) => d.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(label).collect::<Vec<_>>().join(", ")),
        Value::Table(entries) => format!("{{ {} }}", entries.iter().map(|e| format!("{} = {}", e.key, label(&e.node))).collect::<Vec<_>>().join(", ")),
    }
}

/// Reads a `[sweep]` table: `zip` and, at any depth of dotted keys, arrays of values.
pub fn read(ctx: &mut Ctx, node: &Node) -> Sweep {
    let mut sweep = Sweep::default();
    let Value::Table(entries) = &node.value else {
        ctx.error(&node.origin, format!("sweep must be a table, not {}", node.value.type_name()), "write [sweep] and under it \"key.path\" = [value, value, ...]");
        return sweep;
    };
    for e in entries {
        if e.key == "zip" {
            match e.node.value {
                Value::Bool(b) => sweep.zip = b,
                _ => ctx.error(&e.node.origin, "sweep.zip must be true or false", "write zip = true to pair the values of the axes by position"),
            }
            continue;
        }
        // A key is a key path, as in --set: "routes.llm.breaker.threshold" = [...] (quoted, one
        // TOML key) and routes.llm.breaker.threshold = [...] (dotted, nested tables) are the same.
        let Some(segments) = tree::split_key_path(&e.key) else {
            ctx.error(&e.key_origin, format!("sweep: `{}` is not a key path", e.key), "write a dotted path such as \"components.gateway.repair.median\" = [\"10m\", \"1h\"]");
            continue;
        };
        let path = segments.into_iter().map(|(seg, _)| (seg, e.key_origin.clone())).collect();
        collect(ctx, &e.node, path, &mut sweep.axes);
    }
    sweep
}

/// Walks nested tables (`routes.llm.breaker.threshold = [...]` written as dotted keys) down to
/// the arrays of values.
fn collect(ctx: &mut Ctx, node: &Node, path: Vec<(String, Origin)>, axes: &mut Vec<Axis>) {
    let key = path.iter().map(|(k, _)| quote_segment(k)).collect::<Vec<_>>().join(".");
    match &node.value {
        Value::Table(entries) if !entries.is_empty() => {
            for e in entries {
                let mut deeper = path.clone();
                deeper.push((e.key.clone(), e.key_origin.clone()));
                collect(ctx, &e.node, deeper, axes);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let origin = path.last().map(|(_, o)| o.clone()).unwrap_or_else(|| node.origin.clone());
            let (segments, origins): (Vec<String>, Vec<Origin>) = path.into_iter().unzip();
            let values = items.iter().map(|item| Override { path: segments.clone(), path_origins: origins.clone(), node: item.clone() }).collect();
            axes.push(Axis { key, values, origin });
        }
        Value::Array(_) => ctx.error(&node.origin, format!("sweep.\"{key}\" has no values"), format!("list the values to try, for example \"{key}\" = [0.3, 0.5, 0.7]")),
        _ => ctx.error(
            &node.origin,
            format!("sweep.\"{key}\" must be a list of values, not {}", node.value.type_name()),
            format!("write \"{key}\" = [{}, ...] (a list, even for one value; a single value belongs in the scenario or in --set)", label(node)),
        ),
    }
}

fn quote_segment(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') { s.to_string() } else { format!("\"{s}\"") }
}

/// Splits a `--set` value on the commas that separate sweep values: not inside quotes,
/// brackets or braces (so `--set 'x=[1, 2]'` stays one value).
pub fn split_values(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    for (i, ch) in value.char_indices() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts
}

/// Turns `--set` arguments into fixed overrides (one value) and sweep axes (several values,
/// `key=v1,v2,v3`).
pub fn split_sets(sources: &mut Sources, sets: &[String]) -> Result<(Vec<Override>, Vec<Axis>), Diagnostic> {
    let (mut fixed, mut axes) = (Vec::new(), Vec::new());
    for set in sets {
        let values = set.split_once('=').map(|(_, v)| split_values(v)).unwrap_or_default();
        if values.len() < 2 {
            fixed.push(tree::parse_override(sources, set)?);
            continue;
        }
        let Some((key, _)) = set.split_once('=') else { continue };
        let mut overrides = Vec::with_capacity(values.len());
        for v in values {
            overrides.push(tree::parse_override(sources, &format!("{key}={}", v.trim()))?);
        }
        let origin = overrides[0].path_origins.first().cloned().unwrap_or_else(|| overrides[0].node.origin.clone());
        axes.push(Axis { key: key.trim().to_string(), values: overrides, origin });
    }
    Ok((fixed, axes))
}

/// The points of a sweep: for each, the index of its value on every axis.
pub fn points(ctx: &mut Ctx, sweep: &Sweep) -> Vec<Vec<usize>> {
    if sweep.axes.is_empty() {
        return Vec::new();
    }
    if sweep.zip {
        let n = sweep.axes[0].values.len();
        for a in &sweep.axes[1..] {
            if a.values.len() != n {
                ctx.error(
                    &a.origin,
                    format!("with zip = true every axis needs as many values as the first: `{}` has {}, `{}` has {n}", a.key, a.values.len(), sweep.axes[0].key),
                    "give every axis the same number of values, or remove zip = true for every combination",
                );
                return Vec::new();
            }
        }
        return (0..n).map(|i| vec![i; sweep.axes.len()]).collect();
    }
    let total = sweep.axes.iter().map(|a| a.values.len()).try_fold(1usize, |acc, n| acc.checked_mul(n)).unwrap_or(usize::MAX);
    if total > MAX_POINTS {
        ctx.error(
            &sweep.axes[0].origin,
            format!("this sweep has {total} points (every combination of its axes); at most {MAX_POINTS} are allowed"),
            "sweep fewer values, or pair them with zip = true",
        );
        return Vec::new();
    }
    let mut out = vec![Vec::new()];
    for a in &sweep.axes {
        out = out.into_iter().flat_map(|p| (0..a.values.len()).map(move |i| [p.clone(), vec![i]].concat())).collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commas_split_values_but_not_lists_or_quotes() {
        assert_eq!(split_values("1,2, 3"), ["1", "2", " 3"]);
        assert_eq!(split_values("[1, 2],[3]"), ["[1, 2]", "[3]"]);
        assert_eq!(split_values("\"a,b\",c"), ["\"a,b\"", "c"]);
        assert_eq!(split_values("30m"), ["30m"]);
    }
}
