//! Numbers, money and durations as relsim writes them, in one place: the reports, the figures,
//! the command line's messages and the diagnostics all call these, so a value reads the same
//! everywhere. Everything here works on plain numbers; how an estimate with its interval is laid
//! out (`12.3 ± 0.4`) is `report::estimate`, built on these rules.
//!
//! Two families: figures of a run (decimals chosen from an interval's half-width, thousands
//! separated) and short forms for figures and axes (`12.5k`, `46 min`). Durations come in the
//! scenario's own syntax (`45m`, `1.5h`), which [`duration`] writes and `scenario::units` reads.

/// Seconds in one hour.
pub const HOUR: f64 = 3600.0;
/// Seconds in one year (365 days, as SCENARIO.md defines `y`).
pub const YEAR: f64 = 8760.0 * HOUR;

// ---- Figures of a run -------------------------------------------------------------------

/// Decimals that show two significant digits of `half` (clamped to 0..=8).
pub fn decimals_for(half: f64) -> usize {
    if !(half.is_finite() && half > 0.0) {
        return 2;
    }
    (1 - half.log10().floor() as i32).clamp(0, 8) as usize
}

/// Decimals to show 4 significant digits of a value known exactly.
pub fn significant(m: f64) -> usize {
    if m == 0.0 || !m.is_finite() {
        return 0;
    }
    (3 - m.abs().log10().floor() as i32).clamp(0, 8) as usize
}

/// Decimals of the percentage written for a fraction `mean` with half-width `half`: two
/// significant digits of the half-width, and at least enough to show the first non-nine digit.
pub fn percent_decimals(mean: f64, half: f64) -> usize {
    decimals_for(half * 100.0).max(2).max(nines_decimals(mean * 100.0))
}

/// Decimals needed so a percentage like 99.99x shows its first non-nine digit (2 to 8).
pub fn nines_decimals(pct: f64) -> usize {
    let gap = 100.0 - pct;
    if gap <= 0.0 {
        return 2;
    }
    (1 - gap.log10().floor() as i32).clamp(2, 8) as usize
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

// ---- Short forms (figures, axes, sentences) ---------------------------------------------

/// A number with about three significant digits, thousands separated: `0.05`, `2.5`, `42`,
/// `1,200`.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    let a = x.abs();
    if a >= 999.5 || a == 0.0 {
        return thousands(x);
    }
    let decimals = (2 - a.log10().floor() as i32).clamp(0, 8) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Money in short form: `850`, `12.5k`, `1.25M`, `3.1B`. No currency sign: a scenario's money
/// is in whatever currency its author uses.
pub fn money_short(x: f64) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    let (v, unit) = if a >= 1e9 {
        (a / 1e9, "B")
    } else if a >= 1e6 {
        (a / 1e6, "M")
    } else if a >= 1e4 {
        (a / 1e3, "k")
    } else {
        return format!("{sign}{}", number(a));
    };
    format!("{sign}{}{unit}", number(v))
}

/// A probability as a short percentage (for a log axis): `100%`, `10%`, `0.1%`.
pub fn percent_short(p: f64) -> String {
    format!("{}%", number(p * 100.0))
}

/// An availability with enough digits to show its first digit that is not a nine, plus one:
/// `98.04%`, `99.683%`, `99.9902%`.
pub fn availability(a: f64) -> String {
    if !a.is_finite() {
        return "—".to_string();
    }
    let gap = (1.0 - a) * 100.0;
    let decimals = if gap > 0.0 { (1 - gap.log10().floor() as i32).clamp(2, 7) as usize } else { 2 };
    format!("{:.decimals$}%", a * 100.0)
}

/// Replications in words: `1 replication`, `1,000 replications`.
pub fn replications(n: u64) -> String {
    if n == 1 { "1 replication".to_string() } else { format!("{} replications", thousands(n as f64)) }
}

// ---- Durations ----------------------------------------------------------------------------

