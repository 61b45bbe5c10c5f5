//! The import layering of ARCHITECTURE.md ("Layers"), checked: every `crate::` path in `src/`
//! names a module in the importing module's layer or below it. A failure names the file, the
//! line and the upward import.
//!
//! The check reads the source as text: a path counts wherever it is written outside a comment
//! (`use` lines, and paths in the code such as `crate::sim::trace::trace(..)`), and test code
//! (`#[cfg(test)] mod tests { .. }` at the end of a file, or a file declared `#[cfg(test)] mod
//! name;`) is left out, because a module's tests may build what they test from the whole
//! pipeline. A module is the first segment under `src/`; imports inside one module are free.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The layers, bottom to top. A module may import modules of its own layer or below.
const LAYERS: &[&[&str]] = &[
    // Leaves: how values are written, diagnostics, signals, files, the progress bar, random streams.
    &["format", "diagnostic", "interrupt", "output", "progress", "rng"],
    // Text → spec types (and the distributions the spec and the model share).
    &["scenario", "dist"],
    // The compiled model: data only.
    &["model"],
    // Spec → model.
    &["compile"],
    // Incident histories, an input like a scenario.
    &["incidents"],
    // The per-run layout of the model the engine and the request walk read (slots, nodes, streams).
    &["plan"],
    // What requests see in a state.
    &["traffic"],
    // One replication.
    &["sim"],
    // Runs and their statistics.
    &["budget", "preflight", "analytic", "montecarlo", "stats"],
    // Built on runs: rare events (on analytic's chain), precision targets (more runs).
    &["rare", "precision"],
    // What runs are shown as; `relsim fit`.
    &["fit", "plot", "report"],
    // Built on reports: checks, sweeps, shards.
    &["slo", "sweep", "shard"],
    // The run pipeline and the command that reuses it with a recorded history.
    &["run", "replay"],
    // The command line, the binary, the crate root (`crate::simulate` and friends).
    &["cli", "main", "lib"],
];

/// One `crate::` path written in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The file, relative to the crate (`src/...`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The path after `crate::`, up to the first character that is not part of a path.
    pub path: String,
}

/// The top module a file belongs to: `src/a.rs`, `src/a/mod.rs`, `src/a/b.rs` → `a`;
/// `src/lib.rs` → `lib`, `src/main.rs` → `main`.
pub fn module_of(relative: &Path) -> String {
    let mut parts = relative.iter().map(|p| p.to_string_lossy().into_owned());
    let first = parts.next().unwrap_or_default();
    first.strip_suffix(".rs").map(str::to_string).unwrap_or(first)
}

/// The layer of a top module, if listed.
pub fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The `crate::` paths in `text` outside comments and outside a trailing `#[cfg(test)]` module.
pub fn imports(file: &str, text: &str) -> Vec<Import> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_start();
        if line.starts_with("#[cfg(test)]") && next_code(&lines, i + 1).is_some_and(|l| l.trim_start().starts_with("mod ") && l.trim_end().ends_with('{')) {
            break;
        }
        if line.starts_with("//") {
            continue;
        }
        let code = strip_comment(raw);
        let mut rest = code.as_str();
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            // `relsim_crate::`, `my_crate::`: not ours.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            for path in expand(rest) {
                out.push(Import { file: file.to_string(), line: i + 1, path });
            }
        }
    }
    out
}

/// The next line after `from` that is not blank.
fn next_code<'a>(lines: &[&'a str], from: usize) -> Option<&'a str> {
    lines[from.min(lines.len())..].iter().copied().find(|l| !l.trim().is_empty())
}

