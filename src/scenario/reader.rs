//! Typed reading of the value tree: each accessor checks one value's type and range and, when it
//! is wrong, records an error that names the key path, shows what was found and says what to
//! write instead. Accessors return `None` after recording an error, so reading goes on and every
//! mistake in the file is reported in one pass.

use crate::diagnostic::{did_you_mean, Diagnostic, Diagnostics, Origin};
use crate::scenario::tree::{Entry, Node, Value};
use crate::scenario::units::{parse_duration, parse_rate, UNIT_NAMES};

/// Collects diagnostics while a scenario is read.
pub struct Ctx {
    /// Everything found so far.
    pub diags: Diagnostics,
}

impl Ctx {
    /// A fresh context.
    pub fn new() -> Self {
        Ctx { diags: Diagnostics::new() }
    }

    /// Records an error at `origin`.
    pub fn error(&mut self, origin: &Origin, message: impl Into<String>, help: impl Into<String>) {
        let help = help.into();
        let mut d = Diagnostic::error(origin, message);
        if !help.is_empty() {
            d = d.help(help);
        }
        self.diags.push(d);
    }

    /// Records a warning at `origin`.
    pub fn warning(&mut self, origin: &Origin, message: impl Into<String>, help: impl Into<String>) {
        let help = help.into();
        let mut d = Diagnostic::warning(origin, message);
        if !help.is_empty() {
            d = d.help(help);
        }
        self.diags.push(d);
    }
}

impl Default for Ctx {
    fn default() -> Self {
        Self::new()
    }
}

/// A key that relsim recognises but does not implement yet, and why.
pub struct Later {
    /// The key.
    pub key: &'static str,
    /// What it will do, for the message.
    pub what: &'static str,
}

/// Joins a key path and a key for messages (`components.auth` + `repair`).
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// A view of a table node at a key path.
#[derive(Clone, Copy)]
pub struct Table<'n> {
    /// The table node.
    pub node: &'n Node,
    /// Its key path, for messages.
    pub path: &'n str,
}

impl<'n> Table<'n> {
    /// Views `node` as a table, or records an error and returns `None`.
    pub fn of(ctx: &mut Ctx, node: &'n Node, path: &'n str, example: &str) -> Option<Table<'n>> {
        match node.value {
            Value::Table(_) => Some(Table { node, path }),
            ref other => {
                ctx.error(&node.origin, format!("{path}: expected a table, found {}", other.type_name()), example);
                None
            }
        }
    }

    /// The entries in source order.
    pub fn entries(&self) -> &'n [Entry] {
        self.node.entries()
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.node.get(key)
    }

    /// The value of a required key, or an error at the table saying what to add.
    ///
    /// When a misspelling of `key` is present, nothing is recorded: `check_keys` already reports
    /// it with a "did you mean".
    pub fn required(&self, ctx: &mut Ctx, key: &str, example: &str) -> Option<&'n Node> {
        let found = self.get(key);
        let misspelt = || self.entries().iter().any(|e| e.key != key && did_you_mean(&e.key, [key]).is_some());
        if found.is_none() && !misspelt() {
            ctx.error(
                &self.node.origin,
                format!("{}: missing required key `{key}`", self.path_or_top()),
                format!("add {example}"),
            );
        }
        found
    }

    fn path_or_top(&self) -> &str {
        if self.path.is_empty() { "the top level of the file" } else { self.path }
    }

    /// Reports every key that is not in `known`: as "not supported yet" when it is in `later`,
    /// otherwise as unknown with a "did you mean".
    pub fn check_keys(&self, ctx: &mut Ctx, known: &[&str], later: &[Later]) {
        for e in self.entries() {
            if known.contains(&e.key.as_str()) {
                continue;
            }
            if let Some(l) = later.iter().find(|l| l.key == e.key) {
                ctx.error(
                    &e.key_origin,
                    format!("{}: `{}` is not supported yet ({})", self.path_or_top(), e.key, l.what),
                    format!("remove `{}` for now; this version of relsim would otherwise silently ignore it", e.key),
                );
                continue;
            }
            let all = known.iter().copied().chain(later.iter().map(|l| l.key));
            let help = match did_you_mean(&e.key, all) {
                Some(s) => format!("did you mean `{s}`? Keys allowed here: {}", known.join(", ")),
                None => format!("keys allowed here: {}", known.join(", ")),
            };
            ctx.error(&e.key_origin, format!("{}: unknown key `{}`", self.path_or_top(), e.key), help);
        }
    }
}

