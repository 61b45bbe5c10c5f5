//! The whole way from a scenario file (plus `--set` overrides) to a compiled [`Model`], or to
//! every problem found, each located in the file: `relsim run` loads one model ([`load`]),
//! `relsim sweep` one per point of the sweep ([`load_sweep`]).

use std::path::Path;

use crate::compile::compile;
use crate::diagnostic::{Diagnostic, InputError, Severity, Sources};
use crate::model::Model;
use crate::scenario::reader::Ctx;
use crate::scenario::tree::{self, Node};
use crate::scenario::{self, spec, sweep, Parsed};

/// A scenario loaded and compiled, with any warnings found on the way.
pub struct Loaded {
    /// The compiled model.
    pub model: Model,
    /// The texts the warnings point into.
    pub sources: Sources,
    /// Warnings (never errors).
    pub warnings: Vec<Diagnostic>,
    /// Whether the file has a `[sweep]` table (which `relsim run` does not run).
    pub has_sweep: bool,
}

impl Loaded {
    /// The scenario file's text as read ([`load_str`] registers it first among the sources).
    pub fn text(&self) -> &str {
        self.sources.text(0)
    }
}

/// Loads a scenario file and applies `--set key.path=value` overrides.
pub fn load(path: &Path, sets: &[String]) -> Result<Loaded, InputError> {
    let text = scenario::read_file(path)?;
    load_str(&path.display().to_string(), &scenario::stem_of(path), &text, sets)
}

/// Loads a scenario from text. `display_name` appears in error locations; `stem` names the
/// scenario when it has no `name` key.
pub fn load_str(display_name: &str, stem: &str, text: &str, sets: &[String]) -> Result<Loaded, InputError> {
    let Parsed { mut sources, mut root, sweep: sweep_table } = scenario::parse(display_name, text)?;
    let mut ctx = Ctx::new();
    // `relsim run` simulates the scenario as written: a [sweep] is checked, then set aside
    // (`relsim sweep` runs its points).
    let has_sweep = sweep_table.is_some();
    if let Some(node) = &sweep_table {
        sweep::read(&mut ctx, node);
    }
    for set in sets {
        match tree::parse_override(&mut sources, set).and_then(|ov| tree::apply_override(&mut root, &ov)) {
            Ok(()) => {}
            Err(d) => ctx.diags.push(d),
        }
    }
    if ctx.diags.has_errors() {
        return Err(InputError { sources, diagnostics: ctx.diags.into_items() });
    }
    let model = model_of(&mut ctx, &root, stem);
    match model {
        Some(model) if !ctx.diags.has_errors() => {
            let warnings = ctx.diags.into_items();
            Ok(Loaded { model, sources, warnings, has_sweep })
        }
        _ => {
            let mut diagnostics = ctx.diags.into_items();
            // Errors first, so the reader sees what stops the run before what merely looks odd.
            diagnostics.sort_by_key(|d| d.severity != Severity::Error);
            Err(InputError { sources, diagnostics })
        }
    }
}

/// Reads the tables of `root` and compiles them (`stem` names a scenario without `name`).
fn model_of(ctx: &mut Ctx, root: &Node, stem: &str) -> Option<Model> {
    spec::read(ctx, root).and_then(|sc| compile(ctx, &sc, stem))
}

/// One point of a sweep: the value of every axis and the model with them applied.
pub struct SweepPoint {
    /// The value of each axis, as written (`0.5`, `30m`).
    pub values: Vec<String>,
    /// The scenario with those values.
    pub model: Model,
}

/// A scenario's sweep, every point compiled.
pub struct SweepLoaded {
    /// The swept key paths, in axis order.
    pub keys: Vec<String>,
    /// Whether the axes were zipped.
    pub zip: bool,
    /// Every point, in order (the last axis varies fastest).
    pub points: Vec<SweepPoint>,
    /// The file and the `--set` arguments, for diagnostics.
    pub sources: Sources,
    /// Warnings of the first point (the others' would repeat them).
    pub warnings: Vec<Diagnostic>,
}

/// Reads a scenario file for `relsim sweep`: its `[sweep]` table plus `--set key=v1,v2,...`
/// axes (which replace an axis of the same key in the file); a `--set` with one value applies to
/// every point.
pub fn load_sweep(path: &Path, sets: &[String]) -> Result<SweepLoaded, InputError> {
    let text = scenario::read_file(path)?;
    load_sweep_str(&path.display().to_string(), &scenario::stem_of(path), &text, sets)
}

/// [`load_sweep`] from text.
pub fn load_sweep_str(display_name: &str, stem: &str, text: &str, sets: &[String]) -> Result<SweepLoaded, InputError> {
    let Parsed { mut sources, mut root, sweep: sweep_table } = scenario::parse(display_name, text)?;
    let mut ctx = Ctx::new();
    let mut plan = sweep_table.map(|n| sweep::read(&mut ctx, &n)).unwrap_or_default();
    match sweep::split_sets(&mut sources, sets) {
        Ok((fixed, axes)) => {
            for ov in &fixed {
                if let Err(d) = tree::apply_override(&mut root, ov) {
                    ctx.diags.push(d);
                }
            }
            for axis in axes {
                match plan.axes.iter_mut().find(|a| a.key == axis.key) {
                    Some(a) => *a = axis,
                    None => plan.axes.push(axis),
                }
            }
        }
        Err(d) => ctx.diags.push(d),
    }
    if !ctx.diags.has_errors() && plan.axes.is_empty() {
        ctx.diags.push(
            Diagnostic::unlocated(format!("{display_name}: nothing to sweep"))
                .help("add a [sweep] table with \"key.path\" = [value, value, ...], or give --set key.path=v1,v2,v3"),
        );
    }
    let points = sweep::points(&mut ctx, &plan);
    if ctx.diags.has_errors() {
        return Err(InputError { sources, diagnostics: ctx.diags.into_items() });
    }
    let mut out = Vec::with_capacity(points.len());
    let mut warnings = None;
    let mut seen = std::collections::HashSet::new();
    for p in &points {
        let mut tree = root.clone();
        let mut point_ctx = Ctx::new();
        for (axis, &i) in plan.axes.iter().zip(p) {
            if let Err(d) = tree::apply_override(&mut tree, &axis.values[i]) {
                point_ctx.diags.push(d);
            }
        }
        let model = if point_ctx.diags.has_errors() { None } else { model_of(&mut point_ctx, &tree, stem) };
        let values: Vec<String> = plan.axes.iter().zip(p).map(|(a, &i)| sweep::label(&a.values[i].node)).collect();
        match model {
            Some(model) if !point_ctx.diags.has_errors() => {
                warnings.get_or_insert_with(|| point_ctx.diags.into_items());
                out.push(SweepPoint { values, model });
            }
            _ => {
                // The same mistake usually shows at every point; report it once.
                for d in point_ctx.diags.into_items().into_iter().filter(|d| d.severity == Severity::Error) {
                    if seen.insert((d.message.clone(), d.origin.as_ref().map(|o| (o.source, o.span.clone())))) {
                        let point: Vec<String> = plan.axes.iter().zip(&values).map(|(a, v)| format!("{}={v}", a.key)).collect();
                        ctx.diags.push(d.help(format!("at the sweep point {}", point.join(", "))));
                    }
                }
            }
        }
    }
    if ctx.diags.has_errors() {
        return Err(InputError { sources, diagnostics: ctx.diags.into_items() });
    }
    Ok(SweepLoaded { keys: plan.axes.iter().map(|a| a.key.clone()).collect(), zip: plan.zip, points: out, sources, warnings: warnings.unwrap_or_default() })
}
