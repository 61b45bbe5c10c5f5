//! The shipped scenarios load, run, and say what the issue promises; the provider calibration
//! matches the public incident data when it is present (../shared/data, skipped otherwise).

use std::path::{Path, PathBuf};

use relsim::model::dist::Dist;
use relsim::model::{Model, NodeKind};
use relsim::scenario::load;

const SHIPPED: [&str; 3] = ["single-provider", "gateway-failover", "multicloud"];

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
    for name in SHIPPED {
        let mut m = model(name);
        m.replications = 20;
        let s = relsim::simulate(&m, Some(2)).unwrap();
        assert_eq!(s.architectures.len(), m.architectures.len());
        for a in &s.architectures {
            for c in &a.classes {
                let av = c.availability.mean.unwrap();
                assert!(av > 0.9 && av < 1.0, "{name}/{}/{}: availability {av}", a.name, c.name);
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
}

fn lognormal_median_hours(m: &Model, component: &str) -> (f64, f64) {
    match &m.components.iter().find(|c| c.name == component).unwrap().processes[0].repair {
        Dist::LogNormal { mu, sigma } => (mu.exp() / 3600.0, *sigma),
        other => panic!("{component} repair is {}", other.describe()),
    }
}

#[test]
fn providers_are_calibrated_as_documented() {
    for name in SHIPPED {
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

fn shared_data() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/llm-incidents-2024/incident_stages.csv");
    p.exists().then_some(p)
}

/// Recovery times (first stage to resolved, hours) of incidents that affected `service`.
fn recoveries(path: &Path, service: &str) -> Vec<f64> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (svc, resolved) = (col(service), col("resolved_timestamp"));
    let stages = [col("investigating_timestamp"), col("identified_timestamp"), col("monitoring_timestamp")];
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[svc] != "1" {
            continue;
        }
        let first = stages.iter().filter_map(|&i| timestamp(&rec[i])).fold(f64::INFINITY, f64::min);
        if let (true, Some(end)) = (first.is_finite(), timestamp(&rec[resolved])) {
            out.push((end - first) / 3600.0);
        }
    }
    out
}

#[test]
fn calibration_matches_the_incident_data() {
    let Some(path) = shared_data() else {
        eprintln!("skipped: ../shared/data/llm-incidents-2024 is not present");
        return;
    };
    let m = model("multicloud");
    for (service, provider, count) in [("api.anthropic.com", "anthropic-api", 72), ("API", "openai-api", 222)] {
        let mut d = recoveries(&path, service);
        assert_eq!(d.len(), count, "{service}: incidents with a first stage and a resolution");
        d.sort_by(f64::total_cmp);
        let median = if d.len() % 2 == 1 { d[d.len() / 2] } else { (d[d.len() / 2 - 1] + d[d.len() / 2]) / 2.0 };
        let logs: Vec<f64> = d.iter().filter(|&&x| x > 0.0).map(|x| x.ln()).collect();
        let mean = logs.iter().sum::<f64>() / logs.len() as f64;
        let sigma = (logs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / logs.len() as f64).sqrt();
        let (model_median, model_sigma) = lognormal_median_hours(&m, provider);
        assert!((model_median - median).abs() / median < 0.01, "{provider}: data median {median} h, scenario {model_median} h");
        assert!((model_sigma - sigma).abs() < 0.01, "{provider}: data sigma {sigma}, scenario {model_sigma}");
    }
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
