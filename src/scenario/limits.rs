//! Limits on values that are valid numbers but cannot be simulated meaningfully, whatever the
//! time allowed: the horizon, beyond which times kept in seconds as `f64` lose the millisecond
//! resolution that durations are written with; and money and request rates, whose products
//! (costs per year, their squares for the intervals) must stay finite numbers. (How long a run would take is a separate check,
//! `crate::budget`, which `--force` overrides; this one it does not.)

use crate::scenario::reader::{self, Ctx};
use crate::scenario::tree::{Node, Value};
use crate::scenario::units::{parse_duration, TOO_LONG, YEAR};

/// The longest horizon: 100,000 years. Times near it are kept to about half a millisecond
/// (f64's 53 bits over 3.2e12 s); far beyond it, a repair of a few seconds would no longer move
/// the clock, and a run would never end.
pub const MAX_HORIZON_YEARS: f64 = 1e5;

/// The shortest horizon: a second.
pub const MIN_HORIZON: f64 = 1.0;

/// The shortest mean time between failures or between surges or deploys: a millisecond (the
/// smallest unit). Shorter, events would pile up at the same instant, the clock would not
/// advance, and a run would never end.
pub const MIN_MEAN_INTERVAL: f64 = 1e-3;

/// The largest amount of money a cost or fee may be: 10^15 (a quadrillion in any currency).
/// Costs per year are sums of such amounts times hours or requests, and their intervals need
/// their squares, which must not overflow.
pub const MAX_MONEY: f64 = 1e15;

/// The largest request rate of a class: 10^12 requests per second (requests per year and their
/// costs must stay finite).
pub const MAX_RATE: f64 = 1e12;

/// Checks a class's rate (requests per second) against [`MAX_RATE`].
pub fn rate(ctx: &mut Ctx, node: &Node, path: &str, r: f64) -> Option<f64> {
    if r > MAX_RATE {
        ctx.error(&node.origin, format!("{path}: {r:e} requests per second is more than relsim accounts for (at most {MAX_RATE:e}/s)"), "write the class's mean rate, for example rate = \"2000/s\"");
        return None;
    }
    Some(r)
}

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
    if h < MIN_HORIZON {
        let what = if h <= 0.0 { "must be longer than zero".to_string() } else { format!("must be at least {MIN_HORIZON} second (shorter, nothing can happen in it and figures per year overflow)") };
        ctx.error(&node.origin, format!("{path}: {what}"), "write horizon = \"1y\"");
        return None;
    }
    if h > MAX_HORIZON_YEARS * YEAR {
        return too_long(ctx);
    }
    Some(h)
}
