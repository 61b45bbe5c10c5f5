//! The partial-result file a shard writes (`partial.json`): its layout, the setup and the
//! fingerprint that tell parts of one run from parts of another, the accumulator's checksum,
//! writing it staged, and reading one back with every check that needs only that file.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{reps_in, span, Shard};
use crate::model::Model;
use crate::rng::Fnv1a;
use crate::stats::summary::Accumulator;

/// The partial result's file name in a shard's output folder.
pub const PARTIAL_FILE: &str = "partial.json";
/// The `format` field of a partial result.
pub const FORMAT: &str = "relsim-partial";
/// The version of the partial result's layout this relsim writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// This relsim's version; parts must have been written by the same.
pub(super) const VERSION: &str = env!("CARGO_PKG_VERSION");

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

/// FNV-1a (`rng::Fnv1a`) over length-prefixed fields, so that moving bytes from one field
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

    /// The replications this part ran.
    pub(super) fn range(&self) -> Range<u64> {
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
pub(super) struct Part {
    pub(super) path: PathBuf,
    pub(super) partial: Partial,
}

impl Part {
    pub(super) fn name(&self) -> String {
        self.path.display().to_string()
    }
}

/// Reads the part at `path`: a shard's output folder or its partial file. Every check that
/// needs only this file is made here; the error names the file and what is wrong.
pub(super) fn read_part(path: &Path) -> Result<Part, String> {
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
