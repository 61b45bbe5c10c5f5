//! CSV: one row per architecture, class and metric (long format, easy to filter and plot).
//! Architecture-level metrics (total cost, SLA) have an empty class. Quantiles are rows named
//! `mttr_hours.median` and `mttr_hours.p90` whose `mean` column holds the quantile. Importance
//! rows are named `downtime_share[COMPONENT]` and `birnbaum[COMPONENT]`. Paired differences
//! between architectures come last, as rows of architecture A named
//! `downtime_hours_per_year.minus[B]` (per class) and `cost_per_year.minus[B]` (A minus B).
//! Rare-event estimates, where a run made them, are rows named `rare.unavailability`,
//! `rare.outages_per_year` and `rare.time_to_first_outage_hours`.
//! `exact` holds the analytic value where there is one.

use super::{Exporter, Report};
use crate::model::CLASS_METRICS;
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
                for m in CLASS_METRICS {
                    if let Some(e) = c.metric(m) {
                        row(&mut w, a, n, m, &e)?;
                    }
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
            row(&mut w, a, "", "cost_per_year", &arch.cost_per_year)?;
            if let Some(e) = &arch.sla_breach_probability {
                row(&mut w, a, "", "sla_breach_probability", e)?;
            }
            if let Some(e) = &arch.sla_credits_per_year {
                row(&mut w, a, "", "sla_credits_per_year", e)?;
            }
        }
        for d in &report.summary.differences {
            for c in &d.downtime_hours_per_year {
                row(&mut w, &d.a, &c.class, &format!("downtime_hours_per_year.minus[{}]", d.b), &c.difference)?;
            }
            row(&mut w, &d.a, "", &format!("cost_per_year.minus[{}]", d.b), &d.cost_per_year)?;
        }
        Ok(String::from_utf8(w.into_inner()?)?)
    }
}
