//! `relsim fit` as a user runs it: incident files written here (never the shared data, except
//! the tests at the end that read it when it is there), the outputs, `--into`, and every
//! malformed file with exit code 2 and a located message.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use rand::SeedableRng;
use rand_distr::{Distribution, LogNormal, Weibull};
use rand_xoshiro::Xoshiro256PlusPlus;
use relsim::incidents::time::format_time;

fn relsim() -> Command {
    Command::cargo_bin("relsim").expect("the relsim binary is built")
}

/// 2024-01-01T00:00:00Z.
const JAN1: f64 = 19_723.0 * 86_400.0;
const H: f64 = 3_600.0;
/// The observation window of the generated files: 2024-01-01 for 8,000 h.
const WINDOW: &str = "2024-01-01..2024-11-29T08:00:00Z";

/// A long-layout file: for each `(component, seed)`, an alternating history from 2024-01-01
/// with Weibull(0.8, 100 h) up times and lognormal(median 1 h, sigma 1) repairs, up to 8,000 h;
/// an incident still going on then has an empty end.
fn history_csv(components: &[(&str, u64)]) -> String {
    let mut out = String::from("component,start,end,impact\n");
    for &(name, seed) in components {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let (up, repair) = (Weibull::new(100.0, 0.8).unwrap(), LogNormal::new(0.0, 1.0).unwrap());
        let mut t = 0.0;
        loop {
            t += up.sample(&mut rng);
            if t >= 8000.0 {
                break;
            }
            let end = t + repair.sample(&mut rng);
            let end_text = if end >= 8000.0 { String::new() } else { format_time(JAN1 + end * H) };
            out.push_str(&format!("{name},{},{end_text},major\n", format_time(JAN1 + t * H)));
            t = end;
        }
    }
    out
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn fit_prints_the_table_and_writes_fit_json_and_one_plot_per_component() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "hist.csv", &history_csv(&[("API (OpenAI)", 1), ("api.anthropic.com", 2)]));
    let out = dir.path().join("out");
    relsim()
        .arg("fit")
        .arg(&csv)
        .args(["--window", WINDOW, "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("API (OpenAI): 2024-01-01 00:00 to 2024-11-29 08:00 UTC").and(predicate::str::contains("between failures")).and(predicate::str::contains("weibull")))
        .stderr(predicate::str::contains("wrote fit.json and 2 plots (SVG and PNG)"));
    let j = json(&out.join("fit.json"));
    assert_eq!(j["confidence"], 0.95);
    assert_eq!(j["components"][0]["name"], "API (OpenAI)");
    let tbf = &j["components"][0]["time_between_failures"];
    assert_eq!(tbf["fits"].as_array().unwrap().len(), 4);
    // The first up time (from the window's start) is censored, and so is the last.
    assert!(tbf["censored"].as_u64().unwrap() >= 1, "{tbf}");
    let w = &tbf["fits"].as_array().unwrap().iter().find(|f| f["family"] == "weibull").unwrap()["parameters"];
    // About 75 up times from Weibull(0.8, 100 h): the interval holds the truth.
    let (lo, hi) = (w["shape"]["ci_low"].as_f64().unwrap(), w["shape"]["ci_high"].as_f64().unwrap());
    assert!(lo < 0.8 && 0.8 < hi && hi - lo < 0.5, "shape [{lo}, {hi}]");
    let (lo, hi) = (w["scale_hours"]["ci_low"].as_f64().unwrap(), w["scale_hours"]["ci_high"].as_f64().unwrap());
    assert!(lo < 100.0 && 100.0 < hi, "scale [{lo}, {hi}]");
    for stem in ["fit_API_OpenAI", "fit_api.anthropic.com"] {
        let svg = std::fs::read_to_string(out.join(format!("{stem}.svg"))).unwrap_or_default();
        assert!(svg.len() > 5_000 && svg.trim_end().ends_with("</svg>"), "{stem}.svg is not a whole SVG");
        assert!(svg.contains("Weibull probability paper"), "{stem}.svg");
        let png = std::fs::read(out.join(format!("{stem}.png"))).unwrap_or_default();
        let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap_or_else(|e| panic!("{stem}.png: {e}"));
        let mut pixels = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), (1200, 720));
        let distinct: std::collections::HashSet<&[u8]> = pixels.chunks(3).collect();
        assert!(distinct.len() > 20, "{stem}.png has {} colours", distinct.len());
    }
}

