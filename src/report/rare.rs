//! The rare-event rows shared by the terminal table and report.md: per architecture × class
//! with a `rare` block, the crude unavailability of the run beside the importance-sampling
//! estimates, each with its exact value where the analytic engine has one.

use crate::stats::estimate::Estimate;
use crate::stats::rare::{ClassRare, RareFigure};
use crate::stats::summary::{ClassSummary, Summary};

use super::estimate::pm;
use crate::format::thousands;

/// The title above the rows.
pub const TITLE: &str = "Rare events (importance sampling)";

/// Headers of the rare-event view.
pub const HEADERS: [&str; 7] = ["architecture", "class", "crude unavailability", "unavailability", "outages/yr", "time to first outage h", "cycles"];

/// What the rows mean, for a line under them.
pub const EXPLANATION: &str = "Steady-state estimates by importance sampling (balanced failure biasing of the architecture's Markov chain, regenerative cycles from all up), beside the crude estimate of the same run, which they do not replace; ± half-widths at the run's confidence, relative half-width in brackets. Cycles: importance-sampled cycles of the class + plain cycles of the architecture.";

/// Whether any class has rare-event estimates.
pub fn shown(s: &Summary) -> bool {
    s.architectures.iter().any(|a| a.classes.iter().any(|c| c.rare.is_some()))
}

/// A small or large number in scientific notation with three significant digits.
fn sci(x: f64) -> String {
    if x == 0.0 {
        "0".to_string()
    } else if (0.01..10_000.0).contains(&x.abs()) {
        format!("{x:.4}").trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{x:.2e}")
    }
}

/// A number with three significant digits: `3.61`, `0.00414`, `1.25e8`.
fn three(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = 2 - x.abs().log10().floor() as i32;
    match digits {
        d if d < 0 && x.abs() >= 1e5 => format!("{x:.2e}"),
        d if d <= 0 => format!("{x:.0}"),
        d if d <= 8 => format!("{x:.*}", d as usize),
        _ => format!("{x:.2e}"),
    }
}

/// `2.70e-9 ± 2.5e-10 (±9.2%)`, then the exact value after `sep`.
fn figure(f: &RareFigure, sep: &str) -> String {
    let e = &f.estimate;
    let plain_range = |m: f64| (0.01..10_000.0).contains(&m.abs());
    let mut text = match (e.mean, e.half_width()) {
        (Some(m), Some(_)) if plain_range(m) => pm(e),
        (Some(m), Some(h)) => format!("{} ± {:.1e}", sci(m), h),
        (Some(m), None) => sci(m),
        _ => "—".to_string(),
    };
    if let Some(r) = f.relative_half_width {
        text.push_str(&format!(" (±{:.1}%)", r * 100.0));
    }
    if let Some(x) = e.exact {
        text.push_str(&format!("{sep}exact {}", if x == 0.0 || x.is_infinite() { format!("{x}") } else { format!("{x:.4e}") }));
    }
    text
}

/// The crude run's unavailability of a class: `1.2e-6 ± 8.0e-7`, or `0 (no outage)`.
fn crude(c: &ClassSummary) -> String {
    let u: Estimate = c.availability.affine(1.0, -1.0);
    match (u.mean, u.half_width()) {
        (Some(m), _) if m <= 0.0 => "0 (no outage)".to_string(),
        (Some(m), Some(h)) => format!("{} ± {:.1e}", sci(m), h),
        (Some(m), None) => sci(m),
        _ => "—".to_string(),
    }
}

fn cycles(r: &ClassRare) -> String {
    let mut text = format!("{} + {} plain", thousands(r.cycles as f64), thousands(r.plain_cycles as f64));
    if !r.target_met {
        text.push_str(&format!(" (±{}% not reached)", r.target * 100.0));
    }
    text
}

/// One line per class with rare-event estimates, for "The answer": each architecture's
/// steady-state unavailability, most available first, with minutes per year and the exact value
/// (`code` marks up architecture names).
pub fn verdicts(s: &Summary, code: &dyn Fn(&str) -> String) -> Vec<String> {
    let ncls = s.architectures.first().map_or(0, |a| a.classes.len());
    let mut out = Vec::new();
    for c in 0..ncls {
        let mut found: Vec<(&str, &ClassRare)> = s.architectures.iter().filter_map(|a| Some((a.name.as_str(), a.classes.get(c)?.rare.as_ref()?))).collect();
        found.retain(|(_, r)| r.unavailability.estimate.mean.is_some());
        if found.is_empty() {
            continue;
        }
        found.sort_by(|x, y| x.1.unavailability.estimate.mean.unwrap_or(0.0).total_cmp(&y.1.unavailability.estimate.mean.unwrap_or(0.0)));
        let parts: Vec<String> = found
            .iter()
            .map(|(name, r)| {
                let u = &r.unavailability;
                let m = u.estimate.mean.unwrap_or(0.0);
                let rel = u.relative_half_width.map(|x| format!(" ± {:.1}%", x * 100.0)).unwrap_or_default();
                let exact = u.estimate.exact.map(|x| format!("; exact {x:.3e}")).unwrap_or_default();
                format!("{} {m:.3e}{rel} ({} min per year{exact})", code(name), three(m * 8760.0 * 60.0))
            })
            .collect();
        let class = &s.architectures[0].classes[c].name;
        out.push(format!("{class}, rare events (importance sampling, steady state): down {}", parts.join(", ")));
    }
    out
}

/// One row per architecture and class with rare-event estimates; exact values follow their
/// estimate after `sep` (a newline in the terminal, `<br>` in Markdown).
pub fn rows(s: &Summary, sep: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for a in &s.architectures {
        let mut first = true;
        for c in &a.classes {
            let Some(r) = &c.rare else { continue };
            rows.push(vec![
                if std::mem::replace(&mut first, false) { a.name.clone() } else { String::new() },
                c.name.clone(),
                crude(c),
                figure(&r.unavailability, sep),
                figure(&r.outages_per_year, sep),
                figure(&r.time_to_first_outage_hours, sep),
                cycles(r),
            ]);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_like_the_rest_of_the_report() {
        let f = RareFigure::of(Estimate { exact: Some(2.668e-9), ..Estimate::symmetric(2.70e-9, 2.5e-10) });
        assert_eq!(figure(&f, "\n"), "2.70e-9 ± 2.5e-10 (±9.3%)\nexact 2.6680e-9");
        assert_eq!(sci(1.25e8), "1.25e8");
        assert_eq!(sci(0.1716), "0.1716");
        assert_eq!(figure(&RareFigure::default(), "\n"), "—");
        assert_eq!(figure(&RareFigure::of(Estimate::symmetric(0.0706, 0.0063)), "\n"), "0.0706 ± 0.0063 (±8.9%)");
        assert_eq!((three(3.6116), three(0.004141), three(412.7), three(1.25e8)), ("3.61".into(), "0.00414".into(), "413".into(), "1.25e8".into()));
    }
}
