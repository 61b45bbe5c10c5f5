//! `fit_<component>.svg/png` (`relsim fit`): a component's time between failures and time to
//! repair on Weibull probability paper, the Kaplan–Meier estimate as points against every
//! fitted CDF as a line.
//!
//! Weibull paper plots ln(−ln(1 − F)) against ln t, labelled in F and t: a Weibull CDF is a
//! straight line of slope k (an exponential has slope 1), so a reliability engineer reads the
//! shape off the slope and sees at a glance where lognormal and gamma bend away from it. Points
//! sit halfway up each Kaplan–Meier step (`fit::km::plotting_positions`), so censored durations
//! count without being drawn.

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::{self, size, Marker, Scale};
use super::{Figure, LegendEntry, LinearAxis, Root, Swatch};
use crate::format;
use crate::fit::{km, ComponentFit, Family, FitSet};

/// The figure of one component.
pub struct FitPlot<'a> {
    /// What to draw.
    pub fit: &'a ComponentFit,
}

/// The probability paper's vertical coordinate of a CDF value.
fn paper(f: f64) -> f64 {
    (-(-f).ln_1p()).ln()
}

/// Back from the paper's coordinate to F.
fn unpaper(w: f64) -> f64 {
    -(-(w.exp())).exp_m1()
}

/// The F values labelled on the vertical axis.
const F_TICKS: [f64; 16] = [0.0001, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.632, 0.8, 0.9, 0.95, 0.99, 0.999];

/// The style of a family's line: the same in every panel and every component's figure.
fn family_style(f: Family) -> style::ArchStyle {
    let i = Family::ALL.iter().position(|g| *g == f).unwrap_or(0);
    style::arch_style(i, Family::ALL.len())
}

/// A file stem for each component: `fit_` and the name with every character that is not a
/// letter, digit, `.`, `-` or `_` replaced by `_` (and `_2`, `_3` ... where two names meet).
pub fn stems(names: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let mut s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
        while s.contains("__") {
            s = s.replace("__", "_");
        }
        let s = s.trim_matches(|c| c == '_' || c == '.').to_string();
        let base = format!("fit_{}", if s.is_empty() { "component" } else { &s });
        let mut stem = base.clone();
        let mut k = 2;
        while out.contains(&stem) {
            stem = format!("{base}_{k}");
            k += 1;
        }
        out.push(stem);
    }
    out
}

/// Writes one figure per component into `dir`; returns the paths (SVG, then PNG, per component).
pub fn write(dir: &Path, fits: &[ComponentFit]) -> anyhow::Result<Vec<PathBuf>> {
    style::ensure_font()?;
    let names: Vec<&str> = fits.iter().map(|f| f.name.as_str()).collect();
    let mut written = Vec::new();
    for (fit, stem) in fits.iter().zip(stems(&names)) {
        super::render_named(dir, &stem, &FitPlot { fit }, &mut written)?;
    }
    Ok(written)
}

impl Figure for FitPlot<'_> {
    fn stem(&self) -> &'static str {
        "fit"
    }

    fn size(&self) -> (u32, u32) {
        (1200, 720)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>, s: Scale) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let c = self.fit;
        let title = format!("{}: fitted distributions on Weibull probability paper", c.name);
        let subtitle = format!(
            "{} incidents, {}. Points: Kaplan–Meier (censored durations count); lines: maximum-likelihood fits. A Weibull is a straight line whose slope is its shape.",
            c.incidents,
            crate::fit::report::window_text(c.window)
        );
        let top = super::header(root, s, &title, &subtitle)?;
        let w = root.dim_in_pixel().0 as i32;
        let mut entries = vec![LegendEntry::new(Swatch::Hollow(Marker::Circle, style::INK), "Kaplan–Meier")];
        entries.extend(Family::ALL.iter().map(|f| LegendEntry::new(Swatch::Line(family_style(*f)), f.name())));
        let top = super::legend(root, s, (s.px(super::MARGIN), top), w - 2 * s.px(super::MARGIN), &entries, true)? + s.px(4.0);
        let area = root.margin(top, s.px(8.0), s.px(8.0), s.px(12.0));
        let panels = area.split_evenly((1, 2));
        for (panel, (what, set)) in panels.iter().zip([("time between failures", &c.failure), ("time to repair", &c.repair)]) {
            Panel { what, set }.draw(root, panel, s)?;
        }
        Ok(())
    }
}

/// One sample's panel.
struct Panel<'a> {
    what: &'a str,
    set: &'a FitSet,
}

