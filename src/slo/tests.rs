//! The checks of `[[slo]]` entries against runs of small scenarios.

use super::*;

const SCENARIO: &str = r#"
[simulation]
horizon = "1y"
replications = 30
seed = 3

[components.a]
failure = { dist = "exponential", mean = "30d" }
repair = { dist = "exponential", mean = "2h" }

[traffic.api]
rate = "1/s"

[architectures.one]
api = ["a"]

[sla]
target = 0.99
"#;

fn run(slos: &str) -> (Model, Summary) {
    let model = crate::load_str(&format!("{SCENARIO}\n{slos}"), &[]).expect("scenario loads");
    let summary = crate::simulate(&model, Some(1)).expect("runs");
    (model, summary)
}

fn slo(metric: &str, bound: &str) -> String {
    let class = if ArchitectureMetric::parse(metric).is_some() && ClassMetric::parse(metric).is_none() { String::new() } else { "class = \"api\"\n".to_string() };
    format!("[[slo]]\narchitecture = \"one\"\n{class}metric = \"{metric}\"\n{bound}\n")
}

#[test]
fn every_metric_name_has_a_figure_matching_the_json() {
    let (_, summary) = run("");
    let json = serde_json::to_value(&summary).expect("serialises");
    let arch = &json["architectures"][0];
    let class = &arch["classes"][0];
    let check = |node: &serde_json::Value, metric: &str, f: Figure| {
        let mut at = node;
        for part in metric.split('.') {
            at = &at[part];
        }
        let point = if f.quantile { &at["value"] } else { &at["mean"] };
        assert_eq!(point.as_f64(), f.point, "{metric}");
        assert_eq!(at["ci_low"].as_f64(), f.ci_low, "{metric}");
        assert_eq!(at["ci_high"].as_f64(), f.ci_high, "{metric}");
    };
    for &metric in ClassMetric::ALL {
        check(class, metric.name(), class_figure(&summary.architectures[0].classes[0], metric));
    }
    for &metric in ArchitectureMetric::ALL {
        let f = architecture_figure(&summary.architectures[0], metric).unwrap_or_else(|| panic!("{metric} has no figure"));
        check(arch, metric.name(), f);
    }
}

#[test]
fn min_is_judged_on_the_low_end_and_max_on_the_high_end() {
    let (_, summary) = run("");
    let a = &summary.architectures[0].classes[0].availability;
    let (lo, mean, hi) = (a.ci_low.unwrap(), a.mean.unwrap(), a.ci_high.unwrap());
    assert!(lo < mean && mean < hi);
    let mid_low = (lo + mean) / 2.0;
    let mid_high = (mean + hi) / 2.0;
    let text = [slo("availability", &format!("min = {lo}")), slo("availability", &format!("min = {mid_low}")), slo("availability", &format!("max = {hi}")), slo("availability", &format!("max = {mid_high}"))].concat();
    let model = crate::load_str(&format!("{SCENARIO}\n{text}"), &[]).expect("loads");
    let results = evaluate(&model, &summary);
    let verdicts: Vec<&Verdict> = results.iter().map(|r| &r.verdict).collect();
    assert_eq!(verdicts, [&Verdict::Pass, &Verdict::Breach, &Verdict::Pass, &Verdict::Breach]);
    assert_eq!(results[1].end, Some(lo));
    assert_eq!(results[3].end, Some(hi));
    assert!(results[1].detail().starts_with("low end ") && results[1].detail().contains(" < "), "{}", results[1].detail());
    assert!(results[3].detail().starts_with("high end ") && results[3].detail().contains(" > "), "{}", results[3].detail());
    assert_eq!(Tally::of(&results).to_string(), "2 of 4 SLOs hold; 2 breached");
}

#[test]
fn a_close_breach_shows_digits_that_tell_the_end_from_the_bound() {
    let (_, summary) = run("");
    let lo = summary.architectures[0].classes[0].availability.ci_low.unwrap();
    let (model, _) = run(&slo("availability", &format!("min = {}", lo + 1e-9)));
    let r = &evaluate(&model, &summary)[0];
    assert_eq!(r.verdict, Verdict::Breach);
    let detail = r.detail();
    let (end, bound) = detail.trim_start_matches("low end ").split_once(" < ").unwrap();
    assert_ne!(end, bound, "{detail}");
}

