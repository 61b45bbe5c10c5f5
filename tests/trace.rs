//! One replication recorded as a timeline (`sim::trace`): the class tracks add up to the
//! downtime the Monte Carlo run counted for that replication, follow the route structure from
//! the component tracks, keep common random numbers across architectures and worlds, and are
//! deterministic.

use std::sync::atomic::AtomicU64;

use relsim::model::Model;
use relsim::montecarlo::{simulate, Options};
use relsim::plan::worlds;
use relsim::sim::trace::{trace, ArchTimeline, Timeline, Track};

fn load(text: &str) -> Model {
    relsim::load_str(text, &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Every track is sorted, made of non-empty intervals that neither overlap nor touch, inside
/// `[0, horizon]`.
#[track_caller]
fn assert_well_formed(t: &Timeline) {
    for a in &t.architectures {
        for track in a.components.iter().chain(&a.classes) {
            for (k, &(s, e)) in track.down.iter().enumerate() {
                assert!(0.0 <= s && s < e && e <= t.horizon_hours, "{}/{}: interval {k} is ({s}, {e})", a.name, track.name);
                if k > 0 {
                    assert!(track.down[k - 1].1 < s, "{}/{}: intervals {} and {k} overlap or touch", a.name, track.name, k - 1);
                }
            }
        }
    }
}

fn arch<'a>(t: &'a Timeline, name: &str) -> &'a ArchTimeline {
    t.architecture(name).unwrap_or_else(|| panic!("no architecture {name}"))
}

fn component<'a>(a: &'a ArchTimeline, name: &str) -> &'a Track {
    a.component(name).unwrap_or_else(|| panic!("{} has no component {name}", a.name))
}

fn class<'a>(a: &'a ArchTimeline, name: &str) -> &'a Track {
    a.class(name).unwrap_or_else(|| panic!("{} has no class {name}", a.name))
}

