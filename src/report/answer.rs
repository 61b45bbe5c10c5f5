//! The answer first: architectures ranked by availability (per class) and by expected total
//! cost (running cost plus what failures cost), with how much the winner leads by, then whether
//! each pays for itself against the baseline (see [`super::decision`]). Leads are paired differences (the same random histories
//! for every architecture), so they are known much better than the two estimates' intervals
//! suggest; when a lead's interval contains zero the answer says the two cannot be told apart.

use super::estimate::{money, percent};
use crate::format::decimals_for;
use crate::stats::estimate::Estimate;
use crate::stats::summary::Summary;

/// Architectures in order, best first, with the lead over each from the best.
pub struct Ranking {
    /// Architecture indices, best first (architectures without an estimate last).
    pub order: Vec<usize>,
    /// For each architecture in `order`: how much worse than the best (paired), `None` for the
    /// best itself or when not known.
    pub behind: Vec<Option<Estimate>>,
}

/// `a` minus `b` from the summary's paired differences, `pick` choosing the metric.
fn difference(s: &Summary, a: usize, b: usize, pick: &dyn Fn(&crate::stats::summary::Difference) -> Option<Estimate>) -> Option<Estimate> {
    let (na, nb) = (&s.architectures[a].name, &s.architectures[b].name);
    s.differences.iter().find_map(|d| {
        if &d.a == na && &d.b == nb {
            pick(d)
        } else if &d.a == nb && &d.b == na {
            pick(d).map(|e| e.affine(0.0, -1.0))
        } else {
            None
        }
    })
}

fn rank(s: &Summary, key: &dyn Fn(usize) -> Option<f64>, diff: &dyn Fn(usize, usize) -> Option<Estimate>) -> Ranking {
    let mut order: Vec<usize> = (0..s.architectures.len()).collect();
    // Smaller key first; no estimate last; ties keep scenario order (the sort is stable).
    order.sort_by(|&x, &y| match (key(x), key(y)) {
        (Some(a), Some(b)) => a.total_cmp(&b),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let best = order.first().copied();
    let behind = order.iter().map(|&a| if Some(a) == best { None } else { diff(a, best?) }).collect();
    Ranking { order, behind }
}

/// Architectures ranked by class `c`'s downtime (least first); `behind` is extra downtime in
/// hours per year.
pub fn by_availability(s: &Summary, c: usize) -> Ranking {
    rank(
        s,
        &|a| s.architectures[a].classes.get(c)?.downtime_hours_per_year.mean,
        &|a, b| difference(s, a, b, &|d| d.downtime_hours_per_year.get(c).map(|x| x.difference)),
    )
}

/// Architectures ranked by total expected cost per year, running cost included (cheapest
/// first); `behind` is extra total cost per year.
pub fn by_cost(s: &Summary) -> Ranking {
    rank(s, &|a| s.architectures[a].costs.total_cost_per_year.mean, &|a, b| difference(s, a, b, &|d| Some(d.costs.total_cost_per_year)))
}

/// Whether a paired difference is zero in every replication (the interval is the point 0):
/// the two architectures see the same outages, for example a class whose route is the same in
/// both, or a replayed history that decides it alone.
fn exactly_zero(e: &Estimate) -> bool {
    e.mean == Some(0.0) && e.ci_low == Some(0.0) && e.ci_high == Some(0.0)
}

/// Whether an interval lies entirely above zero.
fn above_zero(e: &Estimate) -> bool {
    e.ci_low.is_some_and(|lo| lo > 0.0)
}

/// Hours per year in the unit that reads best: `26 ± 4 min` below an hour, `3.2 ± 0.4 h` above.
pub fn hours_pm(e: &Estimate) -> String {
    let (Some(m), h) = (e.mean, e.half_width()) else {
        return "—".to_string();
    };
    let (scale, unit) = if m.abs().max(h.unwrap_or(0.0)) < 1.0 { (60.0, "min") } else { (1.0, "h") };
    match h {
        Some(h) => {
            let d = decimals_for(h * scale);
            format!("{:.d$} ± {:.d$} {unit}", m * scale, h * scale)
        }
        None => format!("{:.2} {unit}", m * scale),
    }
}

/// Whether any architecture has a cost (a running cost, a class's cost, or an SLA).
pub fn has_costs(s: &Summary) -> bool {
    s.architectures.iter().any(|a| a.costs.total_cost_per_year.mean.is_some_and(|m| m > 0.0))
}

/// The answer in a few sentences, one per class and one for cost. `code` wraps names (for
/// example in backticks for Markdown).
pub fn verdicts(s: &Summary, code: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut out = Vec::new();
    let n = s.architectures.len();
    let ncls = s.architectures.first().map_or(0, |a| a.classes.len());
    for c in 0..ncls {
        let r = by_availability(s, c);
        let class = code(&s.architectures[0].classes[c].name);
        let best = r.order[0];
        let b = &s.architectures[best].classes[c];
        let head = format!(
            "{class}: {} is the most available, {} ({} down per year)",
            code(&s.architectures[best].name),
            percent(&b.availability),
            hours_pm(&b.downtime_hours_per_year)
        );
        if n < 2 {
            out.push(format!("{head}."));
            continue;
        }
        let next = r.order[1];
        let lead = match &r.behind[1] {
            Some(d) if above_zero(d) => format!("{} has {} more downtime per year", code(&s.architectures[next].name), hours_pm(d)),
            Some(d) if exactly_zero(d) => format!("{} has exactly the same downtime in every replication", code(&s.architectures[next].name)),
            Some(d) => format!(
                "{} cannot be told apart from it with {} replications (difference {} per year); more replications would separate them",
                code(&s.architectures[next].name),
                s.replications,
                hours_pm(d)
            ),
            None => format!("{} comes next", code(&s.architectures[next].name)),
        };
        let mut sentence = format!("{head}; {lead}");
        if n > 2 {
            let last = r.order[n - 1];
            if let Some(d) = &r.behind[n - 1] {
                sentence.push_str(&format!(", and {} {} more", code(&s.architectures[last].name), hours_pm(d)));
            }
        }
        out.push(format!("{sentence}."));
    }
    if !has_costs(s) {
        out.push("Cost: no costs are set in this scenario (running_cost, cost_per_request, cost_per_hour_down, cost_per_failed_request or an [sla]), so there is no cost ranking.".to_string());
        return out;
    }
    let r = by_cost(s);
    let best = r.order[0];
    let a = &s.architectures[best];
    let head = format!(
        "Cost: {} is the cheapest in total, {} per year expected ({} to run, {} in failures)",
        code(&a.name),
        money(&a.costs.total_cost_per_year),
        money(&a.costs.running_cost_per_year),
        money(&a.cost_per_year)
    );
    if n < 2 {
        out.push(format!("{head}."));
        return out;
    }
    let next = r.order[1];
    let lead = match &r.behind[1] {
        Some(d) if above_zero(d) => format!("{} costs {} more per year", code(&s.architectures[next].name), money(d)),
        Some(d) => format!("{} cannot be told apart from it (difference {} per year)", code(&s.architectures[next].name), money(d)),
        None => format!("{} comes next", code(&s.architectures[next].name)),
    };
    out.push(format!("{head}; {lead}."));
    out.extend(super::decision::sentences(s, code));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_switch_to_minutes_below_an_hour() {
        assert_eq!(hours_pm(&Estimate::symmetric(0.5, 0.05)), "30.0 ± 3.0 min");
        assert_eq!(hours_pm(&Estimate::symmetric(3.21, 0.4)), "3.21 ± 0.40 h");
        assert_eq!(hours_pm(&Estimate::none()), "—");
    }
}
