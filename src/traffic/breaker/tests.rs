//! The breaker's window, verdicts and fast-mode draws.

use super::*;
use crate::rng::stream;

fn config() -> Config {
    Config { window: 60.0, min_calls: 20, threshold: 0.5, open_for: 30.0, half_open_calls: 5 }
}

#[test]
fn opens_on_failures_and_recovers_through_half_open() {
    let mut b = Breaker::new(config(), 1e9);
    for i in 0..19 {
        assert!(b.call());
        b.record_at(i as f64, i as f64, true);
    }
    assert_eq!(b.state, State::Closed, "19 calls are fewer than min_calls");
    b.record_at(19.0, 19.0, true);
    assert!(matches!(b.state, State::Open { until } if until == 49.0));
    assert!(!b.call());
    let mut rng = stream(1, 0, 0);
    b.advance(49.0, &mut rng);
    assert!(matches!(b.state, State::HalfOpen { .. }));
    for k in 0..5 {
        assert!(b.call());
        b.record_at(50.0 + k as f64, 50.0 + k as f64, false);
    }
    assert_eq!(b.state, State::Closed);
    assert_eq!(b.opens, 1);
}

#[test]
fn successes_keep_it_closed_and_old_seconds_leave_the_window() {
    let mut b = Breaker::new(config(), 1e9);
    for i in 0..30 {
        b.record_at(i as f64 + 0.5, i as f64 + 0.5, false);
    }
    for i in 30..58 {
        b.record_at(i as f64 + 0.5, i as f64 + 0.5, true);
    }
    // 28 failures of 58 calls in the window: below half.
    assert_eq!(b.state, State::Closed);
    // At 100.5 the window holds seconds 41 to 100: the failures of seconds 41 to 57 (17)
    // and this one, 18 calls, fewer than min_calls.
    b.record_at(100.5, 100.5, true);
    assert_eq!(b.state, State::Closed);
    b.record_at(100.6, 100.6, true);
    assert_eq!(b.state, State::Closed);
    b.record_at(100.7, 100.7, true);
    assert!(matches!(b.state, State::Open { .. }));
}

#[test]
fn hanging_calls_are_recorded_when_they_end() {
    let mut b = Breaker::new(Config { min_calls: 1, ..config() }, 1e9);
    let mut rng = stream(1, 0, 0);
    b.record_at(0.0, 20.0, true);
    assert_eq!(b.state, State::Closed);
    b.advance(19.0, &mut rng);
    assert_eq!(b.state, State::Closed);
    b.advance(20.0, &mut rng);
    assert!(matches!(b.state, State::Open { .. }));
}

/// Drives a fast-mode breaker through its own events until `until`.
fn run(b: &mut Breaker, until: f64, rng: &mut Stream) {
    loop {
        let t = b.next_time();
        if t > until {
            break;
        }
        b.advance(t, rng);
    }
}

#[test]
fn at_high_rates_it_opens_when_failures_reach_the_threshold() {
    // 1000 calls/s all succeeding, then all failing from t = 60.5: the window of 60
    // seconds holds about 59,500 successes, so it opens near 60.5 + 59.5 / 2... at the
    // record where failures reach half the window, about 30 s later.
    let mut rng = stream(1, 0, 0);
    let mut b = Breaker::new(config(), 1e9);
    b.set_calls(0.0, 1000.0, 0.0, 0.0, &mut rng);
    run(&mut b, 60.5, &mut rng);
    b.set_calls(60.5, 1000.0, 1.0, 0.0, &mut rng);
    run(&mut b, 60.5, &mut rng);
    let mut opened = None;
    let mut t = 60.5;
    while opened.is_none() && t < 200.0 {
        let next = b.next_time();
        b.advance(next, &mut rng);
        t = next;
        if matches!(b.state, State::Open { .. }) {
            opened = Some(t);
        }
    }
    let at = opened.expect("it opens");
    assert!((at - 90.5).abs() < 1.0, "opened at {at}");
    // It idled while everything succeeded: a handful of events, not 60,000.
}

#[test]
fn idle_while_everything_succeeds() {
    let mut rng = stream(1, 0, 0);
    let mut b = Breaker::new(config(), 1e9);
    b.set_calls(0.0, 10_000.0, 0.0, 0.0, &mut rng);
    assert!(b.next_time().is_infinite(), "nothing can open it");
    // A failure stream wakes it; the window (seconds 41 to 100, at the very start of
    // second 100: 59 s) is refilled with about 590,000 successes.
    b.set_calls(100.0, 10_000.0, 0.1, 0.0, &mut rng);
    let sd = 590_000f64.sqrt();
    assert!((b.calls as f64 - 590_000.0).abs() < 5.0 * sd, "{}", b.calls);
    assert!(b.next_time() <= 101.0);
}

#[test]
fn hanging_failures_are_known_late() {
    // Failures known 20 s late: the window keeps its successes for 20 s longer, so with
    // failures in the window reaching half at t − 20 − ... it opens about 20 s later than
    // with fast failures.
    let mut rng = stream(3, 0, 0);
    let mut b = Breaker::new(config(), 1e9);
    b.set_calls(0.0, 1000.0, 0.0, 0.0, &mut rng);
    b.set_calls(60.0, 1000.0, 1.0, 20.0, &mut rng);
    let mut t = 60.0;
    while !matches!(b.state, State::Open { .. }) && t < 300.0 {
        t = b.next_time();
        b.advance(t, &mut rng);
    }
    // No records from 60 to 80 (the calls hang); from 80 failures at 1000/s while the
    // successes of 20 to 60 leave: failures (t − 80) reach the successes (60 − (t − 60)),
    // at t = 100.
    assert!((t - 100.0).abs() < 1.5, "opened at {t}");
}

#[test]
fn stopping_a_stretch_keeps_the_records_drawn_before() {
    // Rates change many times within each second: the counts still add up to the rate.
    let mut rng = stream(5, 0, 0);
    let mut b = Breaker::new(Config { min_calls: 1_000_000, ..config() }, 1e9);
    let mut t = 0.0;
    b.set_calls(0.0, 1000.0, 0.5, 0.0, &mut rng);
    while t < 50.0 {
        t += 0.1;
        run(&mut b, t, &mut rng);
        let p = if (t * 10.0).round() as i64 % 2 == 0 { 0.5 } else { 0.4 };
        b.set_calls(t, 1000.0, p, 0.0, &mut rng);
    }
    // The window holds the last 59.x seconds... here all 50 s: about 50,000 calls.
    let calls = b.calls as f64;
    assert!((calls - 50_000.0).abs() < 5.0 * 50_000f64.sqrt(), "{calls}");
    let failures = b.failures as f64;
    assert!((failures - 22_500.0).abs() < 5.0 * 22_500f64.sqrt(), "{failures}");
}
