//! Request-level traffic: each mechanism against an exact value where one exists (closed forms
//! with independent components), and the fast mode against the per-request mode at low rates,
//! where drawing every request is cheap.

use relsim::model::metric::ArchitectureMetric;
use relsim::montecarlo::Options;
use relsim::sim::Accounting;
use relsim::stats::estimate::Estimate;
use relsim::stats::summary::{ClassSummary, Summary};

use crate::common::{assert_covers, class};

fn simulate(text: &str, accounting: Accounting) -> Summary {
    let model = relsim::load_str(text, &[]).unwrap_or_else(|e| panic!("{e}"));
    relsim::simulate_with(&model, &Options { threads: Some(2), accounting, ..Default::default() }).unwrap()
}

/// Both accounting modes on the same scenario (same seeds, so the same component histories).
fn both(text: &str) -> (Summary, Summary) {
    (simulate(text, Accounting::Fast), simulate(text, Accounting::PerRequest))
}

/// The fast mode over 60 days per replication: long enough that the all-up start does not
/// bias the comparison with steady-state values. 99.9 % intervals, like every exact check.
fn long(text: &str) -> ClassSummary {
    let text = text
        .replace("horizon = \"6h\"", "horizon = \"60d\"")
        .replace("replications = 200", "replications = 60")
        .replace("confidence = 0.99\n", "confidence = 0.999\n");
    let s = simulate(&text, Accounting::Fast);
    s.architectures[0].classes[0].clone()
}

/// The two modes agree: their means differ by less than their half-widths combined.
#[track_caller]
fn agree(what: &str, fast: &Estimate, per_request: &Estimate) {
    let (a, b) = (fast.mean.unwrap(), per_request.mean.unwrap());
    let (ha, hb) = (fast.half_width().unwrap(), per_request.half_width().unwrap());
    let tolerance = (ha * ha + hb * hb).sqrt();
    assert!((a - b).abs() <= tolerance.max(1e-12), "{what}: fast {a} ± {ha} vs per-request {b} ± {hb}");
}

fn one(s: &Summary, arch: &str) -> ClassSummary {
    class(s, arch, "api").clone()
}

const SIM: &str = "[simulation]\nhorizon = \"6h\"\nreplications = 200\nseed = 41\nconfidence = 0.99\n\n";

/// A component failing every `up` on average, repaired in `down` on average (exponential).
fn comp(name: &str, up: &str, down: &str, extra: &str) -> String {
    format!("[components.{name}]\nfailure = {{ dist = \"exponential\", mean = \"{up}\" }}\nrepair = {{ dist = \"exponential\", mean = \"{down}\" }}\n{extra}\n")
}

fn unavailability(up_h: f64, down_h: f64) -> f64 {
    down_h / (up_h + down_h)
}

/// Failover [a, b] with one retry and fast failures: a request fails only when both are down,
/// and retries exactly when a is down (P(a down) extra attempts per request).
#[test]
fn retries_on_the_next_member() {
    let text = format!(
        "{SIM}{}{}[routes.llm]\nfailover = [\"a\", \"b\"]\nretries = 1\n\n[traffic.api]\nrate = \"5/s\"\n\n[architectures.gw]\napi = [\"llm\"]\n",
        comp("a", "30m", "10m", ""),
        comp("b", "45m", "15m", "")
    );
    let (fast, per) = both(&text);
    let (f, p) = (one(&fast, "gw"), one(&per, "gw"));
    let (ua, ub) = (unavailability(0.5, 1.0 / 6.0), unavailability(0.75, 0.25));
    let l = long(&text);
    assert_covers("request success", &l.request_success, 1.0 - ua * ub, 0.005);
    assert_covers("retries per request", &l.retries_per_request, ua, 0.01);
    agree("request success", &f.request_success, &p.request_success);
    agree("retries per request", &f.retries_per_request, &p.retries_per_request);
    assert_eq!(f.availability, p.availability, "availability does not depend on the accounting");
}

/// A hanging component in series: its down time costs every request the class timeout.
#[test]
fn hanging_calls_cost_the_deadline() {
    let text = format!(
        "{SIM}{}[traffic.api]\nrate = \"5/s\"\ntimeout = \"8s\"\n\n[architectures.direct]\napi = [\"slow\"]\n",
        comp("slow", "40m", "10m", "fails = \"hang\"")
    );
    let (fast, per) = both(&text);
    let (f, p) = (one(&fast, "direct"), one(&per, "direct"));
    let u = unavailability(40.0, 10.0);
    assert_covers("mean added latency = U × timeout", &long(&text).added_latency_seconds.mean, u * 8.0, 0.1);
    assert_eq!(f.added_latency_seconds.p50.value, Some(0.0));
    assert_eq!(f.added_latency_seconds.p99.value, Some(8.0), "more than 1 % of requests wait the full 8 s");
    agree("mean added latency", &f.added_latency_seconds.mean, &p.added_latency_seconds.mean);
    agree("request success", &f.request_success, &p.request_success);
    assert_eq!(p.added_latency_seconds.p99.value, Some(8.0));
}