#[test]
fn format_toml_prints_snippets_that_load_as_a_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "hist.csv", &history_csv(&[("api", 3)]));
    let assert = relsim().arg("fit").arg(&csv).args(["--window", WINDOW, "--format", "toml", "--no-plots", "--map", "api=openai-api", "--repair-dist", "weibull", "--out"]).arg(dir.path()).assert().success();
    let snippet = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(snippet.contains("[components.openai-api]") && snippet.contains("repair = { dist = \"weibull\""), "{snippet}");
    let scenario = format!("[simulation]\nhorizon = \"1y\"\nreplications = 2\n\n{snippet}\n[traffic.api]\nrate = \"1/s\"\n\n[architectures.direct]\napi = [\"openai-api\"]\n");
    relsim::load_str(&scenario, &[]).unwrap_or_else(|e| panic!("{e}\n{scenario}"));
}

/// A scenario with comments everywhere, for `--into`.
const SCENARIO: &str = "# A scenario to calibrate.\n\
name = \"calibrate-me\"\n\
\n\
[simulation]\n\
horizon = \"1y\"   # one year\n\
replications = 10\n\
\n\
# The provider, typed in by hand so far.\n\
[components.openai-api]\n\
kind = \"provider\"\n\
# times between incidents\n\
failure = { dist = \"exponential\", mean = \"100h\" }   # a guess\n\
repair = \"1h\"\n\
fails = \"hang\"\n\
\n\
[components.\"api.anthropic.com\"]\n\
failure = { dist = \"exponential\", mean = \"90h\" }\n\
repair = { dist = \"exponential\", mean = \"1h\" }\n\
\n\
[traffic.api]\n\
rate = \"10/s\"   # requests\n\
timeout = \"60s\"\n\
\n\
[architectures.direct]\n\
api = [\"openai-api\", \"api.anthropic.com\"]\n";

