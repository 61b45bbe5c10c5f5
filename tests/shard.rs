//! Shards: separate `relsim run --shard` processes merged with `relsim merge` give the bytes of
//! one run, and parts that do not belong together are refused with exit code 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const SCENARIO: &str = "scenarios/gateway-failover.toml";

/// Variables of job schedulers, removed so the machine running the tests cannot leak its own.
const SCHEDULER_VARS: [&str; 6] =
    ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP", "JOB_COMPLETION_INDEX"];

fn relsim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_relsim"));
    for v in SCHEDULER_VARS {
        c.env_remove(v);
    }
    c.env("NO_COLOR", "1");
    c
}

fn scenario() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(SCENARIO).display().to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn check(o: Output, what: &str) -> Output {
    assert!(o.status.success(), "{what} failed: {}", stderr(&o));
    o
}

/// The run with `extra` arguments and `env`, writing into `dir/out`.
fn run(dir: &Path, out: &str, extra: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = relsim();
    c.args(["run", &scenario(), "--reps", "60", "--no-plots", "--threads", "1", "--out"]).arg(dir.join(out)).args(extra);
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// One unsharded run (`A`) and the shards, each its own process, run at the same time: `S1`..`S3`
/// with `--shard i/3`, `K2` as pod 1 of a Kubernetes Indexed Job, `L3` as task 2 of a Slurm array
/// `--array=0-2`, and `X2` shard 2/3 with another seed.
fn fixture() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("shard-test");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut jobs = [
            ("A", run(&dir, "A", &["--format", "json"], &[])),
            ("S1", run(&dir, "S1", &["--shard", "1/3"], &[])),
            ("S2", run(&dir, "S2", &["--shard", "2/3"], &[])),
            ("S3", run(&dir, "S3", &["--shard", "3/3"], &[])),
            ("K2", run(&dir, "K2", &["--shard-from-env", "--shards", "3"], &[("JOB_COMPLETION_INDEX", "1")])),
            (
                "L3",
                run(&dir, "L3", &["--shard-from-env"], &[("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "3"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", "2")]),
            ),
            ("X2", run(&dir, "X2", &["--shard", "2/3", "--seed", "12"], &[])),
        ];
        let children: Vec<_> = jobs.iter_mut().map(|(name, c)| (*name, c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap())).collect();
        for (name, child) in children {
            let out = check(child.wait_with_output().unwrap(), name);
            if name == "A" {
                assert_eq!(out.stdout, std::fs::read(dir.join("A/summary.json")).unwrap(), "--format json prints summary.json");
            } else {
                assert!(out.stdout.is_empty(), "a shard prints nothing on stdout");
                assert!(stderr(&out).contains("combine all 3 parts with relsim merge"), "{name}: {}", stderr(&out));
            }
        }
        dir
    })
}

fn merge(dir: &Path, out: &str, parts: &[&str]) -> Output {
    relsim().arg("merge").args(parts.iter().map(|p| dir.join(p))).args(["--no-plots", "--format", "json", "--out"]).arg(dir.join(out)).output().unwrap()
}

