//! `downtime_cdf.svg/png`: how downtime per year spreads over the replications, one curve per
//! architecture and one panel per traffic class.
//!
//! SLAs care about the bad years, so the figure is the complementary CDF, P(downtime per year >
//! x), on log–log axes: the tail stretches out to the right instead of being squeezed against
//! 100 %. Years with no downtime cannot sit on a log axis; each panel states their share.
//! Vertical reference lines show the downtime a year allows at 99.9 %, 99.99 %, …, and
//! horizontal ones the one-year-in-ten and one-year-in-a-hundred levels, where each curve
//! carries its marker.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, size, Dash, Scale};
use super::{ClassPanels, Empirical, Figure, LegendEntry, PlotInput, Root, Swatch, TimeUnit, MINUTES_PER_YEAR};
use crate::format;

/// The downtime-per-year figure.
pub struct DowntimeCdf<'a, 'b> {
    /// What to draw.
    pub input: &'a PlotInput<'b>,
}

/// Hours in a year of 365.25 days.
const HOURS_PER_YEAR: f64 = MINUTES_PER_YEAR / 60.0;

/// Tail levels marked on every curve, with their labels.
const LEVELS: [(f64, &str); 2] = [(0.1, "1 year in 10"), (0.01, "1 year in 100")];

impl Figure for DowntimeCdf<'_, '_> {
    fn stem(&self) -> &'static str {
        "downtime_cdf"
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
        let title = format!("{}: downtime per year, and how bad the bad years get", summary.scenario);
        let subtitle = format!(
            "Share of simulated years with more downtime than x, on log–log axes: the further right a curve reaches, the worse its bad years. {} of {}.",
            format::replications(summary.replications),
            format::horizon_words(summary.horizon_hours)
        );
        let entries: Vec<LegendEntry> =
            summary.architectures.iter().enumerate().map(|(i, a)| LegendEntry::new(Swatch::Line(style::arch_style(i, n)), a.name.clone())).collect();
        let footnote = "Years with no downtime cannot be drawn on a log axis: their share is given above each panel. Markers: where each curve crosses one year in 10 and one year in 100. \
             Vertical lines: the downtime a year allows at that availability.";
        let frame = ClassPanels { title: &title, subtitle: &subtitle, legend: &entries, footnote: Some(footnote), architectures: n, classes: classes.len() };
        let Some(panels) = super::class_panels(root, s, &frame)? else { return Ok(()) };

        let cells: Vec<Vec<Empirical>> =
            (0..classes.len()).map(|c| (0..n).map(|a| self.input.cell(a, c).map(|d| Empirical::new(&d.downtime_hours_per_year)).unwrap_or_default()).collect()).collect();
        // Minutes when a typical bad year is under two hours, else hours.
        let mut positives: Vec<f64> = cells.iter().flatten().flat_map(|e| e.bins.iter().map(|b| b.0)).collect();
        positives.sort_by(f64::total_cmp);
        let unit = match positives.get(positives.len() / 2) {
            Some(&m) if m < 2.0 => TimeUnit::Minutes,
            _ => TimeUnit::Hours,
        };
        let (x_lo, x_hi) = super::log_range(positives.iter().map(|&v| unit.from_hours(v)), 1.3, 1.6, 10.0).unwrap_or((1.0, 1000.0));
        let max_total = cells.iter().flatten().map(|e| e.total).max().unwrap_or(0);
        // Low enough that one year in all of them (1/N) sits above the bottom edge.
        let y_lo = if max_total > 0 { super::nice_below(0.6 / max_total as f64).min(0.05) } else { 0.01 };

        for (c, panel) in panels.iter().enumerate() {
            let p = Panel { class: classes[c], cells: &cells[c], unit, x: (x_lo, x_hi), y_lo };
            p.draw(root, panel, s)?;
        }
        Ok(())
    }
}

/// One class's panel.
struct Panel<'a> {
    class: &'a str,
    cells: &'a [Empirical],
    unit: TimeUnit,
    x: (f64, f64),
    y_lo: f64,
}