#[test]
fn into_writes_the_fits_keeping_comments_and_a_backup_and_the_result_loads() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "hist.csv", &history_csv(&[("API", 4), ("api.anthropic.com", 5), ("ChatGPT", 6)]));
    let scenario = write(dir.path(), "s.toml", SCENARIO);
    let out = dir.path().join("out");
    let fit = |extra: &[&str]| {
        let mut c = relsim();
        c.arg("fit").arg(&csv).args(["--window", WINDOW, "--no-plots", "--map", "API=openai-api", "--into"]).arg(&scenario).args(extra).arg("--out").arg(&out);
        c
    };
    fit(&[])
        .assert()
        .success()
        .stderr(predicate::str::contains("kept the old scenario as").and(predicate::str::contains("ChatGPT: no component of that name")).and(predicate::str::contains("checked: it loads")));
    assert_eq!(std::fs::read_to_string(dir.path().join("s.toml.bak")).unwrap(), SCENARIO, "the backup is the file as it was");
    let text = std::fs::read_to_string(&scenario).unwrap();
    for line in SCENARIO.lines().filter(|l| l.contains('#')) {
        let comment = &line[line.find('#').unwrap()..];
        assert!(text.contains(comment), "lost the comment {comment:?}:\n{text}");
    }
    assert!(text.starts_with("# Calibrated by relsim fit (docs/incidents.md) with:\n#   relsim fit "), "{text}");
    assert!(text.contains("--map API=openai-api --into "), "{text}");
    // The values written are fit.json's best fits, exactly as fit.json writes them.
    let j = json(&out.join("fit.json"));
    for (i, comp) in [(0, "openai-api"), (1, "api.anthropic.com")] {
        for (key, set) in [("failure", "time_between_failures"), ("repair", "time_to_repair")] {
            let best = &j["components"][i][set]["fits"][0]["scenario"];
            assert!(text.contains(&format!("{key} = {}", best.as_str().unwrap())), "{comp}.{key}: {best} not in\n{text}");
        }
    }
    assert!(text.contains("fails = \"hang\"") && text.contains("kind = \"provider\""));
    // It loads, and the model has the fitted values (to the 4 significant digits written).
    let loaded = relsim::compile::load(&scenario, &[]).unwrap_or_else(|e| panic!("{e}"));
    let model = loaded.model;
    let api = model.components.iter().find(|c| c.name == "openai-api").unwrap();
    let best = &j["components"][0]["time_between_failures"]["fits"][0];
    let close = |a: f64, b: f64| (a - b).abs() <= 5e-4 * b.abs();
    match (&api.processes[0].failure, best["family"].as_str().unwrap()) {
        (relsim::model::dist::Dist::Weibull { shape, scale, .. }, "weibull") => {
            assert!(close(*shape, best["parameters"]["shape"]["value"].as_f64().unwrap()));
            assert!(close(*scale / H, best["parameters"]["scale_hours"]["value"].as_f64().unwrap()));
        }
        (relsim::model::dist::Dist::LogNormal { mu, sigma }, "lognormal") => {
            assert!(close(mu.exp() / H, best["parameters"]["mu_ln_hours"]["value"].as_f64().unwrap().exp()));
            assert!(close(*sigma, best["parameters"]["sigma"]["value"].as_f64().unwrap()));
        }
        (relsim::model::dist::Dist::Gamma { shape, scale, .. }, "gamma") => {
            assert!(close(*shape, best["parameters"]["shape"]["value"].as_f64().unwrap()));
            assert!(close(*scale / H, best["parameters"]["scale_hours"]["value"].as_f64().unwrap()));
        }
        (relsim::model::dist::Dist::Exponential { mean }, "exponential") => assert!(close(*mean / H, best["parameters"]["mean_hours"]["value"].as_f64().unwrap())),
        (d, f) => panic!("the model has {d:?}, fit.json's best is {f}"),
    }
    // Calibrating again replaces relsim's comments instead of piling them up.
    fit(&[]).assert().success();
    let again = std::fs::read_to_string(&scenario).unwrap();
    assert_eq!(again.matches("# Calibrated by relsim fit").count(), 1, "{again}");
    assert_eq!(again.matches("# fitted by relsim fit:").count(), 4, "{again}");
    assert_eq!(again, text, "the same fit written twice gives the same file");
    // --save-as leaves the scenario alone and writes the copy, with --name.
    let copy = dir.path().join("copy.toml");
    fit(&["--save-as", copy.to_str().unwrap(), "--name", "calibrated-copy", "--repair-dist", "exponential"]).assert().success();
    assert_eq!(std::fs::read_to_string(&scenario).unwrap(), text);
    let copy_text = std::fs::read_to_string(&copy).unwrap();
    assert!(copy_text.contains("name = \"calibrated-copy\"") && copy_text.contains("repair = { dist = \"exponential\""), "{copy_text}");
    for line in SCENARIO.lines().filter(|l| l.starts_with('#')) {
        assert!(copy_text.contains(line), "the copy lost {line:?}:\n{copy_text}");
    }
}

#[test]
fn into_refuses_what_it_cannot_do_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "hist.csv", &history_csv(&[("API", 4)]));
    let scenario = write(dir.path(), "s.toml", SCENARIO);
    let run = |args: &[&str]| {
        let mut c = relsim();
        c.arg("fit").arg(&csv).args(["--window", WINDOW, "--no-plots", "-q", "--out"]).arg(dir.path().join("out")).args(args).arg("--into").arg(&scenario);
        c.assert()
    };
    run(&["--map", "API=openai-apj"]).code(2).stderr(predicate::str::contains("has no component openai-apj").and(predicate::str::contains("did you mean openai-api?")));
    run(&["--map", "APX=openai-api"]).code(2).stderr(predicate::str::contains("the incident file has no component APX"));
    run(&["--map", "API"]).code(2).stderr(predicate::str::contains("is not CSVNAME=COMPONENT"));
    run(&["--map", "API=openai-api,API=x"]).code(2).stderr(predicate::str::contains("API is mapped twice"));
    run(&[]).code(2).stderr(predicate::str::contains("no component of the incident file is a component of the scenario"));
    let two = write(dir.path(), "two.csv", &history_csv(&[("API", 4), ("ChatGPT", 6)]));
    relsim()
        .arg("fit")
        .arg(&two)
        .args(["--window", WINDOW, "--no-plots", "-q", "--map", "API=openai-api,ChatGPT=openai-api", "--out"])
        .arg(dir.path().join("out"))
        .arg("--into")
        .arg(&scenario)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("API and ChatGPT would both be written into components.openai-api"));
    let modes = SCENARIO
        .replace("failure = { dist = \"exponential\", mean = \"100h\" }   # a guess\nrepair = \"1h\"\n", "")
        .replace("fails = \"hang\"\n", "fails = \"hang\"\n\n[components.openai-api.modes.crash]\nfailure = \"100h\"\nrepair = \"1h\"\n");
    std::fs::write(&scenario, &modes).unwrap();
    run(&["--map", "API=openai-api"]).code(2).stderr(predicate::str::contains("has failure modes").and(predicate::str::contains("was not changed")));
    assert_eq!(std::fs::read_to_string(&scenario).unwrap(), modes);
    assert!(!dir.path().join("s.toml.bak").exists());
}

