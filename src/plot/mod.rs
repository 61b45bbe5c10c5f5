//! Plots of a run, each written as SVG and PNG into the run's output folder.
//!
//! Every figure is one type implementing [`Figure`], whose `draw` is generic over the plotters
//! backend and is called once with the SVG backend and once with the bitmap backend, so the two
//! files show the same thing. The PNG is drawn at twice its size and averaged down (plotters'
//! bitmap lines are not antialiased), with the embedded DejaVu Sans (see [`style`]), so it
//! looks the same on every machine.
//!
//! The figures ([`availability`], [`downtime_cdf`], [`outage_durations`], [`timeline`],
//! [`cost`], [`cost_tradeoff`]) share the helpers here: title, legend, markers, dashed lines, log axes, number
//! formats. Helpers that take pixel positions draw on the root area, whose pixels are the
//! backend's, so positions from `ChartContext::backend_coord` can be used directly.
//!
//! Odd input never panics: missing estimates (`None`), NaN, zero replications, no
//! architectures, an empty timeline all give a figure that says what is missing.

pub mod availability;
pub mod cost;
pub mod cost_tradeoff;
pub mod downtime_cdf;
pub mod fit;
pub mod outage_durations;
pub mod style;
pub mod sweep;
pub mod timeline;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::Context;
use plotters::coord::combinators::{BindKeyPoints, LogCoord, WithKeyPoints};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::element::DashedPathElement;
use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::format::thousands;
use crate::sim::trace::Timeline;
use crate::stats::distributions::{ClassDistributions, Distributions};
use crate::stats::summary::Summary;
use style::{size, ArchStyle, Dash, Marker, Scale};

/// What the plots draw.
pub struct PlotInput<'a> {
    /// The estimates (availability, cost, SLA credits, MTTR median and p90).
    pub summary: &'a Summary,
    /// Distributions across replications and outages.
    pub distributions: &'a Distributions,
    /// One sample replication, if recorded.
    pub timeline: Option<&'a Timeline>,
}

impl PlotInput<'_> {
    /// The distributions of architecture `a` × class `c` of the summary. The cells are meant to
    /// be in the summary's order; if their names say otherwise, they are looked up by name, and
    /// a cell that is not there is `None` (drawn as "no data").
    pub fn cell(&self, a: usize, c: usize) -> Option<&ClassDistributions> {
        let arch = self.summary.architectures.get(a)?;
        let class = arch.classes.get(c)?;
        let d = self.distributions;
        let matches = |cell: &&ClassDistributions| cell.architecture == arch.name && cell.class == class.name;
        let by_index = if c < d.classes { d.cells.get(a * d.classes + c).filter(matches) } else { None };
        by_index.or_else(|| d.cells.iter().find(matches))
    }

    /// Traffic class names, from the first architecture (every architecture has the same).
    pub fn class_names(&self) -> Vec<&str> {
        self.summary.architectures.first().map(|a| a.classes.iter().map(|c| c.name.as_str()).collect()).unwrap_or_default()
    }
}

/// Writes every plot into `dir` (which exists) and returns the paths written: for each figure
/// its `.svg` and then its `.png`, in the order availability, downtime_cdf, outage_durations,
/// timeline, cost, cost_tradeoff.
///
/// `timeline.svg/png` are written only when `input.timeline` is `Some`: without a recorded
/// replication there is nothing true to draw, and an empty figure would look like a run with no
/// failures. Every other figure is always written, saying in the figure what is missing if the
/// input has nothing to draw (no architectures, no replications, no outages).
pub fn write_plots(dir: &Path, input: &PlotInput<'_>) -> anyhow::Result<Vec<PathBuf>> {
    style::ensure_font()?;
    let mut written = Vec::new();
    render(dir, &availability::Availability { input }, &mut written)?;
    render(dir, &downtime_cdf::DowntimeCdf { input }, &mut written)?;
    render(dir, &outage_durations::OutageDurations { input }, &mut written)?;
    if let Some(timeline) = input.timeline {
        render(dir, &timeline::TimelinePlot { summary: input.summary, timeline }, &mut written)?;
    }
    render(dir, &cost::Cost { input }, &mut written)?;
    render(dir, &cost_tradeoff::CostTradeoff { input }, &mut written)?;
    Ok(written)
}

/// One figure, drawable on any backend.
pub trait Figure {
    /// File name without extension.
    fn stem(&self) -> &'static str;

