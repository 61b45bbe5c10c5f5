//! How every figure looks: the embedded font, the palette, font sizes, line dashes and markers.
//!
//! Colours are chosen for greyscale printing first: architectures take colours from a
//! viridis-like ramp, whose lightness rises monotonically, so two architectures never print as
//! the same grey, and each also gets its own dash pattern and marker shape where lines are drawn.

use std::sync::OnceLock;

use plotters::style::{register_font, FontDesc, FontStyle, IntoFont, RGBColor};

/// The font family every text uses. The PNG is drawn with the embedded DejaVu Sans registered
/// under this exact name; the SVG names it as a CSS list, so a viewer without DejaVu Sans falls
/// back to Verdana (similar widths, so text still fits the space laid out for it) or to its own
/// sans-serif, never to a serif default.
pub const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

/// Registers the embedded font for the bitmap backend, once per process.
///
/// Plotters without its `ttf` feature knows no system fonts (on purpose: the PNG must look the
/// same on every machine), so text drawn before this fails with "font unavailable".
pub fn ensure_font() -> anyhow::Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    anyhow::ensure!(ok, "the embedded DejaVu Sans font could not be read");
    Ok(())
}

/// Font sizes at 1:1 (1200 px wide figures), in plotters' unit: the SVG's font size is this
/// divided by 1.24 and the PNG's em is this divided by 1.16, so 18 gives text of 14.5 px in the
/// SVG and 15.5 px in the PNG.
pub mod size {
    /// Figure title.
    pub const TITLE: f64 = 28.0;
    /// The line under the title.
    pub const SUBTITLE: f64 = 18.0;
    /// Panel captions (one panel per traffic class).
    pub const PANEL: f64 = 21.0;
    /// Axis descriptions.
    pub const AXIS: f64 = 20.5;
    /// Tick labels, legend entries, row names.
    pub const LABEL: f64 = 19.0;
    /// Annotations next to data (values, reference lines) and footnotes.
    pub const NOTE: f64 = 18.0;
}

/// Near-black for text and axes (pure black looks heavy next to the antialiased curves).
pub const INK: RGBColor = RGBColor(33, 33, 33);
/// Secondary text: subtitles, footnotes, reference-line labels.
pub const MUTED: RGBColor = RGBColor(100, 100, 100);
/// Reference lines (nines, quantile levels).
pub const REFERENCE: RGBColor = RGBColor(165, 165, 165);
/// Major grid lines.
pub const GRID: RGBColor = RGBColor(220, 220, 220);
/// Minor grid lines.
pub const GRID_LIGHT: RGBColor = RGBColor(238, 238, 238);
/// Background.
pub const PAPER: RGBColor = RGBColor(255, 255, 255);

/// Timeline: a component's down interval (mid lightness).
pub const COMPONENT_DOWN: RGBColor = RGBColor(86, 125, 170);
/// Timeline: a traffic class's outage (dark red, clearly darker than components in grey).
pub const CLASS_DOWN: RGBColor = RGBColor(165, 15, 21);
/// Timeline: the band behind a class row.
pub const CLASS_BAND: RGBColor = RGBColor(252, 236, 234);
/// Timeline: every other component row.
pub const ROW_BAND: RGBColor = RGBColor(246, 246, 246);

/// Cost: downtime cost (dark).
pub const COST_DOWNTIME: RGBColor = RGBColor(59, 82, 139);
/// Cost: SLA credits (light, and hatched).
pub const COST_CREDITS: RGBColor = RGBColor(240, 180, 90);
/// Cost: the hatching over SLA credits.
pub const COST_HATCH: RGBColor = RGBColor(150, 90, 20);

/// Viridis at eleven points (matplotlib's values).
const VIRIDIS: [(u8, u8, u8); 11] = [
    (68, 1, 84),
    (72, 36, 117),
    (65, 68, 135),
    (53, 95, 141),
    (42, 120, 142),
    (33, 145, 140),
    (34, 168, 132),
    (68, 191, 112),
    (122, 209, 81),
    (189, 223, 38),
    (253, 231, 37),
];

