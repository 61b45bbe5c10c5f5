//! How an estimate is written in the human-readable outputs: its mean with as many decimals as
//! its interval justifies (two significant digits of the half-width), the half-width, the exact
//! value beside it. The rules for the numbers themselves are `crate::format`'s.

use crate::format::{decimals_for, nines_decimals, percent_decimals, significant, thousands};
use crate::stats::estimate::{Estimate, QuantileEstimate};

/// `12.3 ± 0.4`, or `—` when there is no estimate.
pub fn pm(e: &Estimate) -> String {
    match (e.mean, e.half_width()) {
        (Some(m), Some(h)) => {
            let d = decimals_for(h).max(if h == 0.0 { significant(m) } else { 0 });
            format!("{m:.d$} ± {h:.d$}")
        }
        (Some(m), None) => format!("{m:.3}"),
        _ => "—".to_string(),
    }
}

/// Like [`pm`], but a mean below 0.001 is written in scientific notation with three
/// significant digits (`6.92e-5 ± 8.1e-7`), where fixed decimals would run long.
pub fn pm_compact(e: &Estimate) -> String {
    match (e.mean, e.half_width()) {
        (Some(m), Some(h)) if m != 0.0 && m.abs() < 1e-3 => format!("{m:.2e} ± {h:.1e}"),
        _ => pm(e),
    }
}

/// Availability as a percentage with enough nines: `99.9902% ± 0.0012`.
pub fn percent(e: &Estimate) -> String {
    match (e.mean, e.half_width()) {
        (Some(m), Some(h)) => {
            let d = percent_decimals(m, h);
            let (m, h) = (m * 100.0, h * 100.0);
            format!("{m:.d$}% ± {h:.d$}")
        }
        (Some(m), None) => format!("{:.4}%", m * 100.0),
        _ => "—".to_string(),
    }
}

/// Money: `1,234,567 ± 12,345`.
pub fn money(e: &Estimate) -> String {
    match (e.mean, e.half_width()) {
        (Some(m), Some(h)) => format!("{} ± {}", thousands(m), thousands(h)),
        (Some(m), None) => thousands(m),
        _ => "—".to_string(),
    }
}

/// The exact value of an estimate in the same style, with more digits than the interval shows:
/// `exact 99.99020%`, or `None` when there is none.
pub fn exact(e: &Estimate, percent_style: bool) -> Option<String> {
    let x = e.exact?;
    if percent_style {
        let pct = x * 100.0;
        let d = nines_decimals(pct).max(decimals_for(e.half_width().unwrap_or(0.0) * 100.0)) + 2;
        return Some(format!("exact {pct:.d$}%"));
    }
    let d = decimals_for(e.half_width().unwrap_or(0.0)).max(significant(x)) + 1;
    Some(format!("exact {x:.d$}"))
}

/// An estimate's text followed by its exact value on the next line (`sep`), if there is one.
pub fn with_exact(text: String, e: &Estimate, percent_style: bool, sep: &str) -> String {
    match exact(e, percent_style) {
        Some(x) => format!("{text}{sep}{x}"),
        None => text,
    }
}

/// A quantile with its interval: `0.81 [0.75, 0.88]`.
pub fn quantile(q: &QuantileEstimate) -> String {
    match (q.value, q.ci_low, q.ci_high) {
        (Some(v), Some(lo), Some(hi)) => {
            let d = decimals_for((hi - lo) / 2.0).max(if hi == lo { significant(v) } else { 0 });
            format!("{v:.d$} [{lo:.d$}, {hi:.d$}]")
        }
        (Some(v), _, _) => format!("{v:.3}"),
        _ => "—".to_string(),
    }
}

/// A probability as a percentage: `12.5% ± 1.1`.
pub fn probability(e: &Estimate) -> String {
    match (e.mean, e.half_width()) {
        (Some(m), Some(h)) => {
            let (m, h) = (m * 100.0, h * 100.0);
            let d = decimals_for(h).min(4);
            format!("{m:.d$}% ± {h:.d$}")
        }
        _ => "—".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_digits_the_interval_supports() {
        assert_eq!(pm(&Estimate::symmetric(12.345, 0.42)), "12.35 ± 0.42");
        assert_eq!(pm(&Estimate::symmetric(1234.5, 42.0)), "1234 ± 42");
        assert_eq!(percent(&Estimate::symmetric(0.999902, 0.0000118)), "99.9902% ± 0.0012");
        assert_eq!(percent(&Estimate::symmetric(0.99, 0.001)), "99.00% ± 0.10");
        assert_eq!(money(&Estimate::symmetric(1234567.0, 12345.4)), "1,234,567 ± 12,345");
        assert_eq!(pm(&Estimate::none()), "—");
    }
}
