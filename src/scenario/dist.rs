//! Reading a distribution: `{ dist = "weibull", shape = 0.7, scale = "4000h" }`, or a bare
//! duration string meaning a fixed value.

use crate::dist::Dist;
use crate::scenario::reader::{self, join, Ctx, Table};
use crate::scenario::tree::{Node, Value};

/// The distribution names and their keys, as SCENARIO.md lists them.
pub const DISTS: &[(&str, &[&str], &str)] = &[
    ("exponential", &["mean", "rate"], "{ dist = \"exponential\", mean = \"30d\" }"),
    ("weibull", &["shape", "scale"], "{ dist = \"weibull\", shape = 0.7, scale = \"4000h\" }"),
    ("lognormal", &["median", "sigma"], "{ dist = \"lognormal\", median = \"2h\", sigma = 1.0 }"),
    ("gamma", &["shape", "scale"], "{ dist = \"gamma\", shape = 2.0, scale = \"1h\" }"),
    ("normal", &["mean", "sd"], "{ dist = \"normal\", mean = \"4h\", sd = \"1h\" }"),
    ("uniform", &["min", "max"], "{ dist = \"uniform\", min = \"1h\", max = \"3h\" }"),
    ("fixed", &["value"], "{ dist = \"fixed\", value = \"2h\" }  (or just \"2h\")"),
    ("empirical", &["samples"], "{ dist = \"empirical\", samples = [\"20m\", \"1h\", \"3h\"] }"),
];

/// What a distribution is used for; failure times must have a positive mean or the component
/// would fail again at the instant it is repaired, forever, and so must the time between
/// surges or deploys.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Time to failure.
    Failure,
    /// Time from the end of one surge or deploy to the next (`every`); names what repeats
    /// ("surge", "deploy").
    Every(&'static str),
    /// Detection or repair time (zero is allowed).
    Delay,
}

/// Reads a distribution at `path`.
pub fn read(ctx: &mut Ctx, node: &Node, path: &str, role: Role) -> Option<Dist> {
    let dist = match &node.value {
        Value::String(_) => reader::duration(ctx, node, path).map(|value| Dist::Fixed { value })?,
        Value::Table(_) => read_table(ctx, node, path)?,
        other => {
            ctx.error(
                &node.origin,
                format!("{path}: expected a distribution, found {}", other.type_name()),
                "write for example { dist = \"exponential\", mean = \"30d\" } or a duration such as \"2h\"",
            );
            return None;
        }
    };
    if dist.mean() < crate::scenario::limits::MIN_MEAN_INTERVAL && role != Role::Delay && dist.mean() > 0.0 {
        ctx.error(
            &node.origin,
            format!("{path}: a mean of {} is shorter than relsim can simulate (at least 1ms: events would pile up at one instant)", dist.describe()),
            "write a mean of at least \"1ms\"",
        );
        return None;
    }
    if dist.mean() <= 0.0 {
        match role {
            Role::Failure => {
                ctx.error(
                    &node.origin,
                    format!("{path}: a time to failure must have a mean above zero ({} never lets the component stay up)", dist.describe()),
                    "give the failure distribution a positive mean",
                );
                return None;
            }
            Role::Every(what) => {
                ctx.error(
                    &node.origin,
                    format!("{path}: the time from one {what} to the next must have a mean above zero (with {} each {what} would follow the last at the same instant, for ever)", dist.describe()),
                    format!("write how often a {what} comes, for example every = \"30d\""),
                );
                return None;
            }
            Role::Delay => {}
        }
    }
    Some(dist)
}

