//! `relsim merge`'s side of shards: the parts read, refused unless they belong to one run and
//! tile its replications exactly (naming which and why), and merged in replication order.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::partial::{fingerprint, read_part, Part, Setup, VERSION};
use super::{range_of, span, ShardError};
use crate::compile::{self, Loaded};
use crate::scenario;
use crate::stats::summary::Accumulator;

/// The parts of a run merged: the model rebuilt from their scenario text, and the accumulator
/// of all the replications.
pub struct Merged {
    /// The model, loaded from the parts' scenario text and `--set`s, with their seed and
    /// replications (and the warnings loading it gave).
    pub loaded: Loaded,
    /// Every replication's sums, merged in replication order.
    pub accumulator: Accumulator,
    /// The scenario file as the command line of the first shard (in replication order) gave it.
    pub scenario_file: String,
    /// The setup all parts share.
    pub setup: Setup,
    /// How many parts.
    pub parts: usize,
}

/// Reads and merges the parts at `paths` (shard output folders or their partial files).
///
/// Refused, naming the files and what is wrong: unreadable or garbled parts, parts of another
/// relsim version, parts that differ in scenario, `--set`s, seed, replications or options, and
/// parts that do not cover every replication exactly once.
pub fn merge(paths: &[PathBuf]) -> Result<Merged, ShardError> {
    let mut parts = Vec::new();
    let mut unreadable = Vec::new();
    for p in paths {
        match read_part(p) {
            Ok(part) => parts.push(part),
            Err(e) => unreadable.push(e),
        }
    }
    if !unreadable.is_empty() {
        return Err(ShardError::bare(list("cannot merge", &unreadable)));
    }
    // In replication order: the first part (its scenario file name, which names the scenario
    // when it has no `name` key) and the merge do not depend on the order of the arguments.
    parts.sort_by_key(|p| (p.partial.replications.start, p.partial.replications.end));
    let Some(first) = parts.first() else {
        return Err(ShardError::new("nothing to merge", "give the output folders of the shards: relsim merge parts/* --out DIR"));
    };
    let mismatches: Vec<String> = parts.iter().skip(1).flat_map(|p| differences(first, p)).collect();
    if !mismatches.is_empty() {
        return Err(ShardError::new(
            list("the parts are not from the same run", &mismatches),
            "run every shard with the same relsim, scenario file, --set, --seed, --reps, --first-outage, --importance, --per-request, --max-states, --baseline, --rare and --rare-precision",
        ));
    }
    let (file, text, setup) = (first.partial.scenario_file.clone(), &first.partial.scenario_text, first.partial.setup.clone());
    let mut loaded = compile::load_str(&file, &scenario::stem_of(Path::new(&file)), text, &setup.sets)
        .map_err(|e| ShardError::bare(format!("the scenario stored in {} does not load:\n{}", first.name(), e.render(false))))?;
    loaded.model.seed = setup.seed;
    loaded.model.replications = setup.replications;
    if let Some(b) = &setup.baseline {
        loaded.model.costs.baseline = crate::model::cost::find_architecture(&loaded.model, b)
            .map_err(|_| ShardError::bare(format!("the baseline `{b}` recorded in {} is not an architecture of its scenario: the file was edited or damaged", first.name())))?;
    }
    let rebuilt = Setup::new(&loaded.model, &setup.sets, setup.options());
    if fingerprint(VERSION, text, &rebuilt) != first.partial.fingerprint {
        return Err(ShardError::bare(format!(
            "the scenario stored in {} loads to a horizon of {} s, not the {} s recorded: the file was edited or damaged",
            first.name(),
            rebuilt.horizon_seconds,
            setup.horizon_seconds
        )));
    }
    let model = &loaded.model;
    let misfits: Vec<String> = parts.iter().filter_map(|p| p.partial.accumulator.check(model).err().map(|e| format!("{}: {e}", p.name()))).collect();
    if !misfits.is_empty() {
        return Err(ShardError::bare(list("garbled parts (the file was edited or damaged)", &misfits)));
    }
    let gaps = tiling_problems(&parts, setup.replications);
    if !gaps.is_empty() {
        return Err(ShardError::new(
            list(&format!("the parts do not cover replications 0..{} exactly once", setup.replications), &gaps),
            "merge exactly one part per shard: all of 1/N, 2/N, …, N/N (parts of different N also fit, as long as their ranges tile)",
        ));
    }
    if parts.iter().try_fold(0u64, |sum, p| sum.checked_add(p.partial.accumulator.largest_count())).is_none() {
        return Err(ShardError::bare("the parts' counts overflow when added: the files were edited or damaged"));
    }
    let mut accumulator = Accumulator::new(model);
    for p in &parts {
        accumulator.merge(&p.partial.accumulator);
    }
    Ok(Merged { loaded, accumulator, scenario_file: file, setup, parts: parts.len() })
}