/// Retrying after a hanging member takes the attempt timeout; a class deadline shorter than
/// two attempts turns the retry into a timeout.
#[test]
fn attempt_timeouts_and_the_class_deadline() {
    let base = |deadline: &str| {
        format!(
            "{SIM}{}{}[routes.llm]\nfailover = [\"a\", \"b\"]\nretries = 1\ntimeout = \"5s\"\n\n[traffic.api]\nrate = \"5/s\"\ntimeout = \"{deadline}\"\n\n[architectures.gw]\napi = [\"llm\"]\n",
            comp("a", "30m", "10m", "fails = \"hang\""),
            comp("b", "1000y", "1h", "")
        )
    };
    let ua = unavailability(0.5, 1.0 / 6.0);
    // 20 s deadline: a hung attempt (5 s) then b answers: every request is served, a quarter
    // of them 5 s late.
    let (fast, per) = both(&base("20s"));
    let (f, p) = (one(&fast, "gw"), one(&per, "gw"));
    assert_covers("served", &f.request_success, 1.0, 1e-9);
    assert_covers("mean latency = P(a down) × 5 s", &long(&base("20s")).added_latency_seconds.mean, ua * 5.0, 0.05);
    agree("mean latency", &f.added_latency_seconds.mean, &p.added_latency_seconds.mean);
    // 4 s deadline: the first attempt times out at the deadline; no time for the retry.
    let (fast, per) = both(&base("4s"));
    let (f, p) = (one(&fast, "gw"), one(&per, "gw"));
    assert_covers("served only while a is up", &long(&base("4s")).request_success, 1.0 - ua, 0.01);
    assert_covers("no retry when the deadline is gone", &f.retries_per_request, 0.0, 1e-9);
    assert_covers("no retry when the deadline is gone", &p.retries_per_request, 0.0, 1e-9);
    agree("request success", &f.request_success, &p.request_success);
}

/// A silent failure mode: answers are wrong for its fraction while it lasts; nothing notices,
/// the class stays available.
#[test]
fn silent_failures_count_as_served_but_wrong() {
    let text = format!(
        "{SIM}[components.model]\n[components.model.modes.outage]\nfailure = {{ dist = \"exponential\", mean = \"2h\" }}\nrepair = {{ dist = \"exponential\", mean = \"10m\" }}\n\
[components.model.modes.quality-bug]\nfailure = {{ dist = \"exponential\", mean = \"1h\" }}\nrepair = {{ dist = \"exponential\", mean = \"30m\" }}\neffect = \"silent\"\nfraction = 0.4\n\n\
[traffic.api]\nrate = \"5/s\"\n\n[architectures.direct]\napi = [\"model\"]\n"
    );
    let (fast, per) = both(&text);
    let (f, p) = (one(&fast, "direct"), one(&per, "direct"));
    let (u_out, u_bug) = (unavailability(2.0, 1.0 / 6.0), unavailability(1.0, 0.5));
    let l = long(&text);
    assert_covers("availability ignores silent errors", &l.availability, 1.0 - u_out, 0.005);
    assert_covers("silent errors", &l.silent_errors, (1.0 - u_out) * u_bug * 0.4, 0.005);
    assert_covers("request success", &l.request_success, (1.0 - u_out) * (1.0 - u_bug * 0.4), 0.008);
    agree("silent errors", &f.silent_errors, &p.silent_errors);
    agree("request success", &f.request_success, &p.request_success);
}

