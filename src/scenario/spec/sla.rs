//! `[sla]` (target, period, fee, credit tiers) and `[[slo]]` checks, as written.

use crate::diagnostic::Origin;
use crate::scenario::reader::{self, join, Ctx, Table};
use crate::scenario::spec::Name;
use crate::scenario::tree::{Node, Value};

/// SLA period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// A twelfth of a year (730 h).
    Month,
    /// A year (8760 h).
    Year,
}

/// `[sla]`.
#[derive(Clone, Debug)]
pub struct SlaSpec {
    /// Availability target.
    pub target: f64,
    /// Period over which availability is measured.
    pub period: Period,
    /// Fee per period.
    pub fee: f64,
    /// Credit tiers: (below, credit fraction).
    pub credits: Vec<(f64, f64)>,
    /// Class measured; `None` = all classes weighted by rate.
    pub class: Option<Name>,
    /// Where `[sla]` was written.
    pub origin: Origin,
}

/// One `[[slo]]` entry.
#[derive(Clone, Debug)]
pub struct SloSpec {
    /// Architecture checked.
    pub architecture: Name,
    /// Class checked (`None`: the architecture-level metric).
    pub class: Option<Name>,
    /// Metric name.
    pub metric: Name,
    /// Lower bound on the interval's low end.
    pub min: Option<f64>,
    /// Upper bound on the interval's high end.
    pub max: Option<f64>,
    /// Where `min` was written (for errors about the bounds).
    pub min_origin: Option<Origin>,
    /// Where `max` was written.
    pub max_origin: Option<Origin>,
}

const SLA_KEYS: &[&str] = &["target", "period", "fee", "credits", "class"];
const SLO_KEYS: &[&str] = &["architecture", "class", "metric", "min", "max"];

pub(super) fn read_sla(ctx: &mut Ctx, node: &Node) -> Option<SlaSpec> {
    let t = Table::of(ctx, node, "sla", "write [sla] with target = 0.999")?;
    t.check_keys(ctx, SLA_KEYS, &[]);
    let target = t.required(ctx, "target", "target = 0.999").and_then(|n| reader::probability(ctx, n, "sla.target"));
    let period = match t.get("period") {
        Some(n) => reader::word(ctx, n, "sla.period", &["month", "year"]).map(|w| if w == "month" { Period::Month } else { Period::Year }),
        None => Some(Period::Month),
    };
    let fee = match t.get("fee") {
        Some(n) => reader::number_in(ctx, n, "sla.fee", 0.0, crate::scenario::limits::MAX_MONEY, "write the fee per period as a plain number, for example fee = 100000"),
        None => Some(0.0),
    };
    let credits = match t.get("credits") {
        Some(n) => read_credits(ctx, n),
        None => Some(Vec::new()),
    };
    let class = t.get("class").and_then(|n| reader::string(ctx, n, "sla.class", "write the name of a traffic class").map(|s| Name::new(s, &n.origin)));
    Some(SlaSpec { target: target?, period: period?, fee: fee?, credits: credits?, class, origin: node.origin.clone() })
}

fn read_credits(ctx: &mut Ctx, node: &Node) -> Option<Vec<(f64, f64)>> {
    let example = "write credits = [{ below = 0.999, credit = 0.10 }, { below = 0.99, credit = 0.25 }]";
    let items = reader::array(ctx, node, "sla.credits", example)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("sla.credits[{i}]");
        let t = Table::of(ctx, item, &path, example)?;
        t.check_keys(ctx, &["below", "credit"], &[]);
        let below = t.required(ctx, "below", "below = 0.999").and_then(|n| reader::probability(ctx, n, &join(&path, "below")));
        let credit = t.required(ctx, "credit", "credit = 0.10").and_then(|n| reader::probability(ctx, n, &join(&path, "credit")));
        out.push((below?, credit?));
    }
    Some(out)
}

pub(super) fn read_slos(ctx: &mut Ctx, node: &Node) -> Option<Vec<SloSpec>> {
    let example = "write [[slo]] tables: architecture = \"x\", class = \"api\", metric = \"availability\", min = 0.9995";
    let items: &[Node] = match &node.value {
        Value::Array(items) => items,
        other => {
            ctx.error(&node.origin, format!("slo: expected [[slo]] entries, found {}", other.type_name()), example);
            return None;
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("slo[{i}]");
        let t = Table::of(ctx, item, &path, example)?;
        t.check_keys(ctx, SLO_KEYS, &[]);
        let name_at = |ctx: &mut Ctx, key: &str| -> Option<Name> {
            let n = t.get(key)?;
            reader::string(ctx, n, &join(&path, key), example).map(|s| Name::new(s, &n.origin))
        };
        let architecture = t.required(ctx, "architecture", "architecture = \"NAME\"").and_then(|_| name_at(ctx, "architecture"));
        let metric = t.required(ctx, "metric", "metric = \"availability\"").and_then(|_| name_at(ctx, "metric"));
        let class = name_at(ctx, "class");
        let min = t.get("min").and_then(|n| reader::number(ctx, n, &join(&path, "min"), "write a plain number"));
        let max = t.get("max").and_then(|n| reader::number(ctx, n, &join(&path, "max"), "write a plain number"));
        if min.is_none() && max.is_none() && t.get("min").is_none() && t.get("max").is_none() {
            ctx.error(&item.origin, format!("{path}: needs `min` or `max`"), "add min = 0.9995 (the interval's low end must stay above) or max = ... (its high end must stay below)");
        }
        let (min_origin, max_origin) = (t.get("min").map(|n| n.origin.clone()), t.get("max").map(|n| n.origin.clone()));
        if let (Some(lo), Some(hi), Some(at)) = (min, max, &max_origin) {
            if lo > hi {
                ctx.error(at, format!("{path}: max = {hi} is below min = {lo}, so the check can never hold"), "swap them, or keep one bound");
            }
        }
        out.push(SloSpec { architecture: architecture?, class, metric: metric?, min, max, min_origin, max_origin });
    }
    Some(out)
}