fn read_table(ctx: &mut Ctx, node: &Node, path: &str) -> Option<Dist> {
    let t = Table { node, path };
    let names: Vec<&str> = DISTS.iter().map(|d| d.0).collect();
    let Some(kind_node) = t.get("dist") else {
        ctx.error(
            &node.origin,
            format!("{path}: a distribution needs `dist`"),
            format!("write {} (dist is one of {})", DISTS[0].2, reader::quoted(&names)),
        );
        return None;
    };
    let kind = reader::word(ctx, kind_node, &join(path, "dist"), &names)?;
    let (_, keys, example) = DISTS.iter().find(|d| d.0 == kind)?;
    let mut known = vec!["dist"];
    known.extend_from_slice(keys);
    t.check_keys(ctx, &known, &[]);
    let p = |k: &str| join(path, k);
    let need = |ctx: &mut Ctx, key: &str| t.required(ctx, key, &format!("`{key}`: {example}"));
    match kind {
        "exponential" => match (t.get("mean"), t.get("rate")) {
            (Some(m), None) => {
                let mean = reader::duration(ctx, m, &p("mean"))?;
                positive_duration(ctx, m, &p("mean"), mean)?;
                Some(Dist::Exponential { mean })
            }
            (None, Some(r)) => {
                let rate = reader::rate(ctx, r, &p("rate"))?;
                if rate <= 0.0 {
                    ctx.error(&r.origin, format!("{}: must be above zero", p("rate")), "write for example rate = \"0.001/h\"");
                    return None;
                }
                Some(Dist::Exponential { mean: 1.0 / rate })
            }
            (Some(_), Some(r)) => {
                ctx.error(&r.origin, format!("{path}: give either `mean` or `rate`, not both"), "remove one of them");
                None
            }
            (None, None) => {
                ctx.error(&node.origin, format!("{path}: exponential needs `mean` or `rate`"), "write mean = \"30d\" or rate = \"0.001/h\"");
                None
            }
        },
        "weibull" | "gamma" => {
            let (sn, cn) = (need(ctx, "shape"), need(ctx, "scale"));
            let shape = reader::positive(ctx, sn?, &p("shape"), "write a positive number such as 0.7")?;
            let scale_node = cn?;
            let scale = reader::duration(ctx, scale_node, &p("scale"))?;
            positive_duration(ctx, scale_node, &p("scale"), scale)?;
            if kind == "weibull" {
                Some(Dist::weibull(shape, scale))
            } else {
                Dist::gamma(shape, scale)
            }
        }
        "lognormal" => {
            let (mn, sn) = (need(ctx, "median"), need(ctx, "sigma"));
            let median_node = mn?;
            let median = reader::duration(ctx, median_node, &p("median"))?;
            positive_duration(ctx, median_node, &p("median"), median)?;
            let sigma = reader::number_in(ctx, sn?, &p("sigma"), 0.0, 10.0, "write the standard deviation of the log, for example 1.0")?;
            Some(Dist::lognormal(median, sigma))
        }
        "normal" => {
            let (mn, sn) = (need(ctx, "mean"), need(ctx, "sd"));
            let mean_node = mn?;
            let mean = reader::duration(ctx, mean_node, &p("mean"))?;
            positive_duration(ctx, mean_node, &p("mean"), mean)?;
            let sd = reader::duration(ctx, sn?, &p("sd"))?;
            Some(Dist::Normal { mean, sd })
        }
        "uniform" => {
            let (an, bn) = (need(ctx, "min"), need(ctx, "max"));
            let min = reader::duration(ctx, an?, &p("min"))?;
            let max_node = bn?;
            let max = reader::duration(ctx, max_node, &p("max"))?;
            if max < min {
                ctx.error(&max_node.origin, format!("{}: max is below min", p("max")), "write max at least as large as min");
                return None;
            }
            Some(Dist::Uniform { min, max })
        }
        "fixed" => {
            let value_node = need(ctx, "value")?;
            let value = reader::duration(ctx, value_node, &p("value"))?;
            Some(Dist::Fixed { value })
        }
        "empirical" => {
            let sn = need(ctx, "samples")?;
            let items = reader::array(ctx, sn, &p("samples"), "write a list of durations, for example [\"20m\", \"1h\"]")?;
            if items.is_empty() {
                ctx.error(&sn.origin, format!("{}: needs at least one sample", p("samples")), "write a list of durations, for example [\"20m\", \"1h\"]");
                return None;
            }
            let mut samples = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                samples.push(reader::duration(ctx, item, &format!("{}[{i}]", p("samples")))?);
            }
            Some(Dist::Empirical { samples: samples.into() })
        }
        _ => None,
    }
}

fn positive_duration(ctx: &mut Ctx, node: &Node, path: &str, v: f64) -> Option<()> {
    if v <= 0.0 {
        ctx.error(&node.origin, format!("{path}: must be longer than zero"), "write a positive duration such as \"1h\"");
        return None;
    }
    Some(())
}
