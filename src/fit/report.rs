//! What `relsim fit` shows and writes: the table on stdout, `fit.json`, and TOML snippets in
//! the scenario's distribution syntax (durations with units).

use comfy_table::{presets, Attribute, Cell, ContentArrangement, Table};
use serde::Serialize;

use super::dist::{Dist, Family};
use super::estimate::{Estimate, Fit, FitSet};
use super::ComponentFit;
use crate::incidents::time::{format_short, format_time};
use crate::scenario::units::HOUR;

/// How the intervals are computed, for the outputs.
pub const INTERVALS: &str = "Wald intervals from the observed information (the negative Hessian of the log-likelihood at its maximum) on the log scale of positive parameters (lognormal mu as it is), mapped back; mean and median by the delta method";

/// What the KS column is, for the outputs.
pub const KS: &str = "largest distance between the fitted CDF and the Kaplan-Meier estimate (the empirical CDF without censoring), up to the last observed duration; a measure to compare fits, not a test";

/// `x` with `digits` significant digits, trailing zeros dropped: `0.6659`, `98.03`, `1234`.
pub fn sig(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let mag = x.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - mag).max(0) as usize;
    let rounded = format!("{x:.decimals$}");
    if rounded.contains('.') { rounded.trim_end_matches('0').trim_end_matches('.').to_string() } else { rounded }
}

/// A duration in hours as a scenario duration with a unit and 4 significant digits: seconds
/// under a minute, minutes under an hour, hours under 1,000 h, days beyond.
pub fn duration(hours: f64) -> String {
    let s = hours * HOUR;
    if s < 60.0 {
        format!("{}s", sig(s, 4))
    } else if s < HOUR {
        format!("{}m", sig(s / 60.0, 4))
    } else if hours < 1000.0 {
        format!("{}h", sig(hours, 4))
    } else {
        format!("{}d", sig(hours / 24.0, 4))
    }
}

/// A fitted distribution in the scenario syntax, e.g.
/// `{ dist = "weibull", shape = 0.6659, scale = "98.03h" }`.
pub fn dist_toml(d: &Dist) -> String {
    match *d {
        Dist::Exponential { mean } => format!("{{ dist = \"exponential\", mean = \"{}\" }}", duration(mean)),
        Dist::Weibull { shape, scale } => format!("{{ dist = \"weibull\", shape = {}, scale = \"{}\" }}", sig(shape, 4), duration(scale)),
        Dist::Lognormal { mu, sigma } => format!("{{ dist = \"lognormal\", median = \"{}\", sigma = {} }}", duration(mu.exp()), sig(sigma, 4)),
        Dist::Gamma { shape, scale } => format!("{{ dist = \"gamma\", shape = {}, scale = \"{}\" }}", sig(shape, 4), duration(scale)),
    }
}

/// A TOML key: bare when it can be, else quoted (`api.anthropic.com` → `"api.anthropic.com"`).
pub fn toml_key(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        name.to_string()
    } else {
        let escaped: String = name.chars().flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            c if c.is_control() => format!("\\u{:04X}", c as u32).chars().collect(),
            c => vec![c],
        }).collect();
        format!("\"{escaped}\"")
    }
}

/// The fit to use from `set`: of `family` if asked for and fitted, else the best.
pub fn chosen(set: &FitSet, family: Option<Family>) -> Option<&Fit> {
    family.and_then(|f| set.of(f)).or_else(|| set.best())
}

/// `value [low, high]` with 3 significant digits.
fn with_ci(e: &Estimate) -> String {
    match (e.ci_low, e.ci_high) {
        (Some(lo), Some(hi)) => format!("{} [{}, {}]", sig(e.value, 3), sig(lo, 3), sig(hi, 3)),
        _ => format!("{} [no interval]", sig(e.value, 3)),
    }
}

