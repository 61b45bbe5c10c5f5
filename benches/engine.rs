//! Engine throughput on the shipped scenarios. Run with `cargo bench --bench engine`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use relsim::scenario::load;
use relsim::sim::{plan::Plan, Engine};

fn scenario_replication(c: &mut Criterion) {
    for name in ["single-provider", "gateway-failover", "multicloud"] {
        let path = std::path::PathBuf::from(format!("scenarios/{name}.toml"));
        let Ok(loaded) = load(&path, &[]) else { continue };
        let model = loaded.model;
        let all: Vec<usize> = (0..model.architectures.len()).collect();
        let plan = Plan::new(&model, &all);
        let mut engine = Engine::new(&model, &plan);
        let mut rep = 0u64;
        c.bench_function(&format!("one replication of {name}"), |b| {
            b.iter(|| {
                engine.run(black_box(rep));
                rep += 1;
                black_box(engine.events)
            })
        });
    }
}

criterion_group!(benches, scenario_replication);
criterion_main!(benches);
