//! The work a run will do, estimated before it starts, so that a horizon or a replication count
//! that would take days is refused at once (with the estimate) instead of running unattended
//! for ever. `--force` runs it anyway.
//!
//! The estimate counts events, the engine's unit of work: every unit of every simulated
//! component fails, is detected (when it has a detection delay) and is repaired about
//! horizon / (mean up time + mean detection + mean repair) times per replication; deploys,
//! surges, hourly rate changes and circuit breakers cycling on a member that is down add their
//! own events; `--per-request` adds every request; `--importance` runs each replication again
//! twice per component and `--first-outage` at least once more. Each world (a group of
//! architectures simulated in one event loop) counts separately. It is an order of magnitude,
//! not a promise (it is within 10 % for the shipped scenarios): outages followed past the
//! horizon add events it does not count.

use crate::model::dist::Dist;
use crate::model::Model;
use crate::montecarlo::Options;
use crate::scenario::units::{HOUR, YEAR};
use crate::sim::FIRST_OUTAGE_LIMIT;

/// Events above which a run is refused without `--force`: about an hour and a half on the
/// project's 2-core machine at [`EVENTS_PER_SECOND`] per thread.
pub const LIMIT_EVENTS: f64 = 1e11;

/// Events per second one thread simulates, for turning events into time: the renewal benchmark
/// measures 12 to 26 million on the project's machine (docs/performance.md); request-level
/// scenarios are slower, so this is on the optimistic side and the time a lower bound.
pub const EVENTS_PER_SECOND: f64 = 1e7;

/// What a run is estimated to cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Work {
    /// Events in all.
    pub events: f64,
    /// Events per replication (all worlds, all re-runs).
    pub per_replication: f64,
    /// Replications.
    pub replications: u64,
    /// What multiplies the work beyond one run of each replication, for the message.
    pub factors: Vec<String>,
    /// Events if every `--first-outage` run went on to its 10,000-year cap (a class that
    /// rarely fails); equal to `events` without `--first-outage`.
    pub events_at_most: f64,
}

/// The mean of a duration distribution, never below a millisecond (a zero mean would count as
/// infinitely many events).
fn mean(d: &Dist) -> f64 {
    d.mean().max(1e-3)
}

/// Estimates the work of `replications` replications of `model` run with `options`.
pub fn estimate(model: &Model, replications: u64, options: &Options) -> Work {
    let h = model.horizon;
    let mut per_replication = 0.0;
    let mut per_replication_at_most = 0.0;
    let mut factors = Vec::new();
    let mut most_components = 0usize;
    for archs in crate::plan::worlds(model) {
        let mut used = vec![false; model.components.len()];
        for &a in &archs {
            for (u, x) in used.iter_mut().zip(model.components_of(a)) {
                *u |= x;
            }
        }
        let mut events = 0.0;
        for comp in model.components.iter().zip(&used).filter(|(_, u)| **u).map(|(c, _)| c) {
            for p in &comp.processes {
                let cycle = mean(&p.failure) + p.detect.as_ref().map_or(0.0, mean) + mean(&p.repair);
                let per_cycle = if p.detect.is_some() { 3.0 } else { 2.0 };
                events += comp.count as f64 * h / cycle * per_cycle;
            }
            if let Some(d) = &comp.deploys {
                events += h / (mean(&d.every) + d.bad * mean(&d.rollback)) * (1.0 + d.bad);
            }
        }
        let request_level = archs.iter().any(|&a| model.request_level(a));
        if request_level {
            // Rates are refreshed every hour when the daily profile changes what breakers or
            // capacities see; surges start and end.
            if crate::plan::Plan::new(model, &archs).ticks {
                events += h / HOUR;
            }
            for cls in &model.classes {
                if let Some(s) = &cls.surges {
                    events += 2.0 * h / (mean(&s.every) + mean(&s.duration));
                }
            }
            events += breaker_events(model, &archs);
            if options.accounting == crate::sim::Accounting::PerRequest {
                events += model.total_rate() * h;
            }
        }
        let used_count = used.iter().filter(|&&u| u).count();
        most_components = most_components.max(used_count);
        let mut runs = 1.0;
        if options.importance {
            runs += 2.0 * used_count as f64;
        }
        per_replication_at_most += events * (runs + if options.first_outage { (FIRST_OUTAGE_LIMIT / h).max(1.0) } else { 0.0 });
        if options.first_outage {
            runs += 1.0;
        }
        per_replication += events * runs;
    }
    if options.accounting == crate::sim::Accounting::PerRequest {
        factors.push(format!("--per-request: every request, {:.3e} per replication", model.total_rate() * h));
    }
    if options.importance {
        factors.push(format!("--importance: each replication again twice per component, up to {} times", 1 + 2 * most_components));
    }
    if options.first_outage {
        factors.push("--first-outage: each replication again until every class has failed (counted as one more horizon; longer for classes that rarely fail)".to_string());
    }
    let n = replications as f64;
    Work { events: per_replication * n, per_replication, replications, factors, events_at_most: per_replication_at_most.max(per_replication) * n }
}

