//! Rare events (`--rare`): the importance-sampling estimates of unavailability, outage
//! frequency and mean time to first outage against closed forms worked out by hand and against
//! the exact engine, from 1e-4 down to 1e-10; the honesty of their intervals over many seeds;
//! and the command line (auto, on, off, refusals, determinism, shards, the shipped
//! five-nines scenario).

use std::path::Path;

use assert_cmd::Command;
use relsim::analytic::{analyze, Options};
use relsim::model::Model;
use relsim::rare::{estimate_architecture, Mode, Settings};
use relsim::stats::rare::{ClassRare, RareFigure};

fn model(text: &str) -> Model {
    relsim::load_str(text, &[]).unwrap_or_else(|e| panic!("scenario does not load:\n{e}"))
}

fn estimate(m: &Model, arch: usize, precision: f64) -> Vec<ClassRare> {
    let settings = Settings { mode: Mode::On, precision };
    estimate_architecture(m, arch, &settings, Some(2)).unwrap_or_else(|e| panic!("{}: {e}", m.architectures[arch].name)).classes
}

#[track_caller]
fn assert_contains(what: &str, f: &RareFigure, exact: f64, max_relative: f64) {
    let e = &f.estimate;
    let (lo, hi) = (e.ci_low.expect("an interval"), e.ci_high.expect("an interval"));
    assert!(lo <= exact && exact <= hi, "{what}: [{lo:e}, {hi:e}] (mean {:e}) does not contain {exact:e}", e.mean.unwrap_or(f64::NAN));
    let r = f.relative_half_width.expect("a relative half-width");
    assert!(r <= max_relative, "{what}: relative half-width {r} above {max_relative}");
}

/// Exponential failure and repair by their means, plus extra lines.
fn component(name: &str, failure: &str, repair: &str, extra: &str) -> String {
    format!("[components.{name}]\nfailure = {{ dist = \"exponential\", mean = \"{failure}\" }}\nrepair = {{ dist = \"exponential\", mean = \"{repair}\" }}\n{extra}\n")
}

/// 99.9 % intervals and a fixed seed: with many intervals in one test, a 95 % one would miss
/// now and then; the relative half-width checks keep the test sharp.
fn header(seed: u64) -> String {
    format!("[simulation]\nhorizon = \"1y\"\nseed = {seed}\nconfidence = 0.999\n\n[traffic.api]\nrate = \"1/s\"\n\n")
}

/// Three providers in `any`, each failing every `mean` with a one-hour repair.
fn any_of_three(mean: &str, seed: u64) -> String {
    let mut t = header(seed);
    for p in ["a", "b", "c"] {
        t.push_str(&component(p, mean, "1h", ""));
    }
    t.push_str("[routes.llm]\nany = [\"a\", \"b\", \"c\"]\n\n[architectures.three]\napi = [\"llm\"]\n");
    t
}

