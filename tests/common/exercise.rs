//! One scenario text through everything a user's input reaches: load and compile (with a
//! `--set`), the analytic engine on a small budget, and, when it loads and is small, two short
//! replications and every exporter. Used by the mutation test (`tests/fuzz.rs`) and by the
//! cargo-fuzz target (`fuzz/fuzz_targets/scenario.rs`, which includes this file by path), so
//! both check the same thing: no panic, and no number that is not finite in any output.

use relsim::report::{Format, Report};

/// What became of one input.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Refused with diagnostics (the normal fate of a mutated file).
    Refused,
    /// Loaded; the analytic engine ran.
    Loaded,
    /// Loaded, simulated and exported.
    Simulated,
}

/// Events above which a loaded scenario is not simulated (the point is the input path, and
/// each case must take milliseconds).
const MAX_EVENTS: f64 = 2e5;

/// Runs `text` through the pipeline; `Err` describes a non-finite number in an output. A panic
/// propagates (the caller catches it to report the input).
pub fn exercise(text: &str) -> Result<Outcome, String> {
    let loaded = match relsim::compile::load_str("fuzz.toml", "fuzz", text, &["simulation.confidence=0.9".to_string()]) {
        Ok(l) => l,
        Err(e) => {
            // Rendering the diagnostics is part of the path (spans, line and column).
            let _ = e.render(false);
            return Ok(Outcome::Refused);
        }
    };
    let mut model = loaded.model;
    let options = relsim::analytic::Options { max_states: 500, mttff: true, birnbaum: true };
    let analysis = relsim::analytic::analyze(&model, &options);
    model.replications = 2;
    model.horizon = model.horizon.min(30.0 * 86_400.0);
    let work = relsim::budget::estimate(&model, 2, &relsim::montecarlo::Options::default());
    if work.events > MAX_EVENTS || model.total_rate() > 1e9 {
        return Ok(Outcome::Loaded);
    }
    let done = std::sync::atomic::AtomicU64::new(0);
    let options = relsim::montecarlo::Options { threads: Some(1), ..Default::default() };
    let acc = relsim::montecarlo::simulate(&model, 0..2, &options, &done).map_err(|e| format!("simulation failed: {e:#}"))?;
    let mut summary = acc.summarize(&model);
    relsim::analytic::attach(&mut summary, &analysis, &model);
    let report = Report { summary: &summary, model: &model, file: "fuzz.toml", command: "relsim run fuzz.toml", exact_note: None, plots: &[] };
    let words = user_words(&model);
    for format in [Format::Table, Format::Json, Format::Csv, Format::Md] {
        let mut text = format.exporter().render(&report).map_err(|e| format!("{format:?} export failed: {e:#}"))?;
        // What the user wrote (names, kinds, descriptions) may spell anything, "nan" included.
        for w in &words {
            text = text.replace(w.as_str(), " ");
        }
        if let Some(bad) = non_finite(&text) {
            return Err(format!("{format:?} output holds {bad:?}"));
        }
    }
    Ok(Outcome::Simulated)
}

/// Every text of the model that comes from the user, longest first.
fn user_words(model: &relsim::model::Model) -> Vec<String> {
    let mut words: Vec<String> = vec![model.name.clone()];
    words.extend(model.description.clone());
    for c in &model.components {
        words.push(c.name.clone());
        words.extend(c.kind.clone());
        words.extend(c.processes.iter().filter_map(|p| p.mode.clone()));
    }
    words.extend(model.classes.iter().map(|c| c.name.clone()));
    words.extend(model.crews.iter().map(|c| c.name.clone()));
    for a in &model.architectures {
        words.push(a.name.clone());
        words.extend(a.description.clone());
        words.extend(a.nodes.iter().map(|n| n.name.clone()));
    }
    words.retain(|w| !w.trim().is_empty());
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words
}

/// A word of `text` that spells a number that is not finite, if there is one.
fn non_finite(text: &str) -> Option<&str> {
    text.split(|c: char| c.is_whitespace() || ",|┆│\"{}[]:()".contains(c))
        .find(|w| matches!(w.trim_end_matches('%').to_ascii_lowercase().as_str(), "nan" | "inf" | "-inf" | "+inf" | "infinity" | "-infinity"))
}
