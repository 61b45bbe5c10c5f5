//! Engine throughput on the shipped scenarios, a whole `relsim scenarios/multicloud.toml` run
//! on one and on two threads, the same run with breakers fast-forwarded through long outages
//! and cycle by cycle (side by side), and the cost of request-level traffic as the request rate
//! grows.
//! Run with `cargo bench --bench engine`; docs/performance.md records the figures.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use relsim::model::Model;
use relsim::compile::load;
use relsim::montecarlo::Options;
use relsim::plan::Plan;
use relsim::sim::{Accounting, Engine};

fn model(name: &str, sets: &[String]) -> Option<Model> {
    let path = std::path::PathBuf::from(format!("scenarios/{name}.toml"));
    match load(&path, sets) {
        Ok(loaded) => Some(loaded.model),
        Err(e) => {
            eprintln!("skipping {name}: {}", e.render(false));
            None
        }
    }
}

/// Times one replication (one simulated horizon, every architecture) per iteration.
fn bench_replications(c: &mut Criterion, label: &str, model: &Model) {
    let all: Vec<usize> = (0..model.architectures.len()).collect();
    let plan = Plan::new(model, &all);
    let mut engine = Engine::new(model, &plan);
    let mut rep = 0u64;
    c.bench_function(label, |b| {
        b.iter(|| {
            engine.run(black_box(rep));
            rep += 1;
            black_box(engine.events)
        })
    });
}

fn scenario_replication(c: &mut Criterion) {
    for name in ["single-provider", "gateway-failover", "multicloud"] {
        if let Some(model) = model(name, &[]) {
            bench_replications(c, &format!("one replication of {name}"), &model);
        }
    }
}

/// The whole run `relsim scenarios/multicloud.toml` does (1,000 replications of a year, every
/// architecture, summarised), on one thread and on two: replications per second, and the
/// scaling from one to two threads side by side.
fn multicloud_run(c: &mut Criterion) {
    let Some(model) = model("multicloud", &[]) else { return };
    let mut group = c.benchmark_group("multicloud run");
    group.sample_size(10);
    group.throughput(Throughput::Elements(model.replications));
    for threads in [1, 2] {
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, &threads| {
            b.iter(|| match relsim::simulate(&model, Some(threads)) {
                Ok(summary) => black_box(summary),
                Err(e) => panic!("multicloud.toml does not run: {e}"),
            })
        });
    }
    group.finish();
}

/// `relsim scenarios/multicloud.toml` on two threads with breakers fast-forwarded through long
/// outages (the default) and cycle by cycle (`Accounting::FastEachCycle`, the engine's way
/// before the fast-forward), side by side.
fn multicloud_fast_forward(c: &mut Criterion) {
    let Some(model) = model("multicloud", &[]) else { return };
    let mut group = c.benchmark_group("multicloud breakers");
    group.sample_size(10);
    group.throughput(Throughput::Elements(model.replications));
    for (label, accounting) in [("fast-forward", Accounting::Fast), ("cycle by cycle", Accounting::FastEachCycle)] {
        let options = Options { threads: Some(2), accounting, ..Default::default() };
        group.bench_function(label, |b| {
            b.iter(|| match relsim::simulate_with(&model, &options) {
                Ok(summary) => black_box(summary),
                Err(e) => panic!("multicloud.toml does not run: {e}"),
            })
        });
    }
    group.finish();
}

/// The fast mode's cost must not grow with the request rate: a simulated year of
/// gateway-failover at 1 req/s and at 10,000 req/s (the second may cost at most 1.5× the first).
fn traffic_rates(c: &mut Criterion) {
    for rate in ["1/s", "10000/s"] {
        let sets = [format!("traffic.chat.rate=\"{rate}\""), "simulation.horizon=\"1y\"".to_string()];
        if let Some(model) = model("gateway-failover", &sets) {
            bench_replications(c, &format!("gateway-failover year at {rate}"), &model);
        }
    }
}

criterion_group!(benches, scenario_replication, traffic_rates, multicloud_run, multicloud_fast_forward);
criterion_main!(benches);
