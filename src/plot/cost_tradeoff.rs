//! `cost_tradeoff.svg/png`: what each architecture costs to run against how long it is down,
//! one point per architecture with both intervals, so a design review sees the frontier at a
//! glance. Points another architecture beats on both (no dearer to run and no more downtime, by
//! their means) are drawn hollow and marked "dominated". Dashed lines of equal running +
//! downtime cost at the scenario's price of an hour down run through every point: of two
//! points, the one on the lower line is cheaper in total at that price, whatever its place on
//! either axis. Hours are weighted across classes as the decision weighs them.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, size, Dash, Marker, Scale};
use super::{Figure, LegendEntry, LinearAxis, PlotInput, Root, Swatch};
use crate::format;

/// The trade-off figure.
pub struct CostTradeoff<'a, 'b> {
    /// What to draw.
    pub input: &'a PlotInput<'b>,
}

/// One architecture's point: running cost and hours down per year, means and intervals.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Point {
    x: f64,
    x_lo: Option<f64>,
    x_hi: Option<f64>,
    y: f64,
    y_lo: Option<f64>,
    y_hi: Option<f64>,
    total: Option<f64>,
}

/// Which points another point beats on both axes (no more of either, less of one).
fn dominated(points: &[Option<Point>]) -> Vec<bool> {
    points
        .iter()
        .map(|p| {
            let Some(p) = p else { return false };
            points.iter().flatten().any(|q| q.x <= p.x && q.y <= p.y && (q.x < p.x || q.y < p.y))
        })
        .collect()
}

/// The part of the line x + price·y = total inside [x_min, x_max] × [0, y_max], if any.
fn iso_segment(total: f64, price: f64, (x_min, x_max): (f64, f64), y_max: f64) -> Option<((f64, f64), (f64, f64))> {
    if !(price > 0.0 && total.is_finite()) {
        return None;
    }
    let lo = (total - price * y_max).max(x_min);
    let hi = total.min(x_max);
    (lo < hi).then(|| ((lo, (total - lo) / price), (hi, (total - hi) / price)))
}

/// The running-cost axis: from 0, unless every point is far from it (then from a little
/// below the lowest, so close points do not crowd together): (start, end, ticks).
fn x_axis(points: &[Option<Point>]) -> (f64, f64, Vec<f64>) {
    let lo = points.iter().flatten().map(|p| p.x_lo.unwrap_or(p.x).min(p.x)).fold(f64::INFINITY, f64::min);
    let hi = points.iter().flatten().map(|p| p.x_hi.unwrap_or(p.x).max(p.x)).fold(0.0, f64::max);
    if lo.is_finite() && lo > 0.5 * hi {
        let pad = (hi - lo).max(0.02 * hi) * 0.25;
        let (start, end, ticks, _) = super::ticks((lo - pad).max(0.0), hi + pad);
        return (start, end, ticks);
    }
    let (end, ticks) = super::nice_ticks(hi * 1.15, 6);
    (0.0, end, ticks)
}

