//! Precision targets: replications are added until the half-width is reached, and the result
//! is exactly that of a plain run with as many replications.

use std::sync::atomic::AtomicU64;

use relsim::model::metric::ClassMetric;
use relsim::precision::{run, HalfWidth, Target};

const SCENARIO: &str = "[simulation]\nhorizon = \"1y\"\nreplications = 50\nseed = 3\n\n[components.a]\nfailure = { dist = \"exponential\", mean = \"40d\" }\nrepair = { dist = \"lognormal\", median = \"3h\", sigma = 1.0 }\n\n[components.b]\nfailure = { dist = \"exponential\", mean = \"40d\" }\nrepair = { dist = \"lognormal\", median = \"3h\", sigma = 1.0 }\n\n[traffic.api]\nrate = \"1/s\"\n\n[routes.pair]\nany = [\"a\", \"b\"]\n\n[architectures.one]\napi = [\"a\"]\n\n[architectures.two]\napi = [\"pair\"]\n";

fn target(metric: &str, half_width: HalfWidth, max: u64) -> Target {
    Target { metric: ClassMetric::parse(metric).expect("a class metric"), half_width, max_replications: max }
}

#[test]
fn an_absolute_target_is_met_and_the_result_is_a_plain_run_of_that_many_replications() {
    let model = relsim::load_str(SCENARIO, &[]).unwrap();
    let (done, planned) = (AtomicU64::new(0), AtomicU64::new(0));
    let (acc, outcome) = run(&model, &target("availability", HalfWidth::Absolute(2e-4), 1_000_000), &Default::default(), &done, &planned).unwrap();
    assert!(outcome.met && outcome.unmet.is_empty(), "{outcome:?}");
    let reps = acc.replications();
    assert!(reps > 50, "50 replications cannot give ± 2e-4 here; got {reps}");
    let s = acc.summarize(&model);
    for a in &s.architectures {
        assert!(a.classes[0].availability.half_width().unwrap() <= 2e-4, "{}: {:?}", a.name, a.classes[0].availability);
    }
    let mut plain = model.clone();
    plain.replications = reps;
    assert_eq!(relsim::simulate(&plain, Some(1)).unwrap(), s, "stopping at R must give the bits of a run with --reps R");
    assert_eq!(done.into_inner(), reps);
}

#[test]
fn a_relative_target_on_another_metric_stops_at_the_cap_and_names_what_missed() {
    let model = relsim::load_str(SCENARIO, &[]).unwrap();
    let (acc, outcome) = run(&model, &target("mttr_hours", HalfWidth::Relative(0.001), 400), &Default::default(), &AtomicU64::new(0), &AtomicU64::new(0)).unwrap();
    assert_eq!(acc.replications(), 400);
    assert!(!outcome.met);
    let names: Vec<&str> = outcome.unmet.iter().map(|u| u.architecture.as_str()).collect();
    assert_eq!(names, ["one", "two"]);
    assert!(outcome.sentence(400).contains("NOT met after 400 replications"), "{}", outcome.sentence(400));
}
