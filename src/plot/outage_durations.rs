//! `outage_durations.svg/png`: how long outages last, one cumulative curve per architecture
//! and one panel per traffic class, on a log duration axis (durations span minutes to days).
//!
//! Each curve's median and p90 are marked where it crosses 50 % and 90 %, with a dotted drop
//! line to the duration axis, and written out in a box per panel. They are the summary's
//! (over all outages of the run) when it has them, else read off the binned durations.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, size, Dash, Scale};
use super::{ClassPanels, Empirical, Figure, LegendEntry, LinearAxis, PlotInput, Root, Swatch, TimeUnit};
use crate::format;

/// The outage duration figure.
pub struct OutageDurations<'a, 'b> {
    /// What to draw.
    pub input: &'a PlotInput<'b>,
}

/// One architecture × class: its durations, median and p90 (hours).
#[derive(Clone, Debug, Default)]
struct Cell {
    durations: Empirical,
    median: Option<f64>,
    p90: Option<f64>,
}

impl Figure for OutageDurations<'_, '_> {
    fn stem(&self) -> &'static str {
        "outage_durations"
    }

    fn size(&self) -> (u32, u32) {
        super::class_panels_size(self.input)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>, s: Scale) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let summary = self.input.summary;
        let classes = self.input.class_names();
        let n = summary.architectures.len();
        let cells: Vec<Vec<Cell>> = (0..classes.len())
            .map(|c| {
                (0..n)
                    .map(|a| {
                        let durations = self.input.cell(a, c).map(|d| Empirical::new(&d.outage_hours)).unwrap_or_default();
                        let mttr = summary.architectures[a].classes.get(c).map(|k| &k.mttr_hours);
                        let given = |q: Option<f64>| super::finite(q).filter(|&v| v > 0.0);
                        let median = given(mttr.and_then(|m| m.median.value)).or_else(|| durations.quantile(0.5).filter(|&v| v > 0.0));
                        let p90 = given(mttr.and_then(|m| m.p90.value)).or_else(|| durations.quantile(0.9).filter(|&v| v > 0.0));
                        Cell { durations, median, p90 }
                    })
                    .collect()
            })
            .collect();

        let title = format!("{}: how long outages last", summary.scenario);
        let min_outage = if summary.min_outage_hours > 0.0 { format!(" Interruptions shorter than {} are blips, not outages.", format::duration_words(summary.min_outage_hours)) } else { String::new() };
        let subtitle = format!(
            "Share of outages shorter than a given duration, over every outage in {} of {}; median and 90th percentile marked.{min_outage}",
            format::replications(summary.replications),
            format::horizon_words(summary.horizon_hours)
        );
        let entries: Vec<LegendEntry> = summary
            .architectures
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let none = cells.iter().all(|row| row[i].durations.bins.is_empty());
                let label = if none { format!("{} (no outages)", a.name) } else { a.name.clone() };
                LegendEntry::new(Swatch::Line(style::arch_style(i, n)), label)
            })
            .collect();
        let frame = ClassPanels { title: &title, subtitle: &subtitle, legend: &entries, footnote: None, architectures: n, classes: classes.len() };
        let Some(panels) = super::class_panels(root, s, &frame)? else { return Ok(()) };

        // Minutes when a typical outage is under an hour, else hours.
        let medians: Vec<f64> = cells.iter().flatten().filter_map(|c| c.median).collect();
        let unit = if medians.iter().fold(0.0f64, |a, &b| a.max(b)) < 1.0 { TimeUnit::Minutes } else { TimeUnit::Hours };
        let values = cells.iter().flatten().flat_map(|c| c.durations.bins.iter().map(|b| b.0).chain(c.median).chain(c.p90)).map(|v| unit.from_hours(v));
        let x = super::log_range(values, 1.3, 1.5, 10.0).unwrap_or((1.0, 1000.0));

        for (c, panel) in panels.iter().enumerate() {
            let p = Panel { class: classes[c], cells: &cells[c], unit, x };
            p.draw(root, panel, s)?;
        }
        Ok(())
    }
}

/// One class's panel.
struct Panel<'a> {
    class: &'a str,
    cells: &'a [Cell],
    unit: TimeUnit,
    x: (f64, f64),
}

