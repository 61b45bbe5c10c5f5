//! The shard a process is, from the environment of a job array (Slurm, Kubernetes Indexed
//! Jobs), for `--shard-from-env`.

use super::{Shard, ShardError};

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
