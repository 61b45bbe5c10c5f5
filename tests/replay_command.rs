//! `relsim replay` as a user runs it: hand-computed figures of small generated traces, the
//! shipped trace of 2026-03-02, the public incident data when it is present, and every mistake
//! in the names as a located error with exit code 2.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn relsim() -> Command {
    Command::cargo_bin("relsim").expect("the relsim binary is built")
}

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).display().to_string()
}

/// Three providers, two of them combined three ways, all of them in series.
const THREE: &str = r#"
[simulation]
horizon = "1y"
replications = 20
seed = 3

[components.pa]
failure = { dist = "exponential", mean = "5h" }
repair = { dist = "exponential", mean = "5h" }

[components.pb]
failure = { dist = "exponential", mean = "5h" }
repair = { dist = "exponential", mean = "5h" }

[components.pc]
failure = { dist = "exponential", mean = "5h" }
repair = { dist = "exponential", mean = "5h" }

[components.spare]
failure = { dist = "exponential", mean = "5h" }
repair = { dist = "exponential", mean = "5h" }

[routes.ab]
any = ["pa", "pb"]

[traffic.api]
rate = "1/s"
cost_per_hour_down = 10

[architectures.any-ab]
api = ["ab"]

[architectures.all-abc]
api = ["pa", "pb", "pc"]
"#;

/// In hours from 2024-01-01T00:00Z, over a window of 100 h:
///   Provider A: [10, 15) and [12, 20) (overlapping: merged into [10, 20)), [50, 60);
///   pb: [15, 25), [55, 56), [80, 85);
///   pc: [0, 2), [18, 19), [55.5, 70), and from 90 on, still open at the window's end.
const TRACE: &str = "component,start,end,impact,observed_from,observed_to
Provider A,2024-01-01 10:00,2024-01-01 15:00,major,2024-01-01,2024-01-05T04:00:00Z
Provider A,2024-01-01 12:00,2024-01-01 20:00,minor,2024-01-01,2024-01-05T04:00:00Z
Provider A,2024-01-03 02:00,2024-01-03 12:00,major,2024-01-01,2024-01-05T04:00:00Z
pb,2024-01-01T15:00:00Z,2024-01-02T01:00:00Z,major,2024-01-01,2024-01-05T04:00:00Z
pb,2024-01-03 07:00,2024-01-03 08:00,partial,2024-01-01,2024-01-05T04:00:00Z
pb,2024-01-04 08:00,2024-01-04 13:00,major,2024-01-01,2024-01-05T04:00:00Z
pc,2024-01-01 00:00,2024-01-01 02:00,major,2024-01-01,2024-01-05T04:00:00Z
pc,2024-01-01 18:00,2024-01-01 19:00,major,2024-01-01,2024-01-05T04:00:00Z
pc,2024-01-03 07:30,2024-01-03 22:00,major,2024-01-01,2024-01-05T04:00:00Z
pc,2024-01-04 18:00,,major,2024-01-01,2024-01-05T04:00:00Z
";

/// Writes `files` into a fresh folder.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Runs a replay with `--format json` and returns the summary.
fn replay_json(args: &[&str]) -> Value {
    let out = tempfile::tempdir().unwrap();
    let a = relsim().arg("replay").args(args).args(["--format", "json", "--no-plots", "-q", "--out"]).arg(out.path()).assert().success();
    serde_json::from_slice(&a.get_output().stdout).expect("valid JSON")
}

fn class<'a>(json: &'a Value, arch: &str) -> &'a Value {
    let a = json["architectures"].as_array().unwrap().iter().find(|a| a["name"] == arch).unwrap_or_else(|| panic!("no {arch}"));
    &a["classes"][0]
}

#[track_caller]
fn exactly(v: &Value, expected: f64) {
    for end in ["mean", "ci_low", "ci_high"] {
        let x = v[end].as_f64().unwrap_or_else(|| panic!("{end} of {v}"));
        assert!((x - expected).abs() <= 1e-9 * expected.abs().max(1.0), "{end} is {x}, expected exactly {expected} ({v})");
    }
}

