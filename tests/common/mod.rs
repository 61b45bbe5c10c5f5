//! Helpers shared by the test modules.

pub mod chains;
pub mod ctmc;
pub mod exercise;

use relsim::stats::estimate::Estimate;
use relsim::stats::summary::{ClassSummary, Summary};

/// Runs a scenario given as text, with `--set` style overrides, on 2 threads.
pub fn run(text: &str, sets: &[&str]) -> Summary {
    match relsim::simulate_str(text, sets, Some(2)) {
        Ok(s) => s,
        Err(e) => panic!("scenario failed:\n{e}"),
    }
}

/// The metrics of `class` in `architecture`.
pub fn class<'a>(s: &'a Summary, architecture: &str, class: &str) -> &'a ClassSummary {
    let a = s.architectures.iter().find(|a| a.name == architecture).unwrap_or_else(|| panic!("no architecture {architecture}"));
    a.classes.iter().find(|c| c.name == class).unwrap_or_else(|| panic!("no class {class}"))
}

/// Asserts that the interval contains `exact` and is narrower than `max_half_width`, so the
/// test could fail if the feature were wrong.
#[track_caller]
pub fn assert_covers(what: &str, e: &Estimate, exact: f64, max_half_width: f64) {
    let (lo, hi) = (e.ci_low.expect("ci_low"), e.ci_high.expect("ci_high"));
    assert!(lo <= exact && exact <= hi, "{what}: interval [{lo}, {hi}] (mean {:?}) does not contain the exact value {exact}", e.mean);
    let half = (hi - lo) / 2.0;
    assert!(half <= max_half_width, "{what}: half-width {half} is too wide to test anything (max {max_half_width})");
}

/// λ = 0.001/h and μ = 0.1/h, the rates the closed forms use.
pub const LAMBDA: f64 = 0.001;
/// See [`LAMBDA`].
pub const MU: f64 = 0.1;

/// A `[simulation]` table with a 10-year horizon and 99.9 % intervals (a fixed seed and a
/// high level keep the suite from ever flaking; the half-width checks keep it sharp).
pub fn simulation(reps: u32, seed: u64) -> String {
    format!("[simulation]\nhorizon = \"10y\"\nreplications = {reps}\nseed = {seed}\nconfidence = 0.999\n\n")
}

/// A component with exponential failure (λ) and repair (μ), plus extra lines.
pub fn exp_component(name: &str, extra: &str) -> String {
    format!("[components.{name}]\nfailure = {{ dist = \"exponential\", rate = \"0.001/h\" }}\nrepair = {{ dist = \"exponential\", rate = \"0.1/h\" }}\n{extra}\n")
}
