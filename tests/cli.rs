//! The `relsim` command as a user runs it.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

const SCENARIO: &str = "scenarios/gateway-failover.toml";

fn relsim() -> Command {
    Command::cargo_bin("relsim").expect("the relsim binary is built")
}

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).display().to_string()
}

#[test]
fn file_alone_runs_and_writes_every_output() {
    let out = tempfile::tempdir().unwrap();
    relsim()
        .args([&repo(SCENARIO), "--reps", "50", "--out"])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("gateway-failover").and(predicate::str::contains("availability")))
        .stderr(predicate::str::contains("wrote summary.json, summary.csv, report.md"));
    for f in ["summary.json", "summary.csv", "report.md"] {
        let len = std::fs::metadata(out.path().join(f)).map(|m| m.len()).unwrap_or(0);
        assert!(len > 100, "{f} missing or empty");
    }
    let report = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    for part in ["# gateway-failover", "## The answer", "## Plots", "![Availability](availability.png)", "## Assumptions", "| seed | 11 |", "| replications | 50 per architecture |", "## Results per architecture and class", "relsim run", "--reps 50", "request_success is the fraction of requests answered rightly"] {
        assert!(report.contains(part), "report.md lacks {part:?}");
    }
    for plot in ["availability", "downtime_cdf", "outage_durations", "timeline", "cost", "cost_tradeoff"] {
        let svg = std::fs::read_to_string(out.path().join(format!("{plot}.svg"))).unwrap_or_default();
        assert!(svg.len() > 5_000 && svg.contains("<svg") && svg.trim_end().ends_with("</svg>"), "{plot}.svg is not a whole SVG ({} bytes)", svg.len());
        let png = std::fs::read(out.path().join(format!("{plot}.png"))).unwrap_or_default();
        assert!(png.len() > 20_000, "{plot}.png is only {} bytes", png.len());
        let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap_or_else(|e| panic!("{plot}.png does not decode: {e}"));
        let mut pixels = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let info = reader.next_frame(&mut pixels).unwrap_or_else(|e| panic!("{plot}.png does not decode: {e}"));
        assert!(info.width >= 1000 && info.height >= 500, "{plot}.png is {}x{}", info.width, info.height);
        let distinct: std::collections::HashSet<&[u8]> = pixels.chunks(info.line_size / info.width as usize).collect();
        assert!(distinct.len() > 20, "{plot}.png has {} colours", distinct.len());
    }
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 6, "report.html inlines the six plots");
}

#[test]
fn no_plots_writes_no_plots_and_the_report_links_none() {
    let out = tempfile::tempdir().unwrap();
    relsim().args([&repo(SCENARIO), "--reps", "20", "--no-plots", "--out"]).arg(out.path()).assert().success();
    let names: Vec<String> = std::fs::read_dir(out.path()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.ends_with(".png") && !n.ends_with(".svg")), "{names:?}");
    let report = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(!report.contains("## Plots") && !report.contains(".png"));
}

#[test]
fn default_output_folder_is_output_slash_stem() {
    let cwd = tempfile::tempdir().unwrap();
    relsim().current_dir(cwd.path()).args([&repo(SCENARIO), "--reps", "10", "--quiet"]).assert().success().stderr("");
    assert!(cwd.path().join("output/gateway-failover/summary.json").exists());
}

#[test]
fn json_on_stdout_is_summary_json() {
    let out = tempfile::tempdir().unwrap();
    let assert = relsim().args(["run", &repo(SCENARIO), "--reps", "40", "--format", "json", "--out"]).arg(out.path()).assert().success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
    assert_eq!(json["scenario"], "gateway-failover");
    assert_eq!(json["seed"], 11);
    assert_eq!(json["replications"], 40);
    let class = &json["architectures"][1]["classes"][0];
    assert_eq!(json["architectures"][1]["name"], "gateway-failover");
    assert_eq!(class["name"], "chat");
    for metric in ["availability", "request_success", "downtime_hours_per_year", "outages_per_year", "blips_per_year", "mttr_hours", "mtbf_hours", "longest_outage_hours", "cost_per_year"] {
        for field in ["mean", "ci_low", "ci_high"] {
            assert!(class[metric][field].is_number(), "{metric}.{field}");
        }
    }
    assert!(class["mttr_hours"]["median"]["value"].is_number());
    assert!(class["mttr_hours"]["p90"]["ci_high"].is_number());
    for metric in ["cost_per_year", "sla_breach_probability", "sla_credits_per_year"] {
        assert!(json["architectures"][1][metric]["mean"].is_number(), "{metric}");
    }
    assert_eq!(stdout, std::fs::read_to_string(out.path().join("summary.json")).unwrap());
}

#[test]
fn csv_and_markdown_formats() {
    let out = tempfile::tempdir().unwrap();
    let a = relsim().args([&repo(SCENARIO), "--reps", "20", "--format", "csv", "--out"]).arg(out.path()).assert().success();
    let csv = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    assert!(csv.starts_with("architecture,class,metric,mean,ci_low,ci_high,exact\n"));
    assert!(csv.contains("gateway-failover,chat,availability,"));
    assert!(csv.contains("gateway-failover,,sla_breach_probability,"));
    assert!(csv.contains("gateway-failover,chat,downtime_share[openai-api],"));
    assert!(csv.contains("direct,chat,birnbaum[aws-us-east-1],"));
    assert!(csv.lines().all(|l| l.split(',').count() == 7), "every row has 7 fields");
    // Per architecture: 19 class metrics, 2 rows per component the class depends on (direct: 4,
    // gateway-failover: 6), 10 architecture metrics (3 SLA and failure cost, 7 costs); plus the
    // header; plus the paired differences of the one pair of architectures (downtime of the
    // class; failure, running and total cost); plus the decision (5 rows for the one
    // architecture that is not the baseline).
    assert_eq!(csv.lines().count(), 1 + (19 + 2 * 4 + 10) + (19 + 2 * 6 + 10) + 4 + 5);
    assert!(csv.contains("direct,chat,downtime_hours_per_year.minus[gateway-failover],"));
    assert!(csv.contains("direct,,total_cost_per_year.minus[gateway-failover],"));
    assert!(csv.contains("gateway-failover,,net_benefit_per_year.vs[direct],"));
    assert!(csv.contains("gateway-failover,,break_even_cost_per_hour_down.vs[direct],"));
    relsim()
        .args([&repo(SCENARIO), "--reps", "20", "--format", "md", "--out"])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::starts_with("# gateway-failover\n"));
}