/// Seconds in the scenario's syntax, in the largest unit that shows it with at most one decimal
/// (`"45m"`, `"1.5h"`, `"4000h"`, `"74.5m"`, `"30d"`, `"1y"`), else with three.
pub fn duration(seconds: f64) -> String {
    let units = [(YEAR, "y"), (24.0 * HOUR, "d"), (HOUR, "h"), (60.0, "m"), (1.0, "s"), (0.001, "ms")];
    let short = |v: f64| (v * 10.0 - (v * 10.0).round()).abs() < 1e-6 * v.max(1.0);
    let trim = |v: f64, decimals: usize| {
        let text = format!("{v:.decimals$}");
        if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
    };
    if seconds == 0.0 {
        return "0s".to_string();
    }
    for (scale, unit) in units {
        let v = seconds / scale;
        if v >= 1.0 && short(v) {
            return format!("{}{unit}", trim(v, 1));
        }
    }
    for (scale, unit) in units {
        let v = seconds / scale;
        if v >= 1.0 {
            return format!("{}{unit}", trim(v, 3));
        }
    }
    format!("{}ms", trim(seconds * 1000.0, 6))
}

/// A duration in hours as words: `45 s`, `46 min`, `4.4 h`, `3.2 days`.
pub fn duration_words(hours: f64) -> String {
    if !hours.is_finite() {
        return "—".to_string();
    }
    if hours < 1.0 / 60.0 {
        format!("{} s", number(hours * 3600.0))
    } else if hours < 1.0 {
        format!("{} min", number(hours * 60.0))
    } else if hours < 48.0 {
        format!("{} h", number(hours))
    } else {
        format!("{} days", number(hours / 24.0))
    }
}

/// A horizon in hours as words: `1 year`, `30 days`, `6 h` (whole years of 365.25 days when it
/// is within 1 % of them).
pub fn horizon_words(hours: f64) -> String {
    let years = hours / 8766.0;
    if (years - years.round()).abs() < 0.01 && years >= 0.99 {
        let y = years.round() as i64;
        return if y == 1 { "1 year".to_string() } else { format!("{y} years") };
    }
    duration_words(hours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_of_a_run() {
        assert_eq!(decimals_for(0.42), 2);
        assert_eq!(decimals_for(42.0), 0);
        assert_eq!(percent_decimals(0.999902, 0.0000118), 4);
        assert_eq!(amount(1234.5, 1), "1,234.5");
        assert_eq!(amount(-93.71, 1), "-93.7");
        assert_eq!(amount(-0.01, 1), "0.0");
        assert_eq!(amount(15.0, 0), "15");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(thousands(-0.2), "0");
    }

    #[test]
    fn short_forms() {
        assert_eq!(number(0.05), "0.05");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(42.0), "42");
        assert_eq!(number(1200.0), "1,200");
        assert_eq!(money_short(850.0), "850");
        assert_eq!(money_short(12_500.0), "12.5k");
        assert_eq!(money_short(1_250_000.0), "1.25M");
        assert_eq!(money_short(0.0), "0");
        assert_eq!(availability(0.980408), "98.04%");
        assert_eq!(availability(0.99683), "99.68%");
        assert_eq!(availability(0.999902), "99.9902%");
        assert_eq!(percent_short(0.001), "0.1%");
        assert_eq!(replications(1000), "1,000 replications");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(2700.0), "45m");
        assert_eq!(duration(5400.0), "1.5h");
        assert_eq!(duration(YEAR), "1y");
        assert_eq!(duration(4000.0 * HOUR), "4000h");
        assert_eq!(duration(93.0 * HOUR), "93h");
        assert_eq!(duration(74.5 * 60.0), "74.5m");
        assert_eq!(duration(30.0 * 86400.0), "30d");
        assert_eq!(duration(0.25), "250ms");
        assert_eq!(duration(0.0), "0s");
        assert_eq!(duration(1000.0 / 7.0), "2.381m");
        assert_eq!(duration_words(0.75), "45 min");
        assert_eq!(duration_words(4.4), "4.4 h");
        assert_eq!(horizon_words(8760.0), "1 year");
    }
}
