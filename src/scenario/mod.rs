//! Scenario files: from TOML text (plus `--set` overrides) to the typed tables of
//! [`spec::Scenario`], or to every problem found, each located in the file.
//!
//! Pipeline: [`tree`] parses the TOML keeping spans and applies overrides, [`spec`] reads typed
//! tables (units in [`units`], distributions in [`dist`]); `compile` resolves names into the
//! model and runs the whole pipeline (`compile::load`).

pub mod cost;
pub mod dist;
pub mod limits;
pub mod reader;
pub mod spec;
pub mod sweep;
pub mod tree;
pub mod units;

use std::path::Path;

use crate::diagnostic::{Diagnostic, InputError, Sources};
use tree::Node;

/// The text of a scenario file; a file that is not UTF-8 is an error located at its first bad
/// byte.
pub fn read_file(path: &Path) -> Result<String, InputError> {
    let bytes = std::fs::read(path).map_err(|e| {
        InputError::unlocated(
            format!("cannot read scenario {}: {e}", path.display()),
            Some("give the path of a scenario file, for example scenarios/multicloud.toml".to_string()),
        )
    })?;
    String::from_utf8(bytes).map_err(|e| not_utf8(path, e))
}

/// A file that is not UTF-8 (TOML must be), located at its first bad byte. The text shown is
/// the file with bad bytes replaced (U+FFFD); everything before the first one is unchanged, so
/// its offset points at the replacement.
fn not_utf8(path: &Path, e: std::string::FromUtf8Error) -> InputError {
    let at = e.utf8_error().valid_up_to();
    let bad = e.as_bytes().get(at).copied().unwrap_or(0);
    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    let mut sources = Sources::new();
    let file = sources.add(path.display().to_string(), text);
    let d = Diagnostic::error(&crate::diagnostic::Origin::new(file, at..end), format!("{} is not UTF-8 text: byte 0x{bad:02X} here is not a character", path.display()))
        .label("not UTF-8")
        .help("TOML files are UTF-8: save the file as UTF-8 (for example iconv -f latin1 -t utf-8), or remove the character");
    InputError { sources, diagnostics: vec![d] }
}

/// The name a scenario file gives a scenario without a `name` key: its file stem.
pub fn stem_of(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".to_string())
}

/// A scenario's text parsed into a tree, with its `[sweep]` table taken out (`relsim run`
/// checks and sets it aside, `relsim sweep` runs its points).
pub struct Parsed {
    /// The file (the `--set` arguments are added as they are parsed).
    pub sources: Sources,
    /// The tree without `[sweep]`.
    pub root: Node,
    /// The `[sweep]` table, if any.
    pub sweep: Option<Node>,
}

/// Parses `text` (`display_name` appears in error locations; the file is the first source).
pub fn parse(display_name: &str, text: &str) -> Result<Parsed, InputError> {
    let mut sources = Sources::new();
    let file = sources.add(display_name, text);
    let mut root = match tree::parse(file, text) {
        Ok(root) => root,
        Err(d) => return Err(InputError { sources, diagnostics: vec![d] }),
    };
    let sweep = sweep::take(&mut root);
    Ok(Parsed { sources, root, sweep })
}

/// Where the value at `path` (for example `["simulation", "horizon"]`) was written in a
/// scenario loaded from `text` with `sets`, with source ids as `compile::load_str` gives them (the file
/// first, then each `--set`), so the origin renders with that load's `Sources`. `None` when
/// the value is not written anywhere (a default).
pub fn origin_of(text: &str, sets: &[String], path: &[&str]) -> Option<crate::diagnostic::Origin> {
    let Parsed { mut sources, mut root, .. } = parse("", text).ok()?;
    for set in sets {
        let ov = tree::parse_override(&mut sources, set).ok()?;
        tree::apply_override(&mut root, &ov).ok()?;
    }
    let mut node = &root;
    for key in path {
        node = node.get(key)?;
    }
    Some(node.origin.clone())
}