#[test]
fn a_small_trace_gives_the_hand_computed_overlaps_and_availability() {
    let dir = folder(&[("three.toml", THREE), ("trace.csv", TRACE)]);
    let p = |f: &str| dir.path().join(f).display().to_string();
    let json = replay_json(&[&p("three.toml"), "--trace", &p("trace.csv"), "--map", "Provider A=pa"]);
    let r = &json["replay"];
    assert_eq!(r["window"]["start"], "2024-01-01T00:00:00Z");
    assert_eq!(r["window"]["end"], "2024-01-05T04:00:00Z");
    assert_eq!(r["window"]["hours"], 100.0);
    assert_eq!(json["horizon_hours"], 100.0);
    // Per traced component: incidents after merging, merged, open at the end, hours down.
    //   pa: [10, 20) ∪ [50, 60): 2 incidents (one merged), 20 h;
    //   pb: 10 + 1 + 5 = 16 h in 3;  pc: 2 + 1 + 14.5 + 10 = 27.5 h in 4, one still open.
    let traced = r["traced"].as_array().unwrap();
    let row = |name: &str| traced.iter().find(|t| t["component"] == name).unwrap_or_else(|| panic!("{name} not traced"));
    for (name, incidents, merged, open, hours) in [("pa", 2, 1, 0, 20.0), ("pb", 3, 0, 0, 16.0), ("pc", 4, 0, 1, 27.5)] {
        let t = row(name);
        assert_eq!((t["incidents"].as_u64(), t["merged"].as_u64(), t["open_at_end"].as_u64()), (Some(incidents), Some(merged), Some(open)), "{name}: {t}");
        assert!((t["down_hours"].as_f64().unwrap() - hours).abs() < 1e-9, "{name}: {t}");
    }
    assert_eq!(row("pa")["source_name"], "Provider A");
    assert!(row("pb")["source_name"].is_null());
    // Down together:
    //   pa ∩ pb = [15, 20) ∪ [55, 56): 6 h in 2 episodes; 6/20 = 0.3 of pa's, 6/16 = 0.375 of pb's;
    //   pa ∩ pc = [18, 19) ∪ [55.5, 60): 5.5 h in 2; 5.5/20 = 0.275, 5.5/27.5 = 0.2;
    //   pb ∩ pc = [18, 19) ∪ [55.5, 56): 1.5 h in 2; 1.5/16 = 0.09375, 1.5/27.5;
    //   all three = [18, 19) ∪ [55.5, 56): 1.5 h in 2.
    let overlaps = r["overlaps"].as_array().unwrap();
    let expected = [(["pa", "pb"], 6.0, [0.3, 0.375]), (["pa", "pc"], 5.5, [0.275, 0.2]), (["pb", "pc"], 1.5, [0.09375, 1.5 / 27.5])];
    assert_eq!(overlaps.len(), 3);
    for (o, (names, hours, shares)) in overlaps.iter().zip(expected) {
        assert_eq!(o["components"], serde_json::json!(names));
        assert!((o["hours"].as_f64().unwrap() - hours).abs() < 1e-9, "{o}");
        assert_eq!(o["episodes"], 2, "{o}");
        for (k, s) in shares.iter().enumerate() {
            assert!((o["share_of_downtime"][k].as_f64().unwrap() - s).abs() < 1e-12, "{o}");
        }
    }
    let all = &r["all_at_once"];
    assert_eq!(all["components"], serde_json::json!(["pa", "pb", "pc"]));
    assert!((all["hours"].as_f64().unwrap() - 1.5).abs() < 1e-9 && all["episodes"] == 2, "{all}");
    // Every component is traced, so every replication is the same:
    //   any-ab is down on pa ∩ pb: 6 h of 100 in 2 outages (MTTR 3 h);
    //   all-abc on pa ∪ pb ∪ pc = [0, 2) ∪ [10, 25) ∪ [50, 70) ∪ [80, 85) ∪ [90, 100): 52 h in 5
    //   outages (MTTR 10.4 h), the last one cut at the window's end.
    let any = class(&json, "any-ab");
    exactly(&any["availability"], 0.94);
    exactly(&any["outages_per_year"], 2.0 * 87.6);
    exactly(&any["mttr_hours"], 3.0);
    let all_abc = class(&json, "all-abc");
    exactly(&all_abc["availability"], 0.48);
    exactly(&all_abc["outages_per_year"], 5.0 * 87.6);
    exactly(&all_abc["mttr_hours"], 10.4);
    // Over the window (not per year): hours down, outages and cost (10 per hour down).
    let window = r["over_window"].as_array().unwrap();
    let w = window.iter().find(|w| w["architecture"] == "all-abc").unwrap();
    exactly(&w["downtime_hours"], 52.0);
    exactly(&w["outages"], 5.0);
    exactly(&w["cost"], 520.0);
    assert_eq!(r["fully_traced"].as_array().map(Vec::len), Some(2));
    assert!(r["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("still open at the window's end are cut there")));
}

#[test]
fn the_table_and_report_show_the_replay_and_results_do_not_depend_on_threads() {
    let dir = folder(&[("three.toml", &THREE.replace("[components.pc]", "[components.region]\nfailure = { dist = \"exponential\", mean = \"50h\" }\nrepair = \"3h\"\n\n[components.pc]\nwithin = \"region\"")), ("trace.csv", TRACE)]);
    let p = |f: &str| dir.path().join(f).display().to_string();
    let out = tempfile::tempdir().unwrap();
    let run = |threads: &str| {
        let a = relsim()
            .args(["replay", &p("three.toml"), "--trace", &p("trace.csv"), "--map", "Provider A=pa", "--reps", "300", "--threads", threads, "--out"])
            .arg(out.path())
            .assert()
            .success();
        (String::from_utf8(a.get_output().stdout.clone()).unwrap(), String::from_utf8(a.get_output().stderr.clone()).unwrap(), std::fs::read(out.path().join("summary.json")).unwrap())
    };
    let (table, stderr, one) = run("1");
    let (_, _, two) = run("2");
    assert_eq!(one, two, "summary.json differs between 1 and 2 threads");
    for part in ["Replay of", "traced component", "Provider A", "Traced components down together", "pa + pb", "all of pa, pb, pc", "Over the window (not per year)", "Replay: the horizon of every replication is the observation window"] {
        assert!(table.contains(part), "the table lacks {part:?}:\n{table}");
    }
    assert!(stderr.contains("`pc` follows its record but is within `region`, which is sampled"), "{stderr}");
    let report = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    for part in ["## Replayed history", "### Down together", "| pa + pb | 6.00 | 2 |", "### Over the window", "relsim replay ", "--map 'Provider A=pa'"] {
        assert!(report.contains(part), "report.md lacks {part:?}");
    }
    let timeline = std::fs::read_to_string(out.path().join("timeline.svg")).unwrap();
    assert!(timeline.contains("pa (recorded)") && timeline.contains("the replayed window 2024-01-01 to 2024-01-05 04:00"), "the timeline does not show the record");
}

#[test]
fn the_shipped_trace_of_2026_03_02_replays_login_down_and_the_api_up() {
    let json = replay_json(&[&repo("scenarios/claude-2026-03-02.toml"), "--trace", &repo("scenarios/traces/claude-2026-03-02.csv"), "--reps", "200"]);
    // Login is down from 11:49 UTC to the end of the recorded day (its end is not in the
    // record): 24 h − 11 h 49 min = 12 h 11 min = 12.18333 h, one outage; `web` depends only on
    // traced components (claude-web, claude-login, anthropic-api), so in both architectures it
    // is exactly down that long, whatever is sampled.
    let down = 24.0 - (11.0 + 49.0 / 60.0);
    for arch in ["direct", "gateway"] {
        let a = json["architectures"].as_array().unwrap().iter().find(|a| a["name"] == arch).unwrap();
        let web = &a["classes"][0];
        assert_eq!(web["name"], "web");
        exactly(&web["availability"], 1.0 - down / 24.0);
        exactly(&web["mttr_hours"], down);
        // Requests follow the office-hours profile (hour h has weight profile[h]; they sum to
        // 23.9): down from 11:49 is 11/60 of hour 11 (1.8) plus hours 12 to 23 (13.8):
        // 14.13 of 23.9 of the day's requests fail.
        exactly(&web["request_success"], 1.0 - (1.8 * 11.0 / 60.0 + 13.8) / 23.9);
        // `api` needs our own region and app, which are sampled; the API itself stayed up.
        let api = &a["classes"][1];
        assert_eq!(api["name"], "api");
        let (lo, hi) = (api["availability"]["ci_low"].as_f64().unwrap(), api["availability"]["ci_high"].as_f64().unwrap());
        assert!(lo < hi && lo > 0.98, "api availability interval [{lo}, {hi}]");
    }
    let r = &json["replay"];
    let login = r["traced"].as_array().unwrap().iter().find(|t| t["component"] == "claude-login").unwrap();
    assert!((login["down_hours"].as_f64().unwrap() - down).abs() < 1e-9 && login["open_at_end"] == 1, "{login}");
    assert_eq!(r["never_down"], serde_json::json!(["claude-identity", "claude-web", "claude-api-keys", "anthropic-api"]));
    assert_eq!(r["overlaps"].as_array().map(Vec::len), Some(0));
}

#[test]
fn names_the_scenario_does_not_have_are_located_errors() {
    let dir = folder(&[("three.toml", THREE), ("trace.csv", TRACE)]);
    let p = |f: &str| dir.path().join(f).display().to_string();
    let fail = |extra: &[&str]| {
        let a = relsim().args(["replay", &p("three.toml"), "--trace", &p("trace.csv"), "--no-plots", "-q"]).args(extra).assert().code(2);
        String::from_utf8(a.get_output().stderr.clone()).unwrap()
    };
    // Without --map, `Provider A` is not a component: the error points at its first row.
    let e = fail(&[]);
    assert!(e.contains("the scenario has no component `Provider A`") && e.contains("trace.csv:2:1") && e.contains("--map 'Provider A=COMPONENT'"), "{e}");
    // A typo in --map's target, and a name the file does not have.
    let e = fail(&["--map", "Provider A=pz,Provider B=pb"]);
    assert!(e.contains("--map: the scenario has no component `pz`") && e.contains("--map:1:12"), "{e}");
    assert!(e.contains("--map: the incident file") && e.contains("has no component `Provider B`") && e.contains("did you mean `Provider A`?"), "{e}");
    // Two names of the file for one component.
    let e = fail(&["--map", "Provider A=pb"]);
    assert!(e.contains("`Provider A` and `pb` of the incident file are both the component `pb`") && e.contains("trace.csv:5:1"), "{e}");
    // A row the reader cannot read is its error, with exit 2 too.
    let bad = folder(&[("three.toml", THREE), ("trace.csv", "component,start,end\npa,2024-01-01 10:00,2024-02-30 11:00\n")]);
    let a = relsim().args(["replay", &bad.path().join("three.toml").display().to_string(), "--trace", &bad.path().join("trace.csv").display().to_string(), "-q"]).assert().code(2);
    let e = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(e.contains("trace.csv:2:"), "{e}");
}

#[test]
fn an_unused_traced_component_is_a_warning_and_disjoint_windows_an_error() {
    let trace = "component,start,end,observed_from,observed_to\npa,2024-01-01 10:00,2024-01-01 11:00,2024-01-01,2024-01-02\nspare,2024-01-01 10:00,2024-01-01 11:00,2024-01-01,2024-01-02\n";
    let dir = folder(&[("three.toml", THREE), ("trace.csv", trace)]);
    let p = |f: &str| dir.path().join(f).display().to_string();
    let out = tempfile::tempdir().unwrap();
    let a = relsim().args(["replay", &p("three.toml"), "--trace", &p("trace.csv"), "--no-plots", "--reps", "5", "-q", "--out"]).arg(out.path()).assert().success();
    let e = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(e.contains("warning: `spare` is in the incident file, but no architecture uses it"), "{e}");
    let disjoint = "component,start,end,observed_from,observed_to\npa,2024-01-01 10:00,2024-01-01 11:00,2024-01-01,2024-01-02\npb,2024-02-01 10:00,2024-02-01 11:00,2024-02-01,2024-02-02\n";
    std::fs::write(dir.path().join("trace.csv"), disjoint).unwrap();
    let a = relsim().args(["replay", &p("three.toml"), "--trace", &p("trace.csv"), "-q"]).assert().code(2);
    let e = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(e.contains("were never observed at the same time") && e.contains("--window START..END"), "{e}");
}

/// The public incident data, where it is (a worktree sits one level deeper than the main
/// checkout).
fn shared_data() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared/data/llm-incidents-2024/incident_stages.csv", "../../shared/data/llm-incidents-2024/incident_stages.csv"].iter().map(|p| root.join(p)).find(|p| p.is_file())
}

/// Seconds since 1970 of `YYYY-MM-DD HH:MM:SS+00:00` (the data's only format), by the civil
/// calendar (days from civil, Howard Hinnant's algorithm), independent of relsim's reader.
fn epoch(s: &str) -> f64 {
    let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap_or_else(|_| panic!("bad time {s}"));
    assert!(s.len() >= 19 && (s.len() == 19 || s.ends_with("+00:00")), "unexpected time {s}");
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (days * 86_400 + n(11..13) * 3_600 + n(14..16) * 60 + n(17..19)) as f64
}

/// One service's incidents in `[w0, w1)`, clipped and merged, as the issue defines them: start
/// at the first non-empty stage timestamp, end at `resolved_timestamp` (empty: still going on).
fn service_down(rows: &[csv::StringRecord], header: &csv::StringRecord, service: &str, w0: f64, w1: f64) -> Vec<(f64, f64)> {
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (svc, resolved) = (col(service), col("resolved_timestamp"));
    let stages: Vec<usize> = ["investigating_timestamp", "identified_timestamp", "monitoring_timestamp", "resolved_timestamp"].iter().map(|c| col(c)).collect();
    let mut down: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| &r[svc] == "1")
        .filter_map(|r| {
            let start = stages.iter().map(|&c| &r[c]).find(|v| !v.is_empty())?;
            let end = if r[resolved].is_empty() { w1 } else { epoch(&r[resolved]) };
            let (s, e) = (epoch(start).max(w0), end.min(w1));
            (s < e).then_some((s, e))
        })
        .collect();
    down.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (s, e) in down {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

#[test]
fn the_public_data_replayed_through_gateway_failover_has_the_overlap_computed_independently() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data/llm-incidents-2024 is not present (looked beside and above the crate)");
        return;
    };
    let json = replay_json(&[
        &repo("scenarios/gateway-failover.toml"),
        "--trace",
        &data.display().to_string(),
        "--wide",
        "--services",
        "API,api.anthropic.com",
        "--start",
        "investigating_timestamp,identified_timestamp,monitoring_timestamp,resolved_timestamp",
        "--end",
        "resolved_timestamp",
        "--window",
        "2023-09-01..2024-09-01",
        "--map",
        "API=openai-api,api.anthropic.com=anthropic-api",
        "--reps",
        "4",
    ]);
    let mut reader = csv::Reader::from_path(&data).unwrap();
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let (w0, w1) = (epoch("2023-09-01 00:00:00"), epoch("2024-09-01 00:00:00"));
    assert_eq!(w1 - w0, 366.0 * 86_400.0, "2024 is a leap year");
    let openai = service_down(&rows, &header, "API", w0, w1);
    let anthropic = service_down(&rows, &header, "api.anthropic.com", w0, w1);
    let mut both = Vec::new();
    for &(s1, e1) in &openai {
        for &(s2, e2) in &anthropic {
            let (s, e) = (s1.max(s2), e1.min(e2));
            if s < e {
                both.push((s, e));
            }
        }
    }
    let hours = |v: &[(f64, f64)]| v.iter().map(|(s, e)| e - s).sum::<f64>() / 3600.0;
    let r = &json["replay"];
    assert_eq!(r["window"]["hours"], 8784.0);
    let traced = r["traced"].as_array().unwrap();
    for (name, down) in [("openai-api", &openai), ("anthropic-api", &anthropic)] {
        let t = traced.iter().find(|t| t["component"] == name).unwrap();
        assert_eq!(t["incidents"].as_u64(), Some(down.len() as u64), "{name}: {t}");
        assert!((t["down_hours"].as_f64().unwrap() - hours(down)).abs() < 1e-6, "{name}: {t} against {} h", hours(down));
    }
    let o = &r["overlaps"][0];
    assert_eq!(o["components"], serde_json::json!(["anthropic-api", "openai-api"]));
    assert_eq!(o["episodes"].as_u64(), Some(both.len() as u64), "{o}");
    assert!((o["hours"].as_f64().unwrap() - hours(&both)).abs() < 1e-6, "{o} against {} h", hours(&both));
    // As the data's README says, the two providers are rarely down together: a few percent of
    // either one's down time.
    for k in 0..2 {
        let share = o["share_of_downtime"][k].as_f64().unwrap();
        assert!(share > 0.0 && share < 0.1, "{o}");
    }
    eprintln!("public data 2023-09-01..2024-09-01: OpenAI API {} incidents, {:.2} h; Anthropic API {}, {:.2} h; together {:.2} h in {} episodes", openai.len(), hours(&openai), anthropic.len(), hours(&anthropic), hours(&both), both.len());
}