#[test]
fn merged_shards_are_byte_identical_to_one_run() {
    let dir = fixture();
    for s in ["S1", "S2", "S3"] {
        let files: Vec<String> = std::fs::read_dir(dir.join(s)).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(files, ["partial.json"], "a shard writes only its partial result");
    }
    // The environment gives the same shards as --shard, byte for byte.
    assert_eq!(std::fs::read(dir.join("K2/partial.json")).unwrap(), std::fs::read(dir.join("S2/partial.json")).unwrap());
    assert_eq!(std::fs::read(dir.join("L3/partial.json")).unwrap(), std::fs::read(dir.join("S3/partial.json")).unwrap());

    let m = check(merge(dir, "M", &["S1", "S2/partial.json", "S3"]), "merge");
    assert!(stderr(&m).contains("merged 3 parts: 60 replications"), "{}", stderr(&m));
    let bytes = |p: &str| std::fs::read(dir.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    for f in ["summary.json", "summary.csv", "report.md", "report.html"] {
        assert!(bytes(&format!("A/{f}")) == bytes(&format!("M/{f}")), "{f} of the merge differs from one run's");
    }
    assert_eq!(m.stdout, bytes("A/summary.json"), "merge prints what run prints");

    // Any order of the parts, and parts found through the environment, give the same bytes.
    check(merge(dir, "M2", &["S3/partial.json", "K2", "S1"]), "merge in another order");
    check(merge(dir, "M3", &["L3", "S1", "S2"]), "merge with the Slurm part");
    for m in ["M2", "M3"] {
        assert!(bytes("A/summary.json") == bytes(&format!("{m}/summary.json")), "{m}/summary.json differs");
    }
}

#[test]
fn parts_that_do_not_belong_together_are_refused() {
    let dir = fixture();
    let refused = |parts: &[&str], says: &[&str]| {
        let o = merge(dir, "refused", parts);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{parts:?}: {err}");
        for s in says {
            assert!(err.contains(s), "{parts:?}: {err} lacks {s:?}");
        }
        assert!(!dir.join("refused/summary.json").exists(), "nothing written");
    };
    refused(&["S1", "S3"], &["replications 20..40 are in no part: shard 2/3 is missing"]);
    refused(&["S1", "S2", "S3", "K2"], &["shard 2/3 (replications 20..40) is given twice", "S2/partial.json", "K2/partial.json"]);
    refused(&["S1", "X2", "S3"], &["not from the same run", "X2/partial.json: seed 12, not 11 as in", "S1/partial.json"]);

    // Garbled, damaged and foreign files are named with what is wrong.
    let text = std::fs::read_to_string(dir.join("S2/partial.json")).unwrap();
    let write = |name: &str, content: &str| std::fs::write(dir.join(name), content).unwrap();
    let cut = text.find("\"accumulator\"").expect("an accumulator") + 500;
    write("truncated.json", &text[..cut]);
    refused(&["S1", "truncated.json", "S3"], &["truncated.json is garbled: it ends too early"]);
    let n = text.find("\"n\":20").expect("a count of 20 replications");
    write("damaged.json", &format!("{}\"n\":21{}", &text[..n], &text[n + 6..]));
    refused(&["S1", "damaged.json", "S3"], &["damaged.json: its sums do not match their checksum"]);
    write("reseeded.json", &text.replace("\"seed\":11", "\"seed\":13"));
    refused(&["S1", "reseeded.json", "S3"], &["reseeded.json: its fingerprint", "does not match its contents"]);
    refused(&["S1", "A/summary.json", "S3"], &["summary.json is not a relsim partial result"]);
    refused(&["S1", "A", "S3"], &["has no readable partial.json"]);
    refused(&["S1", "missing", "S3"], &["cannot read", "missing"]);
}

#[test]
fn bad_shard_settings_exit_2_saying_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let refused = |extra: &[&str], env: &[(&str, &str)], says: &str| {
        let o = run(dir.path(), "out", extra, env).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{extra:?} {env:?}: {} lacks {says:?}", stderr(&o));
    };
    refused(&["--shard", "0/3"], &[], "shards count from 1");
    refused(&["--shard", "4/3"], &[], "the last of 3 is 3/3");
    refused(&["--shard", "two/3"], &[], "not I/N");
    refused(&["--shard", "1/61"], &[], "61 shards for 60 replications");
    refused(&["--shard", "1/3", "--shard-from-env"], &[], "cannot be used with");
    refused(&["--shards", "3"], &[], "--shard-from-env");
    refused(&["--shard-from-env"], &[], "neither SLURM_ARRAY_TASK_ID");
    refused(&["--shard-from-env"], &[("JOB_COMPLETION_INDEX", "1")], "add --shards N");
    refused(&["--shard-from-env", "--shards", "3"], &[("JOB_COMPLETION_INDEX", "x")], "JOB_COMPLETION_INDEX=\"x\" is not a whole number");
    refused(&["--shard-from-env"], &[("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_COUNT", "3"), ("SLURM_ARRAY_TASK_MIN", "1")], "contiguous job array");
    assert!(!dir.path().join("out").exists(), "nothing written");
}

/// The baseline of the decision (`--baseline`) travels with the parts, so a merge gives the
/// bytes of one run with it; `merge --baseline` picks another one afterwards (every pair of
/// architectures is in the sums), and parts with different baselines are refused.
#[test]
fn the_baseline_travels_with_the_parts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = ["--baseline", "gateway-failover"];
    let jobs = [
        ("A", run(d, "A", &[&base[..], &["--format", "json"]].concat(), &[])),
        ("S1", run(d, "S1", &[&base[..], &["--shard", "1/2"]].concat(), &[])),
        ("S2", run(d, "S2", &[&base[..], &["--shard", "2/2"]].concat(), &[])),
        ("T1", run(d, "T1", &["--shard", "1/2"], &[])),
        ("T2", run(d, "T2", &["--shard", "2/2"], &[])),
    ];
    let children: Vec<_> = jobs.into_iter().map(|(name, mut c)| (name, c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap())).collect();
    for (name, child) in children {
        check(child.wait_with_output().unwrap(), name);
    }
    let bytes = |p: &str| std::fs::read(d.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    check(merge(d, "M", &["S1", "S2"]), "merge");
    assert!(bytes("A/summary.json") == bytes("M/summary.json"), "the merge keeps the parts' baseline");
    assert!(bytes("A/report.md") == bytes("M/report.md"), "and its reproduce command");
    let o = relsim().arg("merge").args([d.join("T1"), d.join("T2")]).args(["--no-plots", "--baseline", "gateway-failover", "--out"]).arg(d.join("N")).output().unwrap();
    check(o, "merge --baseline");
    assert!(bytes("A/summary.json") == bytes("N/summary.json"), "merge --baseline gives the run with that baseline");
    let o = merge(d, "refused", &["S1", "T2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--baseline"), "{}", stderr(&o));
}
