//! How far an outage still open at the horizon is followed ([`super::Mode::Horizon`]).
//!
//! An outage open at the horizon is followed with the engine until it ends, so that its whole
//! length counts for MTTR (cutting it at the horizon would bias MTTR down). A model that is down
//! almost all the time (a series of a thousand components) may not come back for centuries of
//! simulated time, and following it would cost far more than the replication itself. So the
//! following is bounded twice:
//!
//! - by work: at most [`FOLLOW_EVENTS`] times as many events again as the replication took up to
//!   the horizon, and never fewer than [`FOLLOW_EVENTS_MIN`] (so that a quiet model, whose horizon
//!   took a handful of events, still sees a long repair to its end). A run therefore costs at
//!   most `1 + FOLLOW_EVENTS` horizons of events. An outage still open then is *cut*: it counts
//!   at its followed length, a lower bound of its duration, and the summary says so;
//! - by time: [`FOLLOW_LIMIT`] past the horizon, or when nothing is left to happen. An outage
//!   still open then has no known length (a component that never comes back, issue 14's case):
//!   it is *unfinished*, and MTTR is not given (`stats::guards`).
//!
//! The budget is a count of events, so it is the same for any thread count and any machine.

/// How far past the horizon an outage that is still open is followed before giving up.
pub const FOLLOW_LIMIT: f64 = 100.0 * crate::scenario::units::YEAR;

/// Events spent following open outages, as a multiple of the events up to the horizon.
pub const FOLLOW_EVENTS: u64 = 2;

/// The fewest events an open outage may be followed for, whatever the horizon took.
pub const FOLLOW_EVENTS_MIN: u64 = 10_000;

/// Why a replication in [`super::Mode::Horizon`] stopped following its open outages.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Follow {
    /// The event count at which following stops (`None` until the horizon is reached).
    until: Option<u64>,
    /// Whether following stopped because the budget was spent.
    spent: bool,
}

impl Follow {
    /// Whether to stop at an event at time `t`, at or past the horizon, after `events` events,
    /// with `open` accounts still down since before the horizon.
    #[inline]
    pub(super) fn stop(&mut self, t: f64, horizon: f64, events: u64, open: u32) -> bool {
        if open == 0 {
            return true;
        }
        let until = *self.until.get_or_insert_with(|| events.saturating_add(budget(events)));
        if t > horizon + FOLLOW_LIMIT {
            return true;
        }
        self.spent = events >= until;
        self.spent
    }

    /// Whether the outages still open were cut by the event budget (rather than by the time
    /// limit or for want of events).
    pub(super) fn budget_spent(&self) -> bool {
        self.spent
    }
}

/// The events that outages open at a horizon reached after `events` events may be followed for.
pub fn budget(events: u64) -> u64 {
    events.saturating_mul(FOLLOW_EVENTS).max(FOLLOW_EVENTS_MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_a_multiple_of_the_horizons_events_with_a_floor() {
        assert_eq!(budget(0), FOLLOW_EVENTS_MIN);
        assert_eq!(budget(1_000_000), 2_000_000);
        assert_eq!(budget(u64::MAX), u64::MAX);
    }

    #[test]
    fn following_stops_at_the_budget_or_the_limit() {
        let h = 10.0;
        let mut f = Follow::default();
        assert!(!f.stop(h, h, 20_000, 1));
        assert!(!f.stop(h + 1.0, h, 59_999, 1));
        assert!(f.stop(h + 1.0, h, 60_000, 1) && f.budget_spent());
        let mut f = Follow::default();
        assert!(f.stop(h + FOLLOW_LIMIT * 2.0, h, 5, 1) && !f.budget_spent());
        let mut f = Follow::default();
        assert!(f.stop(h, h, 5, 0) && !f.budget_spent());
    }
}