/// The union of two sets of sorted, disjoint intervals, merged where they touch.
fn union(a: &[(f64, f64)], b: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut all: Vec<(f64, f64)> = a.iter().chain(b).copied().collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (s, e) in all {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The intersection of two sets of sorted, disjoint intervals (empty pieces left out).
fn intersection(a: &[(f64, f64)], b: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (s, e) = (a[i].0.max(b[j].0), a[i].1.min(b[j].1));
        if s < e {
            out.push((s, e));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Two architectures on frequently failing components with the engine's special cases: a
/// region (`within`), a pool with a crew, a dependency with grace, detection, a failover with a
/// switch-over that can fail, bad deploys, blips shorter than `min_outage`; and a third,
/// request-level architecture (a gateway retrying on the next member), whose classes are
/// accounted from request walks rather than route nodes.
const CONSISTENCY: &str = r#"
[simulation]
horizon = "1y"
replications = 5
seed = 11
min_outage = "10m"

[components.region]
failure = { dist = "exponential", mean = "40d" }
repair = { dist = "lognormal", median = "3h", sigma = 1.0 }

[components.db]
within = "region"
failure = { dist = "exponential", mean = "20d" }
detect = "5m"
repair = { dist = "exponential", mean = "2h" }

[components.auth]
failure = { dist = "exponential", mean = "10d" }
repair = { dist = "lognormal", median = "20m", sigma = 1.2 }

[components.api]
requires = ["auth"]
grace = "15m"
count = 3
need = 2
crew = "ops"
failure = { dist = "exponential", mean = "8d" }
repair = { dist = "exponential", mean = "10h" }

[components.alt]
failure = { dist = "weibull", shape = 0.7, scale = "15d" }
repair = { dist = "exponential", mean = "3h" }
deploys = { every = "2d", bad = 0.2, rollback = { dist = "exponential", mean = "30m" } }

[crews.ops]
size = 1

[routes.fo]
failover = ["api", "alt"]
switchover = "2m"
switch_success = 0.8

[routes.gw]
failover = ["api", "alt"]
retries = 1

[traffic.web]
rate = "10/s"

[traffic.batch]
rate = "1/s"

[architectures.direct]
web = ["db", "api"]
batch = ["db"]

[architectures.failover]
web = ["db", "fo"]
batch = ["fo"]

[architectures.gateway]
web = ["db", "gw"]
batch = ["gw"]
"#;

#[test]
fn class_tracks_add_up_to_the_downtime_of_that_replication() {
    let model = load(CONSISTENCY);
    let horizon_hours = model.horizon / 3600.0;
    let (mut intervals_seen, mut outages_seen) = (0usize, 0.0);
    let mut short = 0;
    let mut per_class = std::collections::HashMap::new();
    for r in 0..5 {
        let t = trace(&model, r).unwrap();
        assert_eq!(t.replication, r);
        assert_eq!(t.horizon_hours, horizon_hours);
        assert_well_formed(&t);
        let s = simulate(&model, r..r + 1, &Options::default(), &AtomicU64::new(0)).unwrap().summarize(&model);
        assert_eq!(t.architectures.len(), s.architectures.len());
        for (a, sa) in t.architectures.iter().zip(&s.architectures) {
            assert_eq!(a.name, sa.name);
            let names: Vec<&str> = a.components.iter().map(|c| c.name.as_str()).collect();
            let expected: &[&str] = match a.name.as_str() {
                "direct" => &["region", "db", "auth", "api"],
                _ => &["region", "db", "auth", "api", "alt"],
            };
            assert_eq!(names, expected, "{}: the components it uses, in scenario order", a.name);
            for (c, sc) in a.classes.iter().zip(&sa.classes) {
                assert_eq!(c.name, sc.name);
                let downtime = (1.0 - sc.availability.mean.unwrap()) * horizon_hours;
                let total = c.total();
                assert!(
                    (total - downtime).abs() <= 1e-9 * downtime.max(1e-3),
                    "replication {r}, {}/{}: timeline {total} h, run {downtime} h",
                    a.name,
                    c.name
                );
                // Outages and blips per year are counts here: the horizon is one year.
                let outages = sc.outages_per_year.mean.unwrap() + sc.blips_per_year.mean.unwrap();
                assert!(c.down.len() as f64 >= outages, "replication {r}, {}/{}: {} intervals, {outages} outages and blips", a.name, c.name, c.down.len());
                intervals_seen += c.down.len();
                *per_class.entry(format!("{}/{}", a.name, c.name)).or_insert(0) += c.down.len();
                outages_seen += outages;
                short += c.down.iter().filter(|(s, e)| e - s < 10.0 / 60.0).count();
            }
        }
    }
    // The scenario is busy enough for the comparison to mean something.
    assert!(outages_seen >= 100.0, "only {outages_seen} outages in 5 replications");
    assert!(intervals_seen >= 100, "only {intervals_seen} intervals in 5 replications");
    assert!(short > 0, "no blip shorter than min_outage in the timelines");
    // Every account had outages, including the request-level ones of `gateway`.
    assert_eq!(per_class.len(), 6);
    assert!(per_class.values().all(|&n| n > 0), "{per_class:?}");
}

#[test]
fn an_outage_open_at_the_horizon_ends_there_in_the_timeline() {
    // Fails at 8750 h for 100 h: the run follows the outage to 8850 h for its MTTR, the
    // timeline stops at the horizon (8760 h).
    let model = load(
        "[simulation]\nhorizon = \"1y\"\nreplications = 2\n\n[components.late]\nfailure = \"8750h\"\nrepair = \"100h\"\n\n\
         [traffic.web]\nrate = \"1/s\"\n\n[architectures.a]\nweb = [\"late\"]\n",
    );
    let t = trace(&model, 0).unwrap();
    let a = arch(&t, "a");
    assert_eq!(component(a, "late").down, vec![(8750.0, 8760.0)]);
    assert_eq!(class(a, "web").down, vec![(8750.0, 8760.0)]);
    let s = simulate(&model, 0..1, &Options::default(), &AtomicU64::new(0)).unwrap().summarize(&model);
    assert_eq!(s.architectures[0].classes[0].mttr_hours.mean.mean, Some(100.0), "the run follows the outage past the horizon");
}

const STRUCTURE: &str = r#"
[simulation]
horizon = "1y"
replications = 5
seed = 3

[components.region]
failure = { dist = "exponential", mean = "30d" }
repair = { dist = "exponential", mean = "6h" }

[components.a]
within = "region"
failure = { dist = "exponential", mean = "5d" }
repair = { dist = "lognormal", median = "8h", sigma = 1.0 }

[components.b]
failure = { dist = "weibull", shape = 0.8, scale = "4d" }
repair = { dist = "exponential", mean = "12h" }

[routes.either]
any = ["a", "b"]

[traffic.web]
rate = "1/s"

[architectures.series]
web = ["a", "b"]

[architectures.parallel]
web = ["either"]
"#;

#[test]
fn series_is_the_union_and_parallel_the_intersection_of_the_component_tracks() {
    let model = load(STRUCTURE);
    let (mut series_seen, mut parallel_seen) = (0, 0);
    for r in 0..5 {
        let t = trace(&model, r).unwrap();
        assert_well_formed(&t);
        let series = arch(&t, "series");
        let (a, b) = (&component(series, "a").down, &component(series, "b").down);
        assert_eq!(class(series, "web").down, union(a, b), "replication {r}: all of [a, b]");
        let parallel = arch(&t, "parallel");
        let (a, b) = (&component(parallel, "a").down, &component(parallel, "b").down);
        assert_eq!(class(parallel, "web").down, intersection(a, b), "replication {r}: any of [a, b]");
        // A component within a region is effectively down whenever the region is.
        let region = &component(series, "region").down;
        assert!(!region.is_empty(), "replication {r}: the region never failed");
        assert_eq!(intersection(region, a), *region, "replication {r}: a is down whenever its region is");
        series_seen += class(series, "web").down.len();
        parallel_seen += class(parallel, "web").down.len();
    }
    assert!(series_seen >= 50, "only {series_seen} series outages");
    assert!(parallel_seen >= 5, "only {parallel_seen} parallel outages");
}

const SHARED: &str = r#"
[simulation]
horizon = "1y"
replications = 5
seed = 8

[components.a]
failure = { dist = "exponential", mean = "10d" }
repair = { dist = "exponential", mean = "6h" }

[components.b]
failure = { dist = "exponential", mean = "12d" }
repair = { dist = "exponential", mean = "4h" }

[components.c]
failure = { dist = "exponential", mean = "9d" }
repair = { dist = "exponential", mean = "5h" }

[components.spare]
failure = { dist = "exponential", mean = "9d" }
repair = { dist = "exponential", mean = "5h" }

[routes.either]
any = ["b", "c"]

[routes.cold]
failover = ["c", "spare"]
standby = "cold"

[traffic.web]
rate = "1/s"

[architectures.one]
web = ["a", "b"]

[architectures.two]
web = ["a", "either"]

[architectures.standby]
web = ["a", "cold"]
"#;

#[test]
fn architectures_see_the_same_history_of_a_shared_component_even_in_another_world() {
    let model = load(SHARED);
    let w = worlds(&model);
    assert_eq!(w.len(), 2, "the cold standby architecture runs in its own event loop: {w:?}");
    let mut seen = 0;
    for r in 0..5 {
        let t = trace(&model, r).unwrap();
        let (one, two, standby) = (arch(&t, "one"), arch(&t, "two"), arch(&t, "standby"));
        let a = &component(one, "a").down;
        assert!(!a.is_empty(), "replication {r}: a never failed");
        assert_eq!(a, &component(two, "a").down, "replication {r}: a in one and two (one world)");
        assert_eq!(a, &component(standby, "a").down, "replication {r}: a in one and standby (two worlds)");
        assert_eq!(component(one, "b").down, component(two, "b").down, "replication {r}: b");
        assert!(standby.component("b").is_none(), "standby does not use b");
        seen += a.len();
    }
    assert!(seen >= 10, "only {seen} outages of a");
}

#[test]
fn tracing_a_replication_twice_gives_the_same_timeline() {
    let model = load(CONSISTENCY);
    for r in [0, 3] {
        let first = trace(&model, r).unwrap();
        assert_eq!(first, trace(&model, r).unwrap(), "replication {r}");
        assert_ne!(first.architectures, trace(&model, r + 1).unwrap().architectures, "replications {r} and {} are different histories", r + 1);
    }
    let err = trace(&model, model.replications).unwrap_err().to_string();
    assert!(err.contains("not part of the run"), "{err}");
}
