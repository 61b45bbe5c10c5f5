//! Scenario files: from TOML text (plus `--set` overrides) to a compiled [`Model`], or to every
//! problem found, each located in the file.
//!
//! Pipeline: [`tree`] parses the TOML keeping spans and applies overrides, [`spec`] reads typed
//! tables (units in [`units`], distributions in [`dist`]), and `model::compile` resolves names.

pub mod dist;
pub mod reader;
pub mod spec;
pub mod tree;
pub mod units;

use std::path::Path;

use crate::diagnostic::{Diagnostic, InputError, Severity, Sources};
use crate::model::compile::compile;
use crate::model::Model;
use reader::Ctx;

/// A scenario loaded and compiled, with any warnings found on the way.
pub struct Loaded {
    /// The compiled model.
    pub model: Model,
    /// The texts the warnings point into.
    pub sources: Sources,
    /// Warnings (never errors).
    pub warnings: Vec<Diagnostic>,
}

/// Loads a scenario file and applies `--set key.path=value` overrides.
pub fn load(path: &Path, sets: &[String]) -> Result<Loaded, InputError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        InputError::unlocated(
            format!("cannot read scenario {}: {e}", path.display()),
            Some("give the path of a scenario file, for example scenarios/multicloud.toml".to_string()),
        )
    })?;
    load_str(&path.display().to_string(), &stem_of(path), &text, sets)
}

/// The name a scenario file gives a scenario without a `name` key: its file stem.
pub fn stem_of(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".to_string())
}

impl Loaded {
    /// The scenario file's text as read ([`load_str`] registers it first among the sources).
    pub fn text(&self) -> &str {
        self.sources.text(0)
    }
}

/// Loads a scenario from text. `display_name` appears in error locations; `stem` names the
/// scenario when it has no `name` key.
pub fn load_str(display_name: &str, stem: &str, text: &str, sets: &[String]) -> Result<Loaded, InputError> {
    let mut sources = Sources::new();
    let file = sources.add(display_name, text);
    let mut root = match tree::parse(file, text) {
        Ok(root) => root,
        Err(d) => return Err(InputError { sources, diagnostics: vec![d] }),
    };
    let mut ctx = Ctx::new();
    for set in sets {
        match tree::parse_override(&mut sources, set).and_then(|ov| tree::apply_override(&mut root, &ov)) {
            Ok(()) => {}
            Err(d) => ctx.diags.push(d),
        }
    }
    if ctx.diags.has_errors() {
        return Err(InputError { sources, diagnostics: ctx.diags.into_items() });
    }
    let model = spec::read(&mut ctx, &root).and_then(|sc| compile(&mut ctx, &sc, stem));
    match model {
        Some(model) if !ctx.diags.has_errors() => {
            let warnings = ctx.diags.into_items();
            Ok(Loaded { model, sources, warnings })
        }
        _ => {
            let mut diagnostics = ctx.diags.into_items();
            // Errors first, so the reader sees what stops the run before what merely looks odd.
            diagnostics.sort_by_key(|d| d.severity != Severity::Error);
            Err(InputError { sources, diagnostics })
        }
    }
}