/// The parameters of a fit in words: `shape 0.666 [0.603, 0.735], scale 98 h [81.9, 117]`.
pub fn parameters_text(f: &Fit) -> String {
    f.parameters
        .iter()
        .map(|(name, e)| {
            let unit = match (f.family(), *name) {
                (_, "mean" | "scale") => " h",
                (Family::Lognormal, "mu") => " ln h",
                _ => "",
            };
            format!("{name} {}{unit}", with_ci(e))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The window in words: `2021-03-02 02:07 to 2024-08-28 20:36 UTC (1275.8 days)`.
pub fn window_text(w: (f64, f64)) -> String {
    format!("{} to {} UTC ({:.1} days)", format_short(w.0), format_short(w.1), (w.1 - w.0) / 86_400.0)
}

const HEADERS: [&str; 10] = ["duration", "rank", "family", "parameters", "mean h", "median h", "AIC", "ΔAIC", "BIC", "KS"];

/// The table on stdout: per component a heading and one table with both samples' fits.
pub fn table(fits: &[ComponentFit], confidence: f64, color: bool, wrap: bool) -> String {
    let mut out = String::new();
    for c in fits {
        let bold = |t: &str| if color { format!("\x1b[1m{t}\x1b[0m") } else { t.to_string() };
        out.push_str(&format!("{}: {}, {} incidents ({} merged into others)\n", bold(&c.name), window_text(c.window), c.incidents, c.merged));
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(if wrap { ContentArrangement::Dynamic } else { ContentArrangement::Disabled });
        let level = format!("{}%", sig(confidence * 100.0, 3));
        let headers: Vec<String> = HEADERS.iter().map(|h| if *h == "parameters" || h.ends_with(" h") { format!("{h} ({level} CI)") } else { h.to_string() }).collect();
        if color {
            t.enforce_styling();
            t.set_header(headers.iter().map(|h| Cell::new(h).add_attribute(Attribute::Bold)));
        } else {
            t.set_header(headers);
        }
        for (what, set) in [("between failures", &c.failure), ("to repair", &c.repair)] {
            let counts = format!("{} seen, {} censored", set.sample.observed.len(), set.sample.censored.len());
            if set.fits.is_empty() {
                let why = match set.mean_above {
                    Some(b) => format!("nothing observed: mean > {} h ({}% one-sided)", sig(b, 3), sig(set.confidence * 100.0, 3)),
                    None => "nothing to fit".to_string(),
                };
                t.add_row(vec![format!("{what}\n{counts}"), String::new(), "—".to_string(), why]);
                continue;
            }
            for (i, f) in set.fits.iter().enumerate() {
                // The sample's name on the first row, its counts on the second.
                let first = match i {
                    0 => what.to_string(),
                    1 => counts.clone(),
                    _ => String::new(),
                };
                t.add_row(vec![
                    first,
                    (i + 1).to_string(),
                    f.family().name().to_string(),
                    parameters_text(f),
                    with_ci(&f.mean),
                    with_ci(&f.median),
                    format!("{:.1}", f.aic),
                    format!("{:.1}", f.delta_aic),
                    format!("{:.1}", f.bic),
                    format!("{:.3}", f.ks),
                ]);
            }
            if set.fits.len() == 1 {
                t.add_row(vec![counts]);
            }
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    out.push_str(&format!("Ranked by AIC (BIC counts observed durations); intervals at {}%: Wald from the observed information on the log scale; KS: distance to Kaplan-Meier. Details in docs/incidents.md.\n", sig(confidence * 100.0, 3)));
    out
}

/// The TOML snippets: per component, `[components.NAME]` with `failure` and `repair`.
/// `names` maps each component to its scenario name (as `--map` says).
pub fn toml_snippets(fits: &[ComponentFit], file: &str, failure: Option<Family>, repair: Option<Family>, names: &dyn Fn(&str) -> String) -> String {
    let mut out = format!("# relsim fit {file}: maximum-likelihood fits, {}; intervals in fit.json\n", if failure.is_some() || repair.is_some() { "families as chosen" } else { "best by AIC" });
    for c in fits {
        out.push_str(&format!("\n# {}: {} incidents, {}\n[components.{}]\n", c.name, c.incidents, window_text(c.window), toml_key(&names(&c.name))));
        for (key, set, family) in [("failure", &c.failure, failure), ("repair", &c.repair, repair)] {
            let seen = format!("{} seen, {} censored", set.sample.observed.len(), set.sample.censored.len());
            match chosen(set, family) {
                Some(f) => {
                    let rank = set.fits.iter().position(|g| g.family() == f.family()).map_or(0, |i| i + 1);
                    out.push_str(&format!("{key} = {}   # {seen}; AIC rank {rank} of {}\n", dist_toml(&f.dist), set.fits.len()));
                }
                None => match set.mean_above {
                    Some(b) => out.push_str(&format!("# {key}: nothing observed ({seen}); the mean is above {} at {}% (one-sided): a conservative choice is\n# {key} = {}\n", duration(b), sig(set.confidence * 100.0, 3), dist_toml(&Dist::Exponential { mean: b }))),
                    None => out.push_str(&format!("# {key}: nothing to fit ({seen})\n")),
                },
            }
        }
    }
    out
}

/// `fit.json`.
#[derive(Serialize)]
pub struct Json<'a> {
    /// The incident file as given.
    pub file: &'a str,
    /// The interval level.
    pub confidence: f64,
    /// How intervals are computed.
    pub intervals: &'static str,
    /// What `ks` is.
    pub ks: &'static str,
    /// Per component.
    pub components: Vec<JsonComponent>,
    /// The reader's warnings.
    pub warnings: &'a [String],
}

/// One component in `fit.json`.
#[derive(Serialize)]
pub struct JsonComponent {
    name: String,
    window: JsonWindow,
    incidents: usize,
    merged: usize,
    zero_length: usize,
    clipped: usize,
    time_between_failures: JsonSet,
    time_to_repair: JsonSet,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct JsonWindow {
    start: String,
    end: String,
    hours: f64,
}

#[derive(Serialize)]
struct JsonSet {
    observed: usize,
    censored: usize,
    total_hours: f64,
    best: Option<Family>,
    mean_above_hours: Option<f64>,
    notes: Vec<String>,
    fits: Vec<JsonFit>,
}

#[derive(Serialize)]
struct JsonFit {
    family: Family,
    parameters: serde_json::Map<String, serde_json::Value>,
    mean_hours: Estimate,
    median_hours: Estimate,
    log_likelihood: f64,
    aic: f64,
    delta_aic: f64,
    bic: f64,
    ks: f64,
    scenario: String,
}

/// The JSON name of a parameter, with its unit.
fn json_name(family: Family, name: &str) -> String {
    match (family, name) {
        (_, "mean" | "scale") => format!("{name}_hours"),
        (Family::Lognormal, "mu") => "mu_ln_hours".to_string(),
        _ => name.to_string(),
    }
}

fn json_set(set: &FitSet) -> JsonSet {
    JsonSet {
        observed: set.sample.observed.len(),
        censored: set.sample.censored.len(),
        total_hours: set.sample.total(),
        best: set.best().map(Fit::family),
        mean_above_hours: set.mean_above,
        notes: set.notes.clone(),
        fits: set
            .fits
            .iter()
            .map(|f| JsonFit {
                family: f.family(),
                parameters: f.parameters.iter().map(|(n, e)| (json_name(f.family(), n), serde_json::to_value(e).unwrap_or(serde_json::Value::Null))).collect(),
                mean_hours: f.mean,
                median_hours: f.median,
                log_likelihood: f.log_likelihood,
                aic: f.aic,
                delta_aic: f.delta_aic,
                bic: f.bic,
                ks: f.ks,
                scenario: dist_toml(&f.dist),
            })
            .collect(),
    }
}

/// `fit.json`'s text.
pub fn json(fits: &[ComponentFit], file: &str, confidence: f64, warnings: &[String]) -> anyhow::Result<String> {
    let components = fits
        .iter()
        .map(|c| JsonComponent {
            name: c.name.clone(),
            window: JsonWindow { start: format_time(c.window.0), end: format_time(c.window.1), hours: (c.window.1 - c.window.0) / HOUR },
            incidents: c.incidents,
            merged: c.merged,
            zero_length: c.zero_length,
            clipped: c.clipped,
            time_between_failures: json_set(&c.failure),
            time_to_repair: json_set(&c.repair),
            warnings: c.warnings(),
        })
        .collect();
    let doc = Json { file, confidence, intervals: INTERVALS, ks: KS, components, warnings };
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_durations_as_written_in_scenarios() {
        assert_eq!(sig(0.665_912, 4), "0.6659");
        assert_eq!(sig(98.034, 4), "98.03");
        assert_eq!(sig(1234.4, 4), "1234");
        assert_eq!(sig(2.0, 4), "2");
        assert_eq!(duration(98.034), "98.03h");
        assert_eq!(duration(1.2417), "1.242h");
        assert_eq!(duration(0.7667), "46m");
        assert_eq!(duration(0.012), "43.2s");
        assert_eq!(duration(4000.0), "166.7d");
        assert_eq!(dist_toml(&Dist::Lognormal { mu: (74.5f64 / 60.0).ln(), sigma: 1.17 }), "{ dist = \"lognormal\", median = \"1.242h\", sigma = 1.17 }");
        assert_eq!(dist_toml(&Dist::Weibull { shape: 0.65, scale: 95.0 }), "{ dist = \"weibull\", shape = 0.65, scale = \"95h\" }");
        // Every duration written parses back to the value to 4 significant digits.
        for h in [0.0001, 0.01, 0.5, 0.99999, 1.0, 3.3333, 999.94, 12_345.0] {
            let back = crate::scenario::units::parse_duration(&duration(h)).unwrap() / HOUR;
            assert!((back - h).abs() <= 5e-4 * h, "{h}: {} -> {back}", duration(h));
        }
    }

    #[test]
    fn keys_are_quoted_when_they_must_be() {
        assert_eq!(toml_key("openai-api"), "openai-api");
        assert_eq!(toml_key("api.anthropic.com"), "\"api.anthropic.com\"");
        assert_eq!(toml_key("API (OpenAI) \"x\""), "\"API (OpenAI) \\\"x\\\"\"");
    }
}