    /// Size in pixels at 1:1 (the SVG's size and the PNG's).
    fn size(&self) -> (u32, u32);

    /// Draws the figure on `root`, whose pixels are `scale` times those of [`Figure::size`].
    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>, scale: Scale) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static;
}

/// The whole drawing area of a figure.
pub type Root<DB> = DrawingArea<DB, Shift>;

/// PNG supersampling: drawn at this many times the size, then averaged down (2×2 blocks, see
/// [`downsample`]).
const SUPERSAMPLE: u32 = 2;

/// Renders `fig` to `<dir>/<stem>.svg` and `<dir>/<stem>.png` and appends both paths.
fn render<F: Figure>(dir: &Path, fig: &F, written: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    render_named(dir, fig.stem(), fig, written)
}

/// [`render`] under a file stem chosen at run time (figures named after their data).
fn render_named<F: Figure>(dir: &Path, stem: &str, fig: &F, written: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    // Drawing every figure takes a while: a signal stops it between figures.
    crate::interrupt::check()?;
    let (w, h) = fig.size();
    let svg_path = dir.join(format!("{stem}.svg"));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&style::PAPER)?;
        fig.draw(&root, Scale(1.0)).with_context(|| format!("drawing {}", svg_path.display()))?;
        root.present()?;
    }
    std::fs::write(&svg_path, svg).with_context(|| format!("writing {}", svg_path.display()))?;
    written.push(svg_path);

    let png_path = dir.join(format!("{stem}.png"));
    let (bw, bh) = (w * SUPERSAMPLE, h * SUPERSAMPLE);
    let mut big = vec![0u8; bw as usize * bh as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut big, (bw, bh)).into_drawing_area();
        root.fill(&style::PAPER)?;
        fig.draw(&root, Scale(SUPERSAMPLE as f64)).with_context(|| format!("drawing {}", png_path.display()))?;
        root.present()?;
    }
    let small = downsample(&big, w, h);
    write_png(&png_path, &small, w, h).with_context(|| format!("writing {}", png_path.display()))?;
    written.push(png_path);
    Ok(())
}

/// Averages 2×2 blocks of an RGB image twice the size `w`×`h` (plain index loops: this is the
/// one per-pixel loop of ours, and it should not take long in unoptimised builds either).
fn downsample(big: &[u8], w: u32, h: u32) -> Vec<u8> {
    let (w, h) = (w as usize, h as usize);
    let row = w * 2 * 3;
    let mut out = vec![0u8; w * h * 3];
    for y in 0..h {
        let (r0, r1, o) = (2 * y * row, (2 * y + 1) * row, y * w * 3);
        for i in 0..w * 3 {
            let (x, c) = (i / 3, i % 3);
            let j = 6 * x + c;
            let sum = big[r0 + j] as u16 + big[r0 + j + 3] as u16 + big[r1 + j] as u16 + big[r1 + j + 3] as u16;
            out[o + i] = ((sum + 2) / 4) as u8;
        }
    }
    out
}

/// Writes an 8-bit RGB PNG.
fn write_png(path: &Path, rgb: &[u8], w: u32, h: u32) -> anyhow::Result<()> {
    let mut file = BufWriter::new(File::create(path)?);
    let mut encoder = png::Encoder::new(&mut file, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    file.flush()?;
    Ok(())
}

// ---- Text ---------------------------------------------------------------------------------

/// Draws `text` at pixel `pos` with the given anchor.
pub fn text<DB: DrawingBackend>(root: &Root<DB>, text: &str, pos: (i32, i32), font: FontDesc<'_>, color: RGBColor, anchor: (HPos, VPos)) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    if text.is_empty() {
        return Ok(());
    }
    let style = font.color(&color).pos(Pos::new(anchor.0, anchor.1));
    root.draw(&Text::new(text.to_string(), pos, style))?;
    Ok(())
}

/// Draws `text` rotated a quarter turn counter-clockwise (reading upwards), centred on `pos`.
pub fn text_up<DB: DrawingBackend>(root: &Root<DB>, text: &str, pos: (i32, i32), font: FontDesc<'_>, color: RGBColor) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let style = font.transform(FontTransform::Rotate270).color(&color).pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new(text.to_string(), pos, style))?;
    Ok(())
}