impl Panel<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>, panel: &Root<DB>, s: Scale) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let n = self.cells.len();
        let (px0, py0) = (panel.get_pixel_range().0.start, panel.get_pixel_range().1.start);
        super::text(root, &format!("class {}", self.class), (px0 + s.px(96.0), py0 + s.px(4.0)), s.bold(size::PANEL), style::INK, (HPos::Left, VPos::Top))?;
        let area = panel.margin(s.px(size::PANEL + 12.0), 0, 0, s.px(10.0));
        let (x_lo, x_hi) = self.x;
        let y_axis = LinearAxis { range: 0.0..1.04, bold: vec![0.0, 0.25, 0.5, 0.75, 1.0], light: vec![0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9] };
        let mut chart = ChartBuilder::on(&area).x_label_area_size(s.px(60.0)).y_label_area_size(s.px(88.0)).build_cartesian_2d(super::log_axis(x_lo, x_hi, true), y_axis)?;
        let x_label = |v: &f64| format::number(*v);
        let y_label = |v: &f64| format::percent_short(*v);
        let mut mesh = chart.configure_mesh();
        super::style_mesh(&mut mesh, s)
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .x_desc(format!("outage duration ({}, log scale)", self.unit.name()))
            .y_desc("share of outages shorter")
            .draw()?;
        let pa = super::plot_area(&chart);
        let bc = |x: f64, y: f64| super::clamp_to(&pa, chart.backend_coord(&(x.clamp(x_lo, x_hi), y.clamp(0.0, 1.04))));

        for (level, label) in [(0.5, "median"), (0.9, "p90")] {
            let (_, py) = bc(x_lo, level);
            super::polyline(root, vec![(pa.0.start, py), (pa.0.end, py)], style::REFERENCE, 1.5, Dash::Dashed { on: 6.0, off: 5.0 }, s)?;
            super::text(root, label, (pa.0.start + s.px(6.0), py - s.px(3.0)), s.font(size::NOTE), style::MUTED, (HPos::Left, VPos::Bottom))?;
        }

        let mut drawn = 0;
        for (i, cell) in self.cells.iter().enumerate() {
            let e = &cell.durations;
            if e.total == 0 || e.bins.is_empty() {
                continue;
            }
            drawn += 1;
            let st = style::arch_style(i, n);
            let total = e.total as f64;
            let mut below = e.zero as f64 / total;
            let mut points = vec![(pa.0.start, bc(x_lo, below).1)];
            for &(v, count) in &e.bins {
                let x = self.unit.from_hours(v);
                points.push(bc(x, below));
                below += count as f64 / total;
                points.push(bc(x, below));
            }
            points.push((pa.0.end - 1, bc(x_hi, below).1));
            super::polyline(root, points, st.color, 2.5, st.dash, s)?;
        }
        // Markers on top of every curve, with drop lines to the axis.
        for (i, cell) in self.cells.iter().enumerate() {
            if cell.durations.bins.is_empty() {
                continue;
            }
            let st = style::arch_style(i, n);
            for (q, level) in [(cell.median, 0.5), (cell.p90, 0.9)] {
                if let Some(v) = q {
                    let (px, py) = bc(self.unit.from_hours(v), level);
                    super::polyline(root, vec![(px, py), (px, pa.1.end - 1)], st.color, 1.5, Dash::Dashed { on: 2.0, off: 4.0 }, s)?;
                    super::marker(root, st.marker, (px, py), s.px(6.5), st.color, true, s)?;
                }
            }
        }

        // The numbers, lower right (below the curves, which end at the top right).
        let lines: Vec<String> = self
            .cells
            .iter()
            .map(|c| {
                if c.durations.total == 0 && c.median.is_none() {
                    "no outages".to_string()
                } else {
                    let q = |v: Option<f64>| v.map_or("—".to_string(), format::duration_words);
                    format!("{} · {} ({})", q(c.median), q(c.p90), format::number(c.durations.total as f64))
                }
            })
            .collect();
        let swatch = |i: usize, (x, y): (i32, i32)| {
            let st = style::arch_style(i, n);
            super::marker(root, st.marker, (x + s.px(8.0), y), s.px(6.0), st.color, true, s)
        };
        let y0 = super::key_box(root, s, &pa, "median · p90 (outages)", &lines, swatch)?;
        if drawn == 0 {
            super::message(root, (pa.0.clone(), pa.1.start..y0), "no outages recorded", s)?;
        }
        Ok(())
    }
}
