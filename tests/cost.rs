//! Running costs, the total cost and the decision against exact answers: four architectures
//! whose fixed costs, request shares, downtimes and so every part of their total cost are known
//! in closed form, and the paired net benefit and break-even price of downtime that follow.
//!
//! Exact values are steady-state ones; each replication runs a year from all up, with repairs
//! of hours, so the start's bias is far inside the intervals.

use relsim::model::metric::ArchitectureMetric;
use relsim::stats::decision::{Comparison, ConfidenceSet, Pays, PaysWhen};
use relsim::stats::estimate::Estimate;
use relsim::stats::summary::Summary;

use crate::common::{assert_covers, ctmc::steady_state};

/// `a` is the cheap provider, `b` a dearer hot fallback, `c` a cold spare (idle while `a`
/// serves), `gw` a pool of two gateway instances of which one is enough. No SLA, so no credits.
const SCENARIO: &str = r#"
[simulation]
horizon = "1y"
replications = 200
seed = 13
confidence = 0.999

[components.a]
failure = { dist = "exponential", mean = "20h" }
repair = { dist = "exponential", mean = "2h" }
running_cost = "1000/month"
cost_per_request = 0.001

[components.b]
failure = { dist = "exponential", mean = "40h" }
repair = { dist = "exponential", mean = "2h" }
running_cost = "500/month"
cost_per_request = 0.003

[components.c]
failure = { dist = "exponential", mean = "40h" }
repair = { dist = "exponential", mean = "2h" }
running_cost = "300/month"
cost_per_request = 0.002

[components.gw]
count = 2
need = 1
failure = { dist = "exponential", mean = "100h" }
repair = { dist = "exponential", mean = "1h" }
running_cost = "2/h"
cost_per_request = 0.0001

[routes.hot-pair]
failover = ["a", "b"]

[routes.cold-pair]
failover = ["a", "c"]
standby = "cold"

[traffic.api]
rate = "2/s"
cost_per_hour_down = 1000
cost_per_failed_request = 0.0005

[architectures.direct]
api = ["a"]

[architectures.direct-gold]
api = ["a"]
running_cost = "5000/year"

[architectures.hot]
api = ["gw", "hot-pair"]
running_cost = "10000/year"

[architectures.cold]
api = ["cold-pair"]
"#;

const YEAR_H: f64 = 8760.0;
/// Requests per year: 2/s.
const REQUESTS: f64 = 2.0 * 3600.0 * YEAR_H;
const PRICE_DOWN: f64 = 1000.0;
const PRICE_FAILED: f64 = 0.0005;

/// One architecture's exact yearly figures.
#[derive(Clone, Copy, Debug)]
struct Exact {
    fixed: f64,
    requests: f64,
    unavailability: f64,
}

impl Exact {
    fn downtime_hours(&self) -> f64 {
        YEAR_H * self.unavailability
    }
    fn downtime_cost(&self) -> f64 {
        PRICE_DOWN * self.downtime_hours()
    }
    /// A request fails exactly when the class is down (no capacity, no silent errors).
    fn failed_cost(&self) -> f64 {
        PRICE_FAILED * REQUESTS * self.unavailability
    }
    fn running(&self) -> f64 {
        self.fixed + self.requests
    }
    /// `cost_per_year`: what failures cost (no SLA, so no credits).
    fn failure(&self) -> f64 {
        self.downtime_cost() + self.failed_cost()
    }
    fn total(&self) -> f64 {
        self.running() + self.failure()
    }
    /// Everything but the downtime cost: what does not scale with the price of an hour down.
    fn other(&self) -> f64 {
        self.running() + self.failed_cost()
    }
}

