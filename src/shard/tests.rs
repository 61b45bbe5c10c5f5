//! Shard ranges, `--shard-from-env`, fingerprints, and parts written and merged.

use std::collections::HashMap;
use std::path::Path;

use super::partial::*;
use super::*;
use crate::stats::summary::Accumulator;

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
    let loaded = crate::compile::load(&file, &sets).unwrap();
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
