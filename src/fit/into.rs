//! `relsim fit --into scenario.toml`: the fitted distributions written into a scenario's
//! components, keeping every comment and the layout of the file (toml_edit edits the document
//! in place: only the `failure` and `repair` values change, each keeping its trailing comment).
//!
//! Each written key gets a comment above it saying where the value came from, and the file
//! gets a header block with the exact command; both are replaced, not repeated, when the file
//! is calibrated again. The result is loaded with relsim's own loader before anything is
//! written, so a calibrated scenario always runs.

use toml_edit::{DocumentMut, Item, TableLike, Value};

use super::dist::Family;
use super::report::{chosen, dist_toml};
use crate::incidents::time::format_short;
use super::ComponentFit;
use crate::diagnostic::{did_you_mean, InputError};

/// The first line of the header block relsim writes.
const HEADER: &str = "# Calibrated by relsim fit (docs/incidents.md) with:";
/// The start of the comment relsim writes above each fitted key.
const PROVENANCE: &str = "# fitted by relsim fit:";

/// What to write into the scenario.
pub struct Plan<'a> {
    /// The scenario's text.
    pub text: &'a str,
    /// How errors name the scenario.
    pub display_name: &'a str,
    /// The fits.
    pub fits: &'a [ComponentFit],
    /// `csvname=component` pairs (`--map`).
    pub map: &'a [(String, String)],
    /// The families to write (`None`: the best by AIC).
    pub failure: Option<Family>,
    /// See `failure`.
    pub repair: Option<Family>,
    /// The command line, for the header.
    pub command: &'a str,
    /// A new `name` for the scenario, if given.
    pub name: Option<&'a str>,
}

/// The calibrated scenario and what was done.
pub struct Calibrated {
    /// The new text (already loaded and checked).
    pub text: String,
    /// One line per key written: `openai-api.failure = weibull (from API)`.
    pub written: Vec<String>,
    /// What was left as it was, and why.
    pub skipped: Vec<String>,
}

/// Applies `plan`; errors are bad input (an unknown component, a component with modes, a
/// scenario that does not load).
pub fn calibrate(plan: &Plan<'_>) -> Result<Calibrated, InputError> {
    let bad = |message: String, help: &str| InputError::unlocated(message, Some(help.to_string()));
    let stem = std::path::Path::new(plan.display_name).file_stem().map_or("scenario".to_string(), |s| s.to_string_lossy().into_owned());
    // A scenario that does not load as it is gets its own errors, not blamed on the fit.
    if let Err(mut e) = crate::compile::load_str(plan.display_name, &stem, plan.text, &[]) {
        e.diagnostics.push(crate::diagnostic::Diagnostic::unlocated(format!("{} does not load as it is, so it was not calibrated", plan.display_name)).help("fix it first: relsim validate FILE lists every problem"));
        return Err(e);
    }
    let mut doc: DocumentMut = plan.text.parse().map_err(|e| bad(format!("{}: not valid TOML: {e}", plan.display_name), "fix the scenario first: relsim validate FILE"))?;
    let scenario_components: Vec<String> = doc.get("components").and_then(Item::as_table_like).map(|t| t.iter().map(|(k, _)| k.to_string()).collect()).unwrap_or_default();
    for (csv, comp) in plan.map {
        if !plan.fits.iter().any(|f| &f.name == csv) {
            let names: Vec<&str> = plan.fits.iter().map(|f| f.name.as_str()).collect();
            let hint = did_you_mean(csv, names.iter().copied()).map(|n| format!("did you mean {n}? ")).unwrap_or_default();
            return Err(bad(format!("--map {csv}={comp}: the incident file has no component {csv}"), &format!("{hint}the file's components are: {}", names.join(", "))));
        }
        if !scenario_components.contains(comp) {
            let hint = did_you_mean(comp, scenario_components.iter().map(String::as_str)).map(|n| format!("did you mean {n}? ")).unwrap_or_default();
            return Err(bad(format!("--map {csv}={comp}: {} has no component {comp}", plan.display_name), &format!("{hint}its components are: {}", scenario_components.join(", "))));
        }
    }
    // A mapped name, else the scenario's component of the same name.
    let target = |name: &str| plan.map.iter().find(|(c, _)| c == name).map(|(_, s)| s.clone()).or_else(|| scenario_components.iter().find(|c| *c == name).cloned());
    let mut seen: Vec<(String, &str)> = Vec::new();
    for fit in plan.fits {
        if let Some(comp) = target(&fit.name) {
            if let Some((_, other)) = seen.iter().find(|(c, _)| *c == comp) {
                return Err(bad(format!("{other} and {} would both be written into components.{comp}", fit.name), "map each component of the incident file to its own scenario component with --map"));
            }
            seen.push((comp, &fit.name));
        }
    }
    let (mut written, mut skipped) = (Vec::new(), Vec::new());
    for fit in plan.fits {
        let Some(comp) = target(&fit.name) else {
            skipped.push(format!("{}: no component of that name in {} (map it with --map '{}=COMPONENT')", fit.name, plan.display_name, fit.name));
            continue;
        };
        let Some(table) = doc.get_mut("components").and_then(Item::as_table_like_mut).and_then(|t| t.get_mut(&comp)).and_then(Item::as_table_like_mut) else {
            skipped.push(format!("{}: components.{comp} is not a table", fit.name));
            continue;
        };
        if table.contains_key("modes") {
            return Err(bad(format!("components.{comp} has failure modes; relsim fit writes `failure` and `repair`, and fitting one mode is not supported yet"), "map the incidents to a component with failure and repair, or copy the fitted distribution into the mode by hand (relsim fit --format toml prints it)"));
        }
        for (key, set, family) in [("failure", &fit.failure, plan.failure), ("repair", &fit.repair, plan.repair)] {
            let Some(f) = chosen(set, family) else {
                skipped.push(format!("{comp}.{key}: kept as it was: {} has nothing observed to fit", fit.name));
                continue;
            };
            if family.is_some_and(|want| want != f.family()) {
                skipped.push(format!("{comp}.{key}: {} was not fitted for {}, so the best fit ({}) is written", family.map_or("", Family::name), fit.name, f.family().name()));
            }
            let rank = set.fits.iter().position(|g| g.family() == f.family()).map_or(0, |i| i + 1);
            let what = if key == "failure" { "up times" } else { "repairs" };
            let day = |t: f64| format_short(t).chars().take(10).collect::<String>();
            let note = format!(
                "{PROVENANCE} {}, AIC rank {rank} of {}, from {} {what} ({} censored) of {} in {}..{}",
                f.family().name(),
                set.fits.len(),
                set.sample.observed.len(),
                set.sample.censored.len(),
                fit.name,
                day(fit.window.0),
                day(fit.window.1)
            );
            set_value(table, key, &dist_toml(&f.dist), Some(&note));
            written.push(format!("{comp}.{key} = {} (from {})", dist_toml(&f.dist), fit.name));
        }
    }
    if let Some(name) = plan.name {
        set_value(doc.as_table_mut(), "name", &Value::from(name).to_string(), None);
    }
    let text = with_header(&doc.to_string(), plan.command);
    crate::compile::load_str(&format!("{} (calibrated)", plan.display_name), &stem, &text, &[])?;
    Ok(Calibrated { text, written, skipped })
}