/// The width and height of `text` in `font`, in backend pixels.
pub fn text_size<DB: DrawingBackend>(root: &Root<DB>, text: &str, font: &FontDesc<'_>) -> anyhow::Result<(i32, i32)>
where
    DB::ErrorType: 'static,
{
    if text.is_empty() {
        return Ok((0, 0));
    }
    let (w, h) = root.estimate_text_size(text, &TextStyle::from(font.clone()))?;
    Ok((w as i32, h as i32))
}

/// `text` cut with "…" so that it is at most `max` pixels wide in `font`.
pub fn truncate<DB: DrawingBackend>(root: &Root<DB>, text: &str, font: &FontDesc<'_>, max: i32) -> anyhow::Result<String>
where
    DB::ErrorType: 'static,
{
    if text_size(root, text, font)?.0 <= max {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    for n in (0..chars.len()).rev() {
        let cut: String = chars[..n].iter().collect::<String>() + "…";
        if text_size(root, &cut, font)?.0 <= max {
            return Ok(cut);
        }
    }
    Ok("…".to_string())
}

/// `text` broken into lines at most `max` pixels wide (at spaces; a word longer than a line
/// stays whole).
pub fn wrap<DB: DrawingBackend>(root: &Root<DB>, text: &str, font: &FontDesc<'_>, max: i32) -> anyhow::Result<Vec<String>>
where
    DB::ErrorType: 'static,
{
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if !line.is_empty() && text_size(root, &candidate, font)?.0 > max {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// Draws the title and the subtitle (wrapped) at the top left; returns the pixel row below them.
pub fn header<DB: DrawingBackend>(root: &Root<DB>, s: Scale, title: &str, subtitle: &str) -> anyhow::Result<i32>
where
    DB::ErrorType: 'static,
{
    let (w, _) = root.dim_in_pixel();
    let x = s.px(MARGIN);
    let mut y = s.px(16.0);
    let title_font = s.bold(size::TITLE);
    let title = truncate(root, title, &title_font, w as i32 - 2 * x)?;
    text(root, &title, (x, y), title_font, style::INK, (HPos::Left, VPos::Top))?;
    y += s.px(size::TITLE + 6.0);
    for line in wrap(root, subtitle, &s.font(size::SUBTITLE), w as i32 - 2 * x)? {
        text(root, &line, (x, y), s.font(size::SUBTITLE), style::MUTED, (HPos::Left, VPos::Top))?;
        y += s.px(size::SUBTITLE + 4.0);
    }
    Ok(y + s.px(6.0))
}

/// Footnote lines at the bottom left, bottom line last; returns the pixel row above them.
pub fn footnote<DB: DrawingBackend>(root: &Root<DB>, s: Scale, note: &str) -> anyhow::Result<i32>
where
    DB::ErrorType: 'static,
{
    let (w, h) = root.dim_in_pixel();
    let x = s.px(MARGIN);
    let lines = wrap(root, note, &s.font(size::NOTE), w as i32 - 2 * x)?;
    let step = s.px(size::NOTE + 4.0);
    let mut y = h as i32 - s.px(10.0) - step * lines.len() as i32;
    let top = y;
    for line in lines {
        text(root, &line, (x, y), s.font(size::NOTE), style::MUTED, (HPos::Left, VPos::Top))?;
        y += step;
    }
    Ok(top - s.px(4.0))
}

/// Says in the middle of `area` that there is nothing to draw.
pub fn message<DB: DrawingBackend>(root: &Root<DB>, area: (Range<i32>, Range<i32>), msg: &str, s: Scale) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let (xs, ys) = area;
    let center = ((xs.start + xs.end) / 2, (ys.start + ys.end) / 2);
    text(root, msg, center, s.font(size::AXIS), style::MUTED, (HPos::Center, VPos::Center))
}

/// Left and right margins of the figures at 1:1.
pub const MARGIN: f64 = 24.0;

// ---- Shapes in pixels --------------------------------------------------------------------

/// Draws a marker centred on `c` with radius `r` (backend pixels): filled (with a thin white
/// ring, so it stands out of the lines under it) or as an outline only (so it can surround
/// another marker).
pub fn marker<DB: DrawingBackend>(root: &Root<DB>, m: Marker, c: (i32, i32), r: i32, color: RGBColor, filled: bool, s: Scale) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let ring = s.px(1.5);
    if filled {
        shape(root, m, c, r + ring, ShapeStyle::from(&style::PAPER).filled())?;
        shape(root, m, c, r, ShapeStyle::from(&color).filled())
    } else {
        shape(root, m, c, r, ShapeStyle::from(&color).stroke_width(s.stroke(2.0)))
    }
}

/// One marker shape; outlines are closed paths (plotters' polygons are always filled).
fn shape<DB: DrawingBackend>(root: &Root<DB>, m: Marker, (x, y): (i32, i32), r: i32, st: ShapeStyle) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let rf = r as f64;
    let p = |dx: f64, dy: f64| (x + (dx * rf).round() as i32, y + (dy * rf).round() as i32);
    let points = match m {
        Marker::Circle => {
            root.draw(&Circle::new((x, y), r, st))?;
            return Ok(());
        }
        // Scaled so every shape has about the same area as the circle.
        Marker::Square => vec![p(-0.9, -0.9), p(0.9, -0.9), p(0.9, 0.9), p(-0.9, 0.9)],
        Marker::Triangle => vec![p(0.0, -1.3), p(1.15, 0.75), p(-1.15, 0.75)],
        Marker::TriangleDown => vec![p(0.0, 1.3), p(1.15, -0.75), p(-1.15, -0.75)],
        Marker::Diamond => vec![p(0.0, -1.3), p(1.1, 0.0), p(0.0, 1.3), p(-1.1, 0.0)],
    };
    if st.filled {
        root.draw(&Polygon::new(points, st))?;
    } else {
        let mut closed = points.clone();
        closed.push(points[0]);
        root.draw(&PathElement::new(closed, st))?;
    }
    Ok(())
}

/// Draws a polyline through pixel points with a dash pattern.
pub fn polyline<DB: DrawingBackend>(root: &Root<DB>, points: Vec<(i32, i32)>, color: RGBColor, width: f64, dash: Dash, s: Scale) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    if points.len() < 2 {
        return Ok(());
    }
    let st = ShapeStyle::from(&color).stroke_width(s.stroke(width));
    match dash {
        Dash::Solid => root.draw(&PathElement::new(points, st))?,
        Dash::Dashed { on, off } => root.draw(&DashedPathElement::new(points, s.px(on).max(1), s.px(off).max(1), st))?,
    }
    Ok(())
}

/// Fills the rectangle between two pixel corners.
pub fn rect<DB: DrawingBackend>(root: &Root<DB>, a: (i32, i32), b: (i32, i32), color: RGBColor) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    root.draw(&Rectangle::new([a, b], ShapeStyle::from(&color).filled()))?;
    Ok(())
}

/// Diagonal hatching (lines rising to the right) inside the rectangle between two pixel
/// corners, so a bar reads as different from its neighbour without colour.
pub fn hatch<DB: DrawingBackend>(root: &Root<DB>, a: (i32, i32), b: (i32, i32), color: RGBColor, s: Scale) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    let step = s.px(9.0).max(2);
    let st = ShapeStyle::from(&color).stroke_width(s.stroke(1.5));
    // Lines x - x0 + (y1 - y) = k: from the bottom-left corner upwards, each clipped to the box.
    let mut k = step;
    while k < (x1 - x0) + (y1 - y0) {
        let start = if k <= y1 - y0 { (x0, y1 - k) } else { (x0 + k - (y1 - y0), y0) };
        let end = if k <= x1 - x0 { (x0 + k, y1) } else { (x1, y1 - (k - (x1 - x0))) };
        root.draw(&PathElement::new(vec![start, end], st))?;
        k += step;
    }
    Ok(())
}

