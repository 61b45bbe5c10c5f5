//! `report.md`: the question (scenario name and description), the answer first (architectures
//! ranked on availability and cost, with paired leads), the plots, the detailed tables, the top
//! downtime contributors, the assumptions (every component's distributions), and how to
//! reproduce the run.

use crate::format::{self, thousands};
use super::table::{
    architecture_headers, architecture_rows, class_rows, contributor_rows, heading, request_rows, CLASS_HEADERS, CONTRIBUTOR_HEADERS, REQUEST_HEADERS,
};
use super::{Exporter, Report};
use crate::model::{Architecture, Member, Model, NodeKind};

/// Renders `report.md`.
pub struct MarkdownExporter;

/// A Markdown table; columns from `numeric_from` on are right-aligned.
pub(super) fn md_table(headers: &[String], rows: &[Vec<String>], numeric_from: usize) -> String {
    let esc = |s: &str| s.replace('|', "\\|");
    let mut out = format!("| {} |\n", headers.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" | "));
    out.push_str(&format!("|{}\n", (0..headers.len()).map(|i| if i < numeric_from { "---|" } else { "---:|" }).collect::<String>()));
    for r in rows {
        out.push_str(&format!("| {} |\n", r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")));
    }
    out
}

fn member_name(model: &Model, arch: &Architecture, m: &Member) -> String {
    match *m {
        Member::Component(c) => model.components[c].name.clone(),
        Member::Node(n) => arch.nodes[n].name.clone(),
    }
}

fn describe_node(model: &Model, arch: &Architecture, n: usize) -> String {
    let node = &arch.nodes[n];
    let names: Vec<String> = node.members.iter().map(|m| member_name(model, arch, m)).collect();
    match &node.kind {
        NodeKind::Gate { need } if *need as usize == names.len() => format!("all of {}", names.join(", ")),
        NodeKind::Gate { need: 1 } => format!("any of {}", names.join(", ")),
        NodeKind::Gate { need } => format!("{need} of {}", names.join(", ")),
        NodeKind::Balance(b) => {
            let parts: Vec<String> = names.iter().zip(&b.weights).map(|(n, w)| format!("{n} ×{w}")).collect();
            let mut s = format!("balance {}", parts.join(", "));
            if b.health_check > 0.0 {
                s.push_str(&format!(" (health check {})", format::duration(b.health_check)));
            }
            s
        }
        NodeKind::Failover(f) => {
            let mut s = format!("failover {}", names.join(" → "));
            let mut opts = Vec::new();
            if f.switchover > 0.0 {
                opts.push(format!("switchover {}", format::duration(f.switchover)));
            }
            if f.switch_success < 1.0 {
                opts.push(format!("switch success {}", f.switch_success));
            }
            if !f.failback {
                opts.push("no failback".to_string());
            }
            if f.cold {
                opts.push("cold standby".to_string());
            }
            if f.retries > 0 {
                opts.push(format!("{} {}", f.retries, if f.retries == 1 { "retry" } else { "retries" }));
            }
            if let Some(t) = f.timeout {
                opts.push(format!("attempt timeout {}", format::duration(t)));
            }
            if let Some(b) = &f.breaker {
                opts.push(format!(
                    "breaker: {} window, {} calls, {}%, open {}, {} trials",
                    format::duration(b.window),
                    b.min_calls,
                    b.threshold * 100.0,
                    format::duration(b.open_for),
                    b.half_open_calls
                ));
            }
            if !opts.is_empty() {
                s.push_str(&format!(" ({})", opts.join(", ")));
            }
            s
        }
    }
}

fn scenario_section(model: &Model) -> String {
    let mut out = String::from("## Assumptions\n\nWhat the numbers above rest on: every component's failure and repair distributions, the traffic, and how each architecture routes it.\n\n### Components\n\n");
    let headers: Vec<String> =
        ["component", "kind", "units", "failure", "repair", "detect", "depends on", "crew", "notes"].iter().map(|s| s.to_string()).collect();
    let rows: Vec<Vec<String>> = model
        .components
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let mut deps: Vec<String> = c.within.iter().map(|&w| format!("within {}", model.components[w].name)).collect();
            deps.extend(c.requires.iter().map(|&r| model.components[r].name.clone()));
            if c.grace > 0.0 && !c.requires.is_empty() {
                deps.push(format!("(grace {})", format::duration(c.grace)));
            }
            let each = |f: &dyn Fn(&crate::model::Process) -> String| -> String {
                c.processes
                    .iter()
                    .map(|p| match &p.mode {
                        Some(m) => format!("{m}: {}", f(p)),
                        None => f(p),
                    })
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            let mut notes = Vec::new();
            for p in &c.processes {
                match p.effect {
                    crate::model::Effect::Degraded { capacity_left } => notes.push(format!("{}: capacity × {capacity_left}", p.mode.as_deref().unwrap_or("failure"))),
                    crate::model::Effect::Silent { fraction } => notes.push(format!("{}: {}% wrong answers", p.mode.as_deref().unwrap_or("failure"), fraction * 100.0)),
                    crate::model::Effect::Down => {}
                }
            }
            if let Some(cap) = c.capacity {
                notes.push(format!("{cap} req/s per unit"));
            }
            if c.hang {
                notes.push("hangs when down".to_string());
            }
            if let Some(d) = &c.deploys {
                notes.push(format!("deploys every {}, {}% bad, rolled back after {}", d.every.describe(), d.bad * 100.0, d.rollback.describe()));
            }
            if let Some(&r) = model.costs.running.get(ci).filter(|&&r| r > 0.0) {
                notes.push(format!("runs {}/yr{}", thousands(r), if c.count > 1 { " per unit" } else { "" }));
            }
            if let Some(&p) = model.costs.per_request.get(ci).filter(|&&p| p > 0.0) {
                notes.push(format!("{p} per request answered"));
            }
            vec![
                c.name.clone(),
                c.kind.clone().unwrap_or_default(),
                if c.count > 1 { format!("{} of {}", c.need, c.count) } else { "1".to_string() },
                each(&|p| p.failure.describe()),
                each(&|p| p.repair.describe()),
                if c.processes.iter().any(|p| p.detect.is_some()) { each(&|p| p.detect.as_ref().map(|d| d.describe()).unwrap_or_else(|| "—".to_string())) } else { String::new() },
                deps.join(", "),
                c.crew.map(|k| format!("{} (size {})", model.crews[k].name, model.crews[k].size)).unwrap_or_default(),
                notes.join("; "),
            ]
        })
        .collect();
    out.push_str(&md_table(&headers, &rows, usize::MAX));
    out.push_str("\n### Traffic\n\n");
    let headers: Vec<String> =
        ["class", "rate", "daily profile", "surges", "timeout", "cost per hour down", "cost per failed request"].iter().map(|s| s.to_string()).collect();
    let rows: Vec<Vec<String>> = model
        .classes
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                format!("{}/s", c.rate),
                if c.profile.is_some() { "yes".to_string() } else { "flat".to_string() },
                c.surges.as_ref().map_or_else(|| "none".to_string(), |s| format!("×{} for {}, every {}", s.factor, s.duration.describe(), s.every.describe())),
                c.timeout.map_or_else(|| "none".to_string(), format::duration),
                thousands(c.cost_per_hour_down),
                if c.cost_per_failed_request > 0.0 { format!("{}", c.cost_per_failed_request) } else { "0".to_string() },
            ]
        })
        .collect();
    out.push_str(&md_table(&headers, &rows, 1));
    out.push_str("\n### Architectures\n\n");
    for (ai, a) in model.architectures.iter().enumerate() {
        out.push_str(&format!("**{}**", a.name));
        if let Some(d) = &a.description {
            out.push_str(&format!(": {d}"));
        }
        out.push('\n');
        if let Some(&r) = model.costs.architecture.get(ai).filter(|&&r| r > 0.0) {
            out.push_str(&format!("- its own running cost: {} a year\n", thousands(r)));
        }
        for (ci, &root) in a.class_roots.iter().enumerate() {
            out.push_str(&format!("- `{}` needs {}\n", model.classes[ci].name, describe_node(model, a, root)));
        }
        for (n, node) in a.nodes.iter().enumerate() {
            if !a.class_roots.contains(&n) {
                out.push_str(&format!("- route `{}` = {}\n", node.name, describe_node(model, a, n)));
            }
        }
        out.push('\n');
    }
    if let Some(sla) = &model.sla {
        let measures = match sla.basis {
            crate::model::SlaBasis::Class(c) => format!("class `{}`", model.classes[c].name),
            crate::model::SlaBasis::AllByRate => "all classes weighted by rate".to_string(),
        };
        let tiers: Vec<String> = sla.credits.iter().map(|(b, c)| format!("{}% credit below {}", c * 100.0, b)).collect();
        out.push_str(&format!(
            "### SLA\n\nTarget {} per {} on {measures}; fee {} per {}{}.\n\n",
            sla.target,
            sla.period_name,
            thousands(sla.fee),
            sla.period_name,
            if tiers.is_empty() { String::new() } else { format!("; {}", tiers.join(", ")) }
        ));
    }
    out
}

