//! `sweep_<metric>.svg/png`: one metric against the first swept parameter, one line per
//! architecture with its confidence interval as a band, one panel per traffic class and value
//! of the other swept parameters.
//!
//! The x axis is numeric when every value of the first parameter is a number, a duration or
//! money per period (a running cost, per year)
//! (durations in hours), else the values are placed evenly in the order given.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::plot::style::{self, size, Scale};
use crate::plot::{self, ticks, Figure, LegendEntry, LinearAxis, Root, Swatch};
use crate::format;
use crate::model::metric::{ArchitectureMetric, ClassMetric, DecisionMetric, Metric};
use crate::scenario::units::{parse_duration, HOUR};
use crate::stats::estimate::Estimate;
use super::SweepResult;

/// The metrics drawn for a sweep: JSON name, file stem, axis title, and whether the values are
/// fractions shown as percentages. A name that is not a class metric is drawn once per
/// architecture (one panel per combination of the other keys' values, all classes together).
pub const METRICS: [(Metric, &str, &str, bool); 8] = [
    (Metric::Class(ClassMetric::Availability), "sweep_availability", "availability", true),
    (Metric::Class(ClassMetric::RequestSuccess), "sweep_request_success", "request success", true),
    (Metric::Class(ClassMetric::DowntimeHoursPerYear), "sweep_downtime_hours_per_year", "downtime (hours per year)", false),
    (Metric::Class(ClassMetric::OutagesPerYear), "sweep_outages_per_year", "outages per year", false),
    (Metric::Class(ClassMetric::MttrHours), "sweep_mttr_hours", "MTTR (hours, mean)", false),
    (Metric::Class(ClassMetric::CostPerYear), "sweep_cost_per_year", "cost per year (scenario's currency)", false),
    (Metric::Architecture(ArchitectureMetric::TotalCostPerYear), "sweep_total_cost_per_year", "total cost per year (running + failures)", false),
    (Metric::Decision(DecisionMetric::NetBenefitPerYear), "sweep_net_benefit_per_year", "net benefit per year against the baseline", false),
];

/// One metric of a sweep.
pub struct SweepPlot<'a> {
    /// The sweep.
    pub result: &'a SweepResult,
    /// An entry of [`METRICS`].
    pub metric: (Metric, &'static str, &'static str, bool),
}

/// Where each value of the first parameter goes on the x axis, and its tick label.
fn x_positions(result: &SweepResult) -> (Vec<f64>, bool) {
    let labels: Vec<&str> = result.points.iter().map(|p| p.values.first().map_or("", String::as_str)).collect();
    if let Some(v) = labels.iter().map(|l| l.parse::<f64>().ok().filter(|x| x.is_finite())).collect::<Option<Vec<_>>>() {
        return (v, true);
    }
    if let Some(v) = labels.iter().map(|l| parse_duration(l).ok().map(|s| s / HOUR)).collect::<Option<Vec<_>>>() {
        return (v, true);
    }
    if let Some(v) = labels.iter().map(|l| crate::scenario::cost::parse_per_year(l).ok()).collect::<Option<Vec<_>>>() {
        return (v, true);
    }
    let mut distinct: Vec<&str> = Vec::new();
    for l in &labels {
        if !distinct.contains(l) {
            distinct.push(l);
        }
    }
    (labels.iter().map(|l| distinct.iter().position(|d| d == l).unwrap_or(0) as f64).collect(), false)
}

/// A panel: one class at one combination of the other parameters; the points in it, in order.
struct PanelSpec {
    title: String,
    class: usize,
    points: Vec<usize>,
}