// ---- Legend -------------------------------------------------------------------------------

/// What a legend entry shows next to its label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Swatch {
    /// An architecture's line with its marker on it.
    Line(ArchStyle),
    /// An architecture's marker alone.
    Marker(ArchStyle),
    /// A hollow marker.
    Hollow(Marker, RGBColor),
    /// A filled box, hatched if a hatch colour is given.
    Box(RGBColor, Option<RGBColor>),
    /// A reference line.
    Reference(RGBColor, Dash),
}

/// One legend entry.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    /// What it looks like.
    pub swatch: Swatch,
    /// What it says.
    pub label: String,
}

impl LegendEntry {
    /// An entry.
    pub fn new(swatch: Swatch, label: impl Into<String>) -> Self {
        LegendEntry { swatch, label: label.into() }
    }
}

/// Width of a legend swatch at 1:1.
const SWATCH: f64 = 34.0;

/// Draws legend entries from pixel `(x, y)`: in a row that wraps at `max_width` when `flow`,
/// else one under another. Returns the bottom pixel row.
pub fn legend<DB: DrawingBackend>(root: &Root<DB>, s: Scale, (x, y): (i32, i32), max_width: i32, entries: &[LegendEntry], flow: bool) -> anyhow::Result<i32>
where
    DB::ErrorType: 'static,
{
    let font = s.font(size::LABEL);
    let line_h = s.px(size::LABEL + 8.0);
    let gap = s.px(28.0);
    let (mut cx, mut cy) = (x, y);
    for e in entries {
        let label = truncate(root, &e.label, &font, max_width - s.px(SWATCH + 8.0))?;
        let w = s.px(SWATCH + 8.0) + text_size(root, &label, &font)?.0;
        if flow && cx > x && cx + w > x + max_width {
            cx = x;
            cy += line_h;
        }
        let mid = cy + line_h / 2;
        swatch(root, s, e.swatch, (cx, mid))?;
        text(root, &label, (cx + s.px(SWATCH + 8.0), mid), font.clone(), style::INK, (HPos::Left, VPos::Center))?;
        if flow {
            cx += w + gap;
        } else {
            cy += line_h;
        }
    }
    Ok(if flow && !entries.is_empty() { cy + line_h } else { cy })
}

