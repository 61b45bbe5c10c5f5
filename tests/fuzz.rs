//! Mutation fuzzing of the scenario reader and model compiler: the shipped scenarios and the
//! invalid-input catalogue, mutated the ways people and editors break files (lines deleted,
//! duplicated or swapped, characters flipped, numbers and units replaced, values swapped
//! between keys, files cut short), must never make relsim panic, and no output may hold a
//! number that is not finite (see `common::exercise`).
//!
//! A fixed seed makes every case reproducible. `cargo test` runs a few thousand cases (a few
//! seconds); for a long run set `RELSIM_FUZZ_CASES`, and `RELSIM_FUZZ_SEED` for other cases:
//!
//! ```sh
//! RELSIM_FUZZ_CASES=200000 RELSIM_FUZZ_SEED=7 cargo test --release --test main fuzz:: -- --nocapture
//! ```
//!
//! The coverage-guided fuzzer (`fuzz/`, cargo-fuzz on nightly) runs the same checks; see
//! docs/errors.md.

use std::path::{Path, PathBuf};

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::common::exercise::{exercise, Outcome};

/// Cases `cargo test` runs.
const DEFAULT_CASES: usize = 4000;

fn seeds() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["scenarios", "scenarios/checks", "tests/invalid"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        files.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "toml")));
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            (p.file_name().unwrap().to_string_lossy().into_owned(), text)
        })
        .collect()
}

/// Values people write, and values that break naive code.
const NUMBERS: &[&str] = &[
    "0", "-0", "1", "-1", "2", "0.5", "1.5", "-0.5", "100", "1e308", "-1e308", "1e-308", "5e-324", "9223372036854775807", "-9223372036854775808",
    "18446744073709551615", "18446744073709551616", "1e400", "nan", "inf", "-inf", "0x10", "1_000", "3.0", "1000000", "4294967296",
];
const DURATIONS: &[&str] = &[
    "\"0s\"", "\"1ms\"", "\"1s\"", "\"30m\"", "\"1h\"", "\"1d\"", "\"1w\"", "\"1y\"", "\"1e300y\"", "\"1e308h\"", "\"-1h\"", "\"1\"", "\"h\"", "\"1 parsec\"",
    "\"nan h\"", "\"inf s\"", "\"100000y\"", "\"0.000001ms\"", "\"1e-300s\"", "\"5/s\"", "\"0/s\"", "\"1e12/s\"", "\"1/y\"", "\"\"",
];
const FRAGMENTS: &[&str] = &["[", "]", "{", "}", "\"", "=", ",", ".", "#", "\n", " ", "[[slo]]", "[sweep]", "'", "\\", "é", "\u{0}", "\u{feff}"];

