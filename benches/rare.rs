//! Rare events: how long importance sampling takes to estimate an unavailability near 1e-8 to
//! ±10 % at 95 % (the three-provider design of `scenarios/five-nines.toml`), on one and two
//! threads, and how fast crude simulation of the same architecture goes, for what it achieves
//! in the same time. Run with `cargo bench --bench rare`; docs/performance.md records the
//! figures.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use relsim::model::Model;
use relsim::rare::{estimate_architecture, Mode, Settings};

/// The five-nines scenario with only its three-provider architecture.
fn three_providers() -> Option<(Model, usize)> {
    let path = std::path::PathBuf::from("scenarios/five-nines.toml");
    let mut model = match relsim::compile::load(&path, &[]) {
        Ok(l) => l.model,
        Err(e) => {
            eprintln!("skipping: {}", e.render(false));
            return None;
        }
    };
    model.architectures.retain(|a| a.name == "three-providers");
    if model.architectures.len() != 1 {
        eprintln!("skipping: five-nines.toml has no three-providers architecture");
        return None;
    }
    Some((model, 0))
}

/// Importance sampling to ±10 % (`--rare-precision 0.1`), the whole estimate per iteration.
fn rare(c: &mut Criterion) {
    let Some((model, arch)) = three_providers() else { return };
    let settings = Settings { mode: Mode::On, precision: 0.1 };
    // What one estimate gives, for the record.
    if let Ok(e) = estimate_architecture(&model, arch, &settings, Some(2)) {
        let analysis = relsim::analytic::analyze(&model, &relsim::analytic::Options { max_states: 10_000, mttff: false, birnbaum: false });
        let exact = analysis.archs[arch].as_ref().map(|a| 1.0 - a.classes[0].availability).unwrap_or(f64::NAN);
        let u = &e.classes[0].unavailability;
        eprintln!(
            "five-nines three-providers: unavailability {:.4e} ± {:.1} % (exact {exact:.4e}), {} cycles, {} transitions",
            u.estimate.mean.unwrap_or(f64::NAN),
            100.0 * u.relative_half_width.unwrap_or(f64::NAN),
            e.cycles,
            e.steps
        );
    }
    let mut group = c.benchmark_group("rare five-nines to 10%");
    group.sample_size(20);
    for threads in [1, 2] {
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, &threads| {
            b.iter(|| match estimate_architecture(&model, arch, &settings, Some(threads)) {
                Ok(e) => black_box(e.cycles),
                Err(e) => panic!("five-nines does not qualify: {e}"),
            })
        });
    }
    group.finish();
}

/// Crude simulation of the same architecture: 1,000 replications of a year per iteration, on
/// two threads (replications per second, so simulated years per second).
fn crude(c: &mut Criterion) {
    let Some((mut model, _)) = three_providers() else { return };
    model.replications = 1000;
    let mut group = c.benchmark_group("crude five-nines");
    group.sample_size(10);
    group.throughput(Throughput::Elements(model.replications));
    group.bench_function("1000 years, 2 threads", |b| {
        b.iter(|| match relsim::simulate(&model, Some(2)) {
            Ok(s) => black_box(s.replications),
            Err(e) => panic!("five-nines does not run: {e}"),
        })
    });
    group.finish();
}

criterion_group!(benches, rare, crude);
criterion_main!(benches);
