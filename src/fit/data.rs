//! From a component's history to the two samples relsim fits, in hours.
//!
//! **Time between failures** is up time: from the end of one incident to the start of the next.
//! - Between two incidents: observed.
//! - From the window's start to the first incident: right-censored. The up period began at or
//!   before the window's start, so its whole length is at least what was seen; counting it as
//!   observed would treat the window's start as a repair, which it is not.
//! - From the last incident's end to the window's end: right-censored.
//! - No incident at all: the whole window, right-censored.
//!
//! **Time to repair** is an incident's length.
//! - An incident that ended inside the window: observed.
//! - One still going on at the window's end: right-censored at the window's end.
//! - One that began before the window (clipped): left out, its start being unknown.
//! - A zero-length incident (start = end, as when a status page gives only a resolved time): a
//!   failure, so it ends an up time, but its repair time is no duration any family can have; it
//!   is left out of the repair sample and counted.

use super::dist::Sample;
use crate::incidents::ComponentHistory;
use crate::scenario::units::HOUR;

/// A component's two samples and what was left out of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Samples {
    /// Up times, hours.
    pub up: Sample,
    /// Repair times, hours.
    pub repair: Sample,
    /// Zero-length incidents (not in the repair sample).
    pub zero_length: usize,
    /// Incidents that began before the window (not in the repair sample).
    pub clipped: usize,
}

/// The samples of `h`.
pub fn samples(h: &ComponentHistory) -> Samples {
    let (w0, w1) = h.window;
    let hours = |s: f64| s / HOUR;
    let mut out = Samples::default();
    let mut prev_end = Some(w0);
    let mut first = true;
    for inc in &h.incidents {
        if inc.clipped_start {
            out.clipped += 1;
        } else if let Some(p) = prev_end {
            let up = inc.start - p;
            if up > 0.0 {
                if first { out.up.censored.push(hours(up)) } else { out.up.observed.push(hours(up)) }
            }
        }
        first = false;
        if !inc.clipped_start {
            match inc.end {
                Some(e) if e > inc.start => out.repair.observed.push(hours(e - inc.start)),
                Some(_) => out.zero_length += 1,
                None if w1 > inc.start => out.repair.censored.push(hours(w1 - inc.start)),
                None => {}
            }
        }
        prev_end = inc.end;
    }
    if let Some(p) = prev_end {
        if w1 > p {
            out.up.censored.push(hours(w1 - p));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents::Incident;

    fn inc(start: f64, end: Option<f64>, clipped_start: bool) -> Incident {
        Incident { start: start * HOUR, end: end.map(|e| e * HOUR), impact: None, lines: vec![], clipped_start }
    }

    #[test]
    fn up_and_repair_times_by_hand() {
        // Window 0..100 h. Incidents 10-12, 30-30 (zero length), 50-55, 90-open.
        // Up: 10 (censored: before the first), 18, 20, 35 (observed); after 90 nothing.
        // Repair: 2, 5 observed; 10 censored (90 to 100); one zero-length.
        let h = ComponentHistory {
            name: "x".into(),
            window: (0.0, 100.0 * HOUR),
            incidents: vec![inc(10.0, Some(12.0), false), inc(30.0, Some(30.0), false), inc(50.0, Some(55.0), false), inc(90.0, None, false)],
            merged: 0,
            outside: 0,
        };
        let s = samples(&h);
        assert_eq!(s.up, Sample { observed: vec![18.0, 20.0, 35.0], censored: vec![10.0] });
        assert_eq!(s.repair, Sample { observed: vec![2.0, 5.0], censored: vec![10.0] });
        assert_eq!((s.zero_length, s.clipped), (1, 0));
    }

    #[test]
    fn a_clipped_first_incident_and_an_empty_history() {
        // Down from before the window until 3 h, then up until the window ends at 50 h.
        let h = ComponentHistory { name: "x".into(), window: (0.0, 50.0 * HOUR), incidents: vec![inc(0.0, Some(3.0), true)], merged: 0, outside: 0 };
        let s = samples(&h);
        assert_eq!(s.up, Sample { observed: vec![], censored: vec![47.0] });
        assert_eq!(s.repair, Sample::default());
        assert_eq!(s.clipped, 1);
        let empty = ComponentHistory { name: "y".into(), window: (0.0, 8.0 * HOUR), incidents: vec![], merged: 0, outside: 0 };
        assert_eq!(samples(&empty).up, Sample { observed: vec![], censored: vec![8.0] });
    }
}
