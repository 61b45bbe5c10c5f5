//! Replayed histories in the engine (`model::history`, `sim::replay`): traced components follow
//! their record exactly, sampled ones are sampled around it. Every expected value below is
//! worked out by hand in the comments, before the code was written.
//!
//! The traced components `a` and `b` are given failure and repair distributions that would put
//! them down about half the time if they were sampled, so a test passes only if the record
//! replaced them.

use relsim::model::Model;
use relsim::montecarlo::Options;
use relsim::stats::summary::Summary;

use crate::common::{assert_covers, class};

const H: f64 = 3600.0;

/// Two providers that must never be sampled, and three ways of combining them.
const PAIR: &str = r#"
[simulation]
horizon = "1y"          # replaced by the window
replications = 40
seed = 5

[components.a]
failure = { dist = "exponential", mean = "5h" }
repair = { dist = "exponential", mean = "5h" }

[components.b]
failure = { dist = "exponential", mean = "5h" }
repair = { dist = "exponential", mean = "5h" }

[routes.pair-any]
any = ["a", "b"]

[routes.pair-all]
all = ["a", "b"]

[routes.pair-failover]
failover = ["a", "b"]
switchover = "1h"

[traffic.api]
rate = "1/s"
cost_per_hour_down = 100

[architectures.any]
api = ["pair-any"]

[architectures.all]
api = ["pair-all"]

[architectures.failover]
api = ["pair-failover"]
"#;

/// The scenario `text` replaying `traced` (component name → down intervals in hours) over
/// `hours`.
fn replayed(text: &str, hours: f64, traced: &[(&str, &[(f64, f64)])]) -> Model {
    let mut model = relsim::load_str(text, &[]).unwrap_or_else(|e| panic!("{e}"));
    let traced = traced
        .iter()
        .map(|(name, down)| {
            let c = model.components.iter().position(|c| c.name == *name).unwrap_or_else(|| panic!("no component {name}"));
            (c, down.iter().map(|&(s, e)| (s * H, e * H)).collect())
        })
        .collect();
    model.follow(hours * H, traced);
    model
}

fn simulate(model: &Model, threads: usize) -> Summary {
    relsim::simulate(model, Some(threads)).unwrap_or_else(|e| panic!("{e:#}"))
}

/// Asserts an estimate is exactly `value` with a zero-width interval (every replication alike).
#[track_caller]
fn assert_exactly(what: &str, e: &relsim::stats::estimate::Estimate, value: f64) {
    for (end, v) in [("mean", e.mean), ("ci_low", e.ci_low), ("ci_high", e.ci_high)] {
        let v = v.unwrap_or_else(|| panic!("{what}: no {end}"));
        assert!((v - value).abs() <= 1e-9 * value.abs().max(1.0), "{what}: {end} is {v}, expected exactly {value}");
    }
}

// a down [10, 20) and [50, 60) h, b down [15, 25) and [80, 85) h, over 100 h.
const A: &[(f64, f64)] = &[(10.0, 20.0), (50.0, 60.0)];
const B: &[(f64, f64)] = &[(15.0, 25.0), (80.0, 85.0)];

#[test]
fn fully_traced_architectures_give_the_hand_count_with_zero_width_intervals() {
    let s = simulate(&replayed(PAIR, 100.0, &[("a", A), ("b", B)]), 2);
    let per_year = 8760.0 / 100.0;
    // any: down only while both are: [15, 20) → 5 h, one outage; up 95 h per outage.
    // all: down while either is: [10, 25) ∪ [50, 60) ∪ [80, 85) → 30 h, three outages of
    //      mean 10 h; up 70 h over three outages.
    // failover (switch-over 1 h, failback): a fails at 10 → switching until 11 (down 1 h), b
    //      serves; b fails at 15 with a still down → nobody up until a returns at 20 (down 5 h);
    //      b returns at 25 (a serves, nothing changes); a fails at 50 → switching until 51
    //      (down 1 h), b serves; a returns at 60 → failback, seamless; b fails at 80 while not
    //      serving → nothing. Down 7 h in three outages; up 93 h.
    for (arch, down, outages) in [("any", 5.0, 1.0), ("all", 30.0, 3.0), ("failover", 7.0, 3.0)] {
        let c = class(&s, arch, "api");
        assert_exactly(&format!("{arch} availability"), &c.availability, 1.0 - down / 100.0);
        assert_exactly(&format!("{arch} downtime h/yr"), &c.downtime_hours_per_year, down * per_year);
        assert_exactly(&format!("{arch} outages/yr"), &c.outages_per_year, outages * per_year);
        assert_exactly(&format!("{arch} MTTR"), &c.mttr_hours.mean, down / outages);
        assert_exactly(&format!("{arch} MTBF"), &c.mtbf_hours, (100.0 - down) / outages);
        assert_exactly(&format!("{arch} cost/yr"), &c.cost_per_year, 100.0 * down * per_year);
        assert_exactly(&format!("{arch} request success"), &c.request_success, 1.0 - down / 100.0);
    }
    // The analytic engine has no steady state for a record, and says why.
    let analysis = relsim::analytic::analyze(&replayed(PAIR, 100.0, &[("a", A)]), &Default::default());
    for r in &analysis.archs {
        let reason = r.as_ref().expect_err("a traced architecture has no exact values");
        assert!(reason.contains("components.a follows a replayed history"), "{reason}");
    }
}