#[test]
fn thread_count_gives_byte_identical_json() {
    let out = tempfile::tempdir().unwrap();
    let run = |threads: &str| {
        let a = relsim()
            .args([&repo("scenarios/multicloud.toml"), "--reps", "200", "--format", "json", "--threads", threads, "--out"])
            .arg(out.path())
            .assert()
            .success();
        a.get_output().stdout.clone()
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn set_seed_and_reps_override_the_file() {
    let out = tempfile::tempdir().unwrap();
    let a = relsim()
        .args([&repo(SCENARIO), "--format", "json", "--seed", "99", "--set", "simulation.replications=30", "--set", "components.gateway.repair.median=5m", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(json["seed"], 99);
    assert_eq!(json["replications"], 30);
    let report = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(report.contains("--set components.gateway.repair.median=5m"), "the reproduce command keeps overrides");
}

#[test]
fn validate_checks_without_running() {
    let cwd = tempfile::tempdir().unwrap();
    relsim()
        .current_dir(cwd.path())
        .args(["validate", &repo("scenarios/multicloud.toml")])
        .assert()
        .success()
        .stdout(predicate::str::contains("valid").and(predicate::str::contains("3 architectures")));
    assert!(!cwd.path().join("output").exists(), "validate writes nothing");
}

#[test]
fn bad_input_exits_2_with_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[simulation]\nhorizon = 8760\n\n[components.a]\nfailure = \"30d\"\nrepair = \"1h\"\n\n[traffic.api]\nrate = \"1/s\"\n\n[architectures.x]\napi = [\"a\"]\n").unwrap();
    for sub in [&["validate"][..], &["run"][..], &[][..]] {
        relsim()
            .args(sub)
            .arg(&bad)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("bad.toml:2:11").and(predicate::str::contains("help:")).and(predicate::str::contains("a bare number is not a duration")));
    }
    relsim().arg(dir.path().join("missing.toml")).assert().code(2).stderr(predicate::str::contains("cannot read scenario"));
    relsim().args([&repo(SCENARIO), "--reps", "1"]).assert().code(2).stderr(predicate::str::contains("at least 2 replications"));
    relsim().args([&repo(SCENARIO), "--threads", "0"]).assert().code(2);
    relsim().args([&repo(SCENARIO), "--format", "xml"]).assert().code(2);
    relsim().args([&repo(SCENARIO), "--set", "simulation.replicatons=3"]).assert().code(2).stderr(predicate::str::contains("did you mean `replications`?"));
}

#[test]
fn an_unwritable_output_folder_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    relsim().args([&repo(SCENARIO), "--reps", "5", "--out"]).arg(&file).assert().code(1).stderr(predicate::str::contains("--out DIR"));
}

#[test]
fn help_and_version() {
    relsim().arg("--help").assert().success().stdout(predicate::str::contains("relsim FILE"));
    relsim().arg("--version").assert().success().stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
    relsim().assert().code(2);
}

#[test]
fn precision_flags_are_checked() {
    for (args, message) in [
        (vec!["--max-reps", "100"], "--max-reps caps a precision target"),
        (vec!["--precision=0"], "give a positive half-width"),
        (vec!["--rel-precision", "0.1", "--metric", "mttr_hour"], "did you mean --metric mttr_hours"),
        (vec!["--precision", "0.1", "--rel-precision", "0.1"], "cannot be used with"),
    ] {
        relsim().arg(repo(SCENARIO)).args(&args).arg("--no-plots").assert().code(2).stderr(predicate::str::contains(message));
    }
}

#[test]
fn baseline_names_the_architecture_the_decision_compares_with() {
    let out = tempfile::tempdir().unwrap();
    relsim()
        .args([&repo(SCENARIO), "--reps", "5", "--no-plots", "--baseline", "gateway", "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--baseline gateway: no architecture named `gateway`").and(predicate::str::contains("did you mean `gateway-failover`?")));
    let o = relsim().args([&repo(SCENARIO), "--reps", "20", "--no-plots", "--format", "json", "--baseline", "gateway-failover", "--out"]).arg(out.path()).assert().success();
    let json: serde_json::Value = serde_json::from_slice(&o.get_output().stdout).unwrap();
    assert_eq!(json["decision"]["baseline"], "gateway-failover");
    assert_eq!(json["decision"]["architectures"][0]["architecture"], "direct");
    let report = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(report.contains("--baseline gateway-failover"), "the reproduce command keeps the baseline");
    assert!(report.contains("against the baseline `gateway-failover`"), "{report}");
    // Without --baseline, the first architecture is the baseline, and the table says what the
    // other one is worth against it.
    let o = relsim().args([&repo(SCENARIO), "--reps", "20", "--no-plots", "--out"]).arg(out.path()).assert().success();
    let table = String::from_utf8_lossy(&o.get_output().stdout).into_owned();
    assert!(table.contains("against the baseline direct"), "{table}");
    assert!(table.contains("break-even") || table.contains("never pays") || table.contains("at any price"), "{table}");
}
