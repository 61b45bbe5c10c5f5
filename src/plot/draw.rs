//! Drawing in pixels on a figure's root area: text (anchored, rotated, truncated, wrapped),
//! the title and footnote every figure has, markers, dashed lines, rectangles and hatching,
//! and the legend. Positions are the backend's pixels, so `ChartContext::backend_coord` can be
//! used directly.

use std::ops::Range;

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, size, ArchStyle, Dash, Marker, Scale};
use super::Root;

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

/// A boxed key in the lower right of the plotting area `pa`: `head`, then one line per entry of
/// `lines`, each after a swatch that `swatch(i, (x, y))` draws at the line's left middle.
/// Returns the box's top, so a message can keep above it.
pub fn key_box<DB: DrawingBackend>(
    root: &Root<DB>,
    s: Scale,
    pa: &(Range<i32>, Range<i32>),
    head: &str,
    lines: &[String],
    swatch: impl Fn(usize, (i32, i32)) -> anyhow::Result<()>,
) -> anyhow::Result<i32>
where
    DB::ErrorType: 'static,
{
    let font = s.font(size::NOTE);
    let line_h = s.px(size::NOTE + 7.0);
    let mut width = text_size(root, head, &font)?.0;
    for l in lines {
        width = width.max(s.px(26.0) + text_size(root, l, &font)?.0);
    }
    let (x1, y1) = (pa.0.end - s.px(10.0), pa.1.end - s.px(10.0));
    let (x0, y0) = (x1 - width - s.px(14.0), y1 - line_h * (lines.len() as i32 + 1) - s.px(6.0));
    rect(root, (x0, y0), (x1, y1), style::PAPER)?;
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], style::GRID.stroke_width(s.stroke(1.0))))?;
    let tx = x0 + s.px(7.0);
    text(root, head, (tx, y0 + s.px(4.0) + line_h / 2), font.clone(), style::INK, (HPos::Left, VPos::Center))?;
    for (i, l) in lines.iter().enumerate() {
        let y = y0 + s.px(4.0) + line_h * (i as i32 + 1) + line_h / 2;
        swatch(i, (tx, y))?;
        text(root, l, (tx + s.px(24.0), y), font.clone(), style::INK, (HPos::Left, VPos::Center))?;
    }
    Ok(y0)
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
