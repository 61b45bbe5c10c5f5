//! Circuit breakers fast-forwarded through long outages (`traffic::cycling`): the same
//! distribution of every metric as cycle by cycle (`Accounting::FastEachCycle`) and as request
//! by request, and the share of time a breaker lets trials through when its member stays down.

use relsim::montecarlo::Options;
use relsim::sim::Accounting;
use relsim::stats::estimate::Estimate;
use relsim::stats::summary::{ClassSummary, Summary};

use crate::common::{assert_covers, class};

fn simulate(text: &str, accounting: Accounting) -> Summary {
    let model = relsim::load_str(text, &[]).unwrap_or_else(|e| panic!("{e}"));
    relsim::simulate_with(&model, &Options { threads: Some(2), accounting, ..Default::default() }).unwrap()
}

fn api(s: &Summary) -> ClassSummary {
    class(s, "gw", "api").clone()
}

/// The two runs agree: the difference of their means lies within their half-widths combined
/// (the interval of the difference of two independent estimates contains 0).
#[track_caller]
fn agree(what: &str, a: &Estimate, b: &Estimate) {
    let (x, y) = (a.mean.unwrap(), b.mean.unwrap());
    let (hx, hy) = (a.half_width().unwrap_or(0.0), b.half_width().unwrap_or(0.0));
    let tolerance = (hx * hx + hy * hy).sqrt();
    assert!((x - y).abs() <= tolerance.max(1e-12 * x.abs().max(1.0)), "{what}: {x} ± {hx} vs {y} ± {hy}");
}

#[track_caller]
fn all_agree(a: &ClassSummary, b: &ClassSummary) {
    agree("request success", &a.request_success, &b.request_success);
    agree("retries per request", &a.retries_per_request, &b.retries_per_request);
    agree("breaker opens per year", &a.breaker_opens_per_year, &b.breaker_opens_per_year);
    agree("mean added latency", &a.added_latency_seconds.mean, &b.added_latency_seconds.mean);
    agree("availability", &a.availability, &b.availability);
}

/// A failover [a, b] with one retry and a breaker on each member; `a` is whatever `a_lines`
/// define (a component or a route named `a`), `b` never fails in practice.
fn scenario(sim: &str, a_lines: &str, rate: &str, traffic_extra: &str) -> String {
    format!(
        "{sim}{a_lines}\n[components.b]\nfailure = {{ dist = \"exponential\", mean = \"1000y\" }}\nrepair = {{ dist = \"exponential\", mean = \"1h\" }}\n\n\
[routes.llm]\nfailover = [\"a\", \"b\"]\nretries = 1\ntimeout = \"20s\"\nbreaker = {{ window = \"60s\", min_calls = 20, threshold = 0.5, open_for = \"30s\", half_open_calls = 5 }}\n\n\
[traffic.api]\nrate = \"{rate}\"\n{traffic_extra}\n[architectures.gw]\napi = [\"llm\"]\n"
    )
}

const LONG_OUTAGES: &str = "[components.a]\nfailure = { dist = \"exponential\", mean = \"2h\" }\nrepair = { dist = \"exponential\", mean = \"4h\" }\n";

/// Long outages of `a` that fail every call (p_fail = 1, hundreds of cycles per outage), with a
/// daily profile (every hour ends a span) and with hanging calls (the verdict waits for the
/// last trial's timeout): fast-forwarded and cycle by cycle agree on every metric.
#[test]
fn fast_forward_agrees_with_cycle_by_cycle_through_long_outages() {
    let sim = "[simulation]\nhorizon = \"30d\"\nreplications = 60\nseed = 71\nconfidence = 0.99\n\n";
    let profile = "profile = [0.4, 0.3, 0.3, 0.3, 0.4, 0.6, 0.9, 1.2, 1.4, 1.5, 1.5, 1.4, 1.3, 1.4, 1.5, 1.5, 1.4, 1.3, 1.2, 1.1, 1.0, 0.9, 0.7, 0.5]\n";
    for (a, extra) in [(LONG_OUTAGES.to_string(), profile), (format!("{LONG_OUTAGES}fails = \"hang\"\n"), "")] {
        let text = scenario(sim, &a, "20/s", extra);
        let fast = api(&simulate(&text, Accounting::Fast));
        let each = api(&simulate(&text, Accounting::FastEachCycle));
        assert!(fast.breaker_opens_per_year.mean.unwrap() > 10_000.0, "many cycles per outage");
        all_agree(&fast, &each);
    }
}

