//! Shards: one run's replications split between processes or machines, each writing a partial
//! result, and the merge of those parts into exactly the outputs of one run.
//!
//! Shard `i` of `n` (1-based, `--shard i/n`) runs replications `[k·R/n, (k+1)·R/n)` with
//! `k = i − 1`, so any number of shards tiles `0..R`. It writes [`PARTIAL_FILE`] into its output
//! folder: the [`Accumulator`] of its replications (exact sums, so merging loses nothing), its
//! range, and everything needed to check that parts belong together and to rebuild the model on
//! another machine (the scenario text, the `--set` list, the options that change results, and a
//! [`fingerprint`] of them). [`merge`] reads the parts, refuses any that do not belong together
//! or do not tile `0..R` exactly (saying which and why), and merges the accumulators in
//! replication order. Because every accumulator merges exactly, the merged summary is
//! bit-identical to the one run's; the caller renders it the same way as `run`.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::Model;
use crate::compile::{self, Loaded};
use crate::scenario;
use crate::sim::rng::Fnv1a;
use crate::stats::summary::Accumulator;

/// The partial result's file name in a shard's output folder.
pub const PARTIAL_FILE: &str = "partial.json";
/// The `format` field of a partial result.
pub const FORMAT: &str = "relsim-partial";
/// The version of the partial result's layout this relsim writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// This relsim's version; parts must have been written by the same.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Something wrong with a shard's settings or with the parts of a merge: what, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardError {
    /// What is wrong (may span several lines).
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl ShardError {
    fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        ShardError { message: message.into(), help: Some(help.into()) }
    }

    fn bare(message: impl Into<String>) -> Self {
        ShardError { message: message.into(), help: None }
    }
}

impl fmt::Display for ShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ShardError {}

/// Shard `index` of `count`, `index` counting from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawShard")]
pub struct Shard {
    index: u64,
    count: u64,
}

/// A [`Shard`] as read from a file, before its check.
#[derive(Deserialize)]
struct RawShard {
    index: u64,
    count: u64,
}

impl TryFrom<RawShard> for Shard {
    type Error = String;
    fn try_from(r: RawShard) -> Result<Self, String> {
        Shard::new(r.index, r.count)
    }
}

impl Shard {
    /// Shard `index` (from 1) of `count`; refused unless `1 ≤ index ≤ count`.
    pub fn new(index: u64, count: u64) -> Result<Shard, String> {
        if count == 0 {
            return Err("the number of shards must be at least 1".to_string());
        }
        if index == 0 {
            return Err(format!("shards count from 1: the first of {count} is 1/{count}"));
        }
        if index > count {
            return Err(format!("shard {index}/{count} does not exist: the last of {count} is {count}/{count}"));
        }
        Ok(Shard { index, count })
    }

    /// Which shard, from 1.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// How many shards.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// This shard's replications out of `replications`.
    pub fn range(&self, replications: u64) -> Range<u64> {
        range_of(self.index - 1, self.count, replications)
    }