#[test]
fn any_of_three_providers_matches_its_closed_forms_down_to_1e_10() {
    // λ = 1/720 per hour (30 days), μ = 1 per hour: each provider is down q = λ/(λ+μ) = 1/721 of
    // the time, independently, so U = (1/721)³ = 1/374,805,361 = 2.66805e-9. Outages begin when
    // the last one fails; in the steady state they end at rate 3μ, so ν = 3μU = 8.00415e-9 per
    // hour = 7.01164e-5 per year. Time to first outage: the number down is a birth-death chain
    // (up rates 3λ, 2λ, λ; down rates μ, 2μ); the mean time to go from k to k+1 down is
    // t_k = (1 + kμ·t_(k−1)) / ((3−k)λ): t₀ = 240 h, t₁ = 241·360 = 86,760 h,
    // t₂ = (1 + 2·86,760)·720 = 124,935,120 h, in all 125,022,120 h.
    let m = model(&any_of_three("30d", 11));
    let r = &estimate(&m, 0, 0.1)[0];
    assert_contains("unavailability", &r.unavailability, 1.0 / 374_805_361.0, 0.1);
    assert_contains("outages per year", &r.outages_per_year, 3.0 * 8760.0 / 374_805_361.0, 0.15);
    assert_contains("time to first outage", &r.time_to_first_outage_hours, 125_022_120.0, 0.15);
    assert!(r.target_met && r.cycles >= 1024 && r.plain_cycles >= 1024);
    // The exact engine agrees with the same closed forms (its mean time to first outage solves
    // a stiff system: 10⁸ h from rates of 1/h).
    let e = analyze(&m, &Options::default()).archs[0].clone().unwrap();
    assert!(((1.0 - e.classes[0].availability) * 374_805_361.0 - 1.0).abs() < 1e-6);
    assert!((e.classes[0].mttff_hours.unwrap() / 125_022_120.0 - 1.0).abs() < 1e-9, "{:?}", e.classes[0].mttff_hours);

    // Every 2000 h instead: q = 1/2001, U = 1/2001³ = 1/8,012,006,001 = 1.24813e-10 and
    // ν = 3μU = 3.74438e-10 per hour = 3.28008e-6 per year.
    let m = model(&any_of_three("2000h", 12));
    let r = &estimate(&m, 0, 0.1)[0];
    assert_contains("unavailability", &r.unavailability, 1.0 / 8_012_006_001.0, 0.1);
    assert_contains("outages per year", &r.outages_per_year, 3.0 * 8760.0 / 8_012_006_001.0, 0.15);
}

#[test]
fn a_two_of_five_pool_and_a_shared_crew_match_their_closed_forms() {
    // A pool of 5 units that needs 2: each unit fails every 99 h and is repaired in 1 h, so it
    // is down q = 0.01 of the time, independently (no crew). Down with 4 or 5 units down:
    // U = 5q⁴(1−q) + q⁵ = 4.95e-8 + 1e-10 = 4.96e-8. Outages begin when the fourth unit fails,
    // from 3 down at rate 2λ: ν = C(5,3)q³(1−q)² · 2λ = 9.801e-6 · 2/99 = 1.98e-7 per hour =
    // 1.73448e-3 per year.
    let mut t = header(21);
    t.push_str(&component("pool", "99h", "1h", "count = 5\nneed = 2"));
    t.push_str("[architectures.pool]\napi = [\"pool\"]\n");
    let r = &estimate(&model(&t), 0, 0.1)[0];
    assert_contains("unavailability", &r.unavailability, 4.96e-8, 0.1);
    assert_contains("outages per year", &r.outages_per_year, 1.98e-7 * 8760.0, 0.15);

    // Two units in `any` sharing one repairer, λ = 0.001/h, μ = 0.1/h: states 0, 1, 2 down with
    // rates 2λ, λ up and μ, μ down, so π ∝ (1, 2λ/μ, 2λ²/μ²) and
    // U = 2λ²/(μ² + 2λμ + 2λ²) = 2e-6/0.010202 = 1.96040e-4; ν = π₁λ = 2λ²μ/0.010202 =
    // 1.96040e-5 per hour = 0.171731 per year; time to first outage (3λ + μ)/(2λ²) = 51,500 h.
    let mut t = header(22);
    t.push_str("[crews.ops]\nsize = 1\n\n");
    t.push_str(&component("a", "1000h", "10h", "crew = \"ops\""));
    t.push_str(&component("b", "1000h", "10h", "crew = \"ops\""));
    t.push_str("[routes.both]\nany = [\"a\", \"b\"]\n\n[architectures.crew]\napi = [\"both\"]\n");
    let r = &estimate(&model(&t), 0, 0.05)[0];
    assert_contains("unavailability", &r.unavailability, 2e-6 / 0.010202, 0.05);
    assert_contains("outages per year", &r.outages_per_year, 2e-7 / 0.010202 * 8760.0, 0.08);
    assert_contains("time to first outage", &r.time_to_first_outage_hours, 51_500.0, 0.08);
}

/// Architectures from about 1e-3 to 1e-10 mixing what the chain supports: k-of-n pools, any
/// of three providers, shared crews, detection, regions, a failover whose switch can fail,
/// cold standby, and two classes.
const MIXED: &str = r#"
[crews.ops]
size = 1