/// Sets `key` to `value` (TOML text), keeping the old value's trailing comment and the
/// comments above the key, with `note` (if any) as the last comment line above it.
fn set_value(table: &mut dyn TableLike, key: &str, value: &str, note: Option<&str>) {
    let mut new: Value = match value.parse() {
        Ok(v) => v,
        Err(_) => return,
    };
    let old_suffix = table.get(key).and_then(Item::as_value).and_then(|v| v.decor().suffix()).and_then(|s| s.as_str()).map(str::to_string);
    new.decor_mut().set_prefix(" ");
    if let Some(s) = old_suffix {
        new.decor_mut().set_suffix(s);
    }
    // Replacing the item in place keeps the key and its decor (`insert` would reformat the key
    // and drop the comments above it).
    match table.get_mut(key) {
        Some(item) => *item = Item::Value(new),
        None => {
            table.insert(key, Item::Value(new));
        }
    }
    let Some(note) = note else { return };
    // Inline tables cannot hold comments; standard tables keep the key's leading comments.
    if let Some(mut k) = table.key_mut(key) {
        let prefix = k.leaf_decor().prefix().and_then(|p| p.as_str()).unwrap_or("").to_string();
        let kept: String = prefix.lines().filter(|l| !l.trim_start().starts_with(PROVENANCE)).map(|l| format!("{l}\n")).collect();
        k.leaf_decor_mut().set_prefix(format!("{kept}{note}\n"));
    }
}

/// The document with relsim's header block (replacing an earlier one) at the top.
fn with_header(text: &str, command: &str) -> String {
    let mut rest = text;
    if rest.starts_with(HEADER) {
        let mut lines = rest.split_inclusive('\n');
        let mut skip = 0;
        if let Some(first) = lines.next() {
            skip += first.len();
        }
        for l in lines {
            if l.starts_with("#   ") {
                skip += l.len();
            } else {
                if l.trim_end() == "#" {
                    skip += l.len();
                }
                break;
            }
        }
        rest = &rest[skip..];
    }
    format!("{HEADER}\n#   {command}\n#\n{rest}")
}

/// Parses `--map 'API=openai-api,api.anthropic.com=anthropic-api'`.
pub fn parse_map(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for p in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match p.rsplit_once('=') {
            Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => {
                let (a, b) = (a.trim().to_string(), b.trim().to_string());
                if out.iter().any(|(c, _)| *c == a) {
                    return Err(format!("--map: {a} is mapped twice; give each name once"));
                }
                out.push((a, b));
            }
            _ => return Err(format!("--map: `{p}` is not CSVNAME=COMPONENT (for example --map 'API=openai-api,api.anthropic.com=anthropic-api')")),
        }
    }
    Ok(out)
}