/// `a` is a pool of two members whose health check never acts, one of them down for long
/// stretches: half the calls to `a` fail, so a verdict closes the breaker half the time and the
/// window opens it again. Letting the trials through changes the calls `b`'s breaker sees
/// (only the failed half is retried there), so the engine declines to fast-forward and cycles
/// event by event: the two settings must then agree too. (The closing look-ahead itself is
/// tested in `traffic::cycling`.)
#[test]
fn fast_forward_agrees_when_verdicts_can_close() {
    let sim = "[simulation]\nhorizon = \"30d\"\nreplications = 60\nseed = 72\nconfidence = 0.99\n\n";
    let a = format!(
        "{}\n[components.a2]\nfailure = {{ dist = \"exponential\", mean = \"1000y\" }}\nrepair = {{ dist = \"exponential\", mean = \"1h\" }}\n\n[routes.a]\nbalance = [\"a1\", \"a2\"]\nhealth_check = \"100d\"\n",
        LONG_OUTAGES.replace("components.a]", "components.a1]")
    );
    let text = scenario(sim, &a, "20/s", "");
    let fast = api(&simulate(&text, Accounting::Fast));
    let each = api(&simulate(&text, Accounting::FastEachCycle));
    assert!(fast.breaker_opens_per_year.mean.unwrap() > 1_000.0);
    all_agree(&fast, &each);
}

/// The per-request mode (every request drawn, every breaker transition an event) agrees with
/// the fast-forward on long outages at a low rate.
#[test]
fn per_request_agrees_with_the_fast_forward_on_long_outages() {
    let sim = "[simulation]\nhorizon = \"6h\"\nreplications = 200\nseed = 73\nconfidence = 0.99\n\n";
    let text = scenario(sim, LONG_OUTAGES, "2/s", "");
    let fast = api(&simulate(&text, Accounting::Fast));
    let per = api(&simulate(&text, Accounting::PerRequest));
    assert!(fast.breaker_opens_per_year.mean.unwrap() > 100_000.0, "hundreds of cycles per outage");
    all_agree(&fast, &per);
}

/// `a` is down (almost) all the time and fails every call at once: once its breaker has
/// opened, each cycle is `open_for` open then half open while 5 trials arrive at 10/s
/// (0.5 s on average), and each request in the half-open part fails on `a` and is retried on
/// `b`. By renewal–reward, retries per request = 0.5 / (30 + 0.5); opens per 30 days follow.
#[test]
fn share_of_time_half_open_matches_the_renewal_reward_value() {
    let sim = "[simulation]\nhorizon = \"30d\"\nreplications = 40\nseed = 74\nconfidence = 0.999\n\n";
    let a = "[components.a]\nfailure = { dist = \"exponential\", mean = \"1s\" }\nrepair = { dist = \"exponential\", mean = \"100000y\" }\n";
    let text = scenario(sim, a, "10/s", "");
    let fast = api(&simulate(&text, Accounting::Fast));
    // The start (about 3 s before the breaker first opens, every request retried) adds
    // about 1e-6, well inside the interval.
    let share = 0.5 / 30.5;
    assert_covers("retries per request", &fast.retries_per_request, share, 2e-4);
    assert_covers("request success", &fast.request_success, 1.0, 1e-9);
    // Opens: one per cycle, 30 d / 30.5 s a year ×(365/30), within a few cycles.
    let opens = fast.breaker_opens_per_year.mean.unwrap() * 30.0 / 365.0;
    let cycles = 30.0 * 86_400.0 / 30.5;
    assert!((opens - cycles).abs() < 5.0, "{opens} opens vs {cycles} cycles");
    let each = api(&simulate(&text, Accounting::FastEachCycle));
    assert_covers("retries per request, cycle by cycle", &each.retries_per_request, share, 2e-4);
}
