//! Plots of a run, each written as SVG and PNG into the run's output folder.
//!
//! Every figure is one type implementing [`Figure`], whose `draw` is generic over the plotters
//! backend and is called once with the SVG backend and once with the bitmap backend, so the two
//! files show the same thing. The PNG is drawn at twice its size and averaged down (plotters'
//! bitmap lines are not antialiased), with the embedded DejaVu Sans (see [`style`]), so it
//! looks the same on every machine.
//!
//! This module is the list of figures ([`write_plots`]: [`availability`], [`downtime_cdf`],
//! [`outage_durations`], [`timeline`], [`cost`], [`cost_tradeoff`]; [`fit`] for `relsim fit`;
//! a sweep's figures are `crate::sweep::plot`), the [`Figure`] trait and its rendering to both
//! files, and what the figures of one traffic class per panel share. The helpers they draw with
//! are [`draw`] (text, title, shapes, legend, in pixels) and [`axes`] (log and linear axes,
//! ticks, the mesh style); numbers are written by `crate::format`.
//!
//! Odd input never panics: missing estimates (`None`), NaN, zero replications, no
//! architectures, an empty timeline all give a figure that says what is missing.

pub mod availability;
pub mod axes;
pub mod cost;
pub mod cost_tradeoff;
pub mod downtime_cdf;
pub mod draw;
pub mod fit;
pub mod outage_durations;
pub mod style;
pub mod timeline;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::sim::trace::Timeline;
use crate::stats::distributions::{ClassDistributions, Distributions};
use crate::stats::summary::Summary;
use style::Scale;

// The figures call the shared helpers as `super::name`, wherever they are defined.
pub use axes::{
    clamp_to, log_axis, log_range, log_ticks, nice_below, nice_ticks, nines, plot_area, style_mesh, ticks, LinearAxis, TimeUnit, MINUTES_PER_YEAR,
};
pub use draw::{
    footnote, hatch, header, key_box, legend, marker, message, polyline, rect, text, text_size, text_up, truncate, wrap, LegendEntry, Swatch, MARGIN,
};

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
pub fn render<F: Figure>(dir: &Path, fig: &F, written: &mut Vec<PathBuf>) -> anyhow::Result<()> {
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

/// What the frame of a figure with one panel per traffic class shows.
pub struct ClassPanels<'a> {
    /// The title.
    pub title: &'a str,
    /// The sentence under the title.
    pub subtitle: &'a str,
    /// One entry per architecture (or more).
    pub legend: &'a [LegendEntry],
    /// A note at the bottom, if any.
    pub footnote: Option<&'a str>,
    /// How many architectures and traffic classes there are.
    pub architectures: usize,
    /// See `architectures`.
    pub classes: usize,
}

/// Draws the frame of a figure with one panel per traffic class (title, legend, footnote) and
/// returns the panels, or `None` when there are no architectures or classes (the figure then
/// says so).
pub fn class_panels<DB: DrawingBackend>(root: &Root<DB>, s: Scale, frame: &ClassPanels<'_>) -> anyhow::Result<Option<Vec<Root<DB>>>>
where
    DB::ErrorType: 'static,
{
    let top = header(root, s, frame.title, frame.subtitle)?;
    let w = root.dim_in_pixel().0 as i32;
    let top = legend(root, s, (s.px(MARGIN), top), w - 2 * s.px(MARGIN), frame.legend, true)? + s.px(4.0);
    let bottom_margin = match frame.footnote {
        Some(note) => root.dim_in_pixel().1 as i32 - footnote(root, s, note)?,
        None => s.px(8.0),
    };
    let area = root.margin(top, bottom_margin, s.px(8.0), s.px(12.0));
    if frame.architectures == 0 || frame.classes == 0 {
        let (aw, ah) = area.dim_in_pixel();
        message(root, (0..aw as i32, top..top + ah as i32), "no architectures or traffic classes in this run", s)?;
        return Ok(None);
    }
    Ok(Some(panels(&area, frame.classes)))
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