/// Reads a string.
pub fn string<'n>(ctx: &mut Ctx, node: &'n Node, path: &str, example: &str) -> Option<&'n str> {
    match &node.value {
        Value::String(s) => Some(s),
        other => {
            ctx.error(&node.origin, format!("{path}: expected a string, found {}", other.type_name()), example);
            None
        }
    }
}

/// Reads one of a fixed set of words.
pub fn word<'a>(ctx: &mut Ctx, node: &Node, path: &str, choices: &[&'a str]) -> Option<&'a str> {
    let s = string(ctx, node, path, &format!("write one of: {}", quoted(choices)))?;
    if let Some(c) = choices.iter().find(|c| **c == s) {
        return Some(c);
    }
    let help = match did_you_mean(s, choices.iter().copied()) {
        Some(m) => format!("did you mean \"{m}\"? Write one of: {}", quoted(choices)),
        None => format!("write one of: {}", quoted(choices)),
    };
    ctx.error(&node.origin, format!("{path}: `{s}` is not allowed here"), help);
    None
}

/// `"a", "b", "c"`.
pub fn quoted(items: &[&str]) -> String {
    items.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
}

/// Reads a number (integer or float).
pub fn number(ctx: &mut Ctx, node: &Node, path: &str, example: &str) -> Option<f64> {
    match node.value {
        Value::Integer(i) => Some(i as f64),
        Value::Float(f) if f.is_finite() => Some(f),
        Value::Float(_) => {
            ctx.error(&node.origin, format!("{path}: expected a finite number"), example);
            None
        }
        ref other => {
            let help = match other {
                Value::String(s) if s.trim().parse::<f64>().is_ok() => format!("remove the quotes: {}", s.trim()),
                _ => example.to_string(),
            };
            ctx.error(&node.origin, format!("{path}: expected a number, found {}", other.type_name()), help);
            None
        }
    }
}

/// Reads a number that must lie in `[lo, hi]` (`hi` may be `f64::MAX`: no upper bound).
pub fn number_in(ctx: &mut Ctx, node: &Node, path: &str, lo: f64, hi: f64, example: &str) -> Option<f64> {
    let v = number(ctx, node, path, example)?;
    if v < lo || v > hi {
        // A large upper bound (money) is a sanity limit, not a range worth printing whole.
        let what = match (v < lo, hi >= 1e7) {
            (_, false) => format!("{v} is outside [{lo}, {hi}]"),
            (true, true) => format!("{}, found {v}", unbounded_words(lo)),
            (false, true) => format!("{} is more than the largest allowed, {}", short(v), short(hi)),
        };
        ctx.error(&node.origin, format!("{path}: {what}"), example);
        return None;
    }
    Some(v)
}

/// A bound as written in a message: `1e15` rather than `1000000000000000`.
fn short(x: f64) -> String {
    if x.abs() >= 1e7 { format!("{x:e}") } else { x.to_string() }
}

/// Below a range without an upper bound: "must not be negative" or "must be at least 2" (never
/// the largest number of a type, printed in full).
fn unbounded_words(lo: impl std::fmt::Display + PartialEq + Default) -> String {
    if lo == Default::default() { "must not be negative".to_string() } else { format!("must be at least {lo}") }
}

/// What is wrong with an integer `i` outside `[lo, hi]`; bounds from i64's largest value up
/// count as no bound below them, and are named only when `i` is above them.
fn integer_range_words(i: i128, lo: i128, hi: i128) -> String {
    if hi < i64::MAX as i128 {
        format!("{i} is outside [{lo}, {hi}]")
    } else if i < lo {
        format!("{}, found {i}", unbounded_words(lo))
    } else {
        format!("{i} is too large: the largest allowed is {hi}")
    }
}

/// Reads a strictly positive number.
pub fn positive(ctx: &mut Ctx, node: &Node, path: &str, example: &str) -> Option<f64> {
    let v = number(ctx, node, path, example)?;
    if v <= 0.0 {
        ctx.error(&node.origin, format!("{path}: must be greater than 0, found {v}"), example);
        return None;
    }
    Some(v)
}

/// Reads a probability or fraction in [0, 1].
pub fn probability(ctx: &mut Ctx, node: &Node, path: &str) -> Option<f64> {
    number_in(ctx, node, path, 0.0, 1.0, "write a plain number between 0 and 1, for example 0.95")
}