    /// Refuses more shards than replications (some shard would run none).
    pub fn check(&self, replications: u64) -> Result<(), ShardError> {
        if self.count > replications {
            return Err(ShardError::new(
                format!("{} shards for {replications} replications: every shard needs at least one", self.count),
                format!("use at most {replications} shards, or more replications (--reps N)"),
            ));
        }
        Ok(())
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N`, for example `2/8`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let garbled = || format!("`{s}` is not I/N: write for example 2/8 for the second of 8 shards");
        let (i, n) = s.split_once('/').ok_or_else(garbled)?;
        let (i, n) = (i.trim().parse::<u64>().map_err(|_| garbled())?, n.trim().parse::<u64>().map_err(|_| garbled())?);
        Shard::new(i, n)
    }
}

/// Range `k` (from 0) of `n` contiguous ranges splitting `0..replications` as equally as
/// possible: `[k·R/n, (k+1)·R/n)`, computed in `u128` so it cannot overflow; consecutive ranges
/// meet, so the `n` ranges tile `0..R` exactly.
pub fn range_of(k: u64, n: u64, replications: u64) -> Range<u64> {
    let at = |j: u64| (j as u128 * replications as u128 / n.max(1) as u128) as u64;
    at(k)..at(k + 1)
}

/// `a..b`, the way ranges of replications are written (0-based, end excluded).
fn span(r: &Range<u64>) -> String {
    format!("{}..{}", r.start, r.end)
}

/// The shard this process is, from the environment of a job array: Slurm
/// (`SLURM_ARRAY_TASK_ID` counted from `SLURM_ARRAY_TASK_MIN`, or from 1 when that is not set,
/// in steps of `SLURM_ARRAY_TASK_STEP`; `SLURM_ARRAY_TASK_COUNT` shards) or a Kubernetes Indexed
/// Job (`JOB_COMPLETION_INDEX`, from 0; `shards` must be given). `var` reads a variable (the
/// process environment in the command line, a table in tests).
pub fn from_env(shards: Option<u64>, var: impl Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
    let number = |name: &str, help: &str| -> Result<Option<u64>, ShardError> {
        match var(name) {
            None => Ok(None),
            Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| ShardError::new(format!("{name}={v:?} is not a whole number"), help)),
        }
    };
    const SLURM: &str = "Slurm sets it in each task of a job array (sbatch --array=1-N); or give --shard I/N instead of --shard-from-env";
    const INDEXED: &str = "Kubernetes sets it in each pod of an Indexed Job (completionMode: Indexed); or give --shard I/N instead of --shard-from-env";
    let shard = |index: u64, count: u64| Shard::new(index, count).map_err(ShardError::bare);
    if let Some(id) = number("SLURM_ARRAY_TASK_ID", SLURM)? {
        let count = match (number("SLURM_ARRAY_TASK_COUNT", SLURM)?, shards) {
            (Some(c), Some(s)) if c != s => {
                return Err(ShardError::new(
                    format!("--shards {s} disagrees with SLURM_ARRAY_TASK_COUNT={c}"),
                    "leave out --shards in a Slurm job array: the array's size is the number of shards",
                ));
            }
            (Some(c), _) | (None, Some(c)) => c,
            (None, None) => {
                return Err(ShardError::new(
                    "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not, so the number of shards is unknown",
                    "add --shards N with N the number of tasks in --array",
                ));
            }
        };
        if count == 0 {
            return Err(ShardError::new("SLURM_ARRAY_TASK_COUNT=0: there must be at least 1 shard", SLURM));
        }
        let min = number("SLURM_ARRAY_TASK_MIN", SLURM)?;
        let base = min.unwrap_or(1);
        let step = number("SLURM_ARRAY_TASK_STEP", SLURM)?.unwrap_or(1);
        let contiguous = "shards need a contiguous job array, --array=1-N (or 0-M with M = N - 1); an array with gaps such as --array=1,3,8 cannot be mapped to shards";
        if step == 0 {
            return Err(ShardError::new("SLURM_ARRAY_TASK_STEP=0 is not a step", contiguous));
        }
        let first = match min {
            Some(m) => format!("SLURM_ARRAY_TASK_MIN={m}"),
            None => "1 (tasks count from 1 when SLURM_ARRAY_TASK_MIN is not set)".to_string(),
        };
        if id < base {
            return Err(ShardError::new(format!("SLURM_ARRAY_TASK_ID={id} is below the first task, {first}"), contiguous));
        }
        if (id - base) % step != 0 {
            return Err(ShardError::new(format!("SLURM_ARRAY_TASK_ID={id} is not a step of {step} from the first task, {first}"), contiguous));
        }
        let k = (id - base) / step;
        if k >= count {
            return Err(ShardError::new(
                format!("SLURM_ARRAY_TASK_ID={id} is task {} from the first task, {first}, but SLURM_ARRAY_TASK_COUNT={count}", k + 1),
                contiguous,
            ));
        }
        return shard(k + 1, count);
    }
    if let Some(index) = number("JOB_COMPLETION_INDEX", INDEXED)? {
        let Some(count) = shards else {
            return Err(ShardError::new(
                "JOB_COMPLETION_INDEX is set but the number of shards is unknown (Kubernetes does not say how many completions there are)",
                "add --shards N with N the Job's `completions`",
            ));
        };
        if index >= count {
            return Err(ShardError::new(
                format!("JOB_COMPLETION_INDEX={index} is not below --shards {count} (indexes count from 0)"),
                "make --shards equal to the Job's `completions`",
            ));
        }
        return shard(index + 1, count);
    }
    Err(ShardError::new(
        "--shard-from-env: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set",
        "run in a job array (sbatch --array=1-N) or an Indexed Job (with --shards N), or give --shard I/N",
    ))
}

/// Everything besides the scenario text that decides a run's numbers. The parts of a merge must
/// agree on all of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    /// The `--set` arguments, in order.
    pub sets: Vec<String>,
    /// Master seed (after `--seed`).
    pub seed: u64,
    /// Replications of the whole run (after `--reps`).
    pub replications: u64,
    /// Horizon of each replication, seconds.
    pub horizon_seconds: f64,
    /// `--first-outage`.
    pub first_outage: bool,
    /// `--importance`.
    pub importance: bool,
    /// `--per-request`.
    pub per_request: bool,
    /// `--max-states` (the exact values attached depend on it).
    pub max_states: usize,
    /// `--baseline`, when it is not the first architecture (the decision depends on it).
    #[serde(default)]
    pub baseline: Option<String>,
    /// `--rare` and `--rare-precision` (merge estimates rare events as the run would have);
    /// absent from the files of earlier versions, which had none: the default then.
    #[serde(default)]
    pub rare: crate::rare::Settings,
}

/// The options of `run` that change results, besides the scenario and the `--set`s.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// `--first-outage`.
    pub first_outage: bool,
    /// `--importance`.
    pub importance: bool,
    /// `--per-request`.
    pub per_request: bool,
    /// `--max-states`.
    pub max_states: usize,
    /// `--rare`, `--rare-precision`.
    pub rare: crate::rare::Settings,
}

impl Setup {
    /// The setup of a run of `model` (seed and replications as run) with `sets` and `options`.
    pub fn new(model: &Model, sets: &[String], options: Options) -> Setup {
        Setup {
            sets: sets.to_vec(),
            seed: model.seed,
            replications: model.replications,
            horizon_seconds: model.horizon,
            first_outage: options.first_outage,
            importance: options.importance,
            per_request: options.per_request,
            max_states: options.max_states,
            baseline: crate::model::cost::baseline_argument(model).map(str::to_string),
            rare: options.rare,
        }
    }

    /// The options in it.
    pub fn options(&self) -> Options {
        Options { first_outage: self.first_outage, importance: self.importance, per_request: self.per_request, max_states: self.max_states, rare: self.rare }
    }
}

/// The fingerprint of a run: FNV-1a (64 bits, hex) over the relsim version, the scenario text
/// and every field of the setup, each length-prefixed. It tells runs apart by accident, not by
/// design; the fields themselves are stored beside it and compared one by one.
pub fn fingerprint(version: &str, text: &str, setup: &Setup) -> String {
    let mut h = Fnv::new();
    h.field(FORMAT.as_bytes());
    h.field(version.as_bytes());
    h.field(text.as_bytes());
    h.field(&(setup.sets.len() as u64).to_le_bytes());
    for s in &setup.sets {
        h.field(s.as_bytes());
    }
    h.field(&setup.seed.to_le_bytes());
    h.field(&setup.replications.to_le_bytes());
    h.field(&setup.horizon_seconds.to_bits().to_le_bytes());
    h.field(&[setup.first_outage as u8, setup.importance as u8, setup.per_request as u8]);
    h.field(&(setup.max_states as u64).to_le_bytes());
    h.field(setup.baseline.as_deref().unwrap_or("").as_bytes());
    // Hashed only when not the default, so fingerprints of runs without rare-event options
    // are those of the versions before them.
    if setup.rare != crate::rare::Settings::default() {
        h.field(setup.rare.mode.name().as_bytes());
        h.field(&setup.rare.precision.to_bits().to_le_bytes());
    }
    format!("{:016x}", h.0.0)
}

/// The checksum of an accumulator: FNV-1a (64 bits, hex) of its compact JSON. Floats print
/// the same after an exact round trip and maps are ordered, so the accumulator read back from a
/// file (however the file was reformatted) has the checksum it was written with, unless a value
/// changed.
pub fn checksum(acc: &Accumulator) -> String {
    let mut h = Fnv::new();
    h.field(serde_json::to_string(acc).unwrap_or_default().as_bytes());
    format!("{:016x}", h.0.0)
}

/// FNV-1a (`sim::rng::Fnv1a`) over length-prefixed fields, so that moving bytes from one field
/// to the next changes the hash.
struct Fnv(Fnv1a);

impl Fnv {
    fn new() -> Self {
        Fnv(Fnv1a::default())
    }

    fn field(&mut self, bytes: &[u8]) {
        self.0.write(&(bytes.len() as u64).to_le_bytes());
        self.0.write(bytes);
    }
}

/// A replication range as stored (`start` included, `end` excluded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First replication.
    pub start: u64,
    /// One past the last replication.
    pub end: u64,
}

/// A shard's partial result: what [`PARTIAL_FILE`] holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Partial {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// The relsim version that wrote it.
    pub relsim_version: String,
    /// [`fingerprint`] of the version, scenario text and setup.
    pub fingerprint: String,
    /// [`checksum`] of the accumulator, so that a damaged number is noticed.
    pub checksum: String,
    /// Which shard.
    pub shard: Shard,
    /// Its replications.
    pub replications: Span,
    /// The scenario file as given on the command line (for the reports; not compared).
    pub scenario_file: String,
    /// The options that decide the numbers.
    pub setup: Setup,
    /// The sums of its replications.
    pub accumulator: Accumulator,
    /// The scenario file's text, so the merge needs no copy of the file.
    pub scenario_text: String,
}

impl Partial {
    /// The partial result of `shard` of a run, with the accumulator of its replications.
    pub fn new(shard: Shard, scenario_file: &str, scenario_text: &str, setup: Setup, accumulator: Accumulator) -> Partial {
        let range = shard.range(setup.replications);
        Partial {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            relsim_version: VERSION.to_string(),
            fingerprint: fingerprint(VERSION, scenario_text, &setup),
            checksum: checksum(&accumulator),
            shard,
            replications: Span { start: range.start, end: range.end },
            scenario_file: scenario_file.to_string(),
            setup,
            accumulator,
            scenario_text: scenario_text.to_string(),
        }
    }

    fn range(&self) -> Range<u64> {
        self.replications.start..self.replications.end
    }

    /// Writes it as `dir/partial.json` (creating `dir`), staged and renamed into place (see
    /// `crate::output`), so a shard killed while writing leaves no half-written part. Returns
    /// the path.
    pub fn write(&self, dir: &Path) -> anyhow::Result<PathBuf> {
        let staging = crate::output::Staging::new(dir)?;
        let tmp = staging.path().join(PARTIAL_FILE);
        let mut text = Vec::new();
        self.serialize(&mut serde_json::Serializer::with_formatter(&mut text, FieldPerLine { depth: 0 }))?;
        text.push(b'\n');
        {
            use anyhow::Context;
            std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        }
        let mut paths = staging.commit(&[tmp])?;
        paths.pop().ok_or_else(|| anyhow::anyhow!("{PARTIAL_FILE} was not written"))
    }
}

/// JSON with one top-level field per line and everything inside a field compact: the header is
/// easy to read (`head partial.json`), and the sums take a fraction of the room pretty printing
/// gives them.
struct FieldPerLine {
    depth: usize,
}

impl serde_json::ser::Formatter for FieldPerLine {
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        w.write_all(if self.depth == 0 { b"\n}" } else { b"}" })
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        match (self.depth == 1, first) {
            (true, true) => w.write_all(b"\n  "),
            (true, false) => w.write_all(b",\n  "),
            (false, true) => Ok(()),
            (false, false) => w.write_all(b","),
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(if self.depth == 1 { b": " } else { b":" })
    }
}

/// The first fields of a partial result, read before the rest so that a file of another kind
/// or version gets a message about that rather than about a missing field.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    format_version: Option<u32>,
    relsim_version: Option<String>,
}

/// One part of a merge: where it was read from and what it holds.
struct Part {
    path: PathBuf,
    partial: Partial,
}

impl Part {
    fn name(&self) -> String {
        self.path.display().to_string()
    }
}

/// Reads the part at `path`: a shard's output folder or its partial file. Every check that
/// needs only this file is made here; the error names the file and what is wrong.
fn read_part(path: &Path) -> Result<Part, String> {
    let file = if path.is_dir() { path.join(PARTIAL_FILE) } else { path.to_path_buf() };
    let name = file.display().to_string();
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if path.is_dir() => {
            return Err(format!("{} has no readable {PARTIAL_FILE} ({e}): is it the --out folder of a shard run?", path.display()));
        }
        Err(e) => return Err(format!("cannot read {name}: {e}")),
    };
    let not_partial = |why: String| format!("{name} is not a relsim partial result ({why}); give a shard's output folder or the {PARTIAL_FILE} in it");
    let header: Header = serde_json::from_str(&text).map_err(|e| match e.classify() {
        serde_json::error::Category::Eof => format!("{name} is garbled: it ends too early ({e}); was it written or copied completely?"),
        serde_json::error::Category::Syntax => not_partial(format!("not valid JSON: {e}")),
        _ => not_partial(format!("{e}")),
    })?;
    if header.format.as_deref() != Some(FORMAT) {
        return Err(not_partial(format!("it has no \"format\": \"{FORMAT}\"")));
    }
    match header.format_version {
        Some(FORMAT_VERSION) => {}
        Some(v) => return Err(format!("{name} is in partial format version {v}; this relsim reads version {FORMAT_VERSION}: merge with the relsim that ran the shards")),
        None => return Err(format!("{name} has no format_version: the file was edited or damaged")),
    }
    match header.relsim_version {
        Some(v) if v == VERSION => {}
        v => {
            let v = v.unwrap_or_else(|| "an unknown version".to_string());
            return Err(format!("{name} was written by relsim {v}, and this is relsim {VERSION}: run every shard and the merge with the same relsim"));
        }
    }
    let partial: Partial = serde_json::from_str(&text).map_err(|e| format!("{name} is garbled: {e}"))?;
    let expected = fingerprint(&partial.relsim_version, &partial.scenario_text, &partial.setup);
    if partial.fingerprint != expected {
        return Err(format!("{name}: its fingerprint {} does not match its contents ({expected}): the file was edited or damaged", partial.fingerprint));
    }
    let sums = checksum(&partial.accumulator);
    if partial.checksum != sums {
        return Err(format!("{name}: its sums do not match their checksum ({} recorded, {sums} computed): the file was edited or damaged", partial.checksum));
    }
    let (shard, reps) = (partial.shard, partial.setup.replications);
    if shard.count() > reps || partial.range() != shard.range(reps) {
        return Err(format!(
            "{name}: shard {shard} of {reps} replications runs {}, not the {} recorded: the file was edited or damaged",
            span(&shard.range(reps)),
            span(&partial.range())
        ));
    }
    let ran = partial.accumulator.replications();
    if ran != reps_in(&partial.range()) {
        return Err(format!("{name}: its sums hold {ran} replications, not the {} of {}: the file was edited or damaged", reps_in(&partial.range()), span(&partial.range())));
    }
    Ok(Part { path: file, partial })
}

fn reps_in(r: &Range<u64>) -> u64 {
    r.end - r.start
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn ranges_tile_every_replication_once() {
        for r in [1u64, 2, 3, 7, 60, 61, 1000, u64::MAX] {
            for n in [1u64, 2, 3, 7, 16, 60] {
                if n > r {
                    continue;
                }
                let mut next = 0;
                for k in 0..n {
                    let s = range_of(k, n, r);
                    assert_eq!(s.start, next, "R={r} n={n} k={k}");
                    assert!(!s.is_empty(), "R={r} n={n} k={k}");
                    let len = s.end - s.start;
                    assert!(len == r / n || len == r / n + 1, "R={r} n={n} k={k}: {len}");
                    next = s.end;
                }
                assert_eq!(next, r);
            }
        }
        assert_eq!(range_of(1, 3, 1000), 333..666);
    }

    #[test]
    fn shard_syntax() {
        assert_eq!("2/3".parse::<Shard>().map(|s| (s.index(), s.count())), Ok((2, 3)));
        assert_eq!("1/1".parse::<Shard>().map(|s| s.range(10)), Ok(0..10));
        for (bad, says) in [("0/3", "count from 1"), ("4/3", "does not exist"), ("1/0", "at least 1"), ("2", "not I/N"), ("a/3", "not I/N"), ("-1/3", "not I/N")] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        assert!(Shard::new(3, 5).unwrap().check(4).unwrap_err().message.contains("5 shards for 4 replications"));
    }

    fn env<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn shard_from_slurm() {
        let s = |vars: &[(&str, &str)], shards| from_env(shards, env(vars));
        let ok = |r: Result<Shard, ShardError>| r.map(|s| s.to_string());
        // --array=1-16 and --array=0-15.
        assert_eq!(ok(s(&[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "16"), ("SLURM_ARRAY_TASK_MIN", "1")], None)), Ok("1/16".into()));
        assert_eq!(ok(s(&[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "16"), ("SLURM_ARRAY_TASK_MIN", "0")], None)), Ok("1/16".into()));
        assert_eq!(ok(s(&[("SLURM_ARRAY_TASK_ID", "15"), ("SLURM_ARRAY_TASK_COUNT", "16"), ("SLURM_ARRAY_TASK_MIN", "0")], Some(16))), Ok("16/16".into()));
        // Without SLURM_ARRAY_TASK_MIN tasks count from 1; a step is followed.
        assert_eq!(ok(s(&[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "4")], None)), Ok("3/4".into()));
        assert_eq!(ok(s(&[("SLURM_ARRAY_TASK_ID", "8"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_STEP", "4")], None)), Ok("3/4".into()));
        let err = |vars: &[(&str, &str)], shards, says: &str| {
            let e = s(vars, shards).unwrap_err().to_string();
            assert!(e.contains(says), "{vars:?}: {e}");
        };
        err(&[("SLURM_ARRAY_TASK_ID", "x1"), ("SLURM_ARRAY_TASK_COUNT", "4")], None, "SLURM_ARRAY_TASK_ID=\"x1\" is not a whole number");
        err(&[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "")], None, "SLURM_ARRAY_TASK_COUNT=\"\" is not a whole number");
        err(&[("SLURM_ARRAY_TASK_ID", "1")], None, "add --shards N");
        err(&[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "4")], Some(3), "--shards 3 disagrees with SLURM_ARRAY_TASK_COUNT=4");
        err(&[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "4")], None, "below the first task, 1");
        err(&[("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "1")], None, "contiguous job array");
        err(&[("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_STEP", "2")], None, "not a step of 2");
        err(&[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "0")], None, "at least 1 shard");
    }

    #[test]
    fn shard_from_an_indexed_job() {
        assert_eq!(from_env(Some(3), env(&[("JOB_COMPLETION_INDEX", "0")])).map(|s| s.to_string()), Ok("1/3".into()));
        assert_eq!(from_env(Some(3), env(&[("JOB_COMPLETION_INDEX", "2")])).map(|s| s.to_string()), Ok("3/3".into()));
        let e = from_env(Some(3), env(&[("JOB_COMPLETION_INDEX", "3")])).unwrap_err().to_string();
        assert!(e.contains("JOB_COMPLETION_INDEX=3 is not below --shards 3"), "{e}");
        let e = from_env(None, env(&[("JOB_COMPLETION_INDEX", "1")])).unwrap_err().to_string();
        assert!(e.contains("--shards N"), "{e}");
        let e = from_env(Some(3), env(&[("JOB_COMPLETION_INDEX", "one")])).unwrap_err().to_string();
        assert!(e.contains("JOB_COMPLETION_INDEX=\"one\" is not a whole number") && e.contains("Indexed Job"), "{e}");
        let e = from_env(Some(3), env(&[])).unwrap_err().to_string();
        assert!(e.contains("SLURM_ARRAY_TASK_ID") && e.contains("JOB_COMPLETION_INDEX"), "{e}");
    }

    #[test]
    fn fingerprint_covers_every_field() {
        let setup = Setup { sets: vec![], seed: 1, replications: 10, horizon_seconds: 3600.0, first_outage: false, importance: false, per_request: false, max_states: 5, baseline: None, rare: Default::default() };
        let base = fingerprint("1", "text", &setup);
        assert_eq!(base.len(), 16);
        let variants = [
            fingerprint("2", "text", &setup),
            fingerprint("1", "text ", &setup),
            fingerprint("1", "text", &Setup { sets: vec!["a=1".into()], ..setup.clone() }),
            fingerprint("1", "text", &Setup { seed: 2, ..setup.clone() }),
            fingerprint("1", "text", &Setup { replications: 11, ..setup.clone() }),
            fingerprint("1", "text", &Setup { horizon_seconds: 3601.0, ..setup.clone() }),
            fingerprint("1", "text", &Setup { first_outage: true, ..setup.clone() }),
            fingerprint("1", "text", &Setup { importance: true, ..setup.clone() }),
            fingerprint("1", "text", &Setup { per_request: true, ..setup.clone() }),
            fingerprint("1", "text", &Setup { max_states: 6, ..setup.clone() }),
            fingerprint("1", "text", &Setup { baseline: Some("b".into()), ..setup.clone() }),
            fingerprint("1", "text", &Setup { rare: crate::rare::Settings { mode: crate::rare::Mode::Off, ..Default::default() }, ..setup.clone() }),
            fingerprint("1", "text", &Setup { rare: crate::rare::Settings { precision: 0.05, ..Default::default() }, ..setup.clone() }),
        ];
        for v in &variants {
            assert_ne!(v, &base);
        }
        // Sets are length-prefixed: ["ab"] and ["a", "b"] differ.
        let ab = fingerprint("1", "t", &Setup { sets: vec!["ab".into()], ..setup.clone() });
        let a_b = fingerprint("1", "t", &Setup { sets: vec!["a".into(), "b".into()], ..setup.clone() });
        assert_ne!(ab, a_b);
    }

    /// Every field of the accumulator (first outage, simulated Birnbaum importance, request
    /// tallies, SLA sums) goes through partial files and comes back to the bits of one run.
    #[test]
    fn parts_written_and_merged_give_the_bits_of_one_run() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/gateway-failover.toml");
        let sets = vec!["simulation.horizon=60d".to_string(), "simulation.replications=13".to_string()];
        let loaded = compile::load(&file, &sets).unwrap();
        let model = &loaded.model;
        let options = crate::montecarlo::Options { threads: Some(1), first_outage: true, importance: true, ..Default::default() };
        let done = std::sync::atomic::AtomicU64::new(0);
        let one = crate::montecarlo::simulate(model, 0..13, &options, &done).unwrap();
        let setup = Setup::new(model, &sets, Options { first_outage: true, importance: true, per_request: false, max_states: 1000, rare: Default::default() });
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for k in [3, 1, 2, 4] {
            let shard = Shard::new(k, 4).unwrap();
            let acc = crate::montecarlo::simulate(model, shard.range(13), &options, &done).unwrap();
            let partial = Partial::new(shard, &file.display().to_string(), loaded.text(), setup.clone(), acc);
            paths.push(partial.write(&dir.path().join(format!("s{k}"))).unwrap());
        }
        let merged = merge(&paths).unwrap();
        assert_eq!(merged.parts, 4);
        assert_eq!(merged.accumulator.replications(), 13);
        assert_eq!(merged.accumulator.events(), one.events());
        let json = |acc: &Accumulator| serde_json::to_string(&acc.summarize(model)).unwrap();
        assert_eq!(json(&merged.accumulator), json(&one));
        assert_eq!(merged.loaded.model.name, model.name);
        // The parts hold no scratch space, so they are small (the histograms are sparse).
        let size = std::fs::metadata(&paths[0]).unwrap().len();
        assert!(size < 60_000, "{size} bytes");
        // Leaving a part out, or giving one twice, is refused with the shard named.
        let e = merge(&paths[..3]).err().unwrap().to_string();
        assert!(e.contains("shard 4/4 is missing"), "{e}");
        let e = merge(&[paths.clone(), vec![paths[0].clone()]].concat()).err().unwrap().to_string();
        assert!(e.contains("shard 3/4 (replications 6..9) is given twice"), "{e}");
    }

    #[test]
    fn json_round_trips_every_f64_exactly() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(17);
        let mut values: Vec<f64> = (0..200_000).map(|_| f64::from_bits(rng.random::<u64>())).filter(|x| x.is_finite()).collect();
        values.extend((0..100_000).map(|_| rng.random::<f64>() * 10f64.powi(rng.random_range(-30..30))));
        values.extend([0.0, -0.0, f64::MIN_POSITIVE, 5e-324, f64::MAX, f64::MIN, 0.1 + 0.2, 1.0 / 3.0, 2.225073858507201e-308]);
        let text = serde_json::to_string(&values).unwrap();
        let back: Vec<f64> = serde_json::from_str(&text).unwrap();
        assert_eq!(values.len(), back.len());
        for (a, b) in values.iter().zip(&back) {
            assert_eq!(a.to_bits(), b.to_bits(), "{a:e} came back as {b:e}");
        }
    }
}