[components.region-a]
failure = { dist = "exponential", mean = "200d" }
repair = { dist = "exponential", mean = "4h" }

[components.region-b]
failure = { dist = "exponential", mean = "200d" }
repair = { dist = "exponential", mean = "4h" }

[components.gw-a]
within = "region-a"
failure = { dist = "exponential", mean = "30d" }
detect = { dist = "exponential", mean = "5m" }
repair = { dist = "exponential", mean = "30m" }
crew = "ops"

[components.gw-b]
within = "region-b"
failure = { dist = "exponential", mean = "30d" }
detect = { dist = "exponential", mean = "5m" }
repair = { dist = "exponential", mean = "30m" }
crew = "ops"

[components.gpu]
failure = { dist = "exponential", mean = "10d" }
repair = { dist = "exponential", mean = "2h" }
count = 6
need = 3

[components.p1]
failure = { dist = "exponential", mean = "30d" }
repair = { dist = "exponential", mean = "1h" }
crew = "ops"

[components.p2]
failure = { dist = "exponential", mean = "25d" }
repair = { dist = "exponential", mean = "2h" }
crew = "ops"

[components.p3]
failure = { dist = "exponential", mean = "40d" }
repair = { dist = "exponential", mean = "1h" }
crew = "ops"

[components.spare-1]
failure = { dist = "exponential", mean = "20d" }
repair = { dist = "exponential", mean = "3h" }
crew = "ops"

[components.spare-2]
failure = { dist = "exponential", mean = "20d" }
repair = { dist = "exponential", mean = "3h" }
crew = "ops"

[components.gw-pool]
failure = { dist = "exponential", mean = "60d" }
repair = { dist = "exponential", mean = "15m" }
count = 3
need = 1
crew = "ops"

[routes.gateways]
failover = ["gw-a", "gw-b"]
switch_success = 0.95

[routes.providers]
any = ["p1", "p2", "p3"]

[routes.cold]
failover = ["spare-1", "spare-2"]
standby = "cold"
switch_success = 0.9

[routes.two-of-three]
k_of_n = { need = 2, of = ["p1", "p2", "p3"] }

[traffic.web]
rate = "1/s"

[architectures.gateways-and-gpus]
api = ["gateways", "gpu"]
web = ["gpu"]

[architectures.three-providers-one-crew]
api = ["providers"]
web = ["providers", "gpu"]

[architectures.gateway-pool]
api = ["gw-pool"]
web = ["gw-pool", "two-of-three"]

[architectures.cold-pair]
api = ["cold"]
web = ["two-of-three"]
"#;

#[test]
fn estimates_agree_with_the_exact_engine_from_1e_4_to_1e_10() {
    let text = format!("{}{MIXED}", header(31));
    let m = model(&text);
    let analysis = analyze(&m, &Options { max_states: 50_000, mttff: true, birnbaum: false });
    let mut seen = Vec::new();
    for (a, arch) in m.architectures.iter().enumerate() {
        let exact = analysis.archs[a].as_ref().unwrap_or_else(|e| panic!("{}: {e}", arch.name));
        for (c, r) in estimate(&m, a, 0.1).iter().enumerate() {
            let e = &exact.classes[c];
            let what = format!("{}/{}", arch.name, m.classes[c].name);
            let u = 1.0 - e.availability;
            seen.push(u);
            assert_contains(&format!("{what} unavailability"), &r.unavailability, u, 0.1);
            assert_contains(&format!("{what} outages"), &r.outages_per_year, e.frequency.unwrap() * 8760.0, 0.2);
            if let Some(t) = e.mttff_hours {
                assert_contains(&format!("{what} time to first outage"), &r.time_to_first_outage_hours, t, 0.2);
            }
        }
    }
    // The span the issue asks for.
    let (lo, hi) = seen.iter().fold((1.0f64, 0.0f64), |(lo, hi), &u| (lo.min(u), hi.max(u)));
    assert!(lo < 1e-10 && hi > 1e-4, "unavailabilities from {lo:e} to {hi:e}");
}