#[test]
fn few_incidents_get_the_exponential_and_none_a_bound() {
    let dir = tempfile::tempdir().unwrap();
    let text = "component,start,end,observed_from,observed_to\n\
                rare,2024-02-01 10:00,2024-02-01 12:00,2024-01-01,2025-01-01\n\
                rare,2024-06-01 10:00,2024-06-01 11:00,,\n\
                rare,2024-09-01 10:00,2024-09-01 10:30,,\n\
                never,,,2024-01-01,2025-01-01\n";
    let csv = write(dir.path(), "few.csv", text);
    relsim()
        .arg("fit")
        .arg(&csv)
        .args(["--no-plots", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .success()
        .stderr(predicate::str::contains("rare: time between failures: only 2 observed (fewer than 5): the exponential alone is fitted"))
        // No failure in 366 days = 8,784 h: the mean is above 8784 / ln 20 = 2932 h.
        .stderr(predicate::str::contains("never: time between failures: nothing observed in 8784 h; the mean is above 2932 h at 95%"))
        .stdout(predicate::str::contains("nothing observed: mean > 2932 h (95% one-sided)"));
    let assert = relsim().arg("fit").arg(&csv).args(["--no-plots", "--format", "toml", "--out"]).arg(dir.path().join("out")).assert().success();
    let toml = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(toml.contains("# failure = { dist = \"exponential\", mean = \"122.2d\" }"), "{toml}");
    // The plots say so instead of failing.
    relsim().arg("fit").arg(&csv).arg("--out").arg(dir.path().join("plots")).assert().success();
    assert!(std::fs::read_to_string(dir.path().join("plots/fit_never.svg")).unwrap().contains("nothing observed"));
}

#[test]
fn malformed_files_exit_2_with_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let ok = "component,start,end\napi,2024-01-01 10:00,2024-01-01 11:00\n";
    let wide = "id,API,investigating_timestamp,resolved_timestamp\na,1,2024-01-01 10:00,2024-01-01 11:00\n";
    let wide_args = ["--wide", "--services", "API", "--start", "investigating_timestamp", "--end", "resolved_timestamp"];
    let cases: Vec<(&str, String, Vec<&str>, &str, &str)> = vec![
        ("a bad time", "component,start,end\napi,2024-01-01 10:00,2024-01-01 11:00\napi,2024-01-01 25:00,\n".into(), vec![], "bad.csv:3:5", "start: `2024-01-01 25:00` is not a time"),
        ("an end before its start", "component,start,end\napi,2024-01-02 10:00,2024-01-01 11:00\n".into(), vec![], "bad.csv:2:22", "ends (2024-01-01T11:00:00Z) before it starts"),
        ("a missing column", "component,begin,end\napi,2024-01-01 10:00,2024-01-01 11:00\n".into(), vec![], "bad.csv:1:1", "no `start` column"),
        ("a short row", format!("{ok}api,2024-01-02 10:00\n"), vec![], "bad.csv:3:1", "2 values but the header has 3 columns"),
        ("an empty component", format!("{ok},2024-01-02 10:00,2024-01-02 11:00\n"), vec![], "bad.csv:3:1", "the component is empty"),
        ("an open incident without a window end", "component,start,end\napi,2024-01-01 10:00,\n".into(), vec![], "bad.csv:2:22", "still going on"),
        ("an unknown service column", wide.into(), vec!["--wide", "--services", "APi2", "--start", "investigating_timestamp", "--end", "resolved_timestamp"], "--services:1:1", "no column `APi2`"),
        ("a flag that is not 0 or 1", wide.replace("a,1,", "a,x,"), wide_args.to_vec(), "bad.csv:2:3", "API: `x` is not 0 or 1"),
        ("a bad window", ok.into(), vec!["--window", "2024-01-01..2024-01-32"], "--window:1:13", "not a time"),
        ("a window that ends first", ok.into(), vec!["--window", "2024-02-01..2024-01-01"], "--window:1:1", "before it starts"),
        ("an empty file", String::new(), vec![], "bad.csv:1:1", "no header row"),
    ];
    for (what, text, args, location, message) in cases {
        let csv = write(dir.path(), "bad.csv", &text);
        let out = relsim().current_dir(dir.path()).arg("fit").arg("bad.csv").args(&args).args(["--out", "out"]).assert().code(2);
        let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(location) && stderr.contains(message) && stderr.contains("help:"), "{what}: expected {location} and {message:?} with a hint in:\n{stderr}");
        assert!(out.get_output().stdout.is_empty(), "{what}: printed results");
        let _ = std::fs::remove_file(csv);
    }
    relsim().arg("fit").arg(dir.path().join("missing.csv")).assert().code(2).stderr(predicate::str::contains("cannot read the incident file"));
    std::fs::write(dir.path().join("latin1.csv"), b"component,start,end\ncaf\xe9,2024-01-01,2024-01-02\n").unwrap();
    relsim().arg("fit").arg(dir.path().join("latin1.csv")).assert().code(2).stderr(predicate::str::contains("is not UTF-8"));
    relsim().current_dir(dir.path()).args(["fit", "x.csv", "--confidence", "1.5"]).assert().code(2).stderr(predicate::str::contains("strictly between 0 and 1"));
    relsim().args(["fit", "x.csv", "--services", "API"]).assert().code(2).stderr(predicate::str::contains("--wide"));
}