/// Reads an integer in `[lo, hi]`.
pub fn integer(ctx: &mut Ctx, node: &Node, path: &str, lo: i128, hi: i128, example: &str) -> Option<i128> {
    match node.value {
        Value::Integer(i) if i >= lo && i <= hi => Some(i),
        Value::Integer(i) => {
            ctx.error(&node.origin, format!("{path}: {}", integer_range_words(i, lo, hi)), example);
            None
        }
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            ctx.error(&node.origin, format!("{path}: expected an integer, found {f}"), format!("write {}", f as i64));
            None
        }
        // A whole number too large even for i128.
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 => {
            ctx.error(&node.origin, format!("{path}: {f:e} is far outside the allowed values, {}", if f < 0.0 { format!("from {lo}") } else { format!("up to {hi}") }), example);
            None
        }
        ref other => {
            ctx.error(&node.origin, format!("{path}: expected an integer, found {}", other.type_name()), example);
            None
        }
    }
}

/// Reads a boolean.
pub fn boolean(ctx: &mut Ctx, node: &Node, path: &str) -> Option<bool> {
    match node.value {
        Value::Bool(b) => Some(b),
        ref other => {
            ctx.error(&node.origin, format!("{path}: expected true or false, found {}", other.type_name()), "write true or false");
            None
        }
    }
}

/// Reads a string written with a unit (a duration or a rate) through `parse`; `what` names it
/// in messages ("a duration") and `help` shows how to write one.
fn with_unit(ctx: &mut Ctx, node: &Node, path: &str, what: &str, parse: fn(&str) -> Result<f64, String>, help: String) -> Option<f64> {
    match &node.value {
        Value::String(s) => match parse(s) {
            Ok(v) => Some(v),
            Err(e) => {
                ctx.error(&node.origin, format!("{path}: {e}"), help);
                None
            }
        },
        Value::Integer(_) | Value::Float(_) => {
            ctx.error(&node.origin, format!("{path}: a bare number is not {what}"), help);
            None
        }
        other => {
            ctx.error(&node.origin, format!("{path}: expected {what}, found {}", other.type_name()), help);
            None
        }
    }
}

/// Reads a duration string into seconds.
pub fn duration(ctx: &mut Ctx, node: &Node, path: &str) -> Option<f64> {
    let help = format!("write a number with a unit in quotes, for example \"90s\", \"45m\", \"1.5h\", \"30d\" (units: {UNIT_NAMES})");
    with_unit(ctx, node, path, "a duration", parse_duration, help)
}

/// Reads a duration that must be longer than zero; `example` is the fix offered otherwise.
pub fn positive_duration(ctx: &mut Ctx, node: &Node, path: &str, example: &str) -> Option<f64> {
    let v = duration(ctx, node, path)?;
    if v <= 0.0 {
        ctx.error(&node.origin, format!("{path}: must be longer than zero"), example);
        return None;
    }
    Some(v)
}

/// Reads a rate string into events per second.
pub fn rate(ctx: &mut Ctx, node: &Node, path: &str) -> Option<f64> {
    let help = format!("write a number per unit in quotes, for example \"2000/s\", \"30/min\", \"1/h\" (units: {UNIT_NAMES})");
    with_unit(ctx, node, path, "a rate", parse_rate, help)
}

/// Reads an array, with its items.
pub fn array<'n>(ctx: &mut Ctx, node: &'n Node, path: &str, example: &str) -> Option<&'n [Node]> {
    match &node.value {
        Value::Array(items) => Some(items),
        other => {
            ctx.error(&node.origin, format!("{path}: expected an array, found {}", other.type_name()), example);
            None
        }
    }
}

/// Reads a list of names (strings), each with its origin.
pub fn names<'n>(ctx: &mut Ctx, node: &'n Node, path: &str, example: &str) -> Option<Vec<(&'n str, &'n Origin)>> {
    let items = match &node.value {
        Value::Array(items) => items,
        Value::String(s) => {
            ctx.error(&node.origin, format!("{path}: expected a list of names, found a single string"), format!("write [\"{s}\"]"));
            return None;
        }
        other => {
            ctx.error(&node.origin, format!("{path}: expected a list of names, found {}", other.type_name()), example);
            return None;
        }
    };
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        match string(ctx, item, &format!("{path}[{i}]"), example) {
            Some(s) => out.push((s, &item.origin)),
            None => ok = false,
        }
    }
    ok.then_some(out)
}