/// Balance over two members with a health check: a member that fails keeps its share until it
/// is taken out (after H or at its repair, whichever comes first), and while the other is out
/// it gets everything. With exponential repairs (rate μ): P(in rotation while down) =
/// ν·(1 − e^(−μH))/μ, P(out of rotation) = ν·e^(−μH)/μ.
#[test]
fn balance_with_health_checks() {
    let text = format!(
        "{SIM}{}{}[routes.lb]\nbalance = [\"a\", \"b\"]\nweights = [3, 1]\nhealth_check = \"2m\"\n\n[traffic.api]\nrate = \"5/s\"\n\n[architectures.lb]\napi = [\"lb\"]\n",
        comp("a", "20m", "6m", ""),
        comp("b", "30m", "10m", "")
    );
    let (fast, per) = both(&text);
    let (f, p) = (one(&fast, "lb"), one(&per, "lb"));
    let h = 2.0 / 60.0;
    let member = |up: f64, down: f64| {
        let (nu, mu) = (1.0 / (up + down), 1.0 / down);
        let in_rot_down = nu * (1.0 - (-mu * h).exp()) / mu;
        let out = nu * (-mu * h).exp() / mu;
        (in_rot_down, out)
    };
    let (a_bad, a_out) = member(20.0 / 60.0, 6.0 / 60.0);
    let (b_bad, b_out) = member(0.5, 10.0 / 60.0);
    let (wa, wb) = (3.0, 1.0);
    let failed = a_bad * (wa / (wa + wb) * (1.0 - b_out) + b_out) + b_bad * (wb / (wa + wb) * (1.0 - a_out) + a_out) + a_out * b_out;
    assert_covers("request success with health checks", &long(&text).request_success, 1.0 - failed, 0.005);
    agree("request success", &f.request_success, &p.request_success);
}

/// Capacity: a pool of 4 units of 2 req/s each (8 req/s) under 5 req/s is fine while at least
/// 3 units are up; with 2 units (4 req/s) a fifth of requests is shed, with 1 unit three fifths.
/// A second architecture that does not use the pool sheds nothing.
#[test]
fn capacity_sheds_the_excess_as_overloaded() {
    let text = format!(
        "{SIM}[components.gpus]\ncount = 4\nneed = 1\ncapacity = 2\nfailure = {{ dist = \"exponential\", mean = \"1h\" }}\nrepair = {{ dist = \"exponential\", mean = \"30m\" }}\n\n\
[components.spare]\ncapacity = 1000\nfailure = \"1000y\"\nrepair = \"1h\"\n\n\
[traffic.api]\nrate = \"5/s\"\n\n[architectures.pool]\napi = [\"gpus\"]\n\n[architectures.other]\napi = [\"spare\"]\n"
    );
    // `other` shares the event loop and sends the pool nothing: each architecture sheds by its
    // own load.
    let (fast, per) = both(&text);
    let (f, p) = (one(&fast, "pool"), one(&per, "pool"));
    assert_eq!(one(&per, "other").overloaded_requests.mean, Some(0.0));
    let a: f64 = 2.0 / 3.0;
    let pk = |k: u32| {
        let c = [1.0, 4.0, 6.0, 4.0, 1.0][k as usize];
        c * a.powi(k as i32) * (1.0 - a).powi(4 - k as i32)
    };
    let shed = pk(2) * (1.0 - 4.0 / 5.0) + pk(1) * (1.0 - 2.0 / 5.0);
    let l = long(&text);
    assert_covers("overloaded fraction", &l.overloaded_requests, shed, 0.005);
    assert_covers("availability (k of n with need 1)", &l.availability, 1.0 - pk(0), 0.005);
    agree("overloaded", &f.overloaded_requests, &p.overloaded_requests);
    agree("request success", &f.request_success, &p.request_success);
}

/// Surges multiply the rate: a server of 8 req/s under 5 req/s is fine, but a surge ×3 sheds
/// 1 − 8/15 of the surge's requests. Surges come every 2 h and last 30 min (exponential).
#[test]
fn surges_beyond_capacity() {
    let text = format!(
        "{SIM}[components.server]\ncapacity = 8\nfailure = \"1000y\"\nrepair = \"1h\"\n\n\
[traffic.api]\nrate = \"5/s\"\nsurges = {{ every = {{ dist = \"exponential\", mean = \"2h\" }}, factor = 3.0, duration = {{ dist = \"exponential\", mean = \"30m\" }} }}\n\n\
[architectures.one]\napi = [\"server\"]\n"
    );
    let (fast, per) = both(&text);
    let (f, p) = (one(&fast, "one"), one(&per, "one"));
    let on = 0.5 / 2.5;
    let shed = on * 3.0 * (1.0 - 8.0 / 15.0) / (on * 3.0 + (1.0 - on));
    assert_covers("overloaded during surges", &long(&text).overloaded_requests, shed, 0.01);
    agree("overloaded", &f.overloaded_requests, &p.overloaded_requests);
}

