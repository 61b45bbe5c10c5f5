//! Timestamps of incident files and observation windows: RFC 3339 (`2024-02-26T17:09:00Z`,
//! `2024-02-26T17:09:00+02:00`) or `YYYY-MM-DD HH:MM[:SS][+00:00]`, read as seconds since the
//! Unix epoch (UTC). A time without an offset is UTC; a date alone is midnight UTC.
//!
//! Parsing is jiff's (a well-kept date library), so calendar mistakes such as 2024-02-30 are
//! caught with a precise reason.

use std::ops::Range;
use std::str::FromStr;

/// What the error messages suggest writing.
pub const TIME_FORMATS: &str = "2024-02-26T17:09:00Z (RFC 3339), 2024-02-26 17:09[:00][+00:00] (no offset: UTC) or a date 2024-02-26 (midnight UTC)";

/// Parses a timestamp into seconds since the Unix epoch, or says why it is not one.
pub fn parse_time(text: &str) -> Result<f64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("an empty time".to_string());
    }
    let stamp_error = match jiff::Timestamp::from_str(t) {
        Ok(ts) => return Ok(seconds(ts)),
        Err(e) => e,
    };
    // Without an offset jiff refuses a timestamp (rightly: the instant is unknown); relsim's
    // contract says such times are UTC. A text that has an offset but failed for another reason
    // must not be re-read as civil time, which would silently drop the offset.
    let after_date = t.get(10..).unwrap_or("");
    let has_offset = after_date.contains(['+', '-', 'Z', 'z']);
    if !has_offset {
        if let Ok(dt) = jiff::civil::DateTime::from_str(t) {
            if let Ok(ts) = jiff::tz::Offset::UTC.to_timestamp(dt) {
                return Ok(seconds(ts));
            }
        }
    }
    Err(format!("`{t}` is not a time ({stamp_error})"))
}

fn seconds(ts: jiff::Timestamp) -> f64 {
    ts.as_second() as f64 + ts.subsec_nanosecond() as f64 * 1e-9
}

/// Formats seconds since the epoch as RFC 3339 in UTC, to the second (`2024-02-26T17:09:00Z`).
pub fn format_time(t: f64) -> String {
    if !t.is_finite() {
        return "—".to_string();
    }
    match jiff::Timestamp::from_second(t.round() as i64) {
        Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Err(_) => format!("{t} s since 1970"),
    }
}

/// Formats seconds since the epoch as a short UTC date and time (`2024-02-26 17:09`), for tables.
pub fn format_short(t: f64) -> String {
    if !t.is_finite() {
        return "—".to_string();
    }
    match jiff::Timestamp::from_second(t.round() as i64) {
        Ok(ts) => ts.strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => format!("{t} s since 1970"),
    }
}

/// A window as given on the command line: `START..END`, either end may be left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WindowArg {
    /// The start, if given.
    pub start: Option<f64>,
    /// The end, if given.
    pub end: Option<f64>,
}

/// Parses `START..END` (`2024-01-01..2024-09-01`, `..2024-09-01T00:00:00Z`). On error, the byte
/// range of the offending part and the message.
pub fn parse_window(text: &str) -> Result<WindowArg, (Range<usize>, String)> {
    let Some(dots) = text.find("..") else {
        return Err((0..text.len(), format!("`{text}` is not a window: write START..END, for example 2024-01-01..2024-09-01")));
    };
    let (a, b) = (&text[..dots], &text[dots + 2..]);
    let part = |s: &str, offset: usize| -> Result<Option<f64>, (Range<usize>, String)> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        parse_time(s).map(Some).map_err(|m| (offset..offset + s.len(), m))
    };
    let start = part(a, 0)?;
    let end = part(b, dots + 2)?;
    if start.is_none() && end.is_none() {
        return Err((0..text.len(), "the window gives neither a start nor an end: write START..END".to_string()));
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            return Err((0..text.len(), format!("the window ends ({}) before it starts ({})", format_time(e), format_time(s))));
        }
    }
    Ok(WindowArg { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2024-02-26T17:09:00Z is 1,708,967,340 s after the epoch: 19,779 days (1970-01-01 to
    // 2024-02-26) × 86,400 + 17 h × 3,600 + 9 min × 60.
    const T: f64 = 19_779.0 * 86_400.0 + 17.0 * 3_600.0 + 9.0 * 60.0;

    #[test]
    fn every_documented_format_reads_as_the_same_instant() {
        for s in ["2024-02-26T17:09:00Z", "2024-02-26 17:09:00+00:00", "2024-02-26 17:09", "2024-02-26 17:09:00", "2024-02-26t17:09:00z", " 2024-02-26 17:09 ", "2024-02-26T19:09:00+02:00"] {
            assert_eq!(parse_time(s), Ok(T), "{s}");
        }
        assert_eq!(parse_time("2024-02-26"), Ok(T - (17.0 * 3_600.0 + 9.0 * 60.0)));
        assert_eq!(parse_time("2024-02-26 17:09:00.5Z"), Ok(T + 0.5));
    }

    #[test]
    fn bad_times_say_why() {
        assert!(parse_time("2024-02-30 10:00").unwrap_err().contains("day"));
        assert!(parse_time("yesterday").unwrap_err().contains("not a time"));
        assert!(parse_time("").is_err());
        // An offset jiff cannot read is an error, never a silently dropped offset.
        assert!(parse_time("2024-02-26 17:09+26:00").is_err());
    }

    #[test]
    fn formats_round_trip() {
        assert_eq!(format_time(T), "2024-02-26T17:09:00Z");
        assert_eq!(format_short(T), "2024-02-26 17:09");
        assert_eq!(parse_time(&format_time(T)), Ok(T));
    }

    #[test]
    fn windows() {
        let w = parse_window("2024-02-26T17:09:00Z..2024-02-27").unwrap();
        assert_eq!(w.start, Some(T));
        assert_eq!(w.end, Some(19_780.0 * 86_400.0));
        assert_eq!(parse_window("..2024-02-26T17:09Z").unwrap(), WindowArg { start: None, end: Some(T) });
        assert_eq!(parse_window("2024-02-26T17:09Z..").unwrap(), WindowArg { start: Some(T), end: None });
        let (span, msg) = parse_window("2024-01-01..2024-13-01").unwrap_err();
        assert_eq!(span, 12..22);
        assert!(msg.contains("not a time"), "{msg}");
        assert!(parse_window("2024-01-01").unwrap_err().1.contains("START..END"));
        assert!(parse_window("2024-02-01..2024-01-01").unwrap_err().1.contains("before it starts"));
        assert!(parse_window("..").is_err());
    }
}