impl Figure for CostTradeoff<'_, '_> {
    fn stem(&self) -> &'static str {
        "cost_tradeoff"
    }

    fn size(&self) -> (u32, u32) {
        (1200, 700)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>, s: Scale) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let summary = self.input.summary;
        let archs = &summary.architectures;
        let n = archs.len();
        let points: Vec<Option<Point>> = archs
            .iter()
            .map(|a| {
                let (r, h) = (&a.costs.running_cost_per_year, &a.costs.weighted_downtime_hours_per_year);
                Some(Point {
                    x: super::finite(r.mean)?.max(0.0),
                    x_lo: super::finite(r.ci_low),
                    x_hi: super::finite(r.ci_high),
                    y: super::finite(h.mean)?.max(0.0),
                    y_lo: super::finite(h.ci_low),
                    y_hi: super::finite(h.ci_high),
                    total: super::finite(a.costs.total_cost_per_year.mean),
                })
            })
            .collect();
        let dominated = dominated(&points);
        let decision = summary.decision.as_ref();
        let price = decision.map_or(0.0, |d| d.cost_per_hour_down);
        let weighted = decision.is_some_and(|d| d.class_weights.iter().filter(|w| w.weight > 0.0).count() > 1);

        let title = format!("{}: running cost against downtime", summary.scenario);
        let lines = if price > 0.0 {
            format!(
                "Dashed: equal running + downtime cost through each point, at the scenario's {} per hour down{}: the lower line is cheaper in total.",
                format::money_short(price),
                if weighted { " (every class)" } else { "" }
            )
        } else {
            "The scenario prices no downtime (cost_per_hour_down), so there are no lines of equal cost.".to_string()
        };
        let subtitle = format!(
            "Running cost (fixed costs and prices per request) against hours down per year{}; whiskers: {}% confidence intervals over {}. Hollow: dominated (another costs no more to run and is down no longer). {lines}",
            if weighted { ", classes weighted by their cost per hour down" } else { "" },
            format::number(summary.confidence * 100.0),
            format::replications(summary.replications)
        );
        let top = super::header(root, s, &title, &subtitle)?;
        let w = root.dim_in_pixel().0 as i32;
        let mut entries: Vec<LegendEntry> = archs.iter().enumerate().map(|(i, a)| LegendEntry::new(Swatch::Marker(style::arch_style(i, n)), a.name.clone())).collect();
        if dominated.iter().any(|&d| d) {
            entries.push(LegendEntry::new(Swatch::Hollow(Marker::Circle, style::MUTED), "dominated"));
        }
        if price > 0.0 {
            entries.push(LegendEntry::new(Swatch::Reference(style::REFERENCE, Dash::Dashed { on: 6.0, off: 5.0 }), "equal running + downtime cost"));
        }
        let top = super::legend(root, s, (s.px(super::MARGIN), top), w - 2 * s.px(super::MARGIN), &entries, true)? + s.px(8.0);
        let area = root.margin(top, s.px(16.0), s.px(super::MARGIN), s.px(44.0));
        if points.iter().all(Option::is_none) {
            let (aw, ah) = area.dim_in_pixel();
            let msg = if n == 0 { "no architectures in this run" } else { "no cost or downtime estimates in this run" };
            return super::message(root, (0..aw as i32, top..top + ah as i32), msg, s);
        }

        let reach = |f: &dyn Fn(&Point) -> f64| points.iter().flatten().map(f).fold(0.0, f64::max);
        let (x_start, x_end, x_ticks) = x_axis(&points);
        // Short money (12.5M) unless the ticks are too close for it to tell them apart.
        let step = x_ticks.windows(2).map(|w| w[1] - w[0]).fold(f64::INFINITY, f64::min);
        let short = step >= 0.05 * x_end.abs();
        let (y_end, y_ticks) = super::nice_ticks(reach(&|p| p.y_hi.unwrap_or(p.y).max(p.y)) * 1.15, 6);
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(s.px(64.0))
            .y_label_area_size(s.px(96.0))
            .build_cartesian_2d(LinearAxis { range: x_start..x_end, bold: x_ticks, light: Vec::new() }, LinearAxis { range: 0.0..y_end, bold: y_ticks, light: Vec::new() })?;
        let x_label = |v: &f64| if short { format::money_short(*v) } else { format::thousands(*v) };
        let y_label = |v: &f64| format::number(*v);
        let mut mesh = chart.configure_mesh();
        super::style_mesh(&mut mesh, s)
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .x_desc("running cost per year (scenario's currency)")
            .y_desc(if weighted { "hours down per year (weighted)" } else { "hours down per year" })
            .draw()?;
        let pa = super::plot_area(&chart);
        let at = |x: f64, y: f64| super::clamp_to(&pa, chart.backend_coord(&(x.clamp(x_start, x_end), y.clamp(0.0, y_end))));

        // Lines of equal running + downtime cost, under everything else.
        for p in points.iter().flatten() {
            if let Some((a, b)) = iso_segment(p.x + price * p.y, price, (x_start, x_end), y_end) {
                super::polyline(root, vec![at(a.0, a.1), at(b.0, b.1)], style::REFERENCE, 1.5, Dash::Dashed { on: 6.0, off: 5.0 }, s)?;
            }
        }
        let r = s.px(8.0);
        let cap = s.px(7.0);
        let note = s.font(size::NOTE);
        // Label boxes placed so far, and every marker's, so labels do not overlap.
        let mut taken: Vec<Boxed> = points.iter().flatten().map(|p| {
            let (x, y) = at(p.x, p.y);
            (x - r, y - r, x + r, y + r)
        }).collect();
        for (i, p) in points.iter().enumerate() {
            let Some(p) = p else { continue };
            let st = style::arch_style(i, n);
            let (px, py) = at(p.x, p.y);
            if let (Some(lo), Some(hi)) = (p.x_lo, p.x_hi) {
                let (l, h) = (at(lo, p.y).0, at(hi, p.y).0);
                super::polyline(root, vec![(l, py), (h, py)], st.color, 2.0, Dash::Solid, s)?;
                super::polyline(root, vec![(l, py - cap), (l, py + cap)], st.color, 2.0, Dash::Solid, s)?;
                super::polyline(root, vec![(h, py - cap), (h, py + cap)], st.color, 2.0, Dash::Solid, s)?;
            }
            if let (Some(lo), Some(hi)) = (p.y_lo, p.y_hi) {
                let (l, h) = (at(p.x, lo).1, at(p.x, hi).1);
                super::polyline(root, vec![(px, l), (px, h)], st.color, 2.0, Dash::Solid, s)?;
                super::polyline(root, vec![(px - cap, l), (px + cap, l)], st.color, 2.0, Dash::Solid, s)?;
                super::polyline(root, vec![(px - cap, h), (px + cap, h)], st.color, 2.0, Dash::Solid, s)?;
            }
            if dominated[i] {
                super::marker(root, st.marker, (px, py), r, style::PAPER, true, s)?;
                super::marker(root, st.marker, (px, py), r, st.color, false, s)?;
            } else {
                super::marker(root, st.marker, (px, py), r, st.color, true, s)?;
            }
        }
        // Labels last, each on a white patch so no line strikes it through.
        for (i, p) in points.iter().enumerate() {
            let Some(p) = p else { continue };
            let (px, py) = at(p.x, p.y);
            let name = super::truncate(root, &archs[i].name, &s.bold(size::NOTE), s.px(320.0))?;
            let total = match p.total {
                Some(t) => format!("total {}/yr{}", format::money_short(t), if dominated[i] { ", dominated" } else { "" }),
                None => if dominated[i] { "dominated".to_string() } else { String::new() },
            };
            // Labels go right of the point, or left of it near the right edge, moved up or
            // down until they are clear of the others.
            let width = super::text_size(root, &name, &s.bold(size::NOTE))?.0.max(super::text_size(root, &total, &note)?.0);
            let line = s.px(size::NOTE + 4.0);
            let right = px + r + s.px(8.0) + width < pa.0.end;
            let (x0, anchor) = if right { (px + r + s.px(8.0), HPos::Left) } else { (px - r - s.px(8.0), HPos::Right) };
            let (bx0, bx1) = if right { (x0, x0 + width) } else { (x0 - width, x0) };
            let boxed = |dy: i32| (bx0, py + dy - line, bx1, py + dy + line);
            let inside = |b: Boxed| b.1 >= pa.1.start && b.3 + s.px(3.0) < pa.1.end;
            let clear = |dy: i32| inside(boxed(dy)) && !taken.iter().any(|t| overlaps(*t, boxed(dy)));
            let dy = [0, -1, 1, -2, 2, -3, 3, -4, 4].iter().map(|k| k * 2 * line).find(|&dy| clear(dy)).unwrap_or(if inside(boxed(0)) { 0 } else { -2 * line });
            taken.push(boxed(dy));
            let ly = py + dy;
            let pad = s.px(3.0);
            if dy != 0 {
                // A label moved away from its point: a thin line leads back to it.
                let edge = if right { bx0 - pad } else { bx1 + pad };
                super::polyline(root, vec![(px, py), (edge, ly)], style::MUTED, 1.0, Dash::Solid, s)?;
            }
            super::rect(root, (bx0 - pad, ly - line), (bx1 + pad, ly + line + pad), style::PAPER)?;
            super::text(root, &name, (x0, ly - s.px(2.0)), s.bold(size::NOTE), style::INK, (anchor, VPos::Bottom))?;
            super::text(root, &total, (x0, ly + s.px(2.0)), note.clone(), style::MUTED, (anchor, VPos::Top))?;
        }
        Ok(())
    }
}

