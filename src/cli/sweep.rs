//! `relsim sweep`: every point of a sweep loaded (`compile::load_sweep`), run on the same seed
//! (`crate::sweep::run`), each point's rare events added as `run` adds them, and the sweep's
//! table and files written.

use std::io::{IsTerminal, Write};
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use super::{EXIT_FAILURE, EXIT_INPUT};
use crate::diagnostic::render;
use crate::format;
use crate::report::Format;
use crate::run::{self, count, RunArgs};

/// Runs `relsim sweep` and returns the exit code.
pub(super) fn sweep(args: RunArgs) -> i32 {
    let mut loaded = match crate::compile::load_sweep(&args.scenario.file, &args.scenario.sets) {
        Ok(l) => l,
        Err(e) => {
            run::report_input_error(&e);
            return EXIT_INPUT;
        }
    };
    if !loaded.warnings.is_empty() {
        eprint!("{}", render(&loaded.sources, &loaded.warnings, run::stderr_color()));
    }
    if args.output.format == Format::Md {
        eprintln!("error: --format md is not available for sweeps\n  = help: use --format table, json (sweep.json) or csv (sweep.csv)");
        return EXIT_INPUT;
    }
    if args.shard.is_some() || args.shard_from_env {
        eprintln!("error: relsim sweep does not take --shard\n  = help: shard one point at a time: relsim run FILE --set key=value --shard I/N");
        return EXIT_INPUT;
    }
    for p in &mut loaded.points {
        if let Err(code) = args.apply_reps_and_seed(&mut p.model) {
            return code;
        }
    }
    let target = match args.precision_target() {
        Ok(t) => t,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_INPUT;
        }
    };
    let first = &loaded.points[0].model;
    if !args.output.quiet {
        eprintln!(
            "relsim: sweep of {} over {}: {} × {}, {} replications of {} per point, seed {}",
            count(loaded.points.len(), "point"),
            loaded.keys.join(if loaded.zip { " zipped with " } else { " × " }),
            count(first.architectures.len(), "architecture"),
            count(first.classes.len(), "traffic class"),
            first.replications,
            format::duration(first.horizon),
            first.seed
        );
    }
    let options = args.options();
    let out_dir = args.output.out.clone().unwrap_or_else(|| run::default_out_dir(&args.scenario.file));
    let mut work = crate::budget::estimate(first, 0, &options);
    for p in &loaded.points {
        let w = crate::budget::estimate(&p.model, p.model.replications, &options);
        work.events += w.events;
        work.replications += w.replications;
    }
    work.per_replication = work.events / work.replications.max(1) as f64;
    if let Err(code) = crate::preflight::work(&work, first, &options, args.force).and_then(|()| crate::preflight::outputs(&[&out_dir], &[])) {
        return code;
    }
    let started = Instant::now();
    let (done, planned) = (AtomicU64::new(0), AtomicU64::new(0));
    let show_progress = args.output.show_progress();
    let result = crate::progress::with_progress(&planned, &done, show_progress, run::stderr_color(), || crate::sweep::run(&loaded, &options, target.as_ref(), &done, &planned));
    let mut result = match result {
        Ok(r) => r,
        Err(e) => return crate::preflight::simulation_failed(&e, done.load(std::sync::atomic::Ordering::Relaxed), planned.load(std::sync::atomic::Ordering::Relaxed)),
    };
    let rare = match args.rare_run() {
        Ok(rare) => rare,
        Err(code) => return code,
    };
    for (point, p) in result.points.iter_mut().zip(&loaded.points) {
        run::rare_events(&p.model, &mut point.summary, None, &rare, args.output.quiet);
    }
    if !args.output.quiet {
        eprintln!("relsim: {} replications in {:.2} s", done.load(std::sync::atomic::Ordering::Relaxed), started.elapsed().as_secs_f64());
    }
    let text = match args.output.format {
        Format::Json => crate::sweep::export::json(&result),
        Format::Csv => crate::sweep::export::csv(&result),
        _ => Ok(crate::sweep::export::table(&result, run::stdout_color(), std::io::stdout().is_terminal())),
    };
    match text {
        Ok(t) => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(t.as_bytes()).and_then(|_| stdout.flush());
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            return EXIT_FAILURE;
        }
    }
    match crate::sweep::export::write(&out_dir, &result, !args.output.no_plots) {
        Ok(paths) => {
            if !args.output.quiet {
                eprintln!("relsim: wrote {} in {}", run::written(&paths).0, out_dir.display());
            }
            0
        }
        Err(e) => crate::preflight::writing_failed(&e),
    }
}