/// A daily profile changes the load hour by hour: capacity 6 req/s, rate 5 req/s on average,
/// 10 req/s in the 12 busiest hours and ~0 in the others.
#[test]
fn the_daily_profile_drives_overload() {
    let profile: Vec<String> = (0..24).map(|h| if h < 12 { "2.0".to_string() } else { "0.0".to_string() }).collect();
    let text = format!(
        "[simulation]\nhorizon = \"2d\"\nreplications = 20\nseed = 42\nconfidence = 0.99\n\n[components.server]\ncapacity = 6\nfailure = \"1000y\"\nrepair = \"1h\"\n\n\
[traffic.api]\nrate = \"5/s\"\nprofile = [{}]\n\n[architectures.one]\napi = [\"server\"]\n",
        profile.join(", ")
    );
    let f = one(&simulate(&text, Accounting::Fast), "one");
    // Every request arrives in a busy hour, where 1 − 6/10 of them are shed.
    assert!((f.overloaded_requests.mean.unwrap() - 0.4).abs() < 1e-9, "{:?}", f.overloaded_requests);
    let p = one(&simulate(&text, Accounting::PerRequest), "one");
    assert_covers("per request", &p.overloaded_requests, 0.4, 0.01);
}

/// Bad deploys: every `every` (exponential, 3 h) a deploy is bad with probability 0.3 and takes
/// the service down until rolled back (30 min): down a fraction 0.3·0.5 / (3 + 0.3·0.5).
#[test]
fn bad_deploys_take_a_service_down() {
    let text = format!(
        "{SIM}[components.svc]\nfailure = \"1000y\"\nrepair = \"1h\"\ndeploys = {{ every = {{ dist = \"exponential\", mean = \"3h\" }}, bad = 0.3, effect = \"down\", rollback = {{ dist = \"exponential\", mean = \"30m\" }} }}\n\n\
[traffic.api]\nrate = \"5/s\"\n\n[architectures.one]\napi = [\"svc\"]\n"
    );
    let s = simulate(&text.replace("\"6h\"", "\"100d\"").replace("replications = 200", "replications = 100"), Accounting::Fast);
    let f = one(&s, "one");
    let down = 0.3 * 0.5 / (3.0 + 0.3 * 0.5);
    assert_covers("availability with bad deploys", &f.availability, 1.0 - down, 0.005);
    assert_covers("request success", &f.request_success, 1.0 - down, 0.005);
    // Degraded deploys cut capacity instead: 8 req/s → 2 req/s under 5 req/s sheds 3/5.
    let degraded = text
        .replace("failure = \"1000y\"", "capacity = 8\nfailure = \"1000y\"")
        .replace("effect = \"down\"", "effect = \"degraded\", capacity_left = 0.25")
        .replace("\"6h\"", "\"100d\"")
        .replace("replications = 200", "replications = 100");
    let f = one(&simulate(&degraded, Accounting::Fast), "one");
    assert_covers("availability with degraded deploys", &f.availability, 1.0, 1e-9);
    assert_covers("shed while degraded", &f.overloaded_requests, down * 0.6, 0.005);
    // Both accountings agree, on the short horizon where drawing every request is cheap.
    let (fast, per) = both(&text);
    agree("request success with bad deploys", &one(&fast, "one").request_success, &one(&per, "one").request_success);
    let short_degraded = degraded.replace("\"100d\"", "\"6h\"").replace("replications = 100", "replications = 200");
    let (fast, per) = both(&short_degraded);
    agree("shed while degraded", &one(&fast, "one").overloaded_requests, &one(&per, "one").overloaded_requests);
}

/// Breakers: without retries, requests to a failed first member fail until its breaker opens;
/// then they go to the second member. Both modes see the same breaker.
#[test]
fn breakers_agree_between_modes_and_open_later_at_low_rates() {
    let text = |rate: &str| {
        format!(
            "{SIM}{}{}[routes.llm]\nfailover = [\"a\", \"b\"]\nbreaker = {{ window = \"60s\", min_calls = 20, threshold = 0.5, open_for = \"30s\", half_open_calls = 5 }}\n\n\
[traffic.api]\nrate = \"{rate}\"\n\n[architectures.gw]\napi = [\"llm\"]\n",
            comp("a", "40m", "10m", ""),
            comp("b", "1000y", "1h", "")
        )
    };
    let (fast5, per5) = both(&text("2/s"));
    let (f5, p5) = (one(&fast5, "gw"), one(&per5, "gw"));
    agree("request success at 2/s", &f5.request_success, &p5.request_success);
    agree("breaker opens at 2/s", &f5.breaker_opens_per_year, &p5.breaker_opens_per_year);
    let (fast20, per20) = both(&text("20/s"));
    let (f20, p20) = (one(&fast20, "gw"), one(&per20, "gw"));
    agree("request success at 20/s", &f20.request_success, &p20.request_success);
    agree("breaker opens at 20/s", &f20.breaker_opens_per_year, &p20.breaker_opens_per_year);
    // At 2 req/s the window holds 120 calls and needs 20 of them, so it opens once failures
    // dominate; at 20 req/s likewise — but half-open trials come 10 times faster, so requests
    // fail for less of each outage: success is higher at the higher rate.
    assert!(f20.request_success.mean.unwrap() > f5.request_success.mean.unwrap());
    // A window that can never hold min_calls (0.2 req/s × 60 s = 12 calls, min_calls 200):
    // the breaker never opens, and requests fail whenever a is down.
    let f_slow = long(&text("0.2/s").replace("min_calls = 20", "min_calls = 200"));
    assert_eq!(f_slow.breaker_opens_per_year.mean, Some(0.0));
    let ua = unavailability(40.0, 10.0);
    assert_covers("a breaker that never opens", &f_slow.request_success, 1.0 - ua, 0.01);
}

