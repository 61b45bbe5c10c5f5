//! The shipped scenarios load, run, and say what the issue promises; the provider calibration
//! matches the public incident data when it is present (../shared/data, skipped otherwise).

use std::path::{Path, PathBuf};

use relsim::model::dist::Dist;
use relsim::model::{Model, NodeKind};
use relsim::compile::load;

/// The scenarios whose providers carry the hand calibration on the public incident data
/// (gateway-failover-fitted carries `relsim fit`'s, checked in tests/fit_cli.rs; five-nines has
/// exponential whole-provider outages).
const CALIBRATED: [&str; 4] = ["single-provider", "gateway-failover", "multicloud", "claude-2026-03-02"];

/// Every scenario shipped in `scenarios/` (not the validation ones in `scenarios/checks/`), by
/// file stem: a new scenario is covered without being listed here.
fn shipped() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert!(names.len() >= 7, "scenarios/ holds {names:?}");
    names
}

fn model(name: &str) -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.toml"));
    match load(&path, &[]) {
        Ok(l) => {
            assert!(l.warnings.is_empty(), "{name} has warnings:\n{}", relsim::diagnostic::render(&l.sources, &l.warnings, false));
            l.model
        }
        Err(e) => panic!("{name} does not load:\n{}", e.render(false)),
    }
}

#[test]
fn shipped_scenarios_load_without_warnings_and_run() {
    for name in shipped() {
        let name = name.as_str();
        let mut m = model(name);
        m.replications = 20;
        let s = relsim::simulate(&m, Some(2)).unwrap();
        assert_eq!(s.architectures.len(), m.architectures.len());
        for a in &s.architectures {
            for c in &a.classes {
                let av = c.availability.mean.unwrap();
                // Five nines and beyond can see no outage in 20 replications.
                assert!(av > 0.9 && av <= 1.0, "{name}/{}/{}: availability {av}", a.name, c.name);
            }
        }
    }
}

#[test]
fn multicloud_compares_the_three_designs_the_issue_asks_for() {
    let m = model("multicloud");
    assert!(m.architectures.len() >= 3);
    let names: Vec<&str> = m.classes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["web", "api"]);
    let kinds: Vec<&str> = m.components.iter().filter_map(|c| c.kind.as_deref()).collect();
    for k in ["region", "gpu_cluster", "network", "gateway", "auth", "provider"] {
        assert!(kinds.contains(&k), "no {k}");
    }
    assert!(m.components.iter().any(|c| c.count > 1 && c.need < c.count), "GPU clusters are pools");
    assert!(m.components.iter().any(|c| c.grace > 0.0 && !c.requires.is_empty()), "token checking rides out auth outages");
    let has_failover = |a: &str| {
        m.architectures.iter().find(|x| x.name == a).is_some_and(|x| x.nodes.iter().any(|n| matches!(n.kind, NodeKind::Failover(_))))
    };
    assert!(has_failover("gateway-failover"));
    let s = relsim::simulate(&Model { replications: 300, ..m.clone() }, Some(2)).unwrap();
    let avail = |arch: &str, class: &str| {
        s.architectures.iter().find(|a| a.name == arch).unwrap().classes.iter().find(|c| c.name == class).unwrap().availability.mean.unwrap()
    };
    // Web needs auth in one region in every design; API rides out short auth outages.
    assert!(avail("multicloud-active-active", "api") > avail("multicloud-active-active", "web"));
    assert!(avail("gateway-failover", "api") > avail("single-provider", "api"));
    // Its [[slo]] entries hold, so `relsim check` on the shipped example exits 0 (the file's
    // comment gives the figures at its 1000 replications; 300 widen the intervals and still pass).
    let checks = relsim::slo::evaluate(&m, &s);
    assert!(checks.len() >= 3);
    for c in &checks {
        assert!(c.holds(), "multicloud: FAIL {}", c.line());
    }
    // It prints the decision: both designs pay for themselves against the single provider at
    // its prices; the self-served one costs more to run, so it breaks even at a price of its own.
    use relsim::stats::decision::{Pays, PaysWhen};
    let d = s.decision.as_ref().expect("a decision");
    assert_eq!(d.baseline, "single-provider");
    for c in &d.architectures {
        assert_eq!(c.pays, Pays::Yes, "{} pays", c.architecture);
        assert!(c.extra_running_cost_per_year.ci_low.unwrap() > 0.0, "{} costs more to run", c.architecture);
    }
    let mc = s.comparison(2).unwrap();
    assert_eq!(mc.break_even.pays_when, PaysWhen::Above);
    assert!(mc.break_even.cost_per_hour_down.ci_high.unwrap() < d.cost_per_hour_down);
    let answer = relsim::report::answer::verdicts(&s, &|n| n.to_string()).join("\n");
    assert!(answer.contains("multicloud-active-active pays for itself against the baseline single-provider") && answer.contains("breaks even at"), "{answer}");
}