/// The plots, in the order the report shows them: file stem, title, what to read in it.
pub const PLOTS: [(&str, &str, &str); 6] = [
    ("availability", "Availability", "Unavailability in minutes per year on a log scale (lower is better), with each estimate's interval; the dashed lines mark the nines."),
    ("downtime_cdf", "Downtime per year across replications", "How often a year has more than a given downtime: the tail is what an SLA pays for."),
    ("outage_durations", "Outage durations", "The distribution of outage durations, median and p90 marked."),
    ("timeline", "One sample year", "One replication: each component's down intervals and each class's outages, per architecture, on the same random history."),
    ("cost", "Expected cost of failures per year", "What failures cost per architecture (cost_per_year, running costs aside): downtime cost and SLA credits, with the interval of their total."),
    ("cost_tradeoff", "Running cost against downtime", "Each architecture's running cost per year against its hours down per year, with both intervals; hollow points are dominated (another costs no more to run and is down no longer); dashed lines join equal running + downtime cost at the scenario's price of an hour down, so the lower line is cheaper in total."),
];

/// Every part of each architecture's total cost per year, with its interval.
fn cost_parts(s: &crate::stats::summary::Summary) -> String {
    use super::estimate::{money, pm};
    let mut headers: Vec<String> =
        ["architecture", "fixed", "requests", "running", "downtime", "failed requests"].iter().map(|h| h.to_string()).collect();
    if s.sla.is_some() {
        headers.push("SLA credits".to_string());
    }
    headers.extend(["failure (cost_per_year)", "total", "weighted downtime h/yr"].iter().map(|h| h.to_string()));
    let rows: Vec<Vec<String>> = s
        .architectures
        .iter()
        .map(|a| {
            let c = &a.costs;
            let mut row = vec![a.name.clone(), money(&c.fixed_cost_per_year), money(&c.request_cost_per_year), money(&c.running_cost_per_year), money(&c.downtime_cost_per_year), money(&c.failed_request_cost_per_year)];
            if s.sla.is_some() {
                row.push(a.sla_credits_per_year.as_ref().map(money).unwrap_or_default());
            }
            row.extend([money(&a.cost_per_year), money(&c.total_cost_per_year), pm(&c.weighted_downtime_hours_per_year)]);
            row
        })
        .collect();
    format!("### Cost per year, part by part\n\n{}\nFixed costs are the same every replication (what the architecture's components and licences cost, idle or not); requests are the prices of the requests its components answered.\n\n", md_table(&headers, &rows, 1))
}