/// Circuit breakers add events while a member they guard is down: it opens, waits `open_for`,
/// tries again and opens again: about one event every `open_for` (measured on the shipped
/// scenarios).
fn breaker_events(model: &Model, archs: &[usize]) -> f64 {
    let h = model.horizon;
    let mut events = 0.0;
    for &a in archs {
        let nodes = &model.architectures[a].nodes;
        for node in nodes {
            let crate::model::NodeKind::Failover(f) = &node.kind else { continue };
            let Some(b) = f.breaker else { continue };
            for m in &node.members {
                events += member_unavailability(model, nodes, m) * h / b.open_for.max(1.0);
            }
        }
    }
    events
}

/// A rough unavailability of a route member: a component's own (detection and repair over its
/// cycle), a route's the sum of its components' (capped at 1).
fn member_unavailability(model: &Model, nodes: &[crate::model::RouteNode], m: &crate::model::Member) -> f64 {
    let component = |c: usize| {
        let comp = &model.components[c];
        let p = &comp.processes[0];
        let down = p.detect.as_ref().map_or(0.0, mean) + mean(&p.repair);
        let u = down / (mean(&p.failure) + down);
        // A pool is down only when several units are.
        u.powi((comp.count - comp.need + 1) as i32)
    };
    match *m {
        crate::model::Member::Component(c) => component(c),
        crate::model::Member::Node(k) => nodes[k]
            .members
            .iter()
            .map(|x| match *x {
                crate::model::Member::Component(c) => component(c),
                crate::model::Member::Node(_) => 0.0,
            })
            .sum::<f64>()
            .min(1.0),
    }
}

impl Work {
    /// Whether it is above [`LIMIT_EVENTS`].
    pub fn too_much(&self) -> bool {
        // A number that is not finite (or not a number) is too much too.
        self.events.is_nan() || self.events > LIMIT_EVENTS
    }

    /// When `--first-outage` could take days more than estimated (a class that rarely fails
    /// makes each replication run to the 10,000-year cap), what to say.
    pub fn first_outage_warning(&self, threads: usize) -> Option<String> {
        // Most scenarios fail within days, so only an upper bound of days of work is worth a
        // warning.
        (self.events_at_most > 100.0 * LIMIT_EVENTS && self.events_at_most > 2.0 * self.events).then(|| {
            format!(
                "--first-outage runs each replication until every class has had an outage, for at most {:.0} years: a class that rarely fails makes that up to {} events, about {} (Ctrl-C stops it cleanly)",
                FIRST_OUTAGE_LIMIT / YEAR,
                sci(self.events_at_most),
                human_time(self.events_at_most / (EVENTS_PER_SECOND * threads.max(1) as f64))
            )
        })
    }

    /// Seconds it would take on `threads` threads at [`EVENTS_PER_SECOND`] each.
    pub fn seconds(&self, threads: usize) -> f64 {
        self.events / (EVENTS_PER_SECOND * threads.max(1) as f64)
    }

    /// The refusal: the estimate in events and time, and what to change.
    pub fn refusal(&self, model: &Model, threads: usize) -> (String, Vec<String>) {
        let message = format!(
            "this run would simulate about {} events ({} replications × {} each, over a horizon of {}), about {} on {} thread{} at {:.0} million events per second each",
            sci(self.events),
            self.replications,
            sci(self.per_replication),
            years(model.horizon),
            human_time(self.seconds(threads)),
            threads,
            if threads == 1 { "" } else { "s" },
            EVENTS_PER_SECOND / 1e6,
        );
        let mut help: Vec<String> = self.factors.iter().map(|f| format!("the work includes {f}")).collect();
        help.push("shorten simulation.horizon (a year or a few per replication is usual) or lower simulation.replications (--reps N); intervals narrow with the square root of the replications".to_string());
        help.push(format!("relsim refuses runs above {} events; add --force to run it anyway (Ctrl-C stops it cleanly)", sci(LIMIT_EVENTS)));
        (message, help)
    }
}