#[test]
fn shipped_scenarios_say_what_each_design_costs_to_run() {
    for name in shipped() {
        let name = name.as_str();
        let m = model(name);
        assert!(m.costs.any(), "{name} has no running costs");
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.toml"))).unwrap();
        // Every cost figure says where it comes from.
        for line in text.lines().filter(|l| l.trim_start().starts_with("running_cost") || l.trim_start().starts_with("cost_per_request")) {
            let commented = line.contains('#') || text.lines().zip(text.lines().skip(1)).any(|(prev, l)| l == line && prev.trim_start().starts_with('#'));
            assert!(commented, "{name}: `{line}` has no source comment");
        }
    }
}

#[test]
fn claude_login_outages_take_web_down_but_not_the_api() {
    let m = model("claude-2026-03-02");
    let s = relsim::simulate(&Model { replications: 200, ..m }, Some(2)).unwrap();
    let class = |arch: &str, class: &str| s.architectures.iter().find(|a| a.name == arch).unwrap().classes.iter().find(|c| c.name == class).unwrap().clone();
    let (web_direct, web_gateway) = (class("direct", "web"), class("gateway", "web"));
    // The browser path is the same in both designs, on the same component histories.
    assert_eq!(web_direct.availability.mean, web_gateway.availability.mean);
    // Identity outages start web outages and never API ones.
    let share = |c: &relsim::stats::summary::ClassSummary, comp: &str| c.importance.iter().find(|i| i.component == comp).and_then(|i| i.downtime_share.mean).unwrap_or(0.0);
    assert!(share(&web_direct, "claude-identity") > 0.02, "identity causes web downtime");
    assert_eq!(share(&class("direct", "api"), "claude-identity"), 0.0, "the API does not go through identity");
    // A gateway helps the API, and only the API.
    let avail = |c: &relsim::stats::summary::ClassSummary| c.availability.mean.unwrap();
    assert!(avail(&class("gateway", "api")) > avail(&class("direct", "api")) + 0.01);
    assert!(avail(&class("direct", "api")) > avail(&web_direct));
}

fn lognormal_median_hours(m: &Model, component: &str) -> (f64, f64) {
    match &m.components.iter().find(|c| c.name == component).unwrap().processes[0].repair {
        Dist::LogNormal { mu, sigma } => (mu.exp() / 3600.0, *sigma),
        other => panic!("{component} repair is {}", other.describe()),
    }
}

#[test]
fn providers_are_calibrated_as_documented() {
    for name in CALIBRATED {
        let m = model(name);
        for (provider, median, sigma) in [("anthropic-api", 0.77, 1.39), ("openai-api", 1.24, 1.17)] {
            if !m.components.iter().any(|c| c.name == provider) {
                continue;
            }
            let (got_median, got_sigma) = lognormal_median_hours(&m, provider);
            assert!((got_median - median).abs() < 0.01, "{name}/{provider}: median {got_median} h");
            assert_eq!(got_sigma, sigma);
            let failure = &m.components.iter().find(|c| c.name == provider).unwrap().processes[0].failure;
            assert!(matches!(failure, Dist::Weibull { shape, .. } if *shape < 1.0), "{name}/{provider}: Weibull with shape below 1");
        }
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since the epoch of "2024-02-26 17:09:00+00:00".
fn timestamp(s: &str) -> Option<f64> {
    let (date, time) = s.split_once(' ')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>());
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let time = time.split('+').next()?;
    let mut t = time.split(':').map(|x| x.parse::<f64>());
    let (h, min, sec) = (t.next()?.ok()?, t.next()?.ok()?, t.next()?.ok()?);
    Some(days_from_civil(y, m, day) as f64 * 86_400.0 + h * 3600.0 + min * 60.0 + sec)
}

/// The public incident data beside the checkout (`../shared`), or beside the folder holding it
/// (`../../shared`, for a worktree one level deeper).
fn shared_data() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared", "../../shared"].iter().map(|s| root.join(s).join("data/llm-incidents-2024/incident_stages.csv")).find(|p| p.exists())
}

