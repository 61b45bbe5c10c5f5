//! Tests of the plots: every file is written and is a real image, degenerate input gives files
//! and no panic, and the helpers' numbers and ticks. `synthetic` makes plausible distributions
//! and a timeline from a summary, until the simulator records the real ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;
use crate::sim::trace::{ArchTimeline, Track};
use crate::stats::distributions::ClassDistributions;
use crate::stats::estimate::{Estimate, QuantileEstimate};

/// Two architectures × two classes with an SLA: small enough to simulate in a unit test.
const SCENARIO: &str = r#"
name = "plot-test"

[simulation]
horizon = "1y"
replications = 40
seed = 3

[components.region]
failure = { dist = "weibull", shape = 0.7, scale = "3000h" }
repair = { dist = "lognormal", median = "2h", sigma = 1.0 }

[components.p1]
within = "region"
failure = { dist = "exponential", mean = "30d" }
repair = { dist = "lognormal", median = "40m", sigma = 1.2 }

[components.p2]
failure = { dist = "exponential", mean = "40d" }
repair = { dist = "lognormal", median = "70m", sigma = 1.1 }

[routes.fo]
failover = ["p1", "p2"]
switchover = "30s"

[traffic.api]
rate = "100/s"
cost_per_hour_down = 20000

[traffic.web]
rate = "50/s"
cost_per_hour_down = 5000

[architectures.single]
api = ["p1"]
web = ["p1"]

[architectures.failover]
api = ["fo"]
web = ["fo"]

[sla]
target = 0.999
period = "month"
fee = 10000
credits = [{ below = 0.999, credit = 0.10 }]
"#;

fn test_summary() -> Summary {
    let model = crate::load_str(SCENARIO, &[]).unwrap();
    crate::simulate(&model, Some(1)).unwrap()
}

/// SplitMix64: a tiny deterministic generator for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }

    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.uniform().ln()
    }

    fn poisson(&mut self, mean: f64) -> u64 {
        let (mut k, mut t) = (0, self.exponential(1.0));
        while t < mean {
            k += 1;
            t += self.exponential(1.0);
        }
        k
    }
}

/// Values counted in bins 1 % wide (0 stays 0), as `Distributions` holds them.
fn binned(values: &[f64]) -> Vec<(f64, u64)> {
    let mut bins: BTreeMap<i64, u64> = BTreeMap::new();
    for &v in values {
        let k = if v > 0.0 { (v.ln() / 1.01f64.ln()).round() as i64 } else { i64::MIN };
        *bins.entry(k).or_default() += 1;
    }
    bins.into_iter().map(|(k, n)| (if k == i64::MIN { 0.0 } else { 1.01f64.powi(k as i32) }, n)).collect()
}