/// At 10,000 req/s the fast mode's breaker opens, to within a second, 30 s after the failure
/// (failures reach half of a 60 s window full of successes), so about 30 s of requests per
/// outage fail — and it costs no more than at low rates.
#[test]
fn a_breaker_at_high_rate() {
    let text = format!(
        "[simulation]\nhorizon = \"30d\"\nreplications = 40\nseed = 43\nconfidence = 0.99\n\n{}{}[routes.llm]\nfailover = [\"a\", \"b\"]\nbreaker = {{ window = \"60s\", min_calls = 20, threshold = 0.5, open_for = \"600s\", half_open_calls = 5 }}\n\n\
[traffic.api]\nrate = \"10000/s\"\n\n[architectures.gw]\napi = [\"llm\"]\n",
        comp("a", "20h", "1h", ""),
        comp("b", "1000y", "1h", "")
    );
    let f = one(&simulate(&text, Accounting::Fast), "gw");
    // Per outage of a (1 h on average): 30 s failing, then trials every 600 s fail 5 calls.
    let per_outage = 30.0 / 3600.0;
    let outage_fraction = 1.0 / 21.0;
    let expected = 1.0 - outage_fraction * per_outage;
    let got = f.request_success.mean.unwrap();
    assert!((got - expected).abs() < 2e-4, "{got} vs {expected}");
}

/// Prices per request follow the member that answers. In a route-level failover [a, b] (hot,
/// instant), a answers while it is up and b while a is down and b up; in a request-level one
/// with a retry, a request finding a down fails there (a bills nothing: it did not answer) and
/// is answered by b if b is up. Either way the bill per request is
/// p_a·A_a + p_b·(1 − A_a)·A_b, with A_a = 3/4, A_b = 3/4: 0.001·0.75 + 0.004·0.1875 = 0.0015.
/// The fast accounting (expected requests per stretch of state) and the per-request one agree
/// (checked on the request-level failover, where each request finds its own way).
#[test]
fn prices_per_request_follow_the_member_that_answers() {
    for route in ["failover = [\"a\", \"b\"]", "failover = [\"a\", \"b\"]\nretries = 1"] {
        let text = format!(
            "{SIM}{}{}[routes.llm]\n{route}\n\n[traffic.api]\nrate = \"5/s\"\n\n[architectures.gw]\napi = [\"llm\"]\n",
            comp("a", "30m", "10m", "cost_per_request = 0.001"),
            comp("b", "45m", "15m", "cost_per_request = 0.004")
        );
        let cost = |s: &Summary| s.architectures[0].metric(ArchitectureMetric::RequestCostPerYear).expect("request_cost_per_year");
        if route.contains("retries") {
            let (fast, per) = both(&text);
            agree(&format!("request cost ({route})"), &cost(&fast), &cost(&per));
        }
        let (ua, ub) = (unavailability(0.5, 1.0 / 6.0), unavailability(0.75, 0.25));
        let per_request = 0.001 * (1.0 - ua) + 0.004 * ua * (1.0 - ub);
        assert!((per_request - 0.0015).abs() < 1e-15);
        let long_run = simulate(
            &text.replace("horizon = \"6h\"", "horizon = \"60d\"").replace("replications = 200", "replications = 60").replace("confidence = 0.99\n", "confidence = 0.999\n"),
            Accounting::Fast,
        );
        let year = 5.0 * 3600.0 * 8760.0;
        assert_covers(&format!("request cost per year ({route})"), &cost(&long_run), per_request * year, 0.01 * per_request * year);
    }
}
