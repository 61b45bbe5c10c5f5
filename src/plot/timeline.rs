//! `timeline.svg/png`: one replication as a timeline. Per architecture a block of rows: first
//! each traffic class's outages (dark red on a pale red band: what users saw), then each
//! component's down intervals. Every architecture's block is drawn from the same replication,
//! so the same component failure lines up across blocks (common random numbers) and the
//! figure shows which designs rode it out.
//!
//! A year is about 1000 pixels wide here, so a 20-minute outage would be a hundredth of a
//! pixel: every interval is drawn at least 2 pixels wide, and the right margin gives each row's
//! count and total down time so short ones are not lost.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, size, Scale};
use super::{Figure, LegendEntry, LinearAxis, Root, Swatch};
use crate::format;
use crate::sim::trace::{Timeline, Track};
use crate::stats::summary::Summary;

/// The timeline figure.
pub struct TimelinePlot<'a> {
    /// The run's summary (scenario name, replications).
    pub summary: &'a Summary,
    /// The recorded replication.
    pub timeline: &'a Timeline,
}

/// Space above the rows at 1:1 (title, subtitle, legend, top axis labels).
const TOP: f64 = 178.0;
/// Space below the rows at 1:1 (axis labels and description).
const BOTTOM: f64 = 64.0;
/// An architecture's header row.
const ARCH_H: f64 = 36.0;
/// The gap between the class rows and the component rows, and after each architecture.
const GAP: f64 = 8.0;
/// Narrowest interval drawn, in pixels at 1:1.
const MIN_WIDTH: f64 = 2.0;
/// Widest row name at 1:1; longer names are cut with "…".
const MAX_LABEL: f64 = 250.0;
/// Width of the right margin with each row's totals, at 1:1.
const RIGHT: f64 = 150.0;

/// What a row is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Header,
    Class,
    Component,
}

/// One row of the layout: its kind, its top and height at 1:1, and what it shows.
struct Row<'a> {
    kind: Kind,
    top: f64,
    height: f64,
    name: &'a str,
    down: &'a [(f64, f64)],
    /// Index among the component rows of its architecture, for alternate shading.
    index: usize,
}

impl<'a> TimelinePlot<'a> {
    /// Row height: 22 px while the figure stays under about 4000 px, thinner beyond.
    fn row_height(&self) -> f64 {
        let rows: usize = self.timeline.architectures.iter().map(|a| a.components.len() + a.classes.len()).sum();
        if rows <= 150 { 22.0 } else { (3300.0 / rows as f64).max(6.0) }
    }

    /// Every row, top to bottom, and the total height of the rows, at 1:1.
    fn layout(&self) -> (Vec<Row<'a>>, f64) {
        let row_h = self.row_height();
        let mut rows = Vec::new();
        let mut y = 0.0;
        let mut push = |y: &mut f64, kind, height, name: &'a str, down: &'a [(f64, f64)], index| {
            rows.push(Row { kind, top: *y, height, name, down, index });
            *y += height;
        };
        for (i, arch) in self.timeline.architectures.iter().enumerate() {
            if i > 0 {
                y += GAP * 2.0;
            }
            push(&mut y, Kind::Header, ARCH_H, arch.name.as_str(), &[], 0);
            for t in &arch.classes {
                push(&mut y, Kind::Class, row_h, t.name.as_str(), t.down.as_slice(), 0);
            }
            y += GAP;
            for (k, t) in arch.components.iter().enumerate() {
                push(&mut y, Kind::Component, row_h, t.name.as_str(), t.down.as_slice(), k);
            }
        }
        (rows, y.max(1.0))
    }

    /// The horizon in hours; if it is not a positive number, the end of the last interval.
    fn horizon(&self) -> f64 {
        let h = self.timeline.horizon_hours;
        if h.is_finite() && h > 0.0 {
            return h;
        }
        let all = self.timeline.architectures.iter().flat_map(|a| a.components.iter().chain(&a.classes));
        all.flat_map(|t: &Track| t.down.iter().map(|d| d.1)).filter(|v| v.is_finite()).fold(0.0, f64::max).max(1.0)
    }
}

