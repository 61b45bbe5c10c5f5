//! `[sla]` (its class resolved, its period in seconds, the horizon checked against it) and
//! `[[slo]]` checks (architecture and class resolved, the metric name parsed into a
//! [`Metric`], bounds checked against what the metric can be).

use crate::compile::{unknown_help, Names};
use crate::diagnostic::did_you_mean;
use crate::model::metric::{ClassMetric, Metric};
use crate::model::{Sla, SlaBasis, Slo};
use crate::scenario::reader::Ctx;
use crate::scenario::spec::{Period, Scenario};
use crate::scenario::units::YEAR;

/// Most SLA periods × accounts a run may track (memory per worker thread).
const MAX_PERIOD_CELLS: f64 = 1e7;

/// The SLA, if the scenario has one and it can be judged.
pub(super) fn compile_sla(ctx: &mut Ctx, sc: &Scenario, names: &Names<'_>) -> Option<Sla> {
    sc.sla.as_ref().and_then(|s| {
        let basis = match &s.class {
            None => SlaBasis::AllByRate,
            Some(k) => match names.class.get(k.text.as_str()) {
                Some(&i) => SlaBasis::Class(i),
                None => {
                    let names = names.class_names();
                    ctx.error(&k.origin, format!("sla.class: `{}` is not a traffic class", k.text), unknown_help(&k.text, &names, "traffic classes", ""));
                    return None;
                }
            },
        };
        let (period, period_name) = match s.period {
            Period::Month => (YEAR / 12.0, "month"),
            Period::Year => (YEAR, "year"),
        };
        if sc.simulation.horizon < period {
            ctx.error(
                &sc.simulation_origin,
                format!("simulation.horizon is shorter than one SLA period ({period_name}), so no period can be judged"),
                format!("make the horizon at least one {period_name}, or write period = \"month\" in [sla]"),
            );
            return None;
        }
        let periods = sc.simulation.horizon / period;
        let cells = periods * (sc.architectures.len() * sc.classes.len()) as f64;
        if cells > MAX_PERIOD_CELLS {
            ctx.error(
                &s.origin,
                format!("sla: the horizon holds {periods:.0} {period_name}s; tracking them for every architecture and class needs too much memory"),
                "shorten simulation.horizon (a year or a few years is plenty per replication) and add replications instead",
            );
            return None;
        }
        if (periods - periods.round()).abs() > 1e-9 {
            ctx.warning(
                &s.origin,
                format!("sla: the horizon holds {periods:.2} {period_name}s; only the {} complete ones are judged", periods.floor()),
                format!("make the horizon a whole number of {period_name}s"),
            );
        }
        Some(Sla { target: s.target, period, period_name, fee: s.fee, credits: s.credits.clone(), basis })
    })
}

/// Every `[[slo]]` that resolves; the others are errors.
pub(super) fn compile_slos(ctx: &mut Ctx, sc: &Scenario, names: &Names<'_>) -> Vec<Slo> {
    let arch_names: Vec<&str> = sc.architectures.iter().map(|a| a.name.text.as_str()).collect();
    let mut slos = Vec::with_capacity(sc.slos.len());
    for (i, s) in sc.slos.iter().enumerate() {
        let path = format!("slo[{i}]");
        let Some(ai) = arch_names.iter().position(|n| *n == s.architecture.text) else {
            ctx.error(&s.architecture.origin, format!("{path}.architecture: no architecture named `{}`", s.architecture.text), unknown_help(&s.architecture.text, &arch_names, "architectures", ""));
            continue;
        };
        let class = match &s.class {
            None => None,
            Some(k) => match names.class.get(k.text.as_str()) {
                Some(&ci) => Some(ci),
                None => {
                    let names = names.class_names();
                    ctx.error(&k.origin, format!("{path}.class: `{}` is not a traffic class", k.text), unknown_help(&k.text, &names, "traffic classes", ""));
                    continue;
                }
            },
        };
        let parsed = if class.is_some() { ClassMetric::parse(&s.metric.text).map(Metric::Class) } else { Metric::parse_architecture_level(&s.metric.text) };
        let Some(metric) = parsed else {
            let allowed: Vec<&str> = if class.is_some() { ClassMetric::names().collect() } else { Metric::architecture_level_names().collect() };
            let scope = if class.is_some() { "per class" } else { "per architecture (no `class`)" };
            let help = match did_you_mean(&s.metric.text, allowed.iter().copied()) {
                Some(m) => format!("did you mean `{m}`? Metrics {scope}: {}", allowed.join(", ")),
                None => format!("metrics {scope}: {}", allowed.join(", ")),
            };
            ctx.error(&s.metric.origin, format!("{path}.metric: `{}` is not a metric {scope}", s.metric.text), help);
            continue;
        };
        if metric.needs_sla() && sc.sla.is_none() {
            ctx.error(&s.metric.origin, format!("{path}.metric: `{metric}` needs an [sla] table, and this file has none"), "add [sla] with target = 0.999, or check availability instead");
            continue;
        }
        if metric.is_fraction() {
            let mut bad = false;
            for (key, bound, origin) in [("min", s.min, &s.min_origin), ("max", s.max, &s.max_origin)] {
                let (Some(v), Some(at)) = (bound, origin) else { continue };
                if !(0.0..=1.0).contains(&v) {
                    let help = if v > 1.0 && v <= 100.0 { format!("write {key} = {} for {v}%", tidy(v / 100.0)) } else { format!("write a fraction, for example {key} = 0.999") };
                    ctx.error(at, format!("{path}.{key}: `{metric}` is a fraction from 0 to 1; {v} is outside"), help);
                    bad = true;
                }
            }
            if bad {
                continue;
            }
        }
        if !metric.has_interval() {
            let mean = metric.name().split('.').next().unwrap_or(metric.name());
            ctx.warning(
                &s.metric.origin,
                format!("{path}.metric: `{metric}` is a point value without a confidence interval, so `relsim check` cannot judge it and counts it as breached"),
                format!("bound the mean instead: metric = \"{mean}\""),
            );
        }
        slos.push(Slo { architecture: ai, class, metric, min: s.min, max: s.max });
    }
    slos
}

/// A number with at most 10 decimals and no trailing zeros (`0.9995`, not `0.9994999999999999`).
fn tidy(x: f64) -> String {
    let s = format!("{x:.10}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