/// The exact figures of `direct`, `direct-gold`, `hot` and `cold`.
fn exact() -> [Exact; 4] {
    let (aa, ab) = (20.0 / 22.0, 40.0 / 42.0);
    let (pa, pb, pc, pg) = (0.001, 0.003, 0.002, 0.0001);
    // Fixed: running costs per unit per year, × units, for every component the architecture
    // uses, plus its own. a: 1000/month = 12,000; b: 6,000; c: 3,600; gw: 2/h × 8760 h × 2
    // units = 35,040; hot's own 10,000; direct-gold's own 5,000.
    let direct = Exact { fixed: 12_000.0, requests: REQUESTS * pa * aa, unavailability: 1.0 - aa };
    let gold = Exact { fixed: 17_000.0, ..direct };
    // hot = gw then failover [a, b] (hot, no switch-over, failback): the gateway pool answers
    // while one of its two units is up (A_G = 1 − (1/101)²); behind it a answers while up and
    // b while a is down and b up. Down when the pool is, or both providers are.
    let ag = 1.0 - (1.0f64 / 101.0).powi(2);
    let hot = Exact {
        fixed: 12_000.0 + 6_000.0 + 2.0 * 2.0 * YEAR_H + 10_000.0,
        requests: REQUESTS * (pg * ag + pa * ag * aa + pb * ag * (1.0 - aa) * ab),
        unavailability: 1.0 - ag * (1.0 - (1.0 - aa) * (1.0 - ab)),
    };
    // cold = failover [a, c], c a cold spare: it runs (and can fail) only while it serves. The
    // chain over (a, c): 0 = both up, a serves, c idle; 1 = a down, c serves; 2 = a serves,
    // c down; 3 = both down (the first repaired serves). c's running cost is paid all year.
    let (la, ma, lc, mc) = (1.0 / 20.0, 1.0 / 2.0, 1.0 / 40.0, 1.0 / 2.0);
    let pi = steady_state(4, &[(0, 1, la), (1, 0, ma), (1, 3, lc), (2, 3, la), (2, 0, mc), (3, 2, ma), (3, 1, mc)]);
    let cold = Exact { fixed: 12_000.0 + 3_600.0, requests: REQUESTS * (pa * (pi[0] + pi[2]) + pc * pi[1]), unavailability: pi[3] };
    [direct, gold, hot, cold]
}

const NAMES: [&str; 4] = ["direct", "direct-gold", "hot", "cold"];

fn run(sets: &[&str], baseline: usize) -> Summary {
    let mut model = relsim::load_str(SCENARIO, sets).unwrap_or_else(|e| panic!("{e}"));
    model.costs.baseline = baseline;
    relsim::simulate(&model, Some(2)).unwrap()
}

fn metric(s: &Summary, arch: usize, name: &str) -> Estimate {
    let m = ArchitectureMetric::parse(name).unwrap_or_else(|| panic!("no metric {name}"));
    s.architectures[arch].metric(m).unwrap_or_else(|| panic!("{}: no {name}", s.architectures[arch].name))
}

fn comparison<'a>(s: &'a Summary, arch: &str) -> &'a Comparison {
    let d = s.decision.as_ref().expect("a decision with two or more architectures");
    d.architectures.iter().find(|c| c.architecture == arch).unwrap_or_else(|| panic!("no comparison for {arch}"))
}

/// Asserts that `e`'s interval contains `exact` and is at most `rel` of it wide (half-width).
#[track_caller]
fn covers(what: &str, e: &Estimate, exact: f64, rel: f64) {
    assert_covers(what, e, exact, rel * exact.abs());
}