// ---- The public ICPE'25 data, when it is there. ---------------------------------------------

/// `llm-incidents-2024/incident_stages.csv` beside the repository (`../shared`) or beside the
/// worktrees (`../../shared`), if present.
fn public_data() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared/data/llm-incidents-2024", "../../shared/data/llm-incidents-2024"].iter().map(|p| root.join(p)).find(|p| p.join("incident_stages.csv").is_file())
}

/// The options that read the data set's wide layout.
const WIDE: [&str; 8] = ["--wide", "--services", "API,api.anthropic.com", "--start", "investigating_timestamp,identified_timestamp,monitoring_timestamp,resolved_timestamp", "--end", "resolved_timestamp", "--no-plots"];

#[test]
fn the_public_data_gives_the_figures_of_its_readme() {
    let Some(data) = public_data() else {
        eprintln!("skipping: ../shared/data/llm-incidents-2024 is not here (looked beside the repository and the worktrees)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    relsim().arg("fit").arg(data.join("incident_stages.csv")).args(WIDE).arg("--out").arg(dir.path()).assert().success();
    let j = json(&dir.path().join("fit.json"));
    let fit = |c: usize, set: &str, family: &str| j["components"][c][set]["fits"].as_array().unwrap().iter().find(|f| f["family"] == family).unwrap().clone();
    let value = |f: &serde_json::Value, p: &str| f["parameters"][p]["value"].as_f64().unwrap();
    // (component index, README median h and count, lognormal mu and sigma, Weibull k and scale h)
    for (c, name, median, count, mu, sigma, k, scale) in [(0, "API", 1.24, 222, 0.22, 1.17, 0.65, 95.0), (1, "api.anthropic.com", 0.77, 72, -0.18, 1.39, 0.67, 93.0)] {
        let comp = &j["components"][c];
        assert_eq!(comp["name"], name);
        // The README counts incidents with a recovery time before any merging: the merged
        // incidents plus those merged into them, less the zero-length ones.
        let incidents = comp["incidents"].as_u64().unwrap() + comp["merged"].as_u64().unwrap() - comp["zero_length"].as_u64().unwrap();
        assert_eq!(incidents, count, "{name}: incidents with a recovery time");
        // Recovery: the lognormal's median and parameters. Anthropic's incidents never overlap,
        // so its figures are the README's to rounding; OpenAI's 12 merged incidents move them
        // by a few percent (docs/incidents.md).
        let ln = fit(c, "time_to_repair", "lognormal");
        let tol = if c == 0 { 0.05 } else { 0.01 };
        assert!((value(&ln, "mu_ln_hours") - mu).abs() <= tol, "{name}: mu {} vs {mu}", value(&ln, "mu_ln_hours"));
        assert!((value(&ln, "sigma") - sigma).abs() <= tol, "{name}: sigma {} vs {sigma}", value(&ln, "sigma"));
        let fitted = ln["median_hours"]["value"].as_f64().unwrap();
        assert!((fitted / median - 1.0).abs() < 0.1, "{name}: the lognormal's median {fitted} vs the README's empirical {median}");
        // Time between failures: the README's Weibull is fitted to the times between starts;
        // relsim fits up times (end of one incident to the start of the next), which are
        // shorter by the repair times: within 0.05 in shape and 15 % in scale.
        let w = fit(c, "time_between_failures", "weibull");
        assert!((value(&w, "shape") - k).abs() <= 0.05, "{name}: k {} vs {k}", value(&w, "shape"));
        assert!((value(&w, "scale_hours") / scale - 1.0).abs() <= 0.15, "{name}: scale {} vs {scale}", value(&w, "scale_hours"));
    }
    // The empirical medians themselves, from the reader: Anthropic's 72 recoveries have the
    // README's median exactly (0.77 h is 46 min); OpenAI's, after merging, within 5 %.
    for (service, median, tol) in [("api.anthropic.com", 0.7667, 1e-3), ("API", 1.24, 0.05 * 1.24)] {
        let options = relsim::incidents::IncidentArgs {
            wide: true,
            services: vec![service.into()],
            start_columns: WIDE[4].split(',').map(String::from).collect(),
            end_column: Some("resolved_timestamp".into()),
            ..Default::default()
        };
        let log = relsim::incidents::read(&data.join("incident_stages.csv"), &options.to_options()).unwrap();
        let mut d: Vec<f64> = log.components[0].incidents.iter().filter_map(|i| i.end.map(|e| (e - i.start) / H)).filter(|d| *d > 0.0).collect();
        d.sort_by(f64::total_cmp);
        let m = if d.len() % 2 == 0 { (d[d.len() / 2 - 1] + d[d.len() / 2]) / 2.0 } else { d[d.len() / 2] };
        eprintln!("{service}: {} recoveries, median {m:.4} h", d.len());
        assert!((m - median).abs() < tol, "{service}: median {m} vs {median}");
    }
}

#[test]
fn the_shipped_calibrated_scenario_loads_without_warnings_and_runs() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/gateway-failover-fitted.toml");
    let loaded = relsim::compile::load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.warnings.is_empty(), "{}", relsim::diagnostic::render(&loaded.sources, &loaded.warnings, false));
    let mut model = loaded.model;
    assert_eq!(model.name, "gateway-failover-fitted");
    model.replications = 20;
    let s = relsim::simulate(&model, Some(2)).unwrap();
    assert_eq!(s.architectures.len(), 2);
}

