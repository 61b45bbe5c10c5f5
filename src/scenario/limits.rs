//! Limits on values that are valid numbers but cannot be simulated meaningfully, whatever the
//! time allowed: the horizon, beyond which times kept in seconds as `f64` lose the millisecond
//! resolution that durations are written with. (How long a run would take is a separate check,
//! `crate::budget`, which `--force` overrides; this one it does not.)

use crate::scenario::reader::{self, Ctx};
use crate::scenario::tree::{Node, Value};
use crate::scenario::units::{parse_duration, TOO_LONG, YEAR};

/// The longest horizon: 100,000 years. Times near it are kept to about half a millisecond
/// (f64's 53 bits over 3.2e12 s); far beyond it, a repair of a few seconds would no longer move
/// the clock, and a run would never end.
pub const MAX_HORIZON_YEARS: f64 = 1e5;

/// Reads `simulation.horizon`: a duration above zero and at most [`MAX_HORIZON_YEARS`]. A
/// horizon too long to represent at all (`"1e308h"`) gets the same message as one merely too
/// long (`"1e300y"`).
pub fn horizon(ctx: &mut Ctx, node: &Node) -> Option<f64> {
    let path = "simulation.horizon";
    let too_long = |ctx: &mut Ctx| {
        ctx.error(
            &node.origin,
            format!("{path}: longer than relsim can simulate (at most {MAX_HORIZON_YEARS:.0} years: beyond, times in seconds lose their millisecond resolution)"),
            "write a horizon of a year or a few (horizon = \"1y\") and add replications for precision instead",
        );
        None
    };
    if let Value::String(s) = &node.value {
        if parse_duration(s).is_err_and(|e| e.ends_with(TOO_LONG)) {
            return too_long(ctx);
        }
    }
    let h = reader::duration(ctx, node, path)?;
    if h <= 0.0 {
        ctx.error(&node.origin, format!("{path}: must be longer than zero"), "write horizon = \"1y\"");
        return None;
    }
    if h > MAX_HORIZON_YEARS * YEAR {
        return too_long(ctx);
    }
    Some(h)
}