/// `line` without its `//` comment and the contents of its string literals (so a path written
/// in a message is not an import).
fn strip_comment(line: &str) -> String {
    // A quote as a character literal opens no string.
    let line = line.replace("'\"'", "' '").replace("'\\\"'", "' '");
    let mut out = String::new();
    let mut in_string = false;
    let mut prev = '\0';
    for c in line.chars() {
        if c == '"' && prev != '\\' {
            in_string = !in_string;
            out.push(c);
        } else if in_string {
            // Two backslashes are one character: the next quote ends the string.
            prev = if c == '\\' && prev == '\\' { '\0' } else { c };
            continue;
        } else if c == '/' && prev == '/' {
            out.pop();
            return out;
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

/// The paths at the start of `rest` (just after `crate::`): one, or one per item of a `{..}`
/// group on the same line (`crate::{a, b::c}` → `a`, `b::c`).
fn expand(rest: &str) -> Vec<String> {
    let is_path = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    if let Some(group) = rest.strip_prefix('{') {
        let end = group.find('}').unwrap_or(group.len());
        return group[..end].split(',').map(|s| s.trim().chars().take_while(|&c| is_path(c)).collect::<String>()).filter(|s| !s.is_empty()).collect();
    }
    let path: String = rest.chars().take_while(|&c| is_path(c)).collect();
    vec![path.trim_end_matches(':').to_string()]
}

/// Files declared `#[cfg(test)] mod name;` in `text` (a file at `dir`), as paths.
fn test_children(dir: &Path, stem_dir: &Path, text: &str) -> Vec<PathBuf> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if !l.trim_start().starts_with("#[cfg(test)]") {
            continue;
        }
        let Some(next) = next_code(&lines, i + 1) else { continue };
        let next = next.trim();
        let name = next.strip_prefix("pub mod ").or_else(|| next.strip_prefix("mod ")).and_then(|n| n.strip_suffix(';'));
        if let Some(name) = name {
            for base in [dir, stem_dir] {
                out.push(base.join(format!("{name}.rs")));
                out.push(base.join(name).join("mod.rs"));
            }
        }
    }
    out
}

/// Every upward import among `files` (relative path, text), as messages.
pub fn violations(files: &[(PathBuf, String)]) -> Vec<String> {
    let mut tests: HashSet<PathBuf> = HashSet::new();
    for (path, text) in files {
        let dir = path.parent().unwrap_or(Path::new(""));
        // `src/a.rs` declares its children in `src/a/`; `src/a/mod.rs` in `src/a/`.
        let stem_dir = dir.join(path.file_stem().unwrap_or_default());
        tests.extend(test_children(dir, &stem_dir, text));
    }
    let mut problems = Vec::new();
    for (path, text) in files {
        if tests.contains(path) {
            continue;
        }
        let relative = path.strip_prefix("src").unwrap_or(path);
        let from = module_of(relative);
        let Some(from_layer) = layer(&from) else {
            problems.push(format!("{}: module `{from}` is in no layer of tests/layers.rs (add it to LAYERS and ARCHITECTURE.md)", path.display()));
            continue;
        };
        for import in imports(&path.display().to_string(), text) {
            let target = import.path.split("::").next().unwrap_or_default().to_string();
            if target == from || matches!(target.as_str(), "" | "self" | "super") {
                continue;
            }
            // Items of the crate root (`crate::simulate`) belong to `lib`.
            let to_layer = layer(&target).unwrap_or(LAYERS.len() - 1);
            if to_layer <= from_layer {
                continue;
            }
            problems.push(format!(
                "{}:{}: `{from}` (layer {}) imports `crate::{}` ({}, layer {}): an import up the layers",
                import.file,
                import.line,
                from_layer + 1,
                import.path,
                if layer(&target).is_some() { target.as_str() } else { "the crate root" },
                to_layer + 1
            ));
        }
    }
    problems
}

/// Every `.rs` file under `dir`, relative to the crate root, with its text.
fn read_tree(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(root.join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        let relative = path.strip_prefix(root).unwrap().to_path_buf();
        if path.is_dir() {
            read_tree(root, &relative, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((relative, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn no_module_imports_one_above_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    read_tree(root, Path::new("src"), &mut files);
    assert!(files.len() > 50, "read only {} files", files.len());
    let problems = violations(&files);
    assert!(problems.is_empty(), "the layering of ARCHITECTURE.md does not hold:\n{}", problems.join("\n"));
}

#[test]
fn the_checker_finds_an_upward_import() {
    let file = |path: &str, text: &str| (PathBuf::from(path), text.to_string());
    let files = vec![
        file("src/format.rs", "//! Leaf.\nuse crate::report::Report; // up\n"),
        file("src/plot/mod.rs", "// crate::cli in a comment\nuse crate::{format, stats::summary::Summary};\nlet x = (\"crate::cli\", '\"'); // crate::cli\n"),
        file("src/report/mod.rs", "use crate::plot::PlotInput;\n#[cfg(test)]\nmod tests;\n"),
        file("src/report/tests.rs", "use crate::cli::main_with_args;\n"),
        file("src/budget.rs", "fn f() { crate::run::conclude(); }\n#[cfg(test)]\nmod tests {\n    use crate::cli;\n}\n"),
        file("src/traffic/walk.rs", "use crate::sim::plan::Plan;\nuse crate::sim::Engine;\nuse crate::sim::rng::stream;\n"),
        file("src/newthing.rs", "use crate::format;\n"),
    ];
    let problems = violations(&files);
    let expected = [
        "src/format.rs:2: `format` (layer 1) imports `crate::report::Report`",
        "src/budget.rs:1: `budget` (layer 9) imports `crate::run::conclude`",
        "src/traffic/walk.rs:1: `traffic` (layer 7) imports `crate::sim::plan::Plan`",
        "src/traffic/walk.rs:2: `traffic` (layer 7) imports `crate::sim::Engine`",
        "src/traffic/walk.rs:3: `traffic` (layer 7) imports `crate::sim::rng::stream`",
        "src/newthing.rs: module `newthing` is in no layer",
    ];
    for e in expected {
        assert!(problems.iter().any(|p| p.starts_with(e)), "missing {e:?} in {problems:#?}");
    }
    // Same-layer and downward imports, comments, strings, and test modules pass.
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
}

#[test]
fn paths_are_read_as_written() {
    let found = imports("src/x.rs", "use crate::{a::b, c};\n    crate::d::e(1); my_crate::f();\n");
    let paths: Vec<&str> = found.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["a::b", "c", "d::e"]);
    assert_eq!(module_of(Path::new("plot/axes.rs")), "plot");
    assert_eq!(module_of(Path::new("format.rs")), "format");
}