#[test]
fn a_record_down_at_the_start_and_at_the_end_of_the_window() {
    // a down [0, 10) (already down when the window opens) and [95, 100) (still down when it
    // closes), b never down.
    // all: down 15 h in two outages: [0, 10) and [95, 100), the second cut at the window's end.
    // failover: at the start b serves at once (no switch-over: nothing was serving from a yet),
    //      a's return at 10 fails back seamlessly; a fails at 95 → switching until 96 → down
    //      1 h, one outage.
    // any: b is always up: never down.
    let s = simulate(&replayed(PAIR, 100.0, &[("a", &[(0.0, 10.0), (95.0, 100.0)]), ("b", &[])]), 1);
    for (arch, down, outages) in [("all", 15.0, 2.0), ("failover", 1.0, 1.0)] {
        let c = class(&s, arch, "api");
        assert_exactly(&format!("{arch} availability"), &c.availability, 1.0 - down / 100.0);
        assert_exactly(&format!("{arch} outages/yr"), &c.outages_per_year, outages * 87.6);
        assert_exactly(&format!("{arch} MTTR"), &c.mttr_hours.mean, down / outages);
    }
    let any = class(&s, "any", "api");
    assert_exactly("any availability", &any.availability, 1.0);
    assert_exactly("any outages/yr", &any.outages_per_year, 0.0);
}

/// The providers of [`PAIR`] inside a sampled region: a region outage takes both down.
const IN_REGION: &str = r#"
[simulation]
horizon = "1y"
replications = 20000
seed = 17
confidence = 0.999

[components.region]
kind = "region"
failure = { dist = "exponential", mean = "90h" }
repair = { dist = "exponential", mean = "10h" }

[components.a]
within = "region"
failure = { dist = "exponential", mean = "5h" }
repair = { dist = "exponential", mean = "5h" }

[components.b]
within = "region"
failure = { dist = "exponential", mean = "5h" }
repair = { dist = "exponential", mean = "5h" }

[routes.pair-any]
any = ["a", "b"]

[routes.pair-all]
all = ["a", "b"]

[traffic.api]
rate = "1/s"

[architectures.any]
api = ["pair-any"]

[architectures.all]
api = ["pair-all"]
"#;

#[test]
fn traced_components_in_a_sampled_region_match_the_exact_integral() {
    // The region starts up and is an alternating renewal process with λ = 1/90 h⁻¹ and
    // μ = 1/10 h⁻¹, independent of the record. Its probability of being up at time t is
    //     A(t) = p + q·e^(−s·t),  s = λ + μ = 1/9 h⁻¹,  p = μ/s = 0.9,  q = λ/s = 0.1,
    // and a class is up exactly when the region is up and the route over the record is up, so
    // its expected availability over [0, 100 h] is (1/100)·∫ A(t) dt over the route's up
    // intervals, with ∫ₓʸ A = p·(y − x) + (q/s)·(e^(−s·x) − e^(−s·y)), q/s = 0.9 h:
    //   any (up [0, 15) ∪ [20, 100)):
    //     (0.9·95 + 0.9·(1 − e^(−15/9) + e^(−20/9) − e^(−100/9)))/100 = 0.8632753
    //   all (up [0, 10) ∪ [25, 50) ∪ [60, 80) ∪ [85, 100)):
    //     (0.9·70 + 0.9·(1 − e^(−10/9) + e^(−25/9) − e^(−50/9) + e^(−60/9) − e^(−80/9)
    //      + e^(−85/9) − e^(−100/9)))/100 = 0.6365728
    let integral = |up: &[(f64, f64)]| up.iter().map(|&(x, y)| 0.9 * (y - x) + 0.9 * ((-x / 9.0f64).exp() - (-y / 9.0f64).exp())).sum::<f64>() / 100.0;
    let any = integral(&[(0.0, 15.0), (20.0, 100.0)]);
    let all = integral(&[(0.0, 10.0), (25.0, 50.0), (60.0, 80.0), (85.0, 100.0)]);
    assert!((any - 0.8632753).abs() < 1e-7 && (all - 0.6365728).abs() < 1e-7, "{any} {all}");
    let s = simulate(&replayed(IN_REGION, 100.0, &[("a", A), ("b", B)]), 2);
    assert_covers("any behind a sampled region", &class(&s, "any", "api").availability, any, 0.005);
    assert_covers("all behind a sampled region", &class(&s, "all", "api").availability, all, 0.005);
    // Both architectures see the same record and, through common random numbers, the same
    // region: the paired difference of their downtime (any − all) is −(any − all)·8760 h/yr.
    let d = &s.differences[0];
    assert_eq!((d.a.as_str(), d.b.as_str()), ("any", "all"));
    assert_covers("paired downtime difference", &d.downtime_hours_per_year[0].difference, -(any - all) * 8760.0, 10.0);
}