fn answer_section(s: &crate::stats::summary::Summary) -> String {
    use super::answer::{by_availability, by_cost, has_costs, hours_pm, verdicts};
    use super::estimate::{money, percent};
    let mut out = String::from("## The answer\n\n");
    if let Some(p) = &s.precision {
        out.push_str(&format!("{}.\n\n", p.sentence(s.replications)));
    }
    for v in verdicts(s, &|n| format!("`{n}`")).into_iter().chain(super::rare::verdicts(s, &|n| format!("`{n}`"))) {
        out.push_str(&format!("- {v}\n"));
    }
    let ncls = s.architectures.first().map_or(0, |a| a.classes.len());
    let headers: Vec<String> =
        ["class", "rank", "architecture", "availability", "downtime per year", "more downtime than the best"].iter().map(|h| h.to_string()).collect();
    let mut rows = Vec::new();
    for c in 0..ncls {
        let r = by_availability(s, c);
        for (k, (&a, behind)) in r.order.iter().zip(&r.behind).enumerate() {
            let cls = &s.architectures[a].classes[c];
            rows.push(vec![
                if k == 0 { cls.name.clone() } else { String::new() },
                (k + 1).to_string(),
                s.architectures[a].name.clone(),
                percent(&cls.availability),
                hours_pm(&cls.downtime_hours_per_year),
                behind.as_ref().map_or_else(|| if k == 0 { "best".to_string() } else { "—".to_string() }, hours_pm),
            ]);
        }
    }
    out.push_str("\n### Ranked by availability\n\n");
    out.push_str(&md_table(&headers, &rows, 3));
    if has_costs(s) {
        let mut headers = vec!["rank".to_string(), "architecture".to_string(), "running cost per year".to_string(), "failure cost per year".to_string()];
        if s.sla.is_some() {
            headers.push("of which SLA credits".to_string());
        }
        headers.push("total cost per year".to_string());
        headers.push("more than the cheapest".to_string());
        let r = by_cost(s);
        let rows: Vec<Vec<String>> = r
            .order
            .iter()
            .zip(&r.behind)
            .enumerate()
            .map(|(k, (&a, behind))| {
                let arch = &s.architectures[a];
                let mut row = vec![(k + 1).to_string(), arch.name.clone(), money(&arch.costs.running_cost_per_year), money(&arch.cost_per_year)];
                if s.sla.is_some() {
                    row.push(arch.sla_credits_per_year.as_ref().map(money).unwrap_or_default());
                }
                row.push(money(&arch.costs.total_cost_per_year));
                row.push(behind.as_ref().map_or_else(|| if k == 0 { "cheapest".to_string() } else { "—".to_string() }, money));
                row
            })
            .collect();
        out.push_str("\n### Ranked by expected total cost\n\n");
        out.push_str(&md_table(&headers, &rows, 2));
    }
    if let Some(d) = s.decision.as_ref().filter(|d| !d.architectures.is_empty()) {
        use super::decision::{explanation, rows, HEADERS};
        out.push_str(&format!("\n### Against the baseline `{}`\n\n", d.baseline));
        let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
        out.push_str(&md_table(&headers, &rows(s), 1));
        out.push_str(&format!("\n{}\n", explanation(d, s.confidence)));
    }
    out.push_str(
        "\nDifferences between architectures are paired: every architecture is simulated on the same random histories, so a difference is known much better than the two estimates' intervals suggest. Intervals are ± half-widths at the confidence level of the run.\n\n",
    );
    out
}

