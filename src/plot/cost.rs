//! `cost.svg/png`: what failures are expected to cost per year (`cost_per_year`, running costs
//! aside: `cost_tradeoff` has those) per architecture as horizontal stacked bars, downtime
//! cost (all classes) then SLA credits (hatched), with the total's confidence interval as a
//! whisker. Bars are horizontal so long architecture names read without rotation.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, size, Dash, Scale};
use super::{Figure, LegendEntry, LinearAxis, PlotInput, Root, Swatch};
use crate::format;

/// The cost figure.
pub struct Cost<'a, 'b> {
    /// What to draw.
    pub input: &'a PlotInput<'b>,
}

/// One architecture's bar.
struct Bar<'a> {
    name: &'a str,
    /// Sum over classes of the mean downtime cost per year (`None`: no class had one).
    downtime: Option<f64>,
    /// Mean SLA credits per year (0 without an SLA).
    credits: f64,
    /// The total's mean and interval.
    total: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
}

/// Widest architecture name at 1:1.
const MAX_NAME: f64 = 300.0;

impl Figure for Cost<'_, '_> {
    fn stem(&self) -> &'static str {
        "cost"
    }

    fn size(&self) -> (u32, u32) {
        // Bars keep a readable thickness with many architectures.
        let n = self.input.summary.architectures.len() as u32;
        (1200, 700.max(300 + 60 * n))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>, s: Scale) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let summary = self.input.summary;
        let has_sla = summary.sla.is_some() || summary.architectures.iter().any(|a| a.sla_credits_per_year.is_some());
        let bars: Vec<Bar<'_>> = summary
            .architectures
            .iter()
            .map(|a| {
                let class_costs: Vec<f64> = a.classes.iter().filter_map(|c| super::finite(c.cost_per_year.mean)).collect();
                Bar {
                    name: &a.name,
                    downtime: if class_costs.is_empty() { None } else { Some(class_costs.iter().sum::<f64>().max(0.0)) },
                    credits: super::finite(a.sla_credits_per_year.as_ref().and_then(|e| e.mean)).unwrap_or(0.0).max(0.0),
                    total: super::finite(a.cost_per_year.mean),
                    low: super::finite(a.cost_per_year.ci_low),
                    high: super::finite(a.cost_per_year.ci_high),
                }
            })
            .collect();

        let title = format!("{}: expected cost of failures per year", summary.scenario);
        let sla = match &summary.sla {
            Some(t) => {
                let target = format!("{:.4}", t.target * 100.0);
                format!("SLA: {}% per {}, fee {} per {}.", target.trim_end_matches('0').trim_end_matches('.'), t.period, format::money_short(t.fee), t.period)
            }
            None => "No SLA in this scenario, so no credits.".to_string(),
        };
        let subtitle = format!(
            "Mean over {} of {}: downtime cost (hours down and failed requests, all traffic classes) plus SLA credits paid; whisker: {:.0}% confidence interval of the total. {sla}",
            format::replications(summary.replications),
            format::horizon_words(summary.horizon_hours),
            summary.confidence * 100.0
        );
        let top = super::header(root, s, &title, &subtitle)?;
        let w = root.dim_in_pixel().0 as i32;
        let entries = [
            LegendEntry::new(Swatch::Box(style::COST_DOWNTIME, None), "downtime cost"),
            LegendEntry::new(Swatch::Box(style::COST_CREDITS, Some(style::COST_HATCH)), if has_sla { "SLA credits" } else { "SLA credits (no SLA)" }),
            LegendEntry::new(Swatch::Reference(style::INK, Dash::Solid), format!("total, {:.0}% confidence interval", summary.confidence * 100.0)),
        ];
        let top = super::legend(root, s, (s.px(super::MARGIN), top), w - 2 * s.px(super::MARGIN), &entries, true)? + s.px(6.0);
        let area = root.margin(top, s.px(12.0), s.px(super::MARGIN), s.px(40.0));
        if bars.is_empty() {
            let (aw, ah) = area.dim_in_pixel();
            return super::message(root, (0..aw as i32, top..top + ah as i32), "no architectures in this run", s);
        }

        let name_font = s.bold(size::LABEL);
        let mut name_w = s.px(60.0);
        for b in &bars {
            name_w = name_w.max(super::text_size(root, &super::truncate(root, b.name, &name_font, s.px(MAX_NAME))?, &name_font)?.0);
        }
        let max = bars.iter().flat_map(|b| [b.downtime.map(|d| d + b.credits), b.total, b.high]).flatten().fold(0.0, f64::max);
        // Room on the right of the longest bar for its label.
        let (end, ticks) = super::nice_ticks(max * 1.3, 6);
        let light: Vec<f64> = ticks.windows(2).map(|p| (p[0] + p[1]) / 2.0).collect();
        let n = bars.len();
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(s.px(64.0))
            .y_label_area_size(name_w + s.px(16.0))
            .build_cartesian_2d(LinearAxis { range: 0.0..end, bold: ticks, light }, LinearAxis { range: n as f64..0.0, bold: Vec::new(), light: Vec::new() })?;
        let x_label = |v: &f64| format::money_short(*v);
        let mut mesh = chart.configure_mesh();
        super::style_mesh(&mut mesh, s)
            .disable_y_mesh()
            .x_label_formatter(&x_label)
            .x_desc("cost per year (in the scenario's currency)")
            .draw()?;
        let pa = super::plot_area(&chart);
        let px = |v: f64| chart.backend_coord(&(v.clamp(0.0, end), 0.0)).0;
        let slot = (pa.1.end - pa.1.start) / n as i32;
        let thick = (slot as f64 * 0.55).min(s.f(72.0)) as i32;
        let note = s.font(size::NOTE);

        for (i, b) in bars.iter().enumerate() {
            let cy = chart.backend_coord(&(0.0, i as f64 + 0.5)).1;
            let (y0, y1) = (cy - thick / 2, cy + thick / 2);
            let name = super::truncate(root, b.name, &name_font, s.px(MAX_NAME))?;
            super::text(root, &name, (pa.0.start - s.px(10.0), cy), name_font.clone(), style::INK, (HPos::Right, VPos::Center))?;
            let Some(d) = b.downtime else {
                super::text(root, "no cost estimate", (pa.0.start + s.px(10.0), cy), note.clone(), style::MUTED, (HPos::Left, VPos::Center))?;
                continue;
            };
            let (x0, xd, xc) = (px(0.0), px(d), px(d + b.credits));
            if xd > x0 {
                super::rect(root, (x0, y0), (xd, y1), style::COST_DOWNTIME)?;
            }
            if xc > xd {
                super::rect(root, (xd, y0), (xc, y1), style::COST_CREDITS)?;
                super::hatch(root, (xd, y0), (xc, y1), style::COST_HATCH, s)?;
            }
            // Segment values inside the bars where they fit.
            for (from, to, label, ink) in [(x0, xd, format!("downtime {}", format::money_short(d)), style::PAPER), (xd, xc, format!("credits {}", format::money_short(b.credits)), style::INK)] {
                let (tw, _) = super::text_size(root, &label, &note)?;
                if to - from > tw + s.px(16.0) {
                    if ink == style::INK {
                        // A white patch under the text, over the hatching.
                        super::rect(root, ((from + to - tw) / 2 - s.px(4.0), cy - s.px(11.0)), ((from + to + tw) / 2 + s.px(4.0), cy + s.px(11.0)), style::COST_CREDITS)?;
                    }
                    super::text(root, &label, ((from + to) / 2, cy), note.clone(), ink, (HPos::Center, VPos::Center))?;
                }
            }
            // The total's interval, with a white edge so it shows on the dark bar too.
            let mut right = xc;
            if let (Some(lo), Some(hi)) = (b.low, b.high) {
                let (xl, xh) = (px(lo.max(0.0)), px(hi));
                let cap = thick / 3;
                for (color, width) in [(style::PAPER, 4.5), (style::INK, 2.0)] {
                    super::polyline(root, vec![(xl, cy), (xh, cy)], color, width, Dash::Solid, s)?;
                    super::polyline(root, vec![(xl, cy - cap), (xl, cy + cap)], color, width, Dash::Solid, s)?;
                    super::polyline(root, vec![(xh, cy - cap), (xh, cy + cap)], color, width, Dash::Solid, s)?;
                }
                right = right.max(xh);
            }
            let total = match (b.total, b.low, b.high) {
                (Some(t), Some(lo), Some(hi)) => format!("{} ± {}", format::money_short(t), format::money_short((hi - lo) / 2.0)),
                (Some(t), _, _) => format::money_short(t),
                _ => format!("{} (total n/a)", format::money_short(d + b.credits)),
            };
            if has_sla && thick >= s.px(40.0) {
                // The credits are a thin sliver next to the downtime cost: say how much they are.
                super::text(root, &total, (right + s.px(12.0), cy - s.px(2.0)), s.bold(size::LABEL), style::INK, (HPos::Left, VPos::Bottom))?;
                let credits = format!("SLA credits {}", format::money_short(b.credits));
                super::text(root, &credits, (right + s.px(12.0), cy + s.px(2.0)), note.clone(), style::MUTED, (HPos::Left, VPos::Top))?;
            } else {
                super::text(root, &total, (right + s.px(12.0), cy), s.bold(size::LABEL), style::INK, (HPos::Left, VPos::Center))?;
            }
        }
        Ok(())
    }
}