/// Plausible distributions and a timeline for `summary`: per class, outages as many as the
/// summary's outages per year, lognormal durations with its median and p90; per component, a
/// few failures a year; a class is down when one of the components it depends on most is.
pub(super) fn synthetic(summary: &Summary, seed: u64) -> (Distributions, Timeline) {
    let mut rng = Rng(seed);
    let horizon = if summary.horizon_hours > 0.0 { summary.horizon_hours } else { 8766.0 };
    let per_year = 8766.0 / horizon;
    let classes = summary.architectures.first().map_or(0, |a| a.classes.len());
    let mut cells = Vec::new();
    for arch in &summary.architectures {
        for class in &arch.classes {
            let rate = class.outages_per_year.mean.unwrap_or(0.0).max(0.0) / per_year;
            let median = class.mttr_hours.median.value.unwrap_or(0.5).max(1e-3);
            let p90 = class.mttr_hours.p90.value.unwrap_or(median * 4.0).max(median * 1.01);
            let sigma = (p90 / median).ln() / 1.2816;
            let (mut downtimes, mut outages) = (Vec::new(), Vec::new());
            for _ in 0..summary.replications {
                let mut down = 0.0;
                for _ in 0..rng.poisson(rate) {
                    let d = rng.lognormal(median, sigma);
                    outages.push(d);
                    down += d.min(horizon);
                }
                downtimes.push(down.min(horizon) * per_year);
            }
            cells.push(ClassDistributions {
                architecture: arch.name.clone(),
                class: class.name.clone(),
                downtime_hours_per_year: binned(&downtimes),
                outage_hours: binned(&outages),
            });
        }
    }
    // One history per component, shared by every architecture (common random numbers).
    let mut histories: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    let mut history = |name: &str, rng: &mut Rng| {
        histories
            .entry(name.to_string())
            .or_insert_with(|| {
                let mean_up = horizon / (1.0 + rng.uniform() * 9.0);
                let median = 0.2 + rng.uniform() * 2.0;
                let mut t = rng.exponential(mean_up);
                let mut v = Vec::new();
                while t < horizon {
                    let end = (t + rng.lognormal(median, 1.0)).min(horizon);
                    v.push((t, end));
                    t = end + rng.exponential(mean_up);
                }
                v
            })
            .clone()
    };
    let architectures = summary
        .architectures
        .iter()
        .map(|arch| {
            let mut names: Vec<&str> = Vec::new();
            for class in &arch.classes {
                for imp in &class.importance {
                    if !names.contains(&imp.component.as_str()) {
                        names.push(&imp.component);
                    }
                }
            }
            let components: Vec<Track> = names.iter().map(|n| Track { name: n.to_string(), down: history(n, &mut rng) }).collect();
            let classes = arch
                .classes
                .iter()
                .map(|class| {
                    let mut down: Vec<(f64, f64)> = class
                        .importance
                        .iter()
                        .filter(|i| i.downtime_share.mean.unwrap_or(0.0) >= 0.05)
                        .flat_map(|i| components.iter().find(|c| c.name == i.component).map(|c| c.down.clone()).unwrap_or_default())
                        .collect();
                    down.sort_by(|a, b| a.0.total_cmp(&b.0));
                    let mut merged: Vec<(f64, f64)> = Vec::new();
                    for (s, e) in down {
                        match merged.last_mut() {
                            Some(last) if s <= last.1 => last.1 = last.1.max(e),
                            _ => merged.push((s, e)),
                        }
                    }
                    Track { name: class.name.clone(), down: merged }
                })
                .collect();
            ArchTimeline { name: arch.name.clone(), components, classes }
        })
        .collect();
    (Distributions { classes, cells }, Timeline { replication: 0, horizon_hours: horizon, architectures })
}

/// Checks that `path` is a PNG of `size` with more than a few colours.
fn check_png(path: &Path, size: Option<(u32, u32)>) {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut reader = png::Decoder::new(file).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    if let Some((w, h)) = size {
        assert_eq!((info.width, info.height), (w, h), "{}", path.display());
    }
    assert!(info.width >= 600 && info.height >= 400, "{}: {}x{}", path.display(), info.width, info.height);
    let pixels: std::collections::HashSet<&[u8]> = buf[..info.buffer_size()].chunks(3).collect();
    assert!(pixels.len() > 20, "{}: only {} colours", path.display(), pixels.len());
}