/// The coverage test's models: any of three providers at three rarities, a 2-of-5 pool, a
/// shared crew, and the mixed architectures above (whose exact values come from the engine).
fn coverage_models() -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for mean in ["30d", "2000h", "300h"] {
        out.push((any_of_three(mean, 0), 0, 0));
    }
    let mut t = header(0);
    t.push_str(&component("pool", "99h", "1h", "count = 5\nneed = 2"));
    t.push_str("[architectures.pool]\napi = [\"pool\"]\n");
    out.push((t, 0, 0));
    let text = format!("{}{MIXED}", header(0));
    out.push((text.clone(), 0, 0));
    out.push((text.clone(), 1, 1));
    out.push((text.clone(), 2, 0));
    out.push((text, 2, 1));
    out
}

/// Coverage of `seeds` estimates per model of [`coverage_models`] to ±10 % at 95 %: (estimates,
/// unavailability intervals containing the exact value, the same for outages per year and for
/// the mean time to first outage (of those with an exact one), the root mean square of the
/// errors in units of the claimed standard error, the mean relative half-width).
fn coverage(seeds: u64) -> (u32, u32, u32, u32, u32, f64, f64) {
    let (mut tried, mut covered, mut covered_nu, mut covered_t, mut have_t) = (0, 0, 0, 0, 0);
    let (mut z2, mut claimed) = (0.0, 0.0);
    for (text, arch, class) in coverage_models() {
        let base = model(&text);
        let exact = analyze(&base, &Options { max_states: 50_000, mttff: true, birnbaum: false }).archs[arch].clone().unwrap();
        let e = &exact.classes[class];
        let u = 1.0 - e.availability;
        for seed in 0..seeds {
            let m = Model { seed: 1000 + seed, confidence: 0.95, ..base.clone() };
            let r = estimate(&m, arch, 0.1)[class].clone();
            tried += 1;
            covered += r.unavailability.estimate.contains(u) as u32;
            covered_nu += r.outages_per_year.estimate.contains(e.frequency.unwrap() * 8760.0) as u32;
            if let Some(t) = e.mttff_hours {
                have_t += 1;
                covered_t += r.time_to_first_outage_hours.estimate.contains(t) as u32;
            }
            // (estimate − exact) in units of the claimed standard error.
            let se = r.unavailability.estimate.half_width().unwrap() / 1.96;
            z2 += ((r.unavailability.estimate.mean.unwrap() - u) / se).powi(2);
            claimed += r.unavailability.relative_half_width.unwrap();
        }
    }
    let rms_z = (z2 / tried as f64).sqrt();
    eprintln!(
        "rare coverage: unavailability {covered} of {tried} ({:.1} %), outages {covered_nu} of {tried}, time to first outage {covered_t} of {have_t}; rms standardized error {rms_z:.2}; mean relative half-width {:.3}",
        100.0 * covered as f64 / tried as f64,
        claimed / tried as f64
    );
    (tried, covered, covered_nu, covered_t, have_t, rms_z, claimed / tried as f64)
}

/// Over 200 estimates (8 models × 25 seeds, each to ±10 %), the 95 % intervals of the
/// unavailability contain the exact value about 95 % of the time: within the binomial
/// tolerance of 200 draws (190 ± 2.6 standard deviations of 3.1, so 182 to 198). The reported
/// relative half-width is honest too: the errors, in units of the claimed standard error, have
/// a root mean square near 1. Last run: see docs/validation.md.
#[test]
fn intervals_cover_the_exact_value_at_their_level_over_many_seeds() {
    let (tried, covered, covered_nu, covered_t, have_t, rms_z, _) = coverage(25);
    assert_eq!(tried, 200);
    assert!((182..=198).contains(&covered), "{covered} of {tried} intervals contain the exact unavailability");
    assert!(covered_nu as f64 >= 0.9 * tried as f64, "{covered_nu} of {tried} outage-frequency intervals");
    assert!(covered_t as f64 >= 0.9 * have_t as f64, "{covered_t} of {have_t} time-to-first-outage intervals");
    assert!((0.8..1.25).contains(&rms_z), "rms standardized error {rms_z}");
}

