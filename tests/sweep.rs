//! Sweeps: every point gets its values, points share random numbers, and mistakes in a sweep
//! are located.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

use relsim::model::metric::ArchitectureMetric;
use relsim::compile::load_sweep_str;

fn exp_model(sweep: &str) -> String {
    format!(
        "[simulation]\nhorizon = \"10y\"\nreplications = 400\nseed = 5\nconfidence = 0.999\n\n[components.a]\nfailure = {{ dist = \"exponential\", mean = \"1000h\" }}\nrepair = {{ dist = \"exponential\", mean = \"10h\" }}\n\n[components.b]\nfailure = {{ dist = \"exponential\", mean = \"1000h\" }}\nrepair = {{ dist = \"exponential\", mean = \"10h\" }}\n\n[traffic.api]\nrate = \"1/s\"\n\n[architectures.only-a]\napi = [\"a\"]\n\n[architectures.only-b]\napi = [\"b\"]\n\n{sweep}"
    )
}

fn sweep(text: &str, sets: &[&str]) -> relsim::sweep::SweepResult {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let loaded = match load_sweep_str("s.toml", "s", text, &sets) {
        Ok(l) => l,
        Err(e) => panic!("{}", e.render(false)),
    };
    let zero = || std::sync::atomic::AtomicU64::new(0);
    relsim::sweep::run(&loaded, &Default::default(), None, &zero(), &zero()).unwrap()
}

#[test]
fn every_point_covers_its_exact_availability_and_untouched_architectures_repeat_exactly() {
    let r = sweep(&exp_model("[sweep]\n\"components.b.repair.mean\" = [\"5h\", \"10h\", \"40h\"]\n"), &[]);
    assert_eq!(r.parameters, ["components.b.repair.mean"]);
    let values: Vec<&str> = r.points.iter().map(|p| p.values[0].as_str()).collect();
    assert_eq!(values, ["5h", "10h", "40h"]);
    for (p, mttr) in r.points.iter().zip([5.0, 10.0, 40.0]) {
        let exact = 1000.0 / (1000.0 + mttr);
        let b = &p.summary.architectures[1].classes[0].availability;
        assert!(b.contains(exact), "repair {mttr} h: {b:?} does not contain {exact}");
        // Common random numbers: `a` is not swept, so its draws and results are the same bits.
        assert_eq!(p.summary.architectures[0], r.points[0].summary.architectures[0]);
    }
    // And the swept one moves with the parameter alone: its failures are the same at every
    // point, so the downtime grows at every step, not just on average.
    let down: Vec<f64> = r.points.iter().map(|p| p.summary.architectures[1].classes[0].downtime_hours_per_year.mean.unwrap()).collect();
    assert!(down.windows(2).all(|w| w[0] < w[1]), "{down:?}");
}

#[test]
fn product_zip_and_command_line_axes() {
    let two = "[sweep]\n\"components.a.repair.mean\" = [\"5h\", \"10h\"]\n\"components.b.repair.mean\" = [\"5h\", \"10h\"]\n";
    assert_eq!(sweep(&exp_model(two), &["simulation.replications=2"]).points.len(), 4);
    let zipped = sweep(&exp_model(&format!("{two}zip = true\n")), &["simulation.replications=2"]);
    let values: Vec<Vec<String>> = zipped.points.iter().map(|p| p.values.clone()).collect();
    assert_eq!(values, [["5h", "5h"], ["10h", "10h"]]);
    // A --set with several values replaces the file's axis of the same key, or adds one.
    let r = sweep(&exp_model(two), &["simulation.replications=2", "components.a.repair.mean=1h,2h,3h", "components.b.failure.mean=500h,900h"]);
    assert_eq!(r.parameters, ["components.a.repair.mean", "components.b.repair.mean", "components.b.failure.mean"]);
    assert_eq!(r.points.len(), 3 * 2 * 2);
    assert_eq!(r.points[0].summary.replications, 2, "a one-value --set applies to every point");
    // Dotted keys (nested tables) work like quoted key paths.
    let dotted = sweep(&exp_model("[sweep]\ncomponents.b.repair.mean = [\"5h\", \"6h\"]\n"), &["simulation.replications=2"]);
    assert_eq!(dotted.parameters, ["components.b.repair.mean"]);
}

#[test]
fn sweep_mistakes_are_located() {
    let err = |text: &str| match load_sweep_str("s.toml", "s", text, &[]) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.render(false),
    };
    let e = err(&exp_model("[sweep]\n\"components.b.repair.mean\" = [\"5h\", \"ten hours\"]\n"));
    assert!(e.contains("s.toml:") && e.contains("ten hours") && e.contains("at the sweep point"), "{e}");
    let e = err(&exp_model("[sweep]\nzip = true\n\"components.a.repair.mean\" = [\"5h\", \"10h\"]\n\"components.b.repair.mean\" = [\"5h\"]\n"));
    assert!(e.contains("as many values as the first"), "{e}");
    let e = err(&exp_model("[sweep]\n\"components.b.repair.mean\" = \"5h\"\n"));
    assert!(e.contains("must be a list of values"), "{e}");
    let e = err(&exp_model(""));
    assert!(e.contains("nothing to sweep"), "{e}");
}