/// A box in pixels: left, top, right, bottom.
type Boxed = (i32, i32, i32, i32);

/// Whether two boxes overlap.
fn overlaps(a: Boxed, b: Boxed) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(x: f64, y: f64) -> Option<Point> {
        Some(Point { x, x_lo: None, x_hi: None, y, y_lo: None, y_hi: None, total: None })
    }

    #[test]
    fn a_point_beaten_on_both_axes_is_dominated() {
        // (1, 10) is beaten by (1, 5); (3, 1) and (1, 5) trade off; a missing point is neither.
        assert_eq!(dominated(&[at(1.0, 10.0), at(1.0, 5.0), at(3.0, 1.0), None]), [true, false, false, false]);
        // Equal points do not dominate each other.
        assert_eq!(dominated(&[at(2.0, 2.0), at(2.0, 2.0)]), [false, false]);
    }

    #[test]
    fn lines_of_equal_cost_are_cut_to_the_plot() {
        // x + 10 y = 100 in [0, 50] × [0, 20]: from (0, 10) to (50, 5).
        assert_eq!(iso_segment(100.0, 10.0, (0.0, 50.0), 20.0), Some(((0.0, 10.0), (50.0, 5.0))));
        // From x = 20 on: from (20, 8).
        assert_eq!(iso_segment(100.0, 10.0, (20.0, 50.0), 20.0), Some(((20.0, 8.0), (50.0, 5.0))));
        // x + 10 y = 300 enters at y = 20 (x = 100) beyond x_max = 50: nothing to draw.
        assert_eq!(iso_segment(300.0, 10.0, (0.0, 50.0), 20.0), None);
        assert_eq!(iso_segment(100.0, 0.0, (0.0, 50.0), 20.0), None);
    }
}