/// Draws a swatch whose left end is at `(x, mid)`.
fn swatch<DB: DrawingBackend>(root: &Root<DB>, s: Scale, sw: Swatch, (x, mid): (i32, i32)) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let w = s.px(SWATCH);
    let c = (x + w / 2, mid);
    match sw {
        Swatch::Line(a) => {
            polyline(root, vec![(x, mid), (x + w, mid)], a.color, 3.0, a.dash, s)?;
            marker(root, a.marker, c, s.px(5.5), a.color, true, s)?;
        }
        Swatch::Marker(a) => marker(root, a.marker, c, s.px(6.5), a.color, true, s)?,
        Swatch::Hollow(m, color) => marker(root, m, c, s.px(6.5), color, false, s)?,
        Swatch::Box(fill, hatch_color) => {
            let (a, b) = ((x + s.px(4.0), mid - s.px(8.0)), (x + w - s.px(4.0), mid + s.px(8.0)));
            rect(root, a, b, fill)?;
            if let Some(h) = hatch_color {
                hatch(root, a, b, h, s)?;
            }
        }
        Swatch::Reference(color, dash) => polyline(root, vec![(x, mid), (x + w, mid)], color, 1.5, dash, s)?,
    }
    Ok(())
}

// ---- Axes ---------------------------------------------------------------------------------

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
fn nice_below(x: f64) -> f64 {
    let mag = 10f64.powf(x.log10().floor());
    [5.0, 2.0, 1.0].iter().map(|m| m * mag).find(|&v| v <= x * (1.0 + 1e-9)).unwrap_or(mag)
}

/// The smallest 1, 2 or 5 times a power of ten at or above `x` (> 0).
fn nice_above(x: f64) -> f64 {
    let mag = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|&v| v >= x * (1.0 - 1e-9)).unwrap_or(10.0 * mag)
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

// ---- Numbers ------------------------------------------------------------------------------

/// Minutes in a year of 365.25 days (what "minutes of downtime per year" count against).
pub const MINUTES_PER_YEAR: f64 = 525_960.0;

/// A number with about three significant digits, thousands separated: `0.05`, `2.5`, `42`,
/// `1,200`.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    let a = x.abs();
    if a >= 999.5 || a == 0.0 {
        return thousands(x);
    }
    let decimals = (2 - a.log10().floor() as i32).clamp(0, 8) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Money in short form: `850`, `12.5k`, `1.25M`, `3.1B`. No currency sign: a scenario's money
/// is in whatever currency its author uses.
pub fn money(x: f64) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    let (v, unit) = if a >= 1e9 {
        (a / 1e9, "B")
    } else if a >= 1e6 {
        (a / 1e6, "M")
    } else if a >= 1e4 {
        (a / 1e3, "k")
    } else {
        return format!("{sign}{}", number(a));
    };
    format!("{sign}{}{unit}", number(v))
}

/// A probability as a percentage for a log axis: `100%`, `10%`, `0.1%`.
pub fn percent(p: f64) -> String {
    format!("{}%", number(p * 100.0))
}