impl Exporter for MarkdownExporter {
    fn render(&self, report: &Report<'_>) -> anyhow::Result<String> {
        let s = report.summary;
        let mut out = format!("# {}\n\n", s.scenario);
        match &s.description {
            Some(d) => out.push_str(&format!("{}\n\n", d.trim())),
            None => out.push_str("Which of these architectures should we run?\n\n"),
        }
        out.push_str(&format!("*{}; relsim {}.*\n\n", heading(s), s.relsim_version));
        out.push_str(&answer_section(s));
        if let Some(r) = &s.replay {
            out.push_str(&super::replay::markdown(r));
        }
        let shown: Vec<_> = PLOTS.iter().filter(|(stem, _, _)| report.plots.iter().any(|p| p == &format!("{stem}.png"))).collect();
        if !shown.is_empty() {
            out.push_str("## Plots\n\nEvery plot is also beside this report as SVG (for slides) and PNG.\n\n");
            for (stem, title, caption) in shown {
                out.push_str(&format!("### {title}\n\n![{title}]({stem}.png)\n\n{caption}\n\n"));
            }
        }
        out.push_str("## Results per architecture and class\n\n");
        let headers: Vec<String> = CLASS_HEADERS.iter().map(|h| h.to_string()).collect();
        out.push_str(&md_table(&headers, &class_rows(s, "<br>"), 2));
        if let Some(note) = report.exact_note {
            out.push_str(&format!("\n{note}\n"));
        }
        if super::rare::shown(s) {
            let headers: Vec<String> = super::rare::HEADERS.iter().map(|h| h.to_string()).collect();
            out.push_str(&format!("\n## {}\n\n{}\n{}\n", super::rare::TITLE, md_table(&headers, &super::rare::rows(s, "<br>"), 2), super::rare::EXPLANATION));
        }
        out.push_str("\n## Requests\n\n");
        let headers: Vec<String> = REQUEST_HEADERS.iter().map(|h| h.to_string()).collect();
        out.push_str(&md_table(&headers, &request_rows(s, "<br>"), 2));
        out.push_str("\nRequest success counts requests answered rightly within the deadline; silent errors are answered wrongly (nothing notices them), overloaded ones were shed by a component beyond its capacity. Added latency is the time spent waiting on hanging calls and deadlines.\n");
        out.push_str("\n## Top downtime contributors\n\n");
        let headers: Vec<String> = CONTRIBUTOR_HEADERS.iter().map(|h| h.to_string()).collect();
        out.push_str(&md_table(&headers, &contributor_rows(s, "<br>"), usize::MAX));
        out.push_str("\nA component's share of downtime counts the outages that began with its failure. Birnbaum importance is the availability with the component always up minus with it always down.\n");
        out.push_str("\n## Totals per architecture\n\n");
        out.push_str(&md_table(&architecture_headers(s), &architecture_rows(s), 1));
        out.push_str(&format!("\n{}\n\n", super::table::COST_NOTE));
        out.push_str(&cost_parts(s));
        out.push_str(&scenario_section(report.model));
        out.push_str("## Notes\n\n");
        out.push_str("- Intervals are ± half-widths at the confidence level above; MTTR median and p90 are over outages.\n");
        out.push_str("- Availability is by time, from an all-up start; an outage still open at the end of the horizon is followed to its end for MTTR.\n");
        for n in &s.notes {
            out.push_str(&format!("- {n}.\n"));
        }
        out.push_str("\n## Run\n\n");
        out.push_str(&format!(
            "| | |\n|---|---|\n| scenario file | `{}` |\n| seed | {} |\n| replications | {} per architecture |\n| horizon | {} ({} h) per replication |\n| confidence | {}% |\n| outages shorter than | {} are blips |\n| relsim | {} |\n\n",
            report.file,
            s.seed,
            s.replications,
            format::duration(report.model.horizon),
            s.horizon_hours,
            s.confidence * 100.0,
            format::duration(report.model.min_outage),
            s.relsim_version
        ));
        out.push_str(&format!("To reproduce these numbers exactly:\n\n```sh\n{}\n```\n", report.command));
        Ok(out)
    }
}