/// The same over 2,000 estimates (250 seeds per model): `cargo test --release --test main
/// rare::long_coverage -- --ignored --nocapture` (about 15 seconds). Binomial tolerance of
/// 2,000 draws at 95 %: 1,900 ± 2.6 · 9.7, so 1,874 to 1,926.
#[test]
#[ignore]
fn long_coverage() {
    let (tried, covered, covered_nu, covered_t, have_t, rms_z, _) = coverage(250);
    assert_eq!(tried, 2000);
    assert!((1874..=1926).contains(&covered), "{covered} of {tried} intervals contain the exact unavailability");
    assert!(covered_nu as f64 >= 0.92 * tried as f64 && covered_t as f64 >= 0.92 * have_t as f64);
    assert!((0.85..1.15).contains(&rms_z), "rms standardized error {rms_z}");
}

#[test]
fn models_outside_the_chain_are_refused_with_the_key() {
    let base = any_of_three("30d", 1);
    let cases = [
        (base.replace("mean = \"30d\" }\nrepair = { dist = \"exponential\", mean = \"1h\" }\n\n[components.b]", "mean = \"30d\" }\nrepair = { dist = \"lognormal\", median = \"1h\", sigma = 1.0 }\n\n[components.b]"), "components.a.repair is lognormal"),
        (base.replace("any = [\"a\", \"b\", \"c\"]", "failover = [\"a\", \"b\", \"c\"]\nswitchover = \"30s\""), "routes.llm.switchover"),
        (base.replace("any = [\"a\", \"b\", \"c\"]", "failover = [\"a\", \"b\", \"c\"]\nretries = 1"), "routes.llm.retries"),
        (base.replace("rate = \"1/s\"", "rate = \"1/s\"\ntimeout = \"30s\""), "traffic.api.timeout"),
        (base.replace("[routes.llm]", "[components.d]\nfailure = { dist = \"exponential\", mean = \"9d\" }\nrepair = { dist = \"exponential\", mean = \"1h\" }\nrequires = [\"a\"]\ngrace = \"5m\"\n\n[routes.llm]").replace("any = [\"a\", \"b\", \"c\"]", "any = [\"d\", \"b\", \"c\"]"), "components.d.grace"),
    ];
    for (text, key) in cases {
        let m = model(&text);
        let e = estimate_architecture(&m, 0, &Settings::default(), Some(1)).err().unwrap_or_else(|| panic!("{key}: accepted"));
        assert!(e.contains(key), "{e:?} does not name {key}");
    }
}

// ---- The command line. -------------------------------------------------------------------

fn relsim() -> Command {
    let mut c = Command::cargo_bin("relsim").expect("the relsim binary is built");
    c.env("NO_COLOR", "1");
    c
}

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).display().to_string()
}

fn five_nines(out: &Path, extra: &[&str]) -> std::process::Output {
    relsim().args([&repo("scenarios/five-nines.toml"), "--no-plots", "--out"]).arg(out).args(extra).output().unwrap()
}

fn json(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

fn class_json<'a>(v: &'a serde_json::Value, arch: &str) -> &'a serde_json::Value {
    let a = v["architectures"].as_array().unwrap().iter().find(|a| a["name"] == arch).unwrap_or_else(|| panic!("no {arch}"));
    &a["classes"][0]
}