/// `title:` and one problem per line.
fn list(title: &str, problems: &[String]) -> String {
    let mut s = format!("{title}:");
    for p in problems {
        s.push_str("\n  - ");
        s.push_str(p);
    }
    s
}

/// How `part` differs from `reference` in what decides the numbers, one line per field.
fn differences(reference: &Part, part: &Part) -> Vec<String> {
    let (a, b) = (&reference.partial, &part.partial);
    let (name, refname) = (part.name(), reference.name());
    let mut out = Vec::new();
    if a.scenario_text != b.scenario_text {
        let (x, y) = (a.scenario_text.lines(), b.scenario_text.lines());
        let line = x.clone().zip(y.clone()).position(|(x, y)| x != y).unwrap_or_else(|| x.count().min(y.count())) + 1;
        out.push(format!("{name}: the scenario text differs from {refname}'s from line {line} on"));
    }
    let mut differ_in = |what: &str, here: String, there: String| {
        if here != there {
            out.push(format!("{name}: {what} {here}, not {there} as in {refname}"));
        }
    };
    let sets = |s: &Setup| if s.sets.is_empty() { "none".to_string() } else { s.sets.iter().map(|x| format!("--set {x}")).collect::<Vec<_>>().join(" ") };
    let on = |b: bool| if b { "on".to_string() } else { "off".to_string() };
    let (x, y) = (&b.setup, &a.setup);
    differ_in("--set", sets(x), sets(y));
    differ_in("seed", x.seed.to_string(), y.seed.to_string());
    differ_in("replications", x.replications.to_string(), y.replications.to_string());
    differ_in("horizon (s)", x.horizon_seconds.to_string(), y.horizon_seconds.to_string());
    differ_in("--first-outage", on(x.first_outage), on(y.first_outage));
    differ_in("--importance", on(x.importance), on(y.importance));
    differ_in("--per-request", on(x.per_request), on(y.per_request));
    differ_in("--max-states", x.max_states.to_string(), y.max_states.to_string());
    let first = |b: &Option<String>| b.clone().unwrap_or_else(|| "the first architecture".to_string());
    differ_in("--baseline", first(&x.baseline), first(&y.baseline));
    differ_in("--rare", x.rare.mode.name().to_string(), y.rare.mode.name().to_string());
    differ_in("--rare-precision", x.rare.precision.to_string(), y.rare.precision.to_string());
    out
}

/// Gaps and overlaps among `parts` (sorted by range) against `0..replications`.
fn tiling_problems(parts: &[Part], replications: u64) -> Vec<String> {
    let mut problems = Vec::new();
    let counts: Vec<u64> = parts.iter().map(|p| p.partial.shard.count()).collect();
    let common = counts.first().copied().filter(|&n| counts.iter().all(|&c| c == n));
    let gap = |r: Range<u64>| {
        let missing: Vec<String> = common
            .map(|n| (0..n).filter(|&k| { let s = range_of(k, n, replications); !s.is_empty() && r.start <= s.start && s.end <= r.end }).map(|k| format!("{}/{n}", k + 1)).collect())
            .unwrap_or_default();
        match missing.len() {
            0 => format!("replications {} are in no part", span(&r)),
            1 => format!("replications {} are in no part: shard {} is missing", span(&r), missing[0]),
            _ => format!("replications {} are in no part: shards {} are missing", span(&r), missing.join(", ")),
        }
    };
    let mut covered = 0;
    let mut last: Option<&Part> = None;
    for p in parts {
        let r = p.partial.range();
        if r.start > covered {
            problems.push(gap(covered..r.start));
        } else if let Some(l) = last.filter(|_| r.start < covered) {
            if l.partial.range() == r {
                problems.push(format!("shard {} (replications {}) is given twice: {} and {}", p.partial.shard, span(&r), l.name(), p.name()));
            } else {
                problems.push(format!(
                    "{} (shard {}, replications {}) and {} (shard {}, replications {}) overlap in replications {}",
                    l.name(),
                    l.partial.shard,
                    span(&l.partial.range()),
                    p.name(),
                    p.partial.shard,
                    span(&r),
                    span(&(r.start..covered.min(r.end)))
                ));
            }
        }
        if r.end > covered {
            covered = r.end;
            last = Some(p);
        }
    }
    if covered < replications {
        problems.push(gap(covered..replications));
    }
    problems
}
