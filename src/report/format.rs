//! Number formatting shared by the human-readable outputs: an estimate is shown with as many
//! decimals as its interval justifies (two significant digits of the half-width).

use crate::stats::estimate::{Estimate, QuantileEstimate};

/// Decimals that show two significant digits of `half` (clamped to 0..=8).
pub fn decimals_for(half: f64) -> usize {
    if !(half.is_finite() && half > 0.0) {
        return 2;
    }
    (1 - half.log10().floor() as i32).clamp(0, 8) as usize
}

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

/// Decimals to show 4 significant digits of a value known exactly.
pub fn significant(m: f64) -> usize {
    if m == 0.0 || !m.is_finite() {
        return 0;
    }
    (3 - m.abs().log10().floor() as i32).clamp(0, 8) as usize
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

/// Decimals of the percentage [`percent`] writes for a fraction `mean` with half-width `half`.
pub fn percent_decimals(mean: f64, half: f64) -> usize {
    decimals_for(half * 100.0).max(2).max(nines(mean * 100.0))
}

/// Decimals needed so a percentage like 99.99x shows its first non-nine digit.
fn nines(pct: f64) -> usize {
    let gap = 100.0 - pct;
    if gap <= 0.0 {
        return 2;
    }
    (1 - gap.log10().floor() as i32).clamp(2, 8) as usize
}

/// Money: `1,234,567 ± 12,345`.
pub fn money(e: &Estimate) -> String {
    match (e.mean, e.half_width()) {
        (Some(m), Some(h)) => format!("{} ± {}", thousands(m), thousands(h)),
        (Some(m), None) => thousands(m),
        _ => "—".to_string(),
    }
}

/// A number with `decimals` decimals and thousands separators: `1,234.5`.
pub fn amount(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    let text = format!("{:.decimals$}", x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let whole = thousands(int.parse::<f64>().unwrap_or(0.0));
    let sign = if x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    if frac.is_empty() { format!("{sign}{whole}") } else { format!("{sign}{whole}.{frac}") }
}

/// A rounded number with thousands separators.
pub fn thousands(x: f64) -> String {
    let neg = x < 0.0;
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if neg && out != "0" { format!("-{out}") } else { out }
}

/// The exact value of an estimate in the same style, with more digits than the interval shows:
/// `exact 99.99020%`, or `None` when there is none.
pub fn exact(e: &Estimate, percent_style: bool) -> Option<String> {
    let x = e.exact?;
    if percent_style {
        let pct = x * 100.0;
        let d = nines(pct).max(decimals_for(e.half_width().unwrap_or(0.0) * 100.0)) + 2;
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
        assert_eq!(amount(1234.5, 1), "1,234.5");
        assert_eq!(amount(-93.71, 1), "-93.7");
        assert_eq!(amount(-0.01, 1), "0.0");
        assert_eq!(amount(15.0, 0), "15");
    }
}
