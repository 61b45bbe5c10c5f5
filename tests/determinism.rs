//! Results depend only on the scenario and the seed: not on the thread count, and architectures
//! that share components see the same component history (common random numbers).

use crate::common::{class, exp_component, run};

const SCENARIO: &str = "[simulation]\nhorizon = \"1y\"\nreplications = 300\nseed = 5\n\n\
[components.region]\nfailure = { dist = \"weibull\", shape = 0.7, scale = \"3000h\" }\nrepair = { dist = \"lognormal\", median = \"2h\", sigma = 1.0 }\n\n\
[components.p1]\nwithin = \"region\"\nfailure = { dist = \"weibull\", shape = 0.67, scale = \"93h\" }\nrepair = { dist = \"lognormal\", median = \"46m\", sigma = 1.39 }\n\n\
[components.p2]\nfailure = { dist = \"weibull\", shape = 0.65, scale = \"95h\" }\nrepair = { dist = \"lognormal\", median = \"74m\", sigma = 1.17 }\n\n\
[routes.fo]\nfailover = [\"p1\", \"p2\"]\nswitchover = \"30s\"\nswitch_success = 0.9\n\n\
[traffic.api]\nrate = \"100/s\"\n\n\
[architectures.single]\napi = [\"p1\"]\n\n[architectures.failover]\napi = [\"fo\"]\n";

#[test]
fn thread_count_does_not_change_a_single_bit() {
    let one = relsim::simulate_str(SCENARIO, &[], Some(1)).unwrap();
    for threads in [2, 3, 8] {
        let many = relsim::simulate_str(SCENARIO, &[], Some(threads)).unwrap();
        assert_eq!(serde_json::to_string(&one).unwrap(), serde_json::to_string(&many).unwrap(), "{threads} threads");
    }
}

#[test]
fn architectures_that_share_components_share_their_history() {
    let text = format!(
        "[simulation]\nhorizon = \"1y\"\nreplications = 200\n\n{}{}[traffic.api]\nrate = \"1/s\"\n\n[architectures.first]\napi = [\"a\"]\n\n[architectures.second]\napi = [\"a\"]\n\n[architectures.both]\napi = [\"a\", \"b\"]\n",
        exp_component("a", ""),
        exp_component("b", "")
    );
    let s = run(&text, &[]);
    let (first, second, both) = (class(&s, "first", "api"), class(&s, "second", "api"), class(&s, "both", "api"));
    assert_eq!(first.availability, second.availability);
    assert_eq!(first.mttr_hours, second.mttr_hours);
    // `both` needs a as well, so in every replication it is down at least when a is.
    assert!(both.downtime_hours_per_year.mean.unwrap() > first.downtime_hours_per_year.mean.unwrap());
}

#[test]
fn changing_one_component_leaves_the_others_draws_alone() {
    let text = format!(
        "[simulation]\nhorizon = \"1y\"\nreplications = 100\n\n{}{}[traffic.api]\nrate = \"1/s\"\n\n[architectures.a]\napi = [\"a\"]\n\n[architectures.b]\napi = [\"b\"]\n",
        exp_component("a", ""),
        exp_component("b", "")
    );
    let before = run(&text, &[]);
    let after = run(&text, &["components.b.repair={ dist = \"exponential\", mean = \"3h\" }"]);
    assert_eq!(class(&before, "a", "api"), class(&after, "a", "api"));
    assert_ne!(class(&before, "b", "api").availability, class(&after, "b", "api").availability);
}

#[test]
fn the_seed_matters() {
    let a = relsim::simulate_str(SCENARIO, &[], Some(2)).unwrap();
    let b = relsim::simulate_str(SCENARIO, &["simulation.seed=6"], Some(2)).unwrap();
    assert_ne!(a.architectures[0].classes[0].availability, b.architectures[0].classes[0].availability);
}
