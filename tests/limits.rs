//! Budgets and limits found on main: a huge `k_of_n` is bounded by the analytic engine's budget
//! (with a note) instead of taking minutes and gigabytes; absurd work is refused unless
//! `--force`; a 64-bit seed is accepted; an outage that never ends is not reported as a
//! duration; degenerate runs explain their missing figures.

use assert_cmd::Command;

fn relsim() -> Command {
    let mut c = Command::cargo_bin("relsim").unwrap();
    c.env("NO_COLOR", "1");
    c
}

/// `k_of_n` over `n` independent exponential members needing `k`.
fn k_of_n(n: usize, k: usize) -> String {
    let mut text = String::from("[simulation]\nhorizon = \"1y\"\nreplications = 4\n");
    for i in 0..n {
        text.push_str(&format!("[components.m{i}]\nfailure = {{ dist = \"exponential\", mean = \"100h\" }}\nrepair = {{ dist = \"exponential\", mean = \"1h\" }}\n"));
    }
    let members: Vec<String> = (0..n).map(|i| format!("\"m{i}\"")).collect();
    text.push_str(&format!("[routes.q]\nk_of_n = {{ need = {k}, of = [{}] }}\n[traffic.api]\nrate = \"1/s\"\n[architectures.one]\napi = [\"q\"]\n", members.join(", ")));
    text
}

#[test]
fn a_large_k_of_n_stops_at_the_decision_diagram_budget() {
    // 60 members needing 30: the threshold function needs about 31 × 31 ≈ 960 nodes. With
    // --max-states 100 the budget is 500 nodes: refused, with the reason; with the default it
    // is computed.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kofn.toml");
    std::fs::write(&file, k_of_n(60, 30)).unwrap();
    let o = relsim().args(["exact", file.to_str().unwrap(), "--max-states", "100"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("one: not exact: the decision diagram would exceed 500 nodes"), "{stdout}");
    assert!(stdout.contains("raise --max-states"), "{stdout}");
    let o = relsim().args(["exact", file.to_str().unwrap()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("structure algebra"), "{stdout}");
    // A run says why its exact values are missing, and still runs.
    let out = dir.path().join("out");
    let o = relsim().args(["run", file.to_str().unwrap(), "--max-states", "100", "--out", out.to_str().unwrap(), "--no-plots", "-q"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("the decision diagram would exceed 500 nodes"), "{stdout}");
}

#[test]
fn a_ten_thousand_member_k_of_n_is_bounded() {
    // Found on main: `relsim exact` took 154 s and 13.3 GB here. With the default budget it
    // gives up after a million nodes (seconds, a few hundred MB).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.toml");
    std::fs::write(&file, k_of_n(10_000, 5_000)).unwrap();
    let o = relsim().args(["exact", file.to_str().unwrap()]).timeout(std::time::Duration::from_secs(120)).output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("the decision diagram would exceed 1,000,000 nodes"), "{stdout}");
}

#[test]
fn absurd_work_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    // One component with a 100 h cycle: 175.2 events a year; 10^10 replications are 1.8e12.
    std::fs::write(
        &file,
        "[simulation]\nhorizon = \"1y\"\nreplications = 10000000000\n[components.a]\nfailure = { dist = \"exponential\", mean = \"99h\" }\nrepair = { dist = \"exponential\", mean = \"1h\" }\n[traffic.api]\nrate = \"1/s\"\n[architectures.one]\napi = [\"a\"]\n",
    )
    .unwrap();
    let o = relsim().args(["validate", file.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("simulation.replications: this run would simulate about 1.8e12 events (10000000000 replications × 175 each"), "{stderr}");
    assert!(stderr.contains(":3:16"), "located at the value: {stderr}");
    let o = relsim().args(["validate", file.to_str().unwrap(), "--force"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("warning: --force: this run would simulate about 1.8e12 events"), "{stderr}");
    // --reps on the command line is named as what to change (the file's value is fine).
    let small = dir.path().join("small.toml");
    std::fs::write(&small, std::fs::read_to_string(&file).unwrap().replace("10000000000", "100")).unwrap();
    let out = dir.path().join("out");
    let o = relsim().args(["run", small.to_str().unwrap(), "--reps", "10000000000", "--out", out.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: this run would simulate about 1.8e12 events") && stderr.contains("--reps N"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn the_largest_64_bit_seed_is_accepted() {
    let text = "[simulation]\nhorizon = \"30d\"\nreplications = 3\nseed = 18446744073709551615\n[components.a]\nfailure = \"10d\"\nrepair = \"1h\"\n[traffic.api]\nrate = \"1/s\"\n[architectures.one]\napi = [\"a\"]\n";
    let model = relsim::load_str(text, &[]).unwrap();
    assert_eq!(model.seed, u64::MAX);
    let s = relsim::simulate(&model, Some(1)).unwrap();
    assert_eq!(s.seed, u64::MAX);
}

#[test]
fn an_outage_that_never_ends_is_not_a_duration() {
    // Every replication: the first failure comes after 10 days (fixed), and the repair takes
    // 1000 years, so the outage is still open when relsim stops following it, 100 years past
    // the horizon. Its length is unknown: no MTTR, no longest outage, a note with the bound.
    let text = "[simulation]\nhorizon = \"1y\"\nreplications = 5\n[components.a]\nfailure = \"10d\"\nrepair = \"1000y\"\n[traffic.api]\nrate = \"1/s\"\n[architectures.one]\napi = [\"a\"]\n";
    let s = relsim::simulate_str(text, &[], Some(1)).unwrap();
    let c = &s.architectures[0].classes[0];
    assert_eq!(c.mttr_hours.mean.mean, None);
    assert_eq!(c.mttr_hours.median.value, None);
    assert_eq!(c.longest_outage_hours.mean, None);
    // What is measured stays: down from day 10 to the end of the year.
    let a = c.availability.mean.unwrap();
    assert!((a - 10.0 / 365.0).abs() < 1e-9, "{a}");
    assert!(s.notes.iter().any(|n| n.contains("one/api: 5 of 5 outages (the mean is at least 8520 h)") && n.contains("have no known length")), "{:?}", s.notes);
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
}