#[test]
fn every_part_of_the_total_cost_matches_its_exact_value() {
    let s = run(&[], 0);
    for (i, x) in exact().iter().enumerate() {
        let name = NAMES[i];
        assert_eq!(s.architectures[i].name, name);
        // Fixed costs accrue whatever the state: the same in every replication, known exactly.
        let fixed = metric(&s, i, "fixed_cost_per_year");
        assert!((fixed.mean.unwrap() - x.fixed).abs() < 1e-9 * x.fixed, "{name}: fixed {fixed:?} vs {}", x.fixed);
        assert_eq!(fixed.half_width(), Some(0.0), "{name}: a fixed cost does not vary");
        covers(&format!("{name} request cost"), &metric(&s, i, "request_cost_per_year"), x.requests, 0.02);
        covers(&format!("{name} running cost"), &metric(&s, i, "running_cost_per_year"), x.running(), 0.02);
        covers(&format!("{name} downtime hours"), &metric(&s, i, "weighted_downtime_hours_per_year"), x.downtime_hours(), 0.12);
        covers(&format!("{name} downtime cost"), &metric(&s, i, "downtime_cost_per_year"), x.downtime_cost(), 0.12);
        covers(&format!("{name} failed-request cost"), &metric(&s, i, "failed_request_cost_per_year"), x.failed_cost(), 0.12);
        covers(&format!("{name} failure cost (cost_per_year)"), &metric(&s, i, "cost_per_year"), x.failure(), 0.12);
        covers(&format!("{name} total cost"), &metric(&s, i, "total_cost_per_year"), x.total(), 0.05);
        assert!(s.architectures[i].metric(ArchitectureMetric::SlaCreditsPerYear).is_none(), "no SLA, no credits");
        // cost_per_year keeps its meaning: what failures cost, the sum of its parts.
        let parts = metric(&s, i, "downtime_cost_per_year").mean.unwrap() + metric(&s, i, "failed_request_cost_per_year").mean.unwrap();
        assert!((metric(&s, i, "cost_per_year").mean.unwrap() - parts).abs() < 1e-6 * parts);
        let total = metric(&s, i, "running_cost_per_year").mean.unwrap() + metric(&s, i, "cost_per_year").mean.unwrap();
        assert!((metric(&s, i, "total_cost_per_year").mean.unwrap() - total).abs() < 1e-6 * total);
    }
}

#[test]
fn the_decision_against_the_baseline_matches_the_exact_net_benefit_and_break_even() {
    let s = run(&[], 0);
    let [direct, _, hot, cold] = exact();
    let d = s.decision.as_ref().unwrap();
    assert_eq!(d.baseline, "direct");
    assert_eq!(d.cost_per_hour_down, PRICE_DOWN);
    assert_eq!(d.architectures.iter().map(|c| c.architecture.as_str()).collect::<Vec<_>>(), ["direct-gold", "hot", "cold"]);
    for (name, x) in [("hot", hot), ("cold", cold)] {
        let c = comparison(&s, name);
        // Paired: the difference of exact expectations, replication by replication.
        covers(&format!("{name} net benefit"), &c.net_benefit_per_year, direct.total() - x.total(), 0.04);
        covers(&format!("{name} extra running cost"), &c.extra_running_cost_per_year, x.running() - direct.running(), 0.06);
        covers(&format!("{name} failure cost saved"), &c.failure_cost_saved_per_year, direct.failure() - x.failure(), 0.04);
        covers(&format!("{name} downtime saved"), &c.downtime_hours_saved_per_year, direct.downtime_hours() - x.downtime_hours(), 0.04);
        // Break-even: the price of an hour down at which the totals are equal,
        // (extra running + extra failed-request cost) / hours saved = 93.7 for hot, 15.4 for cold.
        let p = (x.other() - direct.other()) / (direct.downtime_hours() - x.downtime_hours());
        let be = &c.break_even;
        covers(&format!("{name} break-even price per hour down"), &be.cost_per_hour_down, p, 0.1);
        assert!(matches!(be.confidence_set, ConfidenceSet::Interval { .. }), "{name}: {:?}", be.confidence_set);
        assert_eq!(be.pays_when, PaysWhen::Above, "{name}: it saves downtime, so it pays above the break-even");
        assert_eq!(c.pays, Pays::Yes, "{name} pays at 1000 per hour down");
    }
    // direct-gold: the same downtime in every replication and 5,000 a year more: never pays.
    let gold = comparison(&s, "direct-gold");
    assert_eq!(gold.downtime_hours_saved_per_year.mean, Some(0.0));
    assert_eq!(gold.downtime_hours_saved_per_year.half_width(), Some(0.0));
    assert_eq!(gold.net_benefit_per_year.mean, Some(-5000.0));
    assert_eq!(gold.net_benefit_per_year.half_width(), Some(0.0));
    assert_eq!(gold.pays, Pays::No);
    assert_eq!(gold.break_even.pays_when, PaysWhen::Never);
    assert_eq!(gold.break_even.cost_per_hour_down.mean, None, "no price makes equal downtime pay for more running cost");
    // The paired differences carry the total and the running cost too.
    let diff = s.differences.iter().find(|x| x.a == "direct" && x.b == "hot").unwrap();
    covers("total cost direct − hot", &diff.costs.total_cost_per_year, direct.total() - hot.total(), 0.04);
    covers("running cost direct − hot", &diff.costs.running_cost_per_year, direct.running() - hot.running(), 0.06);
}