impl SweepPlot<'_> {
    /// Whether the metric belongs to the architecture rather than to each class.
    fn per_architecture(&self) -> bool {
        !matches!(self.metric.0, Metric::Class(_))
    }

    fn panels(&self) -> Vec<PanelSpec> {
        let r = self.result;
        let classes: Vec<String> = if self.per_architecture() {
            vec!["all classes".to_string()]
        } else {
            r.points.first().and_then(|p| p.summary.architectures.first()).map(|a| a.classes.iter().map(|c| format!("class {}", c.name)).collect()).unwrap_or_default()
        };
        let mut rest: Vec<Vec<String>> = Vec::new();
        for p in &r.points {
            let others = p.values.get(1..).unwrap_or_default().to_vec();
            if !rest.contains(&others) {
                rest.push(others);
            }
        }
        let mut out = Vec::new();
        for (ci, class) in classes.iter().enumerate() {
            for others in &rest {
                let points = r.points.iter().enumerate().filter(|(_, p)| p.values.get(1..).unwrap_or_default() == others.as_slice()).map(|(i, _)| i).collect();
                let mut title = class.clone();
                for (k, v) in r.parameters.iter().skip(1).zip(others) {
                    title.push_str(&format!(" · {k} = {v}"));
                }
                out.push(PanelSpec { title, class: ci, points });
            }
        }
        out
    }

    fn estimate(&self, point: usize, arch: usize, class: usize) -> Option<Estimate> {
        let summary = &self.result.points.get(point)?.summary;
        match self.metric.0 {
            Metric::Class(m) => Some(summary.architectures.get(arch)?.classes.get(class)?.metric(m)),
            m => summary.architecture_metric(arch, m),
        }
    }
}

impl Figure for SweepPlot<'_> {
    fn stem(&self) -> &'static str {
        self.metric.1
    }

    fn size(&self) -> (u32, u32) {
        let n = self.panels().len().max(1);
        let rows = n.div_ceil(n.min(2)) as u32;
        (1200, 260 + 440 * rows)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>, s: Scale) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let r = self.result;
        let archs: Vec<String> = r.points.first().map(|p| p.summary.architectures.iter().map(|a| a.name.clone()).collect()).unwrap_or_default();
        let n = archs.len();
        let xparam = r.parameters.first().cloned().unwrap_or_default();
        let title = format!("{}: {} as {} varies", r.scenario, self.metric.2, xparam);
        let reps = r.points.first().map_or(0, |p| p.summary.replications);
        let conf = r.points.first().map_or(0.95, |p| p.summary.confidence);
        let subtitle = format!(
            "{} points, {} each, on the same random numbers (common random numbers), so the curves differ by the parameters alone. Bands: {}% confidence intervals.",
            r.points.len(),
            format::replications(reps),
            format::number(conf * 100.0)
        );
        let top = plot::header(root, s, &title, &subtitle)?;
        let w = root.dim_in_pixel().0 as i32;
        let entries: Vec<LegendEntry> = archs.iter().enumerate().map(|(i, a)| LegendEntry::new(Swatch::Line(style::arch_style(i, n)), a.clone())).collect();
        let top = plot::legend(root, s, (s.px(plot::MARGIN), top), w - 2 * s.px(plot::MARGIN), &entries, true)? + s.px(4.0);
        let area = root.margin(top, s.px(8.0), s.px(8.0), s.px(12.0));
        let panels = self.panels();
        if n == 0 || panels.is_empty() {
            let (aw, ah) = area.dim_in_pixel();
            return plot::message(root, (0..aw as i32, top..top + ah as i32), "no points, architectures or classes in this sweep", s);
        }
        let (xs, numeric) = x_positions(r);
        let labels: Vec<String> = r.points.iter().map(|p| p.values.first().cloned().unwrap_or_default()).collect();
        let cols = panels.len().min(2);
        let rows = panels.len().div_ceil(cols);
        let mut cells = area.split_evenly((rows, cols));
        cells.truncate(panels.len());
        for (spec, panel) in panels.iter().zip(&cells) {
            self.panel(root, panel, spec, &xs, numeric, &labels, n, s)?;
        }
        Ok(())
    }
}