#[test]
fn missing_data_cannot_be_judged_and_fails() {
    // No outages in a month with a failure every 1000 years: MTTR has no estimate.
    let quiet = "[[slo]]\narchitecture = \"one\"\nclass = \"api\"\nmetric = \"mttr_hours\"\nmax = 4\n";
    let model = crate::load_str(&format!("{SCENARIO}\n{quiet}"), &["components.a.failure.mean=1000y", "simulation.horizon=730h"]).unwrap();
    let summary = crate::simulate(&model, Some(1)).unwrap();
    let r = &evaluate(&model, &summary)[0];
    assert!(!r.holds());
    assert_eq!(r.status(), "FAIL");
    assert_eq!(r.verdict, Verdict::Unjudged("no outages in 30 replications, so `mttr_hours` has no estimate".to_string()));
    assert!(r.line().contains("no estimate (cannot be judged: no outages in 30 replications"), "{}", r.line());
    assert_eq!(Tally::of(std::slice::from_ref(r)).to_string(), "0 of 1 SLOs hold; 1 cannot be judged (counted as breached)");
    // Availability 1 in every replication: judged, with a word on the zero-width interval.
    let model = crate::load_str(&format!("{SCENARIO}\n{}", slo("availability", "min = 0.999")), &["components.a.failure.mean=1000y", "simulation.horizon=730h"]).unwrap();
    let r = &evaluate(&model, &summary)[0];
    assert!(r.holds());
    assert!(r.detail().ends_with("no variation across 30 replications"), "{}", r.detail());
}

#[test]
fn costs_and_the_decision_can_be_bounded() {
    // A second architecture with a fallback: it has a net benefit against the first.
    let two = SCENARIO.replace("[sla]", "[components.b]\nfailure = { dist = \"exponential\", mean = \"30d\" }\nrepair = { dist = \"exponential\", mean = \"2h\" }\nrunning_cost = \"100/month\"\n\n[routes.both]\nfailover = [\"a\", \"b\"]\n\n[architectures.two]\napi = [\"both\"]\n\n[sla]");
    let slo = |arch: &str, metric: &str, bound: &str| format!("[[slo]]\narchitecture = \"{arch}\"\nmetric = \"{metric}\"\n{bound}\n");
    let text = [slo("two", "net_benefit_per_year", "max = 0"), slo("two", "total_cost_per_year", "max = 1200"), slo("one", "net_benefit_per_year", "min = 0"), slo("two", "break_even_cost_per_hour_down", "min = 0")].concat();
    let model = crate::load_str(&format!("{two}\n{text}"), &[]).expect("loads");
    let summary = crate::simulate(&model, Some(1)).expect("runs");
    let r = evaluate(&model, &summary);
    // No price of downtime: `two` costs 1200 a year more to run and saves nothing priced.
    assert!(r[0].holds(), "{}", r[0].line());
    assert!(r[0].line().contains("-1,200"), "money is written as money: {}", r[0].line());
    assert!(r[1].holds(), "{}", r[1].line());
    assert!(matches!(&r[2].verdict, Verdict::Unjudged(why) if why.contains("`one` is the baseline")), "{}", r[2].line());
    // It saves downtime and costs more otherwise: it pays above a positive break-even.
    assert!(r[3].holds(), "{}", r[3].line());
}

#[test]
fn architecture_level_metrics_and_quantiles() {
    let text = [slo("sla_breach_probability", "max = 1"), slo("cost_per_year", "max = 1e12"), slo("mttr_hours.p90", "max = 1000"), slo("added_latency_seconds.p99", "max = 1")].concat();
    let (model, summary) = run(&text);
    let results = evaluate(&model, &summary);
    assert_eq!(results[0].subject(), "one");
    assert!(results[0].holds(), "{}", results[0].line());
    assert!(results[1].holds(), "{}", results[1].line());
    assert!(results[2].holds() && results[2].figure.quantile, "{}", results[2].line());
    assert!(matches!(&results[3].verdict, Verdict::Unjudged(r) if r.contains("without an interval")), "{}", results[3].line());
    assert_eq!(results[3].check_name(true), "added_latency_seconds.p99 <= 1");
}