/// The shipped five-nines scenario: three providers active-active behind a replicated
/// gateway. Crude simulation sees (almost) no outage of the three-provider design; `--rare
/// auto`, the default, says so and estimates it, and the report shows the estimate with the
/// exact value beside it.
#[test]
fn five_nines_reports_the_rare_event_estimate_beside_the_exact_value() {
    let dir = tempfile::tempdir().unwrap();
    let o = five_nines(dir.path(), &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(stderr.contains("so --rare auto estimated three-providers by importance sampling"), "{stderr}");
    let v = json(dir.path());
    let one = class_json(&v, "one-provider");
    assert!(one.get("rare").is_none(), "a dozen outages a year need no importance sampling");
    let three = class_json(&v, "three-providers");
    let u = &three["rare"]["unavailability"];
    let (mean, lo, hi, exact) = (u["mean"].as_f64().unwrap(), u["ci_low"].as_f64().unwrap(), u["ci_high"].as_f64().unwrap(), u["exact"].as_f64().unwrap());
    assert!(lo <= exact && exact <= hi, "[{lo:e}, {hi:e}] vs {exact:e}");
    assert!((1e-9..1e-7).contains(&exact) && u["relative_half_width"].as_f64().unwrap() <= 0.1, "{u}");
    assert!(three["rare"]["target_met"].as_bool().unwrap() && mean > 0.0);
    // The crude estimate stays what it was.
    assert!(three["availability"]["mean"].as_f64().unwrap() > 1.0 - 1e-6);
    let report = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(report.contains("## Rare events (importance sampling)"), "report.md has no rare-event section");
    assert!(report.contains("- chat, rare events (importance sampling, steady state): down `three-providers` "), "the answer does not give the rare-event estimate");
    let row = report.lines().find(|l| l.starts_with("| three-providers | chat |") && l.contains(" plain |")).unwrap_or_else(|| panic!("no rare row in report.md"));
    assert!(row.contains(&format!("exact {exact:.4e}")), "{row}");
    let csv = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("three-providers,chat,rare.unavailability,")), "summary.csv has no rare rows");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("Rare events (importance sampling)") && stdout.contains("rare events: three-providers/chat had"), "{stdout}");
    // An architecture with many outages per replication but few in all (five replications:
    // two providers failing every two days have about 12 outages a year) is left to crude
    // simulation, with nothing said.
    let o = five_nines(&dir.path().join("few"), &["--reps", "5", "--set", "components.openai-api.failure.mean=2d", "--set", "components.anthropic-api.failure.mean=2d"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && !stderr.contains("two-providers/chat had") && stderr.contains("three-providers/chat had"), "{stderr}");
}

#[test]
fn rare_events_are_bit_identical_for_any_thread_count_and_off_means_off() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two, off) = (dir.path().join("one"), dir.path().join("two"), dir.path().join("off"));
    assert!(five_nines(&one, &["--threads", "1", "--reps", "200", "--rare", "on"]).status.success());
    assert!(five_nines(&two, &["--threads", "2", "--reps", "200", "--rare", "on"]).status.success());
    let read = |d: &Path| std::fs::read_to_string(d.join("summary.json")).unwrap();
    assert_eq!(read(&one), read(&two));
    // `on` estimates even the one-provider design, whose outages are not rare.
    assert!(class_json(&json(&one), "one-provider").get("rare").is_some());
    let o = five_nines(&off, &["--reps", "200", "--rare", "off"]);
    assert!(o.status.success());
    assert!(!read(&off).contains("\"rare\""), "--rare off wrote rare-event estimates");
}

#[test]
fn rare_on_refuses_models_that_do_not_qualify_and_bad_precisions() {
    let o = relsim().args([&repo("scenarios/multicloud.toml"), "--rare", "on", "--reps", "5", "--no-plots", "-q"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--rare on: no architecture qualifies") && stderr.contains("single-provider: components."), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let o = five_nines(dir.path(), &["--rare-precision", "1.5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--rare-precision 1.5: give a fraction between 0 and 1"));
}

#[test]
fn shards_merged_estimate_rare_events_as_one_run_does() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = ["--reps", "120", "--rare-precision", "0.2", "-q"];
    assert!(five_nines(&d.join("one"), &args).status.success());
    for k in ["1/2", "2/2"] {
        let part = d.join(format!("part{}", &k[..1]));
        assert!(five_nines(&part, &[&args[..], &["--shard", k]].concat()).status.success());
    }
    let o = relsim().args(["merge"]).arg(d.join("part1")).arg(d.join("part2")).args(["--no-plots", "-q", "--out"]).arg(d.join("merged")).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |x: &str| std::fs::read_to_string(d.join(x).join("summary.json")).unwrap();
    assert_eq!(read("one"), read("merged"));
    assert!(read("merged").contains("\"rare\""));
}
