//! Durations (`"90s"`, `"45m"`, `"1.5h"`, `"1y"`) and rates (`"2000/s"`, `"30/min"`) as written
//! in scenarios. Inside relsim every time is `f64` seconds and every rate is per second.
//! Writing a duration back in this syntax is `crate::format::duration`.

// One definition of the units for reading durations here and writing them in `crate::format`.
pub use crate::format::{HOUR, YEAR};

/// The units a duration or a rate may be written in, with their length in seconds.
const UNITS: &[(&str, f64)] = &[
    ("ms", 0.001),
    ("s", 1.0),
    ("m", 60.0),
    ("min", 60.0),
    ("h", HOUR),
    ("d", 24.0 * HOUR),
    ("w", 7.0 * 24.0 * HOUR),
    ("y", YEAR),
];

/// The unit names, for error messages.
/// `x.floor()` for a time that is not negative, without the library call that `floor` is on
/// targets without a rounding instruction (plain x86-64): truncation is the floor there.
#[inline(always)]
pub fn floor_time(x: f64) -> f64 {
    debug_assert!(x >= 0.0, "negative time {x}");
    (x as u64) as f64
}

pub const UNIT_NAMES: &str = "ms, s, m (minutes), h, d, w, y (365 d)";

fn unit_seconds(unit: &str) -> Option<f64> {
    UNITS.iter().find(|(u, _)| *u == unit).map(|(_, s)| *s)
}

/// How [`parse_duration`]'s message for a duration beyond `f64` ends.
pub const TOO_LONG: &str = "is too long to represent";

/// Parses a duration such as `"90s"` or `"1.5 h"` into seconds.
///
/// Returns a message describing the problem when the text is not a non-negative number followed
/// by a unit.
pub fn parse_duration(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let split = t
        .char_indices()
        .find(|(_, c)| c.is_ascii_alphabetic() && *c != 'e' && *c != 'E')
        .map(|(i, _)| i)
        .unwrap_or(t.len());
    let (num, unit) = (t[..split].trim(), t[split..].trim());
    if unit.is_empty() {
        return Err(format!("`{text}` has no unit"));
    }
    let Some(scale) = unit_seconds(unit) else {
        return Err(format!("`{unit}` is not a time unit (use one of {UNIT_NAMES})"));
    };
    let value: f64 = num.parse().map_err(|_| format!("`{num}` is not a number"))?;
    if !value.is_finite() {
        return Err(format!("`{text}` is not a finite duration"));
    }
    if value < 0.0 {
        return Err(format!("`{text}` is negative"));
    }
    let seconds = value * scale;
    if !seconds.is_finite() {
        return Err(format!("`{text}` {TOO_LONG}"));
    }
    Ok(seconds)
}

/// Parses a rate such as `"2000/s"` or `"30/min"` into events per second.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let Some((num, unit)) = t.split_once('/') else {
        return Err(format!("`{text}` is not a rate"));
    };
    let (num, unit) = (num.trim(), unit.trim());
    let value: f64 = num.parse().map_err(|_| format!("`{num}` is not a number"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("`{num}` must be a non-negative number"));
    }
    let Some(per) = unit_seconds(unit) else {
        return Err(format!("`{unit}` is not a time unit (use one of {UNIT_NAMES})"));
    };
    Ok(value / per)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), 90.0);
        assert_eq!(parse_duration("45m").unwrap(), 2700.0);
        assert_eq!(parse_duration("1.5h").unwrap(), 5400.0);
        assert_eq!(parse_duration("1.5 h").unwrap(), 5400.0);
        assert_eq!(parse_duration("30d").unwrap(), 30.0 * 86400.0);
        assert_eq!(parse_duration("1y").unwrap(), 8760.0 * 3600.0);
        assert_eq!(parse_duration("250ms").unwrap(), 0.25);
        assert_eq!(parse_duration("2w").unwrap(), 14.0 * 86400.0);
        assert_eq!(parse_duration("1e3s").unwrap(), 1000.0);
        assert!(parse_duration("90").unwrap_err().contains("no unit"));
        assert!(parse_duration("5 parsecs").unwrap_err().contains("not a time unit"));
        assert!(parse_duration("-5m").unwrap_err().contains("negative"));
        assert!(parse_duration("xh").is_err());
        assert!(parse_duration("1e308y").unwrap_err().contains("too long"));
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("2000/s").unwrap(), 2000.0);
        assert_eq!(parse_rate("30/min").unwrap(), 0.5);
        assert_eq!(parse_rate("30/m").unwrap(), 0.5);
        assert!((parse_rate("1/h").unwrap() - 1.0 / 3600.0).abs() < 1e-18);
        assert!(parse_rate("200").is_err());
        assert!(parse_rate("200/fortnight").is_err());
        assert!(parse_rate("-1/s").is_err());
    }
}
