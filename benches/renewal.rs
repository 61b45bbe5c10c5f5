//! Engine throughput on N alternating-renewal components (exponential up-time mean 100 h,
//! down-time mean 1 h), against the simplest correct Rust loop for the same model: a
//! `std::collections::BinaryHeap` of (time, component), pop + push per event, Xoshiro256++ and
//! `rand_distr::Exp`. One failure or one repair is one event.
//!
//! relsim runs the model through its normal path: a scenario text, loaded, compiled and
//! simulated by the general engine, with the components in one route of either shape:
//!
//! - `k_of_n`, needing half of them: every event updates the route and the class stays up;
//! - `series` (`all`): every event updates the route too, and the class is down whenever any
//!   component is (37 % of the time at N = 100, almost always at N = 1,000 and 10,000). The
//!   outage open at the horizon is followed until it ends or for its event budget
//!   (`sim::follow`: twice the events up to the horizon), so a replication of the larger sizes
//!   processes three horizons' worth of events; the throughput counts every one of them.
//!
//! Run: `cargo bench --bench renewal`. Each benchmark reports its throughput in events per
//! second (criterion's "elements/s"); docs/performance.md records the figures. Both routes and
//! the bare loop run side by side in one group, size by size.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::SeedableRng;
use rand_distr::{Distribution, Exp};
use rand_xoshiro::Xoshiro256PlusPlus;
use relsim::model::Model;
use relsim::plan::Plan;
use relsim::sim::Engine;

const HOUR: f64 = 3600.0;
const SIZES: [usize; 3] = [100, 1_000, 10_000];

/// Simulated time per iteration, chosen so every size processes a few hundred thousand events.
fn horizon_hours(n: usize) -> f64 {
    (3.0e7 / n as f64).max(2000.0)
}

/// The route the N components form.
#[derive(Clone, Copy)]
enum Route {
    /// `k_of_n` needing half of them.
    KOfN,
    /// `all` of them.
    Series,
}

impl Route {
    fn name(self) -> &'static str {
        match self {
            Route::KOfN => "k_of_n",
            Route::Series => "series",
        }
    }
}

/// The renewal model as a scenario file.
fn scenario(n: usize, horizon_h: f64, route: Route) -> String {
    let mut s = format!("[simulation]\nhorizon = \"{horizon_h}h\"\nreplications = 2\nseed = 1\n\n");
    for i in 0..n {
        s.push_str(&format!("[components.c{i}]\nfailure = {{ dist = \"exponential\", mean = \"100h\" }}\nrepair = {{ dist = \"exponential\", mean = \"1h\" }}\n\n"));
    }
    let members: Vec<String> = (0..n).map(|i| format!("\"c{i}\"")).collect();
    let members = members.join(", ");
    match route {
        Route::KOfN => s.push_str(&format!("[routes.fleet]\nk_of_n = {{ need = {}, of = [{members}] }}\n\n", n / 2)),
        Route::Series => s.push_str(&format!("[routes.fleet]\nall = [{members}]\n\n")),
    }
    s.push_str("[traffic.t]\nrate = \"1/s\"\n\n[architectures.a]\nt = [\"fleet\"]\n");
    s
}

/// A time that orders totally (the baseline's heap key).
#[derive(Clone, Copy, PartialEq)]
struct Time(f64);

impl Eq for Time {}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Time {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The baseline: every component alternates up and down; returns the events processed.
pub fn baseline(n: usize, horizon: f64, seed: u64) -> u64 {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (Ok(fail), Ok(repair)) = (Exp::new(1.0 / (100.0 * HOUR)), Exp::new(1.0 / HOUR)) else { return 0 };
    let mut up = vec![true; n];
    let mut heap = BinaryHeap::with_capacity(n);
    for c in 0..n {
        heap.push(Reverse((Time(fail.sample(&mut rng)), c as u32)));
    }
    let mut events = 0u64;
    while let Some(Reverse((Time(t), c))) = heap.pop() {
        if t > horizon {
            break;
        }
        events += 1;
        let c = c as usize;
        up[c] = !up[c];
        let next = if up[c] { fail.sample(&mut rng) } else { repair.sample(&mut rng) };
        heap.push(Reverse((Time(t + next), c as u32)));
    }
    black_box(&up);
    events
}

fn model(n: usize, route: Route) -> Model {
    match relsim::load_str(&scenario(n, horizon_hours(n), route), &[]) {
        Ok(m) => m,
        Err(e) => panic!("the renewal scenario does not load: {e}"),
    }
}

fn renewal(c: &mut Criterion) {
    let mut group = c.benchmark_group("renewal");
    group.sample_size(20);
    for n in SIZES {
        let mut horizon = 0.0;
        for route in [Route::KOfN, Route::Series] {
            let m = model(n, route);
            horizon = m.horizon;
            let plan = Plan::new(&m, &[0]);
            let mut engine = Engine::new(&m, &plan);
            // Each iteration runs replication 0 again: the same events every time.
            engine.run(0);
            group.throughput(Throughput::Elements(engine.events));
            group.bench_with_input(BenchmarkId::new(format!("relsim-{}", route.name()), n), &n, |b, _| {
                b.iter(|| {
                    engine.run(black_box(0));
                    engine.events
                })
            });
        }
        group.throughput(Throughput::Elements(baseline(n, horizon, 1)));
        group.bench_with_input(BenchmarkId::new("binaryheap-baseline", n), &n, |b, &n| b.iter(|| baseline(n, black_box(horizon), 1)));
    }
    group.finish();
}

criterion_group!(benches, renewal);
criterion_main!(benches);