/// An availability with enough digits to show its first digit that is not a nine, plus one:
/// `98.04%`, `99.683%`, `99.9902%`.
pub fn availability_text(a: f64) -> String {
    if !a.is_finite() {
        return "—".to_string();
    }
    let gap = (1.0 - a) * 100.0;
    let decimals = if gap > 0.0 { (1 - gap.log10().floor() as i32).clamp(2, 7) as usize } else { 2 };
    format!("{:.decimals$}%", a * 100.0)
}

/// A duration in hours as words: `45 s`, `46 min`, `4.4 h`, `3.2 days`.
pub fn duration(hours: f64) -> String {
    if !hours.is_finite() {
        return "—".to_string();
    }
    if hours < 1.0 / 60.0 {
        format!("{} s", number(hours * 3600.0))
    } else if hours < 1.0 {
        format!("{} min", number(hours * 60.0))
    } else if hours < 48.0 {
        format!("{} h", number(hours))
    } else {
        format!("{} days", number(hours / 24.0))
    }
}

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

/// The horizon in words: `1 year`, `30 days`, `6 h`.
pub fn horizon_text(hours: f64) -> String {
    let years = hours / 8766.0;
    if (years - years.round()).abs() < 0.01 && years >= 0.99 {
        let y = years.round() as i64;
        return if y == 1 { "1 year".to_string() } else { format!("{y} years") };
    }
    duration(hours)
}

/// Replications in words: `1 replication`, `1,000 replications`.
pub fn replications_text(n: u64) -> String {
    if n == 1 { "1 replication".to_string() } else { format!("{} replications", thousands(n as f64)) }
}

/// A finite value or `None`.
pub fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

/// Binned values (as in [`Distributions`]) ready for an empirical distribution: the positive
/// finite bins in increasing order, and how many values were zero.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Empirical {
    /// All values counted (zeros included).
    pub total: u64,
    /// Values at zero (or below).
    pub zero: u64,
    /// Positive values and their counts, increasing.
    pub bins: Vec<(f64, u64)>,
}

impl Empirical {
    /// From `(value, count)` bins in any order; NaN and infinite values are left out.
    pub fn new(bins: &[(f64, u64)]) -> Empirical {
        let mut e = Empirical::default();
        for &(v, n) in bins {
            if !v.is_finite() || n == 0 {
                continue;
            }
            e.total += n;
            if v <= 0.0 {
                e.zero += n;
            } else {
                e.bins.push((v, n));
            }
        }
        e.bins.sort_by(|a, b| a.0.total_cmp(&b.0));
        e
    }

    /// The smallest value `x` with P(X ≤ x) ≥ `p` (over all values, zeros included).
    pub fn quantile(&self, p: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let need = p * self.total as f64 * (1.0 - 1e-12);
        let mut seen = self.zero as f64;
        if seen >= need && self.zero > 0 {
            return Some(0.0);
        }
        for &(v, n) in &self.bins {
            seen += n as f64;
            if seen >= need {
                return Some(v);
            }
        }
        self.bins.last().map(|b| b.0)
    }

    /// Steps of P(X > x): for each positive bin, its value and the share of values above it.
    pub fn survival(&self) -> Vec<(f64, f64)> {
        let n = self.total.max(1) as f64;
        let mut left = (self.total - self.zero) as f64;
        self.bins
            .iter()
            .map(|&(v, c)| {
                left -= c as f64;
                (v, left.max(0.0) / n)
            })
            .collect()
    }
}

/// Most panels side by side in a row (see [`panels`]).
const PANELS_PER_ROW: usize = 3;

/// The size of a figure with one panel per traffic class: 700 px high for one row of panels,
/// 420 px more for each further row.
pub fn class_panels_size(input: &PlotInput<'_>) -> (u32, u32) {
    let rows = input.class_names().len().max(1).div_ceil(PANELS_PER_ROW) as u32;
    (1200, 700 + 420 * (rows - 1))
}

/// Split `area` into `n` panels, at most three side by side.
pub fn panels<DB: DrawingBackend>(area: &Root<DB>, n: usize) -> Vec<Root<DB>> {
    if n == 0 {
        return Vec::new();
    }
    let cols = n.min(PANELS_PER_ROW);
    let rows = n.div_ceil(cols);
    let mut v = area.split_evenly((rows, cols));
    v.truncate(n);
    v
}

#[cfg(test)]
mod tests;
