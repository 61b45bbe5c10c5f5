//! `availability.svg/png`: each architecture's availability per traffic class with its
//! confidence interval, drawn as unavailability in minutes per year on a log axis, so that each
//! extra nine is the same distance down; dashed reference lines with the availability they stand
//! for ("99.9%") are labelled on the right. Where a class has a rare-event estimate
//! (importance sampling, `--rare`), it is drawn beside the crude one as a hollow marker with its
//! interval.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, size, Marker, Scale};
use super::{Figure, LegendEntry, PlotInput, Root, Swatch, MINUTES_PER_YEAR};
use crate::format;

/// The availability figure.
pub struct Availability<'a, 'b> {
    /// What to draw.
    pub input: &'a PlotInput<'b>,
}

/// One architecture × class, as unavailability in minutes per year.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Point {
    /// Availability's mean.
    availability: Option<f64>,
    /// Unavailability: mean, interval, exact value.
    mean: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
    exact: Option<f64>,
    /// The rare-event estimate of unavailability: mean, interval.
    rare: Option<(f64, f64, f64)>,
}

impl Point {
    fn of(c: &crate::stats::summary::ClassSummary) -> Point {
        let e = &c.availability;
        let u = |a: Option<f64>| super::finite(a).map(|a| ((1.0 - a) * MINUTES_PER_YEAR).max(0.0));
        let minutes = |x: Option<f64>| super::finite(x).map(|x| (x * MINUTES_PER_YEAR).max(0.0));
        let rare = c.rare.as_ref().and_then(|r| {
            let e = &r.unavailability.estimate;
            Some((minutes(e.mean).filter(|&m| m > 0.0)?, minutes(e.ci_low)?, minutes(e.ci_high)?))
        });
        Point { availability: super::finite(e.mean), mean: u(e.mean), low: u(e.ci_high), high: u(e.ci_low), exact: u(e.exact), rare }
    }
}