/// A traced pool with failure modes (one degrading), deploys and a crew of one: nothing of it
/// is sampled, and the pool is down as a whole during its recorded interval.
const POOL: &str = r#"
[simulation]
horizon = "1y"
replications = 30
seed = 9

[crews.ops]
size = 1

[components.pool]
count = 3
need = 2
capacity = 10
crew = "ops"
deploys = { every = "2h", bad = 0.5, rollback = "1h" }

[components.pool.modes.crash]
failure = { dist = "exponential", mean = "3h" }
repair = { dist = "exponential", mean = "3h" }

[components.pool.modes.slow]
effect = "degraded"
capacity_left = 0.1
failure = { dist = "exponential", mean = "3h" }
repair = { dist = "exponential", mean = "3h" }

[traffic.api]
rate = "5/s"

[architectures.solo]
api = ["pool"]
"#;

#[test]
fn a_traced_pool_with_modes_and_deploys_follows_only_its_record() {
    // Down [30, 40) h of 100 h: availability 0.9, one outage of 10 h. Its capacity (3 × 10/s,
    // never degraded since no mode is sampled) always carries the 5/s, so every request outside
    // the outage succeeds: request success 0.9.
    let s = simulate(&replayed(POOL, 100.0, &[("pool", &[(30.0, 40.0)])]), 2);
    let c = class(&s, "solo", "api");
    assert_exactly("availability", &c.availability, 0.9);
    assert_exactly("MTTR", &c.mttr_hours.mean, 10.0);
    assert_exactly("outages/yr", &c.outages_per_year, 87.6);
    assert_exactly("request success", &c.request_success, 0.9);
    assert_exactly("overloaded", &c.overloaded_requests, 0.0);
}

#[test]
fn replays_are_bit_identical_for_any_thread_count() {
    let model = replayed(IN_REGION, 100.0, &[("a", A), ("b", B)]);
    let mut model = model;
    model.replications = 3000;
    assert_eq!(simulate(&model, 1), simulate(&model, 2));
}

#[test]
fn importance_holds_a_traced_component_instead_of_replaying_it() {
    // Birnbaum importance = availability with the component always up − always down, the other
    // one following its record: in `all`, a's is (1 − 15/100) − 0 = 0.85 (b down 15 h) and b's
    // is 1 − 20/100 = 0.8; in `any`, a's is 1 − (1 − 15/100) = 0.15 and b's 0.2.
    let model = replayed(PAIR, 100.0, &[("a", A), ("b", B)]);
    let s = relsim::simulate_with(&model, &Options { threads: Some(2), importance: true, ..Default::default() }).unwrap_or_else(|e| panic!("{e:#}"));
    for (arch, a, b) in [("all", 0.85, 0.8), ("any", 0.15, 0.2)] {
        let c = class(&s, arch, "api");
        let birnbaum = |name: &str| c.importance.iter().find(|i| i.component == name).unwrap_or_else(|| panic!("no {name}")).birnbaum;
        assert_exactly(&format!("{arch}: Birnbaum of a"), &birnbaum("a"), a);
        assert_exactly(&format!("{arch}: Birnbaum of b"), &birnbaum("b"), b);
    }
}

#[test]
fn the_timeline_shows_the_recorded_history() {
    let model = replayed(PAIR, 100.0, &[("a", A), ("b", B)]);
    let t = relsim::sim::trace::trace(&model, 0).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(t.horizon_hours, 100.0);
    let all = t.architecture("all").expect("all");
    assert_eq!(all.component("a").expect("a").down, A.to_vec());
    assert_eq!(all.component("b").expect("b").down, B.to_vec());
    assert_eq!(all.class("api").expect("api").down, vec![(10.0, 25.0), (50.0, 60.0), (80.0, 85.0)]);
    let failover = t.architecture("failover").expect("failover");
    assert_eq!(failover.class("api").expect("api").down, vec![(10.0, 11.0), (15.0, 20.0), (50.0, 51.0)]);
}