/// Checks that `path` looks like a complete SVG of at least `min_bytes`, with text in the
/// embedded font's family.
fn check_svg(path: &Path, min_bytes: usize) {
    let svg = std::fs::read_to_string(path).unwrap();
    let head = svg.trim_start();
    assert!(head.starts_with("<svg") || head.starts_with("<?xml"), "{}", path.display());
    assert!(svg.trim_end().ends_with("</svg>"), "{}", path.display());
    assert!(svg.len() > min_bytes, "{}: {} bytes", path.display(), svg.len());
    assert!(svg.contains(r#"font-family="DejaVu Sans, Verdana, sans-serif""#), "{}", path.display());
}

/// Writes the plots of `input` into a fresh folder and checks every file; SVGs of figures with
/// data are over 5 KB, those that only say that there is nothing to draw are smaller.
fn write_and_check(input: &PlotInput<'_>, min_svg: usize) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_plots(dir.path(), input).unwrap();
    let expected = if input.timeline.is_some() { 12 } else { 10 };
    assert_eq!(paths.len(), expected, "{paths:?}");
    for p in &paths {
        assert!(p.starts_with(dir.path()));
        match p.extension().and_then(|e| e.to_str()) {
            Some("png") => check_png(p, if p.ends_with("timeline.png") { None } else { Some((1200, 700)) }),
            Some("svg") => check_svg(p, min_svg),
            other => panic!("unexpected file {other:?}"),
        }
    }
    (dir, paths)
}

#[test]
fn every_plot_is_written_as_svg_and_png() {
    let summary = test_summary();
    let (distributions, timeline) = synthetic(&summary, 1);
    let input = PlotInput { summary: &summary, distributions: &distributions, timeline: Some(&timeline) };
    let (_dir, paths) = write_and_check(&input, 5000);
    let names: Vec<String> = paths.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(
        names,
        [
            "availability.svg",
            "availability.png",
            "downtime_cdf.svg",
            "downtime_cdf.png",
            "outage_durations.svg",
            "outage_durations.png",
            "timeline.svg",
            "timeline.png",
            "cost.svg",
            "cost.png",
            "cost_tradeoff.svg",
            "cost_tradeoff.png"
        ]
    );
    // Titles name the scenario; the legends name the architectures.
    let svg = std::fs::read_to_string(&paths[0]).unwrap();
    assert!(svg.contains("plot-test"));
    assert!(svg.contains("failover") && svg.contains("single"));
}

#[test]
fn without_a_timeline_the_timeline_is_skipped() {
    let summary = test_summary();
    let (distributions, _) = synthetic(&summary, 2);
    let input = PlotInput { summary: &summary, distributions: &distributions, timeline: None };
    let (_dir, paths) = write_and_check(&input, 5000);
    assert!(!paths.iter().any(|p| p.to_string_lossy().contains("timeline")));
}

#[test]
fn degenerate_inputs_give_files_and_no_panic() {
    let summary = test_summary();
    // No distributions at all, and a timeline with no architectures.
    let empty = Distributions { classes: 0, cells: Vec::new() };
    let no_archs = Timeline { replication: 3, horizon_hours: 8760.0, architectures: Vec::new() };
    write_and_check(&PlotInput { summary: &summary, distributions: &empty, timeline: Some(&no_archs) }, 500);

    // Every replication without downtime, no outages, nothing down in the timeline.
    let (mut zero, mut quiet) = synthetic(&summary, 3);
    for cell in &mut zero.cells {
        cell.downtime_hours_per_year = vec![(0.0, summary.replications)];
        cell.outage_hours.clear();
    }
    for arch in &mut quiet.architectures {
        for track in arch.components.iter_mut().chain(arch.classes.iter_mut()) {
            track.down.clear();
        }
    }
    let mut no_downtime = summary.clone();
    for arch in &mut no_downtime.architectures {
        for class in &mut arch.classes {
            class.availability = Estimate { mean: Some(1.0), ci_low: Some(1.0), ci_high: Some(1.0), exact: None };
        }
    }
    write_and_check(&PlotInput { summary: &no_downtime, distributions: &zero, timeline: Some(&quiet) }, 500);

    // No architectures, zero replications.
    let mut nothing = summary.clone();
    nothing.architectures.clear();
    nothing.replications = 0;
    write_and_check(&PlotInput { summary: &nothing, distributions: &empty, timeline: None }, 500);

    // Estimates missing or NaN, a zero horizon, unicode names, one architecture.
    let (dist, mut tl) = synthetic(&summary, 4);
    let mut odd = summary.clone();
    odd.architectures.truncate(1);
    odd.scenario = "Ünïcødé — 可用性 ✓".to_string();
    let arch = &mut odd.architectures[0];
    arch.name = "région-α 🚀".to_string();
    arch.cost_per_year = Estimate { mean: Some(f64::NAN), ci_low: None, ci_high: Some(f64::INFINITY), exact: None };
    arch.sla_credits_per_year = None;
    arch.costs.running_cost_per_year = Estimate { mean: Some(f64::NAN), ci_low: None, ci_high: Some(f64::INFINITY), exact: None };
    arch.costs.weighted_downtime_hours_per_year = Estimate { mean: Some(5.0), ci_low: Some(f64::NEG_INFINITY), ci_high: None, exact: None };
    for class in &mut arch.classes {
        class.availability = Estimate::none();
        class.cost_per_year = Estimate { mean: Some(f64::NAN), ..Estimate::none() };
        class.mttr_hours.median = QuantileEstimate::default();
        class.mttr_hours.p90 = QuantileEstimate { value: Some(f64::NAN), ci_low: None, ci_high: None };
    }
    tl.horizon_hours = 0.0;
    tl.architectures.truncate(1);
    tl.architectures[0].components[0].down.push((f64::NAN, 5.0));
    write_and_check(&PlotInput { summary: &odd, distributions: &dist, timeline: Some(&tl) }, 500);
}

#[test]
fn an_unwritable_folder_is_an_error_naming_the_file() {
    let summary = test_summary();
    let empty = Distributions { classes: 0, cells: Vec::new() };
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("not-there");
    let err = write_plots(&missing, &PlotInput { summary: &summary, distributions: &empty, timeline: None }).unwrap_err();
    assert!(format!("{err:#}").contains("availability.svg"), "{err:#}");
}

#[test]
fn cells_are_found_by_name_when_out_of_order() {
    let summary = test_summary();
    let (mut dist, _) = synthetic(&summary, 5);
    dist.cells.reverse();
    let input = PlotInput { summary: &summary, distributions: &dist, timeline: None };
    let cell = input.cell(0, 1).unwrap();
    assert_eq!((cell.architecture.as_str(), cell.class.as_str()), (summary.architectures[0].name.as_str(), summary.architectures[0].classes[1].name.as_str()));
    assert!(input.cell(0, 9).is_none() && input.cell(9, 0).is_none());
}

#[test]
fn log_ticks_label_decades() {
    let (bold, light) = log_ticks(1.0, 1e4);
    assert_eq!(bold, [1.0, 10.0, 100.0, 1000.0, 10000.0]);
    assert_eq!(light.len(), 4 * 8);
    let (bold, _) = log_ticks(0.1, 10.0);
    assert_eq!(bold.len(), 7, "{bold:?}");
    assert!(log_ticks(0.0, 1.0).0.is_empty());
    assert_eq!(log_range([3.0, 420.0], 1.0, 1.0, 10.0), Some((2.0, 500.0)));
    assert_eq!(log_range([3.0, 420.0], 2.0, 2.0, 10.0), Some((1.0, 1000.0)));
    assert_eq!(log_range([5.0], 1.0, 1.0, 100.0), Some((0.5, 50.0)));
    assert_eq!(log_range([0.0, f64::NAN], 2.0, 2.0, 10.0), None);
}

#[test]
fn axes_mark_the_nines() {
    assert_eq!(nines().nth(2).unwrap().1, "99.9%");
}

#[test]
fn downsampling_averages_blocks() {
    let big = [0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 0];
    assert_eq!(downsample(&big, 1, 1), [128, 128, 128]);
}

/// Writes the plots of the shipped multicloud scenario (200 replications, synthetic
/// distributions and timeline) for a person to look at:
/// `RELSIM_PLOTS=/tmp/plots cargo test --lib plot::tests::multicloud_for_review -- --ignored`.
#[test]
#[ignore]
fn multicloud_for_review() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/multicloud.toml");
    let loaded = crate::compile::load(&path, &["simulation.replications=200".to_string()]).map_err(|e| e.render(false)).unwrap();
    let model = &loaded.model;
    let done = std::sync::atomic::AtomicU64::new(0);
    let acc = crate::montecarlo::simulate(model, 0..model.replications, &Default::default(), &done).unwrap();
    let summary = acc.summarize(model);
    let (distributions, timeline) = synthetic(&summary, 7);
    let dir = PathBuf::from(std::env::var("RELSIM_PLOTS").unwrap_or_else(|_| std::env::temp_dir().join("relsim-plots").to_string_lossy().into_owned()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = PlotInput { summary: &summary, distributions: &distributions, timeline: Some(&timeline) };
    for p in write_plots(&dir, &input).unwrap() {
        println!("{}", p.display());
    }
}
