//! CSV: one row per architecture, class and metric (long format, easy to filter and plot).
//! Architecture-level metrics (costs, SLA) have an empty class. Quantiles are rows named
//! `mttr_hours.median` and `mttr_hours.p90` whose `mean` column holds the quantile. Importance
//! rows are named `downtime_share[COMPONENT]` and `birnbaum[COMPONENT]`. Paired differences
//! between architectures come next, as rows of architecture A named
//! `downtime_hours_per_year.minus[B]` (per class), `cost_per_year.minus[B]`,
//! `running_cost_per_year.minus[B]` and `total_cost_per_year.minus[B]` (A minus B). The
//! decision comes last, as rows of each architecture but the baseline B named
//! `net_benefit_per_year.vs[B]`, `extra_running_cost_per_year.vs[B]`,
//! `failure_cost_saved_per_year.vs[B]`, `downtime_hours_saved_per_year.vs[B]` and
//! `break_even_cost_per_hour_down.vs[B]` (its interval empty when Fieller's set is unbounded).
//! Rare-event estimates, where a run made them, are rows named `rare.unavailability`,
//! `rare.outages_per_year` and `rare.time_to_first_outage_hours`.
//! `exact` holds the analytic value where there is one.

use super::{Exporter, Report};
use crate::model::metric::{ArchitectureMetric, ClassMetric};
use crate::stats::estimate::Estimate;

/// Renders `summary.csv`.
pub struct CsvExporter;

fn num(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

impl Exporter for CsvExporter {
    fn render(&self, report: &Report<'_>) -> anyhow::Result<String> {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        w.write_record(["architecture", "class", "metric", "mean", "ci_low", "ci_high", "exact"])?;
        let row = |w: &mut ::csv::Writer<Vec<u8>>, a: &str, c: &str, m: &str, e: &Estimate| {
            w.write_record([a, c, m, &num(e.mean), &num(e.ci_low), &num(e.ci_high), &num(e.exact)])
        };
        for arch in &report.summary.architectures {
            let a = arch.name.as_str();
            for c in &arch.classes {
                let n = c.name.as_str();
                for &m in ClassMetric::ALL {
                    row(&mut w, a, n, m.name(), &c.metric(m))?;
                }
                if let Some(r) = &c.rare {
                    for (m, f) in [("rare.unavailability", &r.unavailability), ("rare.outages_per_year", &r.outages_per_year), ("rare.time_to_first_outage_hours", &r.time_to_first_outage_hours)] {
                        row(&mut w, a, n, m, &f.estimate)?;
                    }
                }
                for imp in &c.importance {
                    row(&mut w, a, n, &format!("downtime_share[{}]", imp.component), &imp.downtime_share)?;
                    row(&mut w, a, n, &format!("birnbaum[{}]", imp.component), &imp.birnbaum)?;
                }
            }
            for &m in ArchitectureMetric::ALL {
                if let Some(e) = arch.metric(m) {
                    row(&mut w, a, "", m.name(), &e)?;
                }
            }
        }
        for d in &report.summary.differences {
            for c in &d.downtime_hours_per_year {
                row(&mut w, &d.a, &c.class, &format!("downtime_hours_per_year.minus[{}]", d.b), &c.difference)?;
            }
            row(&mut w, &d.a, "", &format!("cost_per_year.minus[{}]", d.b), &d.cost_per_year)?;
            row(&mut w, &d.a, "", &format!("running_cost_per_year.minus[{}]", d.b), &d.costs.running_cost_per_year)?;
            row(&mut w, &d.a, "", &format!("total_cost_per_year.minus[{}]", d.b), &d.costs.total_cost_per_year)?;
        }
        if let Some(d) = &report.summary.decision {
            let b = &d.baseline;
            for c in &d.architectures {
                let figures = [
                    ("net_benefit_per_year", &c.net_benefit_per_year),
                    ("extra_running_cost_per_year", &c.extra_running_cost_per_year),
                    ("failure_cost_saved_per_year", &c.failure_cost_saved_per_year),
                    ("downtime_hours_saved_per_year", &c.downtime_hours_saved_per_year),
                    ("break_even_cost_per_hour_down", &c.break_even.cost_per_hour_down),
                ];
                for (name, e) in figures {
                    row(&mut w, &c.architecture, "", &format!("{name}.vs[{b}]"), e)?;
                }
            }
        }
        Ok(String::from_utf8(w.into_inner()?)?)
    }
}