/// `3.2e15`, or the number itself below a million.
fn sci(x: f64) -> String {
    if x < 1e6 { format!("{x:.0}") } else { format!("{x:.1e}") }
}

/// A horizon in years (or hours when short), readable however large.
fn years(seconds: f64) -> String {
    let y = seconds / YEAR;
    if y < 1.0 {
        format!("{} h", sci(seconds / HOUR))
    } else if y == 1.0 {
        "1 year".to_string()
    } else {
        format!("{} years", sci(y))
    }
}

/// Seconds as "40 seconds", "3 minutes", "5 hours", "12 days", "2.3e9 years".
pub fn human_time(s: f64) -> String {
    let (v, unit) = if s < 90.0 {
        (s, "seconds")
    } else if s < 90.0 * 60.0 {
        (s / 60.0, "minutes")
    } else if s < 48.0 * HOUR {
        (s / HOUR, "hours")
    } else if s < 2.0 * YEAR {
        (s / (24.0 * HOUR), "days")
    } else {
        return format!("{} years", sci(s / YEAR));
    };
    format!("{v:.0} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(extra: &str) -> Model {
        let text = format!(
            "[simulation]\nhorizon = \"1y\"\nreplications = 1000\n[components.a]\nfailure = {{ dist = \"exponential\", mean = \"99h\" }}\nrepair = {{ dist = \"exponential\", mean = \"1h\" }}\n{extra}\n[traffic.api]\nrate = \"10/s\"\n[architectures.one]\napi = [\"a\"]\n"
        );
        crate::load_str(&text, &[]).unwrap()
    }

    #[test]
    fn events_follow_the_cycles() {
        // One unit, a cycle of 99 h + 1 h = 100 h, two events a cycle: 8760 / 100 × 2 = 175.2
        // events a year; 1000 replications.
        let w = estimate(&model(""), 1000, &Options::default());
        assert!((w.per_replication - 175.2).abs() < 1e-9, "{w:?}");
        assert!((w.events - 175_200.0).abs() < 1e-6);
        assert!(!w.too_much());
        // A pool of 10 with a detection delay of 1 h: cycles of 101 h, three events each.
        let w = estimate(&model("count = 10\nneed = 5\ndetect = \"1h\""), 1, &Options::default());
        assert!((w.per_replication - 10.0 * 8760.0 / 101.0 * 3.0).abs() < 1e-9, "{w:?}");
        // --importance runs it 1 + 2 × 1 times, --first-outage once more.
        let w = estimate(&model(""), 1, &Options { importance: true, first_outage: true, ..Default::default() });
        assert!((w.per_replication - 175.2 * 4.0).abs() < 1e-9, "{w:?}");
        assert_eq!(w.factors.len(), 2);
        // At most: the first-outage run goes on for 10,000 horizons of a year.
        assert!((w.events_at_most - 175.2 * (3.0 + 10_000.0)).abs() < 1e-6, "{w:?}");
        assert!(w.first_outage_warning(2).is_none());
        let w = estimate(&model(""), 10_000_000, &Options { first_outage: true, ..Default::default() });
        assert!(!w.too_much() && w.first_outage_warning(2).is_some_and(|m| m.contains("1.8e13 events")), "{w:?}");
    }

    #[test]
    fn absurd_runs_are_too_much() {
        let mut m = model("");
        m.horizon = 1e5 * YEAR;
        let w = estimate(&m, u64::MAX, &Options::default());
        assert!(w.too_much() && w.events.is_finite());
        let (message, help) = w.refusal(&m, 2);
        assert!(message.contains("1.8e19 replications") || message.contains("18446744073709551615 replications"), "{message}");
        assert!(message.contains("years on 2 threads"), "{message}");
        assert!(help.iter().any(|h| h.contains("--force")));
        assert_eq!(human_time(40.0), "40 seconds");
        assert_eq!(human_time(3.0 * HOUR), "3 hours");
        assert_eq!(human_time(12.0 * 86400.0), "12 days");
        assert_eq!(human_time(2.3e9 * YEAR), "2.3e9 years");
    }
}