#[test]
fn the_shipped_calibrated_scenario_is_what_its_command_writes() {
    let Some(data) = public_data() else {
        eprintln!("skipping: ../shared/data/llm-incidents-2024 is not here (looked beside the repository and the worktrees)");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = std::fs::read_to_string(root.join("scenarios/gateway-failover-fitted.toml")).unwrap();
    let command = shipped.lines().nth(1).and_then(|l| l.strip_prefix("#   relsim fit ")).expect("the second line holds the command");
    // Lay the repository out as the command expects (../shared beside it) in a temporary folder.
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join("scenarios")).unwrap();
    std::fs::create_dir_all(tmp.path().join("shared/data")).unwrap();
    std::os::unix::fs::symlink(data.canonicalize().unwrap(), tmp.path().join("shared/data/llm-incidents-2024")).unwrap();
    std::fs::copy(root.join("scenarios/gateway-failover.toml"), repo.join("scenarios/gateway-failover.toml")).unwrap();
    let args = shell_words(command);
    relsim().current_dir(&repo).arg("fit").args(&args).arg("-q").assert().success();
    let target = args.iter().position(|a| a == "--save-as").map(|i| args[i + 1].clone()).expect("--save-as in the command");
    assert_eq!(std::fs::read_to_string(repo.join(target)).unwrap(), shipped, "scenarios/gateway-failover-fitted.toml differs from what its command writes now");
}

/// Splits a command line as a POSIX shell would for the quoting relsim writes (single quotes).
fn shell_words(s: &str) -> Vec<String> {
    let (mut words, mut cur, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in s.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(cur);
    }
    words
}
