//! Axes shared by the figures: log axes with labelled decades, linear axes with chosen ticks,
//! "nice" tick steps and ranges, the mesh style every figure applies, and the units and marks
//! the axes are labelled in (minutes or hours, the availability nines).

use std::ops::Range;

use plotters::chart::MeshStyle;
use plotters::coord::combinators::{BindKeyPoints, LogCoord, WithKeyPoints};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;

use super::style::{self, size, Scale};

/// A log axis from `lo` to `hi` with labelled decades (and 2 and 5 times them when the range
/// spans less than three decades) and, if `light`, light lines at the other multiples.
pub fn log_axis(lo: f64, hi: f64, light: bool) -> WithKeyPoints<LogCoord<f64>> {
    let (bold, minor) = log_ticks(lo, hi);
    (lo..hi).log_scale().with_key_points(bold).with_light_points(if light { minor } else { Vec::new() })
}

/// A linear axis with ticks where they are wanted. Plotters' own `f64` axis chooses its ticks
/// itself, and with `with_key_points` it loses its label formatter.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearAxis {
    /// From where to where.
    pub range: Range<f64>,
    /// Labelled ticks (and major grid lines).
    pub bold: Vec<f64>,
    /// Minor grid lines.
    pub light: Vec<f64>,
}

impl Ranged for LinearAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let t = if span != 0.0 && v.is_finite() { (v - self.range.start) / span } else { 0.0 };
        limit.0 + ((limit.1 - limit.0) as f64 * t).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() { self.light.clone() } else { self.bold.clone() }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// "Nice" tick steps (1, 2 or 5 times a power of ten) from 0 to at least `max`, about `n` of
/// them: the axis end and the ticks.
pub fn nice_ticks(max: f64, n: usize) -> (f64, Vec<f64>) {
    let max = if max.is_finite() && max > 0.0 { max } else { 1.0 };
    let raw = max / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|&st| st >= raw).unwrap_or(10.0 * mag);
    let count = (max / step - 1e-9).ceil().max(1.0) as usize;
    let ticks = (0..=count).map(|i| i as f64 * step).collect();
    (count as f64 * step, ticks)
}

/// The labelled and the light tick values of [`log_axis`].
pub fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let (mut bold, mut light) = (Vec::new(), Vec::new());
    if !(lo > 0.0 && hi > lo && lo.is_finite() && hi.is_finite()) {
        return (bold, light);
    }
    let few = hi / lo < 1000.0 * (1.0 + 1e-9);
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let inside = |v: f64| v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9);
    for e in first..=last {
        let decade = 10f64.powi(e);
        for m in 1..10 {
            let v = m as f64 * decade;
            if !inside(v) {
                continue;
            }
            if m == 1 || (few && (m == 2 || m == 5)) {
                bold.push(v);
            } else {
                light.push(v);
            }
        }
    }
    (bold, light)
}

/// A log range around the positive finite values: from `pad_low` times below the smallest to
/// `pad_high` times above the largest, widened to 1, 2 or 5 times a power of ten and to at least
/// `min_ratio` between the ends. `None` if no value is positive.
pub fn log_range(values: impl IntoIterator<Item = f64>, pad_low: f64, pad_high: f64, min_ratio: f64) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values {
        if v.is_finite() && v > 0.0 {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if hi <= 0.0 {
        return None;
    }
    let (mut lo, mut hi) = (lo / pad_low.max(1.0), hi * pad_high.max(1.0));
    if hi / lo < min_ratio {
        let widen = (min_ratio / (hi / lo)).sqrt();
        lo /= widen;
        hi *= widen;
    }
    Some((nice_below(lo), nice_above(hi)))
}

/// The largest 1, 2 or 5 times a power of ten at or below `x` (> 0).
pub fn nice_below(x: f64) -> f64 {
    let mag = 10f64.powf(x.log10().floor());
    [5.0, 2.0, 1.0].iter().map(|m| m * mag).find(|&v| v <= x * (1.0 + 1e-9)).unwrap_or(mag)
}

/// The smallest 1, 2 or 5 times a power of ten at or above `x` (> 0).
fn nice_above(x: f64) -> f64 {
    let mag = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|&v| v >= x * (1.0 - 1e-9)).unwrap_or(10.0 * mag)
}

/// Ticks for a linear axis spanning `lo..hi`: about five at a 1, 2 or 5 step, and the axis
/// range padded to them: (start, end, ticks, step).
pub fn ticks(lo: f64, hi: f64) -> (f64, f64, Vec<f64>, f64) {
    let (lo, hi) = if hi - lo > 1e-12 * hi.abs().max(1.0) { (lo, hi) } else { (lo - 0.5 * lo.abs().max(1e-9), hi + 0.5 * hi.abs().max(1e-9)) };
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|&st| st >= raw).unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let end = (hi / step).ceil() * step;
    let count = ((end - start) / step).round() as usize;
    (start, end, (0..=count).map(|i| start + i as f64 * step).collect(), step)
}

/// Pixel ranges of a chart's plotting area.
pub fn plot_area<DB: DrawingBackend, X: Ranged, Y: Ranged>(chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>) -> (Range<i32>, Range<i32>) {
    chart.plotting_area().get_pixel_range()
}

/// Keeps a pixel inside the plotting area.
pub fn clamp_to(area: &(Range<i32>, Range<i32>), (x, y): (i32, i32)) -> (i32, i32) {
    (x.clamp(area.0.start, area.0.end - 1), y.clamp(area.1.start, area.1.end - 1))
}

/// The mesh style every figure shares: tick labels at [`size::LABEL`], descriptions at
/// [`size::AXIS`], light grey grid lines, ink axes, 5 px ticks. Apply it first, then what is
/// particular to the figure (a later `label_style` or `x_label_style` wins).
pub fn style_mesh<'m, 'a, 'b, X: Ranged, Y: Ranged, DB: DrawingBackend>(mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>, s: Scale) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    mesh.label_style(TextStyle::from(s.font(size::LABEL)).color(&style::INK))
        .axis_desc_style(TextStyle::from(s.font(size::AXIS)).color(&style::INK))
        .bold_line_style(style::GRID.stroke_width(s.stroke(1.0)))
        .light_line_style(style::GRID_LIGHT.stroke_width(s.stroke(1.0)))
        .axis_style(style::INK.stroke_width(s.stroke(1.0)))
        .set_all_tick_mark_size(s.px(5.0))
}

/// Minutes in a year of 365.25 days (what "minutes of downtime per year" count against).
pub const MINUTES_PER_YEAR: f64 = 525_960.0;

/// A time unit for an axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TimeUnit {
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
}

impl TimeUnit {
    /// Hours to this unit.
    pub fn from_hours(self, h: f64) -> f64 {
        match self {
            TimeUnit::Minutes => h * 60.0,
            TimeUnit::Hours => h,
        }
    }

    /// The unit's name on an axis.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
        }
    }
}

/// The availability "nines" as (availability, label), from 90% to 99.99999%.
pub fn nines() -> impl Iterator<Item = (f64, String)> {
    (1..=7).map(|k| {
        let a = 1.0 - 10f64.powi(-k);
        let label = match k {
            1 => "90%".to_string(),
            2 => "99%".to_string(),
            _ => format!("99.{}%", "9".repeat(k as usize - 2)),
        };
        (a, label)
    })
}