/// One mutation of `text`.
fn mutate(rng: &mut Xoshiro256PlusPlus, text: &str, donors: &[(String, String)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let n = lines.len();
    let pick = |rng: &mut Xoshiro256PlusPlus, n: usize| rng.random_range(0..n.max(1));
    match rng.random_range(0..10) {
        0 => {
            lines.remove(pick(rng, n));
        }
        1 => {
            let i = pick(rng, n);
            let l = lines[i].clone();
            lines.insert(pick(rng, n), l);
        }
        2 => {
            let (i, j) = (pick(rng, n), pick(rng, n));
            lines.swap(i, j);
        }
        3 => {
            // Flip one character.
            let i = pick(rng, n);
            let chars: Vec<char> = lines[i].chars().collect();
            if !chars.is_empty() {
                let k = pick(rng, chars.len());
                let f = FRAGMENTS[pick(rng, FRAGMENTS.len())];
                lines[i] = chars[..k].iter().collect::<String>() + f + &chars[k + 1..].iter().collect::<String>();
            }
        }
        4 | 5 => {
            // Replace a value: after `=`, a number, a duration or the value of another line.
            let i = pick(rng, n);
            if let Some(eq) = lines[i].find('=') {
                let value = match rng.random_range(0..3) {
                    0 => NUMBERS[pick(rng, NUMBERS.len())].to_string(),
                    1 => DURATIONS[pick(rng, DURATIONS.len())].to_string(),
                    _ => {
                        let j = pick(rng, n);
                        lines[j].split_once('=').map(|(_, v)| v.trim().to_string()).unwrap_or_else(|| "\"x\"".to_string())
                    }
                };
                lines[i] = format!("{}= {value}", &lines[i][..eq]);
            }
        }
        6 => {
            // A number inside the line (in an inline table or list) replaced.
            let i = pick(rng, n);
            let line = lines[i].clone();
            let digits: Vec<usize> = line.char_indices().filter(|(_, c)| c.is_ascii_digit()).map(|(k, _)| k).collect();
            if !digits.is_empty() {
                let k = digits[pick(rng, digits.len())];
                lines[i] = format!("{}{}{}", &line[..k], NUMBERS[pick(rng, NUMBERS.len())], &line[k + 1..]);
            }
        }
        7 => {
            // A unit replaced (`"30m"` → `"30y"`, `"30"`, `"30 parsec"`).
            let i = pick(rng, n);
            let units = ["ms", "s", "m", "min", "h", "d", "w", "y", "", " parsec", "/s", "/h"];
            for u in ["ms\"", "s\"", "m\"", "h\"", "d\"", "y\""] {
                if let Some(k) = lines[i].find(u) {
                    let line = lines[i].clone();
                    lines[i] = format!("{}{}\"{}", &line[..k], units[pick(rng, units.len())], &line[k + u.len()..]);
                    break;
                }
            }
        }
        8 => {
            // A line from another file.
            let (_, donor) = &donors[pick(rng, donors.len())];
            let dl: Vec<&str> = donor.lines().collect();
            if !dl.is_empty() {
                lines.insert(pick(rng, n), dl[pick(rng, dl.len())].to_string());
            }
        }
        _ => {
            // Cut short.
            lines.truncate(pick(rng, n));
        }
    }
    lines.join("\n") + "\n"
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn mutated_scenarios_never_panic_and_outputs_stay_finite() {
    let seeds = seeds();
    assert!(seeds.len() > 50, "the shipped scenarios and the catalogue: {}", seeds.len());
    let cases = env_number("RELSIM_FUZZ_CASES", DEFAULT_CASES as u64) as usize;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(env_number("RELSIM_FUZZ_SEED", 14));
    let mut counts = [0usize; 3];
    let mut failures = Vec::new();
    // Half the cases start from a scenario that loads (the shipped ones), so that mutations
    // reach the compiler, the analytic engine and the simulator, not only the reader.
    let valid: Vec<&(String, String)> = seeds.iter().filter(|(_, t)| relsim::compile::load_str("s.toml", "s", t, &[]).is_ok()).collect();
    assert!(valid.len() >= 5, "{} shipped scenarios load", valid.len());
    for case in 0..cases {
        let (name, text) = if case % 2 == 0 { valid[(case / 2) % valid.len()] } else { &seeds[(case / 2) % seeds.len()] };
        let mut mutated = mutate(&mut rng, text, &seeds);
        // Some cases get several mutations at once.
        for _ in 0..rng.random_range(0..3) {
            mutated = mutate(&mut rng, &mutated, &seeds);
        }
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| exercise(&mutated))) {
            Ok(Ok(outcome)) => {
                counts[match outcome {
                    Outcome::Refused => 0,
                    Outcome::Loaded => 1,
                    Outcome::Simulated => 2,
                }] += 1
            }
            Ok(Err(why)) => failures.push(format!("case {case} (from {name}): {why}\n{mutated}")),
            Err(panic) => {
                let message = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
                failures.push(format!("case {case} (from {name}) panicked: {message}\n{mutated}"));
            }
        }
        if failures.len() >= 5 {
            break;
        }
    }
    println!("fuzz: {cases} cases: {} refused, {} loaded, {} simulated", counts[0], counts[1], counts[2]);
    assert!(failures.is_empty(), "{} failing cases; the first:\n\n{}", failures.len(), failures.join("\n\n========\n\n"));
    // The mutations must reach every stage, or the test checks little.
    assert!(counts[0] > cases / 10 && counts[2] > cases / 10, "too few cases were refused or simulated: {counts:?}");
}
