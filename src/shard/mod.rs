//! Shards: one run's replications split between processes or machines, each writing a partial
//! result, and the merge of those parts into exactly the outputs of one run.
//!
//! Shard `i` of `n` (1-based, `--shard i/n`) runs replications `[k·R/n, (k+1)·R/n)` with
//! `k = i − 1`, so any number of shards tiles `0..R` (here: [`Shard`], [`range_of`]; `--shard-from-env`
//! is [`env`]). It writes [`PARTIAL_FILE`] into its output folder ([`partial`]): the
//! `Accumulator` of its replications (exact sums, so merging loses nothing), its range, and
//! everything needed to check that parts belong together and to rebuild the model on another
//! machine (the scenario text, the `--set` list, the options that change results, and a
//! [`fingerprint`] of them). [`merge()`] reads the parts, refuses any that do not belong together
//! or do not tile `0..R` exactly (saying which and why), and merges the accumulators in
//! replication order. Because every accumulator merges exactly, the merged summary is
//! bit-identical to the one run's; the caller renders it the same way as `run`.

pub mod env;
pub mod merge;
pub mod partial;

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use env::from_env;
pub use merge::{merge, Merged};
pub use partial::{checksum, fingerprint, Options, Partial, Setup, Span, FORMAT, FORMAT_VERSION, PARTIAL_FILE};

/// Something wrong with a shard's settings or with the parts of a merge: what, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardError {
    /// What is wrong (may span several lines).
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl ShardError {
    pub(crate) fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        ShardError { message: message.into(), help: Some(help.into()) }
    }

    pub(crate) fn bare(message: impl Into<String>) -> Self {
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
pub(crate) fn span(r: &Range<u64>) -> String {
    format!("{}..{}", r.start, r.end)
}

pub(crate) fn reps_in(r: &Range<u64>) -> u64 {
    r.end - r.start
}

#[cfg(test)]
mod tests;