/// Viridis at `t` in 0..=1, interpolated linearly between the eleven points.
fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 } * 10.0;
    let i = (t.floor() as usize).min(9);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The colour of architecture `i` of `n`: evenly spread over the dark 72 % of viridis (the
/// yellow end is too light for thin lines on white).
pub fn arch_color(i: usize, n: usize) -> RGBColor {
    if n <= 1 {
        return viridis(0.3);
    }
    viridis(0.72 * i as f64 / (n - 1) as f64)
}

/// A dash pattern, in pixels at 1:1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dash {
    /// A solid line.
    Solid,
    /// Dashes of `on` pixels with `off` pixel gaps.
    Dashed {
        /// Dash length.
        on: f64,
        /// Gap length.
        off: f64,
    },
}

/// The dash pattern of architecture `i`.
pub fn arch_dash(i: usize) -> Dash {
    const DASHES: [Dash; 4] = [
        Dash::Solid,
        Dash::Dashed { on: 14.0, off: 6.0 },
        Dash::Dashed { on: 4.0, off: 4.0 },
        Dash::Dashed { on: 22.0, off: 5.0 },
    ];
    DASHES[i % DASHES.len()]
}

/// A marker shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Marker {
    /// A circle.
    Circle,
    /// A square.
    Square,
    /// A triangle pointing up.
    Triangle,
    /// A diamond.
    Diamond,
    /// A triangle pointing down.
    TriangleDown,
}

/// The marker of architecture `i`.
pub fn arch_marker(i: usize) -> Marker {
    const MARKERS: [Marker; 5] = [Marker::Circle, Marker::Square, Marker::Triangle, Marker::Diamond, Marker::TriangleDown];
    MARKERS[i % MARKERS.len()]
}

/// Everything about one architecture's look.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArchStyle {
    /// Line and marker colour.
    pub color: RGBColor,
    /// Line dash.
    pub dash: Dash,
    /// Marker shape.
    pub marker: Marker,
}

/// The style of architecture `i` of `n`.
pub fn arch_style(i: usize, n: usize) -> ArchStyle {
    ArchStyle { color: arch_color(i, n), dash: arch_dash(i), marker: arch_marker(i) }
}

/// The drawing scale: 1 for SVG, 2 for the PNG, which is drawn at twice its size and averaged
/// down so lines and curves come out antialiased (plotters' bitmap lines are not).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale(pub f64);

impl Scale {
    /// `v` pixels at 1:1, in backend pixels.
    pub fn px(self, v: f64) -> i32 {
        (v * self.0).round() as i32
    }

    /// `v` pixels as a float, for sizes plotters takes as `f64`.
    pub fn f(self, v: f64) -> f64 {
        v * self.0
    }

    /// A stroke width of `v` pixels at 1:1 (at least 1).
    pub fn stroke(self, v: f64) -> u32 {
        (v * self.0).round().max(1.0) as u32
    }

    /// The regular font at `size` (see [`size`]).
    pub fn font(self, size: f64) -> FontDesc<'static> {
        (FAMILY, size * self.0).into_font()
    }

    /// The bold font at `size`.
    pub fn bold(self, size: f64) -> FontDesc<'static> {
        (FAMILY, size * self.0, FontStyle::Bold).into_font()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative luminance as a grey printer sees it (Rec. 709 weights on sRGB, roughly).
    fn grey(c: RGBColor) -> f64 {
        0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64
    }

    #[test]
    fn architecture_colours_differ_in_grey() {
        for n in 2..=6 {
            let greys: Vec<f64> = (0..n).map(|i| grey(arch_color(i, n))).collect();
            for w in greys.windows(2) {
                assert!(w[1] - w[0] > 15.0, "{n} architectures: {greys:?}");
            }
        }
        assert!(grey(CLASS_DOWN) + 30.0 < grey(COMPONENT_DOWN));
        assert!(grey(COST_DOWNTIME) + 60.0 < grey(COST_CREDITS));
    }

    #[test]
    fn the_font_registers_once_and_again_without_harm() {
        ensure_font().unwrap();
        ensure_font().unwrap();
    }
}