impl Panel<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &Root<DB>, panel: &Root<DB>, s: Scale) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let set = self.set;
        let (px0, py0) = (panel.get_pixel_range().0.start, panel.get_pixel_range().1.start);
        let caption = format!("{} ({} seen, {} censored)", self.what, set.sample.observed.len(), set.sample.censored.len());
        super::text(root, &caption, (px0 + s.px(96.0), py0 + s.px(4.0)), s.bold(size::PANEL), style::INK, (HPos::Left, VPos::Top))?;
        let area = panel.margin(s.px(size::PANEL + 12.0), 0, 0, s.px(10.0));
        let points: Vec<(f64, f64)> = km::plotting_positions(&set.km).into_iter().filter(|&(t, f)| t > 0.0 && f > 0.0 && f < 1.0).collect();
        let times = points.iter().map(|p| p.0).chain(set.sample.censored.iter().copied());
        let (x_lo, x_hi) = super::log_range(times, 1.5, 1.5, 10.0).unwrap_or((0.1, 100.0));
        let f_lo = points.iter().map(|p| p.1).fold(0.02f64, f64::min).max(1e-4);
        let f_hi = points.iter().map(|p| p.1).fold(0.98f64, f64::max).min(0.9999);
        let (y_lo, y_hi) = (paper(f_lo) - 0.3, paper(f_hi) + 0.2);
        let ticks: Vec<f64> = F_TICKS.iter().map(|&f| paper(f)).filter(|w| *w >= y_lo && *w <= y_hi).collect();
        let y_axis = LinearAxis { range: y_lo..y_hi, bold: ticks, light: Vec::new() };
        let mut chart = ChartBuilder::on(&area).x_label_area_size(s.px(60.0)).y_label_area_size(s.px(88.0)).build_cartesian_2d(super::log_axis(x_lo, x_hi, true), y_axis)?;
        let x_label = |v: &f64| format::number(*v);
        let y_label = |v: &f64| format::percent_short(unpaper(*v));
        let mut mesh = chart.configure_mesh();
        super::style_mesh(&mut mesh, s).x_label_formatter(&x_label).y_label_formatter(&y_label).x_desc("hours (log scale)").y_desc("share ended by then (Weibull scale)").draw()?;
        let pa = super::plot_area(&chart);
        let inside = |x: f64, y: f64| x >= x_lo && x <= x_hi && y >= y_lo && y <= y_hi;
        if set.fits.is_empty() {
            let msg = match set.mean_above {
                Some(b) => format!("nothing observed: mean above {} h", format::number(b)),
                None => "nothing observed to fit".to_string(),
            };
            return super::message(root, pa, &msg, s);
        }
        // Lines first, broken where they leave the plot, best fit last so it is on top.
        for fit in set.fits.iter().rev() {
            let st = family_style(fit.family());
            let mut run: Vec<(i32, i32)> = Vec::new();
            for i in 0..=240 {
                let x = x_lo * (x_hi / x_lo).powf(i as f64 / 240.0);
                let f = fit.dist.cdf(x);
                let y = paper(f);
                if f > 0.0 && f < 1.0 && inside(x, y) {
                    run.push(chart.backend_coord(&(x, y)));
                } else if !run.is_empty() {
                    super::polyline(root, std::mem::take(&mut run), st.color, 2.5, st.dash, s)?;
                }
            }
            super::polyline(root, run, st.color, 2.5, st.dash, s)?;
        }
        for &(t, f) in &points {
            let y = paper(f);
            if inside(t, y) {
                super::marker(root, Marker::Circle, chart.backend_coord(&(t, y)), s.px(4.0), style::INK, false, s)?;
            }
        }
        // The ranking, lower right.
        let families: Vec<Family> = set.fits.iter().map(|f| f.family()).collect();
        let lines: Vec<String> = set.fits.iter().enumerate().map(|(i, f)| format!("{}. {} · {} · {:.3}", i + 1, f.family().name(), format::number(f.delta_aic), f.ks)).collect();
        let swatch = |i: usize, (x, y): (i32, i32)| {
            let st = family_style(families[i]);
            super::polyline(root, vec![(x, y), (x + s.px(18.0), y)], st.color, 2.5, st.dash, s)
        };
        super::key_box(root, s, &pa, "AIC rank · ΔAIC · KS", &lines, swatch)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_safe_and_distinct() {
        assert_eq!(stems(&["api.anthropic.com", "API (OpenAI)", "a/b", "a:b", "///"]), ["fit_api.anthropic.com", "fit_API_OpenAI", "fit_a_b", "fit_a_b_2", "fit_component"]);
    }

    #[test]
    fn the_paper_scale_inverts() {
        for f in [1e-4, 0.1, 0.632, 0.99] {
            assert!((unpaper(paper(f)) - f).abs() < 1e-12);
        }
        // F = 1 - 1/e sits at 0: the Weibull's scale.
        assert!(paper(1.0 - (-1.0f64).exp()).abs() < 1e-15);
    }
}
