//! `[traffic.CLASS]`: a class's demand (rate, daily profile, surges, deadline, what failing it
//! costs). Nothing in it names another table, so the model holds the [`TrafficClass`] as read;
//! [`ClassSpec`] adds only where the name was written.

use crate::diagnostic::Origin;
use crate::dist::Dist;
use crate::scenario::dist::{self as dist_reader, Role};
use crate::scenario::reader::{self, join, Ctx, Table};
use crate::scenario::spec::Name;
use crate::scenario::tree::Node;

/// `[traffic.CLASS]`: the class as the model holds it, and where its name was written.
#[derive(Clone, Debug)]
pub struct ClassSpec {
    /// The class.
    pub class: TrafficClass,
    /// Where its name was written.
    pub origin: Origin,
}

/// A traffic class.
#[derive(Clone, Debug)]
pub struct TrafficClass {
    /// Name.
    pub name: String,
    /// Mean requests per second.
    pub rate: f64,
    /// Hour-of-day multipliers (mean exactly 1).
    pub profile: Option<[f64; 24]>,
    /// Money lost per hour down.
    pub cost_per_hour_down: f64,
    /// The caller's deadline (seconds).
    pub timeout: Option<f64>,
    /// Money lost per failed (or wrongly answered) request.
    pub cost_per_failed_request: f64,
    /// Demand surges.
    pub surges: Option<Surges>,
}

/// Demand surges of a class.
#[derive(Clone, Debug)]
pub struct Surges {
    /// Time from the end of one surge to the start of the next.
    pub every: Dist,
    /// Rate multiplier during a surge.
    pub factor: f64,
    /// How long a surge lasts.
    pub duration: Dist,
}

const CLASS_KEYS: &[&str] = &["rate", "profile", "cost_per_hour_down", "surges", "timeout", "cost_per_failed_request"];
const SURGE_KEYS: &[&str] = &["every", "factor", "duration"];

fn read_surges(ctx: &mut Ctx, node: &Node, path: &str) -> Option<Surges> {
    let example = "write surges = { every = \"30d\", factor = 3.0, duration = \"2h\" }";
    let t = Table::of(ctx, node, path, example)?;
    t.check_keys(ctx, SURGE_KEYS, &[]);
    let every = t.required(ctx, "every", "every = \"30d\"").and_then(|n| dist_reader::read(ctx, n, &join(path, "every"), Role::Every("surge")));
    let duration = t.required(ctx, "duration", "duration = \"2h\"").and_then(|n| dist_reader::read(ctx, n, &join(path, "duration"), Role::Delay));
    let factor = t.required(ctx, "factor", "factor = 3.0").and_then(|n| reader::number_in(ctx, n, &join(path, "factor"), 0.0, 1e6, "write the rate multiplier during a surge, for example factor = 3.0"));
    Some(Surges { every: every?, factor: factor?, duration: duration? })
}

pub(super) fn read_class(ctx: &mut Ctx, name: &Name, node: &Node, path: &str) -> Option<ClassSpec> {
    let t = Table::of(ctx, node, path, "write a table with rate = \"100/s\"")?;
    t.check_keys(ctx, CLASS_KEYS, &[]);
    let rate = t.required(ctx, "rate", "rate = \"100/s\"").and_then(|n| {
        let r = reader::rate(ctx, n, &join(path, "rate"))?;
        if r <= 0.0 {
            ctx.error(&n.origin, format!("{}: must be above zero", join(path, "rate")), "write for example rate = \"100/s\"");
            return None;
        }
        crate::scenario::limits::rate(ctx, n, &join(path, "rate"), r)
    });
    let profile = match t.get("profile") {
        Some(n) => Some(read_profile(ctx, n, &join(path, "profile"))?),
        None => None,
    };
    let cost = match t.get("cost_per_hour_down") {
        Some(n) => reader::number_in(ctx, n, &join(path, "cost_per_hour_down"), 0.0, crate::scenario::limits::MAX_MONEY, "write money per hour down as a plain number, for example cost_per_hour_down = 50000")?,
        None => 0.0,
    };
    let cost_per_failed_request = match t.get("cost_per_failed_request") {
        Some(n) => reader::number_in(ctx, n, &join(path, "cost_per_failed_request"), 0.0, crate::scenario::limits::MAX_MONEY, "write money per failed request as a plain number, for example cost_per_failed_request = 0.02")?,
        None => 0.0,
    };
    let timeout = match t.get("timeout") {
        Some(n) => Some(reader::positive_duration(ctx, n, &join(path, "timeout"), "write for example timeout = \"60s\"")?),
        None => None,
    };
    let surges = match t.get("surges") {
        Some(n) => Some(read_surges(ctx, n, &join(path, "surges"))?),
        None => None,
    };
    let class = TrafficClass { name: name.text.clone(), rate: rate?, profile, cost_per_hour_down: cost, timeout, cost_per_failed_request, surges };
    Some(ClassSpec { class, origin: name.origin.clone() })
}

/// Reads 24 hour-of-day multipliers. They must average 1 (within 1 %, then normalised exactly),
/// because `rate` is the mean rate.
fn read_profile(ctx: &mut Ctx, node: &Node, path: &str) -> Option<[f64; 24]> {
    let example = "write 24 multipliers, one per hour of the day starting at midnight, averaging 1";
    let items = reader::array(ctx, node, path, example)?;
    if items.len() != 24 {
        ctx.error(&node.origin, format!("{path}: has {} values, expected 24", items.len()), example);
        return None;
    }
    let mut out = [0.0; 24];
    for (i, item) in items.iter().enumerate() {
        out[i] = reader::number_in(ctx, item, &format!("{path}[{i}]"), 0.0, f64::MAX, "write a non-negative multiplier such as 1.2")?;
    }
    let mean = out.iter().sum::<f64>() / 24.0;
    if (mean - 1.0).abs() > 0.01 {
        ctx.error(
            &node.origin,
            format!("{path}: the multipliers average {mean:.4}, not 1 (`rate` is the mean rate over the day)"),
            format!("divide every value by {mean:.4}"),
        );
        return None;
    }
    for v in out.iter_mut() {
        *v /= mean;
    }
    Some(out)
}
