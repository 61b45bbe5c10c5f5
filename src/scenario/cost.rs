//! Running costs as written: money per period (`running_cost = "1200/month"`) on a component
//! (per unit of a pool) or an architecture, and a price per request a component answers
//! (`cost_per_request = 0.002`). Read here, checked for sign, unit and size; `model::cost`
//! resolves them against the architectures.

use crate::diagnostic::Origin;
use crate::scenario::reader::{self, join, Ctx, Table};
use crate::scenario::tree::{Node, Value};

/// An amount of money as written, with where it was written.
#[derive(Clone, Debug)]
pub struct Money {
    /// Money per year (a running cost) or per request (a price).
    pub value: f64,
    /// Where it was written.
    pub origin: Origin,
}

/// A component's costs as written.
#[derive(Clone, Debug, Default)]
pub struct ComponentCosts {
    /// Running cost per unit, per year.
    pub running: Option<Money>,
    /// Money per request the component answers.
    pub per_request: Option<Money>,
}

/// The periods money may be counted per, with their length in hours. `m` (minutes) is left out
/// on purpose: next to `month` it is a trap (see [`parse_per_year`]).
const PERIODS: &[(&str, f64)] = &[
    ("h", 1.0),
    ("hour", 1.0),
    ("d", 24.0),
    ("day", 24.0),
    ("w", 168.0),
    ("week", 168.0),
    ("month", 730.0),
    ("y", 8760.0),
    ("year", 8760.0),
];

/// The periods, for messages.
pub const PERIOD_NAMES: &str = "h, d, w, month, y (also hour, day, week, year; a month is 730 h)";

const EXAMPLE: &str = "write money per period in quotes, for example running_cost = \"1200/month\", \"0.9/h\" or \"20000/y\"";

/// Parses money per period (`"1200/month"`, `"0.9 / h"`) into money per year (8760 h).
pub fn parse_per_year(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let Some((num, unit)) = t.split_once('/') else {
        return Err(format!("`{text}` has no period"));
    };
    let (num, unit) = (num.trim(), unit.trim());
    let value: f64 = num.parse().map_err(|_| format!("`{num}` is not a number"))?;
    if !value.is_finite() {
        return Err(format!("`{text}` is not a finite amount"));
    }
    if value < 0.0 {
        return Err(format!("`{text}` is negative"));
    }
    let hours = match PERIODS.iter().find(|(p, _)| *p == unit) {
        Some(&(_, h)) => h,
        None if matches!(unit, "m" | "min" | "s" | "ms") => {
            let what = if unit.starts_with('m') && unit != "ms" { "minutes" } else { "seconds" };
            return Err(format!("`{unit}` means {what}, which is no billing period"));
        }
        None => return Err(format!("`{unit}` is not a period (use one of {PERIOD_NAMES})")),
    };
    let per_year = value * (8760.0 / hours);
    if !per_year.is_finite() {
        return Err(format!("`{text}` is not a finite amount"));
    }
    Ok(per_year)
}

/// Reads a running cost (money per period) into money per year.
pub fn running_cost(ctx: &mut Ctx, node: &Node, path: &str) -> Option<Money> {
    let value = match &node.value {
        Value::String(s) => match parse_per_year(s) {
            Ok(v) => v,
            Err(e) => {
                let help = if e.contains("minutes") { format!("write \"{}/month\" for a month, or a period such as \"/h\"", s.split('/').next().unwrap_or("1").trim()) } else { EXAMPLE.to_string() };
                ctx.error(&node.origin, format!("{path}: {e}"), help);
                return None;
            }
        },
        Value::Integer(_) | Value::Float(_) => {
            let n = reader::number(ctx, node, path, EXAMPLE)?;
            ctx.error(&node.origin, format!("{path}: a bare number is not money per period"), format!("write running_cost = \"{n}/month\" (or per h, d, w, y)"));
            return None;
        }
        other => {
            ctx.error(&node.origin, format!("{path}: expected money per period, found {}", other.type_name()), EXAMPLE);
            return None;
        }
    };
    Some(Money { value, origin: node.origin.clone() })
}

/// Reads a price per request: a plain, non-negative number.
pub fn price(ctx: &mut Ctx, node: &Node, path: &str) -> Option<Money> {
    let value = reader::number_in(ctx, node, path, 0.0, f64::MAX, "write money per request as a plain number, for example cost_per_request = 0.002")?;
    Some(Money { value, origin: node.origin.clone() })
}

/// Reads the cost keys of component table `t` at `path` (each mistake is recorded in `ctx`).
pub fn read_component(ctx: &mut Ctx, t: &Table<'_>, path: &str) -> ComponentCosts {
    ComponentCosts {
        running: t.get("running_cost").and_then(|n| running_cost(ctx, n, &join(path, "running_cost"))),
        per_request: t.get("cost_per_request").and_then(|n| price(ctx, n, &join(path, "cost_per_request"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_per_period() {
        assert_eq!(parse_per_year("1200/month").unwrap(), 14_400.0);
        assert_eq!(parse_per_year("2/h").unwrap(), 17_520.0);
        assert_eq!(parse_per_year(" 2 / hour ").unwrap(), 17_520.0);
        assert_eq!(parse_per_year("100/d").unwrap(), 36_500.0);
        assert_eq!(parse_per_year("7/w").unwrap(), 365.0);
        assert_eq!(parse_per_year("5000/y").unwrap(), 5000.0);
        assert_eq!(parse_per_year("5000/year").unwrap(), 5000.0);
        assert_eq!(parse_per_year("0/month").unwrap(), 0.0);
        assert!(parse_per_year("1200").unwrap_err().contains("no period"));
        assert!(parse_per_year("1200/m").unwrap_err().contains("minutes"));
        assert!(parse_per_year("1200/s").unwrap_err().contains("seconds"));
        assert!(parse_per_year("1200/fortnight").unwrap_err().contains("not a period"));
        assert!(parse_per_year("-1/h").unwrap_err().contains("negative"));
        assert!(parse_per_year("lots/h").unwrap_err().contains("not a number"));
        assert!(parse_per_year("1e308/h").unwrap_err().contains("finite"));
    }
}
