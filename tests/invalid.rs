//! The invalid-input catalogue: every file in `tests/invalid/` is a broken scenario whose first
//! comment lines say what relsim must answer, and this test runs the binary on each.
//!
//! Header lines (`# name: value`, before the first line that is not a comment):
//! - `# expect: LINE:COLUMN`: the error's location in the file (required);
//! - `# key: TEXT`: the key path (and the start of the message) the error names (required);
//! - `# hint: TEXT`: part of the `help:` line saying what to write instead (required);
//! - `# command: run` (default `validate`) and `# args: ...`: how to run it;
//! - `# absent: TEXT`: something the output must not say (a false warning, an old message);
//! - `# exit: N`: the exit code (default 2, bad input).
//!
//! Any other comment line before the scenario is free text (what the mistake is). A header
//! name that is not one of these fails the test, so a typo cannot silently weaken a case.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// What one catalogue file expects.
#[derive(Debug, Default)]
struct Expect {
    location: String,
    key: String,
    hints: Vec<String>,
    command: String,
    args: Vec<String>,
    absent: Vec<String>,
    exit: i32,
}

const NAMES: &[&str] = &["expect", "key", "hint", "command", "args", "absent", "exit"];

fn header(path: &Path) -> Result<Expect, String> {
    // Lossy: one case is deliberately not UTF-8 (its header is).
    let text = String::from_utf8_lossy(&std::fs::read(path).map_err(|e| e.to_string())?).into_owned();
    let mut e = Expect { command: "validate".to_string(), exit: 2, ..Expect::default() };
    for line in text.lines() {
        let Some(comment) = line.strip_prefix('#') else { break };
        let Some((name, value)) = comment.split_once(':') else { continue };
        let (name, value) = (name.trim(), value.trim().to_string());
        if name.contains(' ') {
            continue; // free text that happens to contain a colon
        }
        match name {
            "expect" => e.location = value,
            "key" => e.key = value,
            "hint" => e.hints.push(value),
            "command" => e.command = value,
            "args" => e.args = value.split_whitespace().map(str::to_string).collect(),
            "absent" => e.absent.push(value),
            "exit" => e.exit = value.parse().map_err(|_| format!("`# exit: {value}` is not a number"))?,
            other => return Err(format!("unknown header `# {other}:` (known: {})", NAMES.join(", "))),
        }
    }
    let located = e.location.split_once(':').is_some_and(|(l, c)| l.parse::<u32>().is_ok() && c.parse::<u32>().is_ok());
    if !located {
        return Err(format!("needs `# expect: LINE:COLUMN`, found {:?}", e.location));
    }
    if e.key.is_empty() || e.hints.is_empty() {
        return Err("needs `# key:` and `# hint:` lines".to_string());
    }
    Ok(e)
}

fn catalogue() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
    files.sort();
    files
}

/// Runs one case; `Err` says what was wrong.
fn check(path: &Path, out: &Path) -> Result<(), String> {
    let e = header(path)?;
    let mut cmd = Command::cargo_bin("relsim").unwrap();
    cmd.arg(&e.command).arg(path).args(&e.args).env("NO_COLOR", "1");
    if e.command != "validate" {
        cmd.arg("--out").arg(out).arg("-q");
    }
    let output = cmd.timeout(std::time::Duration::from_secs(60)).output().map_err(|x| x.to_string())?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut problems = Vec::new();
    if output.status.code() != Some(e.exit) {
        problems.push(format!("exit code {:?}, expected {}", output.status.code(), e.exit));
    }
    let location = format!("{}:{}", path.display(), e.location);
    if !stderr.contains(&location) {
        problems.push(format!("no location {}", e.location));
    }
    if !stderr.contains(&e.key) {
        problems.push(format!("does not name {:?}", e.key));
    }
    for h in &e.hints {
        if !stderr.lines().any(|l| l.contains("help:") && l.contains(h.as_str())) {
            problems.push(format!("no help line with {h:?}"));
        }
    }
    for a in &e.absent {
        if stderr.contains(a.as_str()) {
            problems.push(format!("says {a:?}"));
        }
    }
    if stderr.contains("panicked") {
        problems.push("panicked".to_string());
    }
    if problems.is_empty() { Ok(()) } else { Err(format!("{}\n--- stderr:\n{stderr}", problems.join("; "))) }
}

#[test]
fn every_broken_scenario_is_refused_with_its_place_key_and_fix() {
    let files = catalogue();
    assert!(files.len() >= 50, "the catalogue should hold at least 50 cases, found {}", files.len());
    let out = tempfile::tempdir().unwrap();
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| check(f, &out.path().join("out")).err().map(|why| format!("{}: {why}", f.file_name().unwrap().to_string_lossy())))
        .collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), files.len(), failures.join("\n\n"));
    // Nothing was written for any of them.
    assert!(!out.path().join("out").exists());
}

#[test]
fn a_header_typo_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.toml");
    std::fs::write(&p, "# expcet: 1:1\n# key: k\n# hint: h\n").unwrap();
    assert!(header(&p).unwrap_err().contains("unknown header"));
    std::fs::write(&p, "# what this is: free text\n# expect: 1:1\n# key: k\n# hint: h\n[simulation]\n# expect: not read\n").unwrap();
    assert_eq!(header(&p).unwrap().location, "1:1");
}