/// Incidents that affected `service` and not `unless`: (first stage, recovery hours from the
/// first stage to resolved), for those with both.
fn incidents(path: &Path, service: &str, unless: Option<&str>) -> Vec<(f64, f64)> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (svc, resolved) = (col(service), col("resolved_timestamp"));
    let other = unless.map(col);
    let stages = [col("investigating_timestamp"), col("identified_timestamp"), col("monitoring_timestamp")];
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[svc] != "1" || other.is_some_and(|o| &rec[o] == "1") {
            continue;
        }
        let first = stages.iter().filter_map(|&i| timestamp(&rec[i])).fold(f64::INFINITY, f64::min);
        if let (true, Some(end)) = (first.is_finite(), timestamp(&rec[resolved])) {
            out.push((first, (end - first) / 3600.0));
        }
    }
    out
}

/// Median and sigma of ln-hours of recovery times.
fn lognormal_fit(mut d: Vec<f64>) -> (f64, f64) {
    d.sort_by(f64::total_cmp);
    let median = if d.len() % 2 == 1 { d[d.len() / 2] } else { (d[d.len() / 2 - 1] + d[d.len() / 2]) / 2.0 };
    let logs: Vec<f64> = d.iter().filter(|&&x| x > 0.0).map(|x| x.ln()).collect();
    let mean = logs.iter().sum::<f64>() / logs.len() as f64;
    let sigma = (logs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / logs.len() as f64).sqrt();
    (median, sigma)
}

#[test]
fn calibration_matches_the_incident_data() {
    let Some(path) = shared_data() else {
        eprintln!("skipped: ../shared/data/llm-incidents-2024 is not present");
        return;
    };
    let check = |m: &Model, component: &str, service: &str, unless: Option<&str>, count: usize| {
        let found = incidents(&path, service, unless);
        assert_eq!(found.len(), count, "{service}: incidents with a first stage and a resolution");
        let (median, sigma) = lognormal_fit(found.iter().map(|x| x.1).collect());
        let (model_median, model_sigma) = lognormal_median_hours(m, component);
        assert!((model_median - median).abs() / median < 0.01, "{component}: data median {median} h, scenario {model_median} h");
        assert!((model_sigma - sigma).abs() < 0.01, "{component}: data sigma {sigma}, scenario {model_sigma}");
        found
    };
    let m = model("multicloud");
    check(&m, "anthropic-api", "api.anthropic.com", None, 72);
    check(&m, "openai-api", "API", None, 222);
    // The claude.ai surface alone: incidents on claude.ai that did not touch the API.
    let m = model("claude-2026-03-02");
    let web = check(&m, "claude-web", "claude.ai", Some("api.anthropic.com"), 22);
    let (first, last) = web.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x.0), b.max(x.0)));
    let mean_gap_days = (last - first) / (web.len() - 1) as f64 / 86_400.0;
    let failure = &m.components.iter().find(|c| c.name == "claude-web").unwrap().processes[0].failure;
    let model_days = failure.mean() / 86_400.0;
    assert!((model_days - mean_gap_days).abs() / mean_gap_days < 0.03, "claude-web: data {mean_gap_days} days between incidents, scenario {model_days}");
}

#[test]
fn the_closed_forms_check_scenario_is_exact() {
    let m = model("checks/closed-forms");
    let an = relsim::analytic::analyze(&m, &relsim::analytic::Options::default());
    assert!(an.complete(), "{:?}", an.archs.iter().filter_map(|r| r.as_ref().err()).collect::<Vec<_>>());
    let (l, mu) = (0.001f64, 0.1f64);
    let cold = m.architectures.iter().position(|a| a.name == "cold-standby").unwrap();
    let e = an.archs[cold].as_ref().unwrap();
    assert!((e.classes[0].availability - (mu * mu + l * mu) / (mu * mu + l * mu + l * l)).abs() < 1e-12);
}