#[test]
fn another_baseline_and_another_price_of_downtime() {
    let [direct, _, hot, _] = exact();
    // Against `hot`, `direct` saves no downtime but running cost: it pays only below the same
    // break-even price, and not at 1000 per hour down.
    let s = run(&[], 2);
    assert_eq!(s.decision.as_ref().unwrap().baseline, "hot");
    let c = comparison(&s, "direct");
    covers("direct's net benefit against hot", &c.net_benefit_per_year, hot.total() - direct.total(), 0.04);
    let p = (hot.other() - direct.other()) / (direct.downtime_hours() - hot.downtime_hours());
    covers("the same break-even from the other side", &c.break_even.cost_per_hour_down, p, 0.1);
    assert_eq!(c.break_even.pays_when, PaysWhen::Below);
    assert_eq!(c.pays, Pays::No);
    // At 50 per hour down, below the break-even of 93.7, hot no longer pays against direct; the
    // break-even does not depend on the scenario's price (same random numbers, same bits).
    let at_1000 = run(&[], 0);
    let at_50 = run(&["traffic.api.cost_per_hour_down=50"], 0);
    let (c1000, c50) = (comparison(&at_1000, "hot"), comparison(&at_50, "hot"));
    assert_eq!(c50.pays, Pays::No);
    let net = 50.0 * (direct.downtime_hours() - hot.downtime_hours()) - (hot.other() - direct.other());
    covers("net benefit at 50 per hour down", &c50.net_benefit_per_year, net, 0.25);
    assert_eq!(c50.break_even.cost_per_hour_down, c1000.break_even.cost_per_hour_down);
    assert_eq!(at_50.decision.as_ref().unwrap().cost_per_hour_down, 50.0);
}

#[test]
fn a_price_per_request_changes_no_availability() {
    // Without prices (and without cost_per_failed_request) these architectures are simulated at
    // the level of states; a price makes them walk requests, which must not change what is up.
    let plain = SCENARIO.replace("cost_per_failed_request = 0.0005\n", "");
    let unpriced: String = plain.lines().filter(|l| !l.starts_with("cost_per_request")).map(|l| format!("{l}\n")).collect();
    let model = relsim::load_str(&unpriced, &[]).unwrap();
    assert!((0..4).all(|a| !model.request_level(a)), "the unpriced scenario is simulated at the level of states");
    let priced_model = relsim::load_str(&plain, &[]).unwrap();
    assert!((0..4).all(|a| priced_model.request_level(a)));
    let (a, b) = (relsim::simulate(&model, Some(2)).unwrap(), relsim::simulate(&priced_model, Some(2)).unwrap());
    for (x, y) in a.architectures.iter().zip(&b.architectures) {
        assert_eq!(x.classes[0].availability, y.classes[0].availability, "{}", x.name);
        assert_eq!(x.classes[0].outages_per_year, y.classes[0].outages_per_year, "{}", x.name);
        assert_eq!(x.metric(ArchitectureMetric::RequestCostPerYear).unwrap().mean, Some(0.0));
    }
    let [direct, _, hot, _] = exact();
    covers("direct's request cost walked at the level of requests", &b.architectures[0].metric(ArchitectureMetric::RequestCostPerYear).unwrap(), direct.requests, 0.02);
    covers("hot's request cost", &b.architectures[2].metric(ArchitectureMetric::RequestCostPerYear).unwrap(), hot.requests, 0.02);
}