impl Figure for TimelinePlot<'_> {
    fn stem(&self) -> &'static str {
        "timeline"
    }

    fn size(&self) -> (u32, u32) {
        let (_, rows) = self.layout();
        (1200, (TOP + rows + BOTTOM).max(420.0).ceil() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>, s: Scale) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let tl = self.timeline;
        let (title, subtitle) = match &self.summary.replay {
            None => (
                format!("{}: replication {} as a timeline ({})", self.summary.scenario, tl.replication, format::horizon_words(self.horizon())),
                "When each component was down and when each traffic class was out, per architecture. \
                 Every architecture sees the same component failures (common random numbers). \
                 Intervals are drawn at least 2 px wide; the right column gives each row's count and total.",
            ),
            Some(r) => (
                format!("{}: the replayed window {} to {}, replication {}", self.summary.scenario, day(&r.window.start), day(&r.window.end), tl.replication),
                "Components marked (recorded) follow the incident file, the same in every replication; the others are this replication's sample. \
                 Every architecture sees the same history. Intervals are drawn at least 2 px wide; the right column gives each row's count and total.",
            ),
        };
        let top = super::header(root, s, &title, subtitle)?;
        let w = root.dim_in_pixel().0 as i32;
        let entries = [
            LegendEntry::new(Swatch::Box(style::CLASS_DOWN, None), "traffic class out (what users see)"),
            LegendEntry::new(Swatch::Box(style::COMPONENT_DOWN, None), "component down"),
        ];
        let legend_bottom = super::legend(root, s, (s.px(super::MARGIN), top), w - 2 * s.px(super::MARGIN), &entries, true)?;

        let (rows, rows_h) = self.layout();
        if rows.is_empty() {
            let h = root.dim_in_pixel().1 as i32;
            return super::message(root, (0..w, legend_bottom..h), "no architectures recorded in this replication", s);
        }
        let row_h = self.row_height();
        let show_labels = row_h >= 14.0;
        let label_font = s.font(size::LABEL);
        let mut label_w = s.px(80.0);
        for r in rows.iter().filter(|r| r.kind != Kind::Header) {
            let name = self.display_name(r);
            label_w = label_w.max(super::text_size(root, &super::truncate(root, &name, &label_font, s.px(MAX_LABEL))?, &label_font)?.0);
        }

        // Days unless the horizon is under three days.
        let horizon = self.horizon();
        let (unit, per_hour) = if horizon >= 72.0 { ("days", 1.0 / 24.0) } else { ("hours", 1.0) };
        let end = horizon * per_hour;
        let (_, ticks) = super::nice_ticks(end, 10);
        let step = ticks.get(1).copied().unwrap_or(end);
        let bold: Vec<f64> = ticks.into_iter().filter(|&t| t <= end * (1.0 + 1e-9)).collect();
        let top_ticks = bold.clone();
        let light: Vec<f64> = (1..).map(|k| k as f64 * step / 2.0).take_while(|&t| t < end).filter(|t| !bold.contains(t)).collect();

        // The rows keep their height when the figure is taller than they need (its minimum
        // height): the space left goes below.
        let top_px = (s.px(TOP) - s.px(30.0)).max(legend_bottom);
        let h = root.dim_in_pixel().1 as i32;
        let spare = (h - top_px - s.px(30.0 + rows_h + BOTTOM)).max(0);
        let area = root.margin(top_px, spare, s.px(super::MARGIN), s.px(RIGHT));
        let mut chart = ChartBuilder::on(&area)
            .margin_top(s.px(30.0))
            .x_label_area_size(s.px(BOTTOM))
            .y_label_area_size(label_w + s.px(14.0))
            .build_cartesian_2d(LinearAxis { range: 0.0..end, bold, light }, LinearAxis { range: rows_h..0.0, bold: Vec::new(), light: Vec::new() })?;
        let x_label = |v: &f64| format::number(*v);
        let mut mesh = chart.configure_mesh();
        super::style_mesh(&mut mesh, s)
            .disable_y_mesh()
            .disable_y_axis()
            .x_label_formatter(&x_label)
            .x_desc(if self.summary.replay.is_some() { format!("time since the start of the window ({unit})") } else { format!("time since the start of the replication ({unit})") })
            .draw()?;
        let pa = super::plot_area(&chart);
        let px_x = |t: f64| chart.backend_coord(&(t.clamp(0.0, end), 0.0)).0;
        let px_y = |y: f64| chart.backend_coord(&(0.0, y)).1;
        let min_w = s.px(MIN_WIDTH).max(1);
        // Tick labels at the top too, for the rows far from the bottom axis (plotters would
        // repeat the axis description there as well).
        for t in top_ticks {
            let x = px_x(t);
            super::polyline(root, vec![(x, pa.1.start - s.px(5.0)), (x, pa.1.start)], style::INK, 1.0, style::Dash::Solid, s)?;
            super::text(root, &format::number(t), (x, pa.1.start - s.px(8.0)), s.font(size::LABEL), style::INK, (HPos::Center, VPos::Bottom))?;
        }
        super::polyline(root, vec![(pa.0.start, pa.1.start), (pa.0.end, pa.1.start)], style::INK, 1.0, style::Dash::Solid, s)?;

        for r in &rows {
            let (y0, y1) = (px_y(r.top), px_y(r.top + r.height));
            match r.kind {
                Kind::Header => {
                    super::text(root, r.name, (s.px(super::MARGIN), y1 - s.px(6.0)), s.bold(size::PANEL), style::INK, (HPos::Left, VPos::Bottom))?;
                    super::rect(root, (pa.0.start, y1 - s.px(1.5)), (pa.0.end, y1), style::INK)?;
                    continue;
                }
                Kind::Class => super::rect(root, (pa.0.start, y0), (pa.0.end, y1), style::CLASS_BAND)?,
                Kind::Component if r.index % 2 == 1 => super::rect(root, (pa.0.start, y0), (pa.0.end, y1), style::ROW_BAND)?,
                Kind::Component => {}
            }
            let (color, inset) = if r.kind == Kind::Class { (style::CLASS_DOWN, s.px(2.0)) } else { (style::COMPONENT_DOWN, s.px(4.0)) };
            let (mut count, mut total) = (0usize, 0.0);
            for &(a, b) in r.down {
                if !(a.is_finite() && b.is_finite()) || b < a {
                    continue;
                }
                let (a, b) = (a.clamp(0.0, horizon), b.clamp(0.0, horizon));
                count += 1;
                total += b - a;
                let x0 = px_x(a * per_hour);
                let x1 = px_x(b * per_hour).max(x0 + min_w).min(pa.0.end);
                super::rect(root, (x1.min(x0), y0 + inset), (x1, (y1 - inset).max(y0 + inset + 1)), color)?;
            }
            if show_labels {
                let bold = r.kind == Kind::Class;
                let font = if bold { s.bold(size::LABEL) } else { label_font.clone() };
                let name = super::truncate(root, &self.display_name(r), &font, s.px(MAX_LABEL))?;
                let ink = if bold { style::CLASS_DOWN } else { style::INK };
                super::text(root, &name, (pa.0.start - s.px(10.0), (y0 + y1) / 2), font, ink, (HPos::Right, VPos::Center))?;
                if count > 0 {
                    let summary = format!("{count}× · {}", format::duration_words(total));
                    super::text(root, &summary, (pa.0.end + s.px(10.0), (y0 + y1) / 2), s.font(size::NOTE), if bold { ink } else { style::MUTED }, (HPos::Left, VPos::Center))?;
                }
            }
        }
        Ok(())
    }
}

impl TimelinePlot<'_> {
    /// A row's name as shown: classes say that they are one, and in a replay the components
    /// that follow the record say so.
    fn display_name(&self, r: &Row<'_>) -> String {
        match r.kind {
            Kind::Class => format!("class {}", r.name),
            Kind::Component if self.summary.replay.as_ref().is_some_and(|p| p.traced.iter().any(|t| t.component == r.name)) => format!("{} (recorded)", r.name),
            _ => r.name.to_string(),
        }
    }
}

/// The date and time of an RFC 3339 timestamp, without seconds and zone when they say nothing
/// (`2024-01-01T00:00:00Z` → `2024-01-01`).
fn day(stamp: &str) -> String {
    let s = stamp.trim_end_matches('Z').trim_end_matches("+00:00");
    match s.strip_suffix("T00:00:00") {
        Some(d) => d.to_string(),
        None => s.strip_suffix(":00").unwrap_or(s).replacen('T', " ", 1),
    }
}