#[test]
fn the_command_writes_the_long_csv_and_json() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("s.toml");
    std::fs::write(&file, exp_model("[sweep]\n\"components.b.repair.mean\" = [\"5h\", \"10h\"]\n")).unwrap();
    Command::cargo_bin("relsim")
        .unwrap()
        .args(["sweep"])
        .arg(&file)
        .args(["--reps", "20", "--no-plots", "--out"])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("only-b").and(predicate::str::contains("10h")));
    let csv = std::fs::read_to_string(out.path().join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("components.b.repair.mean,architecture,class,metric,mean,ci_low,ci_high"));
    assert!(csv.contains("\n10h,only-b,api,availability,"), "{csv}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.path().join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["points"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["points"][1]["values"][0], "10h");
    // A sweep is not sharded (silently running every replication would be wrong).
    Command::cargo_bin("relsim")
        .unwrap()
        .arg("sweep")
        .arg(&file)
        .args(["--shard", "1/2", "--no-plots", "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("relsim sweep does not take --shard"));
    // The shipped example is a valid sweep.
    Command::cargo_bin("relsim")
        .unwrap()
        .arg("validate")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweep-breaker.toml"))
        .assert()
        .success();
}

#[test]
fn a_sweep_draws_one_plot_per_metric() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("s.toml");
    std::fs::write(&file, exp_model("[sweep]\n\"components.b.repair.mean\" = [\"5h\", \"10h\", \"20h\"]\n\"components.a.repair.mean\" = [\"5h\", \"10h\"]\n")).unwrap();
    Command::cargo_bin("relsim").unwrap().arg("sweep").arg(&file).args(["--reps", "10", "-q", "--out"]).arg(out.path()).assert().success();
    for (metric, stem, _, _) in relsim::sweep::plot::METRICS {
        for ext in ["svg", "png"] {
            let len = std::fs::metadata(out.path().join(format!("{stem}.{ext}"))).map(|m| m.len()).unwrap_or(0);
            assert!(len > 10_000, "{stem}.{ext} ({metric}) is missing or nearly empty: {len} bytes");
        }
        let svg = std::fs::read_to_string(out.path().join(format!("{stem}.svg"))).unwrap();
        // Two panels (one per value of the second key), a line per architecture.
        assert!(svg.contains("components.a.repair.mean = 5h") && svg.contains("components.a.repair.mean = 10h"), "{stem}.svg lacks its panels");
    }
}

/// A cost key is swept like any other key path. A price changes no random number, so what is
/// up is the same bits at every point, and the request cost moves exactly with the price.
#[test]
fn a_price_is_swept_like_any_key() {
    let text = exp_model("[sweep]\n\"components.b.cost_per_request\" = [0.001, 0.002]\n").replace("replications = 400", "replications = 20");
    let r = sweep(&text, &["components.b.running_cost=100/month,300/month"]);
    assert_eq!(r.parameters, ["components.b.cost_per_request", "components.b.running_cost"]);
    assert_eq!(r.points.len(), 4);
    let b = |p: usize, m: &str| r.points[p].summary.architectures[1].metric(ArchitectureMetric::parse(m).unwrap()).unwrap().mean.unwrap();
    for p in 1..4 {
        assert_eq!(r.points[p].summary.architectures[1].classes, r.points[0].summary.architectures[1].classes);
    }
    let (cheap, dear) = (b(0, "request_cost_per_year"), b(2, "request_cost_per_year"));
    assert!(cheap > 0.0 && ((dear - 2.0 * cheap) / cheap).abs() < 1e-12, "{cheap} → {dear}");
    assert_eq!(b(0, "fixed_cost_per_year"), 1200.0);
    assert_eq!(b(1, "fixed_cost_per_year"), 3600.0);
    assert!(b(1, "total_cost_per_year") > b(0, "total_cost_per_year"));
    // `only-a` has no price and no running cost: nothing of b reaches it.
    assert_eq!(r.points[3].summary.architectures[0].metric(ArchitectureMetric::RunningCostPerYear).unwrap().mean, Some(0.0));
    let csv = relsim::sweep::export::csv(&r).unwrap();
    assert!(csv.contains(",only-b,,total_cost_per_year,") && csv.contains(",only-b,,net_benefit_per_year,"), "{csv}");
}