impl Figure for Availability<'_, '_> {
    fn stem(&self) -> &'static str {
        "availability"
    }

    fn size(&self) -> (u32, u32) {
        (1200, 700)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>, s: Scale) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let summary = self.input.summary;
        let classes = self.input.class_names();
        let archs = &summary.architectures;
        let n = archs.len();
        let points: Vec<Vec<Point>> =
            archs.iter().map(|a| (0..classes.len()).map(|c| a.classes.get(c).map(Point::of).unwrap_or_default()).collect()).collect();

        let title = format!("{}: availability by traffic class", summary.scenario);
        let subtitle = format!(
            "Downtime per year on a log scale: lower is better, a decade down is one more nine. Whiskers: {:.0}% confidence intervals; {} of {}.",
            summary.confidence * 100.0,
            format::replications(summary.replications),
            format::horizon_words(summary.horizon_hours)
        );
        let top = super::header(root, s, &title, &subtitle)?;
        let w = root.dim_in_pixel().0 as i32;

        let mut entries: Vec<LegendEntry> = archs.iter().enumerate().map(|(i, a)| LegendEntry::new(Swatch::Marker(style::arch_style(i, n)), a.name.clone())).collect();
        let any_exact = points.iter().flatten().any(|p| p.exact.is_some());
        if any_exact {
            entries.push(LegendEntry::new(Swatch::Hollow(Marker::Diamond, style::INK), "exact (analytic)"));
        }
        if points.iter().flatten().any(|p| p.rare.is_some()) {
            entries.push(LegendEntry::new(Swatch::Hollow(Marker::Circle, style::INK), "rare-event estimate (importance sampling), right of the crude one; its whisker when wider than the marker"));
        }
        let any_zero = points.iter().flatten().any(|p| p.mean == Some(0.0));
        if any_zero {
            entries.push(LegendEntry::new(Swatch::Hollow(Marker::TriangleDown, style::MUTED), "no downtime observed (0 is off a log scale)"));
        }
        let top = super::legend(root, s, (s.px(super::MARGIN), top), w - 2 * s.px(super::MARGIN), &entries, true)? + s.px(22.0);

        let area = root.margin(top, s.px(12.0), s.px(12.0), s.px(120.0));
        if n == 0 || classes.is_empty() {
            let (aw, ah) = area.dim_in_pixel();
            let msg = if n == 0 { "no architectures in this run" } else { "no traffic classes in this run" };
            return super::message(root, (0..aw as i32, top..top + ah as i32), msg, s);
        }

        // Room below the lowest interval, and above the highest for its value label.
        let values = points.iter().flatten().flat_map(|p| [p.mean, p.low, p.high, p.exact, p.rare.map(|r| r.1), p.rare.map(|r| r.2)]).flatten();
        let (lo, hi) = super::log_range(values, 1.6, 1.8, 10.0).unwrap_or((1.0, 1000.0));
        let nc = classes.len();
        let centers: Vec<f64> = (0..nc).map(|c| c as f64 + 0.5).collect();
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(s.px(64.0))
            .y_label_area_size(s.px(104.0))
            .build_cartesian_2d(super::LinearAxis { range: 0.0..nc as f64, bold: centers, light: Vec::new() }, super::log_axis(lo, hi, true))?;
        let class_label = |x: &f64| classes.get(x.floor().max(0.0) as usize).map(|c| c.to_string()).unwrap_or_default();
        let y_label = |y: &f64| format::number(*y);
        let mut mesh = chart.configure_mesh();
        super::style_mesh(&mut mesh, s)
            .disable_x_mesh()
            .x_label_formatter(&class_label)
            .y_label_formatter(&y_label)
            .x_desc("traffic class")
            .y_desc("downtime (minutes per year, log scale)")
            .x_label_style(TextStyle::from(s.bold(size::LABEL)).color(&style::INK))
            .draw()?;
        let pa = super::plot_area(&chart);

        // Nines: dashed lines across, labelled on the right like a second axis.
        for (a, label) in super::nines() {
            let m = (1.0 - a) * MINUTES_PER_YEAR;
            if m < lo || m > hi {
                continue;
            }
            let (_, y) = chart.backend_coord(&(0.0, m));
            super::polyline(root, vec![(pa.0.start, y), (pa.0.end, y)], style::REFERENCE, 1.5, style::Dash::Dashed { on: 6.0, off: 5.0 }, s)?;
            super::text(root, &label, (pa.0.end + s.px(10.0), y), s.font(size::LABEL), style::MUTED, (HPos::Left, VPos::Center))?;
        }
        super::text_up(root, "availability", (w - s.px(28.0), (pa.1.start + pa.1.end) / 2), s.font(size::AXIS), style::MUTED)?;

        // Separators between class groups.
        for c in 1..nc {
            let (x, _) = chart.backend_coord(&(c as f64, lo));
            super::polyline(root, vec![(x, pa.1.start), (x, pa.1.end)], style::GRID, 1.0, style::Dash::Solid, s)?;
        }

        let step = (0.8 / n as f64).min(0.25);
        let bottom = pa.1.end - s.px(10.0);
        let cap = s.px(12.0);
        let r = s.px(7.0);
        for (i, row) in points.iter().enumerate() {
            let st = style::arch_style(i, n);
            let color_stroke = ShapeStyle::from(&st.color).stroke_width(s.stroke(2.5));
            for (c, p) in row.iter().enumerate() {
                let x = c as f64 + 0.5 + (i as f64 - (n as f64 - 1.0) / 2.0) * step;
                let px = chart.backend_coord(&(x, lo)).0;
                let y_of = |v: f64| super::clamp_to(&pa, chart.backend_coord(&(x, v.clamp(lo, hi)))).1;
                let mut label_y = bottom;
                if let (Some(l), Some(u)) = (p.low, p.high) {
                    let (yl, yu) = (if l > lo { y_of(l) } else { pa.1.end - 1 }, y_of(u));
                    root.draw(&PathElement::new(vec![(px, yl), (px, yu)], color_stroke))?;
                    if l > lo {
                        root.draw(&PathElement::new(vec![(px - cap, yl), (px + cap, yl)], color_stroke))?;
                    }
                    root.draw(&PathElement::new(vec![(px - cap, yu), (px + cap, yu)], color_stroke))?;
                    label_y = yu;
                }
                match p.mean {
                    Some(m) if m > 0.0 => {
                        let y = y_of(m);
                        super::marker(root, st.marker, (px, y), r, st.color, true, s)?;
                        label_y = label_y.min(y - r);
                    }
                    Some(_) => {
                        super::marker(root, Marker::TriangleDown, (px, bottom), r, style::MUTED, false, s)?;
                        label_y = bottom - r;
                    }
                    None => label_y = bottom,
                }
                if let Some(e) = p.exact.filter(|&e| e > 0.0) {
                    super::marker(root, Marker::Diamond, (px, y_of(e)), s.px(11.0), style::INK, false, s)?;
                }
                if let Some((m, l, u)) = p.rare {
                    // Beside the crude point, thinner, hollow: an estimate of the steady state.
                    let rx = px + 2 * cap;
                    let thin = ShapeStyle::from(&st.color).stroke_width(s.stroke(1.5));
                    let (yl, yu) = (if l > lo { y_of(l) } else { pa.1.end - 1 }, y_of(u));
                    // A whisker inside the marker would only clutter it.
                    if yl - yu > 3 * r {
                        root.draw(&PathElement::new(vec![(rx, yl), (rx, yu)], thin))?;
                        for y in [yl, yu] {
                            root.draw(&PathElement::new(vec![(rx - cap / 2, y), (rx + cap / 2, y)], thin))?;
                        }
                    }
                    super::marker(root, st.marker, (rx, y_of(m)), r, st.color, false, s)?;
                }
                let label = match (p.availability, p.mean) {
                    (Some(_), Some(0.0)) => "100%".to_string(),
                    (Some(a), _) => format::availability(a),
                    _ => "n/a".to_string(),
                };
                value_label(root, s, &label, (px, label_y - s.px(6.0)))?;
            }
        }
        Ok(())
    }
}

/// A value written centred above `pos` (its bottom at `pos`) on a white patch, so reference
/// lines behind it do not strike it through.
fn value_label<DB: DrawingBackend>(root: &Root<DB>, s: Scale, label: &str, pos: (i32, i32)) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let font = s.font(size::NOTE);
    let (tw, th) = super::text_size(root, label, &font)?;
    let pad = s.px(3.0);
    super::rect(root, (pos.0 - tw / 2 - pad, pos.1 - th - pad), (pos.0 + tw / 2 + pad, pos.1 + pad / 2), style::PAPER)?;
    super::text(root, label, pos, font, style::INK, (HPos::Center, VPos::Bottom))
}