impl SweepPlot<'_> {
    #[allow(clippy::too_many_arguments)]
    fn panel<DB: DrawingBackend>(&self, root: &Root<DB>, panel: &Root<DB>, spec: &PanelSpec, xs: &[f64], numeric: bool, labels: &[String], n: usize, s: Scale) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (px0, py0) = (panel.get_pixel_range().0.start, panel.get_pixel_range().1.start);
        let title = plot::truncate(root, &spec.title, &s.bold(size::NOTE), panel.dim_in_pixel().0 as i32 - s.px(110.0))?;
        plot::text(root, &title, (px0 + s.px(100.0), py0 + s.px(4.0)), s.bold(size::NOTE), style::INK, (HPos::Left, VPos::Top))?;
        let area = panel.margin(s.px(size::NOTE + 14.0), s.px(6.0), s.px(6.0), s.px(16.0));
        let percent = self.metric.3;
        let scale = if percent { 100.0 } else { 1.0 };
        let mut values = Vec::new();
        for &p in &spec.points {
            for a in 0..n {
                if let Some(e) = self.estimate(p, a, spec.class) {
                    values.extend([e.mean, e.ci_low, e.ci_high].into_iter().flatten().filter(|v| v.is_finite()).map(|v| v * scale));
                }
            }
        }
        if values.is_empty() {
            let (aw, ah) = area.dim_in_pixel();
            let (ax, ay) = (area.get_pixel_range().0.start, area.get_pixel_range().1.start);
            return plot::message(root, (ax..ax + aw as i32, ay..ay + ah as i32), "no estimates of this metric", s);
        }
        let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
        let (y0, y1, yticks, step) = ticks(lo, hi);
        let decimals = (-(step.log10().floor()) as i32).clamp(0, 6) as usize;
        let xs_panel: Vec<f64> = spec.points.iter().map(|&p| xs[p]).collect();
        let (xl, xh) = xs_panel.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
        let pad = if xh > xl { (xh - xl) * 0.06 } else { 1.0 };
        let x_axis = LinearAxis { range: xl - pad..xh + pad, bold: if numeric { ticks(xl, xh).2.into_iter().filter(|v| *v >= xl - pad && *v <= xh + pad).collect() } else { xs_panel.clone() }, light: Vec::new() };
        let y_axis = LinearAxis { range: y0..y1, bold: yticks, light: Vec::new() };
        let mut chart = ChartBuilder::on(&area).x_label_area_size(s.px(58.0)).y_label_area_size(s.px(96.0)).build_cartesian_2d(x_axis, y_axis)?;
        let x_label = |v: &f64| {
            if numeric {
                format::number(*v)
            } else {
                spec.points.iter().find(|&&p| xs[p] == *v).map(|&p| labels[p].clone()).unwrap_or_default()
            }
        };
        // Money in short form (4.5M), so large costs fit beside the axis.
        let money = self.metric.0.is_money();
        let y_label = |v: &f64| if percent { format!("{v:.decimals$}%") } else if money { format::money_short(*v) } else { format::number(*v) };
        let first = self.result.points.first().and_then(|p| p.values.first()).map_or("", String::as_str);
        let key = self.result.parameters.first().map_or("", String::as_str);
        let x_desc = match (numeric, first.parse::<f64>().is_err(), parse_duration(first).is_ok()) {
            (true, true, true) => format!("{key} (hours)"),
            (true, true, false) => format!("{key} (per year)"),
            _ => key.to_string(),
        };
        let mut mesh = chart.configure_mesh();
        plot::style_mesh(&mut mesh, s)
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .x_desc(x_desc)
            .y_desc(self.metric.2)
            .draw()?;
        let pa = plot::plot_area(&chart);
        let bc = |x: f64, y: f64| plot::clamp_to(&pa, chart.backend_coord(&(x, y)));
        let mut order: Vec<usize> = spec.points.clone();
        order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
        // Bands first, so every line is drawn over every band.
        for a in 0..n {
            let st = style::arch_style(a, n);
            let (mut upper, mut lower) = (Vec::new(), Vec::new());
            for &p in &order {
                if let Some(Estimate { ci_low: Some(l), ci_high: Some(h), .. }) = self.estimate(p, a, spec.class) {
                    upper.push(bc(xs[p], h * scale));
                    lower.push(bc(xs[p], l * scale));
                }
            }
            if upper.len() >= 2 {
                lower.reverse();
                upper.extend(lower);
                root.draw(&Polygon::new(upper, st.color.mix(0.18).filled()))?;
            }
        }
        for a in 0..n {
            let st = style::arch_style(a, n);
            let line: Vec<(i32, i32)> = order.iter().filter_map(|&p| self.estimate(p, a, spec.class)?.mean.map(|m| bc(xs[p], m * scale))).collect();
            if line.len() >= 2 {
                plot::polyline(root, line.clone(), st.color, 2.5, st.dash, s)?;
            }
            for pt in line {
                plot::marker(root, st.marker, pt, s.px(6.0), st.color, true, s)?;
            }
        }
        Ok(())
    }
}

/// Writes one figure per metric of [`METRICS`] into `dir`.
pub fn write(dir: &std::path::Path, result: &SweepResult) -> anyhow::Result<Vec<std::path::PathBuf>> {
    style::ensure_font()?;
    let mut written = Vec::new();
    for metric in METRICS {
        plot::render(dir, &SweepPlot { result, metric }, &mut written)?;
    }
    Ok(written)
}