impl Panel<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>, panel: &Root<DB>, s: Scale) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let n = self.cells.len();
        let (px0, py0) = (panel.get_pixel_range().0.start, panel.get_pixel_range().1.start);
        self.caption(root, (px0 + s.px(96.0), py0 + s.px(4.0)), panel.get_pixel_range().0.end, s)?;
        // Below the caption, a row for the labels of the vertical reference lines.
        let area = panel.margin(s.px(size::PANEL + 8.0 + size::NOTE + 8.0), 0, 0, s.px(10.0));
        let (x_lo, x_hi) = self.x;
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(s.px(60.0))
            .y_label_area_size(s.px(88.0))
            .build_cartesian_2d(super::log_axis(x_lo, x_hi, true), super::log_axis(self.y_lo, 1.25, false))?;
        let x_label = |v: &f64| format::number(*v);
        let y_label = |v: &f64| format::percent_short(*v);
        let mut mesh = chart.configure_mesh();
        super::style_mesh(&mut mesh, s)
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .x_desc(format!("downtime per year ({}, log scale)", self.unit.name()))
            .y_desc("share of years with more")
            .draw()?;
        let pa = super::plot_area(&chart);
        let bc = |x: f64, y: f64| super::clamp_to(&pa, chart.backend_coord(&(x.clamp(x_lo, x_hi), y.clamp(self.y_lo, 1.25))));
        let reference = Dash::Dashed { on: 6.0, off: 5.0 };

        // What a year allows at each availability, labelled above the plot.
        for (a, label) in super::nines() {
            let x = self.unit.from_hours((1.0 - a) * HOURS_PER_YEAR);
            if x <= x_lo || x >= x_hi {
                continue;
            }
            let (px, _) = bc(x, 1.0);
            super::polyline(root, vec![(px, pa.1.start), (px, pa.1.end)], style::REFERENCE, 1.5, reference, s)?;
            let (tw, _) = super::text_size(root, &label, &s.font(size::NOTE))?;
            let pos = if px + tw / 2 > pa.0.end { (pa.0.end - tw / 2, pa.1.start - s.px(4.0)) } else { (px, pa.1.start - s.px(4.0)) };
            super::text(root, &label, pos, s.font(size::NOTE), style::MUTED, (HPos::Center, VPos::Bottom))?;
        }
        // One year in 10 and in 100, labelled on the left where every curve is still near 100 %.
        let any = self.cells.iter().any(|e| e.total > 0 && !e.bins.is_empty());
        for (level, label) in LEVELS {
            if level < self.y_lo * 2.0 || !any {
                continue;
            }
            let (_, py) = bc(x_lo, level);
            super::polyline(root, vec![(pa.0.start, py), (pa.0.end, py)], style::REFERENCE, 1.5, reference, s)?;
            super::text(root, label, (pa.0.start + s.px(6.0), py - s.px(3.0)), s.font(size::NOTE), style::MUTED, (HPos::Left, VPos::Bottom))?;
        }

        let mut drawn = 0;
        for (i, e) in self.cells.iter().enumerate() {
            if e.total == 0 || e.bins.is_empty() {
                continue;
            }
            drawn += 1;
            let st = style::arch_style(i, n);
            let mut prev = (e.total - e.zero) as f64 / e.total as f64;
            let mut points = vec![(pa.0.start, bc(x_lo, prev).1)];
            let mut crossings = Vec::new();
            for (v, left) in e.survival() {
                let x = self.unit.from_hours(v);
                let (px, py) = bc(x, prev);
                points.push((px, py));
                // A survival of 0 is off the log axis: the step goes to the bottom edge.
                let to = if left > 0.0 { bc(x, left).1 } else { pa.1.end - 1 };
                points.push((px, to));
                for (level, _) in LEVELS {
                    if prev >= level && left < level && level >= self.y_lo * 2.0 {
                        crossings.push(bc(x, level));
                    }
                }
                prev = left;
            }
            super::polyline(root, points, st.color, 2.5, st.dash, s)?;
            for c in crossings {
                super::marker(root, st.marker, c, s.px(6.5), st.color, true, s)?;
            }
        }
        if drawn == 0 {
            let msg = match self.cells.iter().map(|e| e.total).max().unwrap_or(0) {
                0 => "no replications recorded".to_string(),
                t => format!("no downtime in any of {} simulated years", format::number(t as f64)),
            };
            super::message(root, pa, &msg, s)?;
        }
        Ok(())
    }

    /// "class web   no downtime in: ● 0% ■ 2.5% ▲ 4%": the class, and the share of years
    /// without downtime per architecture (they cannot be on the log axis).
    /// Drawn from `(x, y)`, not past `right`: with many architectures in a narrow panel the
    /// explanation gets shorter (the footnote says what the numbers are).
    fn caption<DB: DrawingBackend>(&self, root: &Root<DB>, (x, y): (i32, i32), right: i32, s: Scale) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let n = self.cells.len();
        let title = format!("class {}", self.class);
        let bold = s.bold(size::PANEL);
        super::text(root, &title, (x, y), bold.clone(), style::INK, (HPos::Left, VPos::Top))?;
        let mid = y + s.px(size::PANEL / 2.0);
        let mut cx = x + super::text_size(root, &title, &bold)?.0 + s.px(22.0);
        if self.cells.iter().all(|e| e.total == 0) {
            return Ok(());
        }
        let font = s.font(size::NOTE);
        let shares: Vec<String> = self.cells.iter().filter(|e| e.total > 0).map(|e| format::percent_short(e.zero as f64 / e.total as f64)).collect();
        let mut shares_w = 0;
        for p in &shares {
            shares_w += s.px(31.0) + super::text_size(root, p, &font)?.0;
        }
        for head in ["years with no downtime:", "no downtime:", ""] {
            let head_w = if head.is_empty() { 0 } else { super::text_size(root, head, &font)?.0 + s.px(12.0) };
            if cx + head_w + shares_w <= right || head.is_empty() {
                super::text(root, head, (cx, mid), font.clone(), style::MUTED, (HPos::Left, VPos::Center))?;
                cx += head_w;
                break;
            }
        }
        for (i, e) in self.cells.iter().enumerate() {
            if e.total == 0 {
                continue;
            }
            let st = style::arch_style(i, n);
            super::marker(root, st.marker, (cx + s.px(6.0), mid), s.px(6.0), st.color, true, s)?;
            let pct = format::percent_short(e.zero as f64 / e.total as f64);
            super::text(root, &pct, (cx + s.px(17.0), mid), font.clone(), style::INK, (HPos::Left, VPos::Center))?;
            cx += s.px(17.0) + super::text_size(root, &pct, &font)?.0 + s.px(14.0);
        }
        Ok(())
    }
}
