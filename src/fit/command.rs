//! The `relsim fit` subcommand: its options and the function `cli` dispatches to.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use super::dist::Family;
use super::into::{calibrate, parse_map, Plan};
use super::{fit_component, report, ComponentFit};
use crate::incidents::IncidentArgs;

/// Exit codes, as everywhere in relsim.
const EXIT_INPUT: i32 = 2;
const EXIT_FAILURE: i32 = 1;

/// `relsim fit FILE.csv`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// The incident file (CSV), for example incidents.csv; docs/incidents.md describes it.
    pub file: PathBuf,

    #[command(flatten)]
    pub incidents: IncidentArgs,

    /// What to print on stdout: the table, fit.json's content, or TOML snippets to paste into
    /// a scenario.
    #[arg(long, value_enum, default_value = "table")]
    pub format: FitFormat,

    /// Folder for fit.json and the plots [default: output/<file stem>/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Do not draw the fit_<component> plots.
    #[arg(long)]
    pub no_plots: bool,

    /// Print nothing on stderr but errors and warnings.
    #[arg(long, short)]
    pub quiet: bool,

    /// Level of the confidence intervals, strictly between 0 and 1.
    #[arg(long, value_name = "LEVEL", default_value_t = 0.95)]
    pub confidence: f64,

    /// The family written for times between failures (--format toml, --into) instead of the
    /// best by AIC.
    #[arg(long, value_enum, value_name = "FAMILY")]
    pub failure_dist: Option<Family>,

    /// The family written for repair times instead of the best by AIC.
    #[arg(long, value_enum, value_name = "FAMILY")]
    pub repair_dist: Option<Family>,

    /// Write the fitted failure and repair distributions into this scenario's components
    /// (comments and layout kept; the file is checked with relsim's loader first). In place,
    /// keeping the old file as SCENARIO.bak, unless --save-as is given.
    #[arg(long, value_name = "SCENARIO")]
    pub into: Option<PathBuf>,

    /// Which scenario component each incident file component is, e.g.
    /// 'API=openai-api,api.anthropic.com=anthropic-api' (unmapped names are matched as they are).
    #[arg(long, value_name = "CSVNAME=COMPONENT,...")]
    pub map: Option<String>,

    /// With --into: write the calibrated scenario here and leave SCENARIO as it is.
    #[arg(long, value_name = "FILE", requires = "into")]
    pub save_as: Option<PathBuf>,

    /// With --into: also set the calibrated scenario's `name`.
    #[arg(long, value_name = "NAME", requires = "into")]
    pub name: Option<String>,
}

/// What `relsim fit` prints on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FitFormat {
    /// A table per component.
    Table,
    /// fit.json.
    Json,
    /// `[components.NAME]` snippets in the scenario syntax.
    Toml,
}

/// Runs `relsim fit`; returns the exit code.
pub fn run(args: FitArgs, color: bool) -> i32 {
    if !(args.confidence > 0.0 && args.confidence < 1.0) {
        eprintln!("error: --confidence {}: give a level strictly between 0 and 1, for example --confidence 0.95", args.confidence);
        return EXIT_INPUT;
    }
    let map = match args.map.as_deref().map(parse_map).transpose() {
        Ok(m) => m.unwrap_or_default(),
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INPUT;
        }
    };
    let log = match crate::incidents::read(&args.file, &args.incidents.to_options()) {
        Ok(log) => log,
        Err(e) => {
            eprint!("{}", e.render(color));
            let errors = e.diagnostics.iter().filter(|d| d.severity == crate::diagnostic::Severity::Error).count();
            if errors > 1 {
                eprintln!("error: {errors} problems; nothing was fitted");
            }
            return EXIT_INPUT;
        }
    };
    for w in &log.warnings {
        eprintln!("warning: {w}");
    }
    if log.components.is_empty() {
        eprintln!("error: {}: no component to fit (no incidents read)\n  = help: docs/incidents.md shows the layouts; a status-page export needs --wide --services ... --start ... --end ...", args.file.display());
        return EXIT_INPUT;
    }
    let fits: Vec<ComponentFit> = log.components.iter().map(|h| fit_component(h, args.confidence)).collect();
    for c in &fits {
        for w in c.warnings() {
            eprintln!("warning: {w}");
        }
    }
    let file = args.file.display().to_string();
    let name_of = |n: &str| map.iter().find(|(c, _)| c == n).map_or(n.to_string(), |(_, s)| s.clone());
    let json = match report::json(&fits, &file, args.confidence, &log.warnings) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: {e:#}");
            return EXIT_FAILURE;
        }
    };
    let text = match args.format {
        FitFormat::Table => report::table(&fits, args.confidence, color_stdout(), std::io::stdout().is_terminal()),
        FitFormat::Json => json.clone(),
        FitFormat::Toml => report::toml_snippets(&fits, &file, args.failure_dist, args.repair_dist, &name_of),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
    drop(stdout);

    let out_dir = args.out.clone().unwrap_or_else(|| PathBuf::from("output").join(crate::scenario::stem_of(&args.file)));
    match write_outputs(&out_dir, &json, (!args.no_plots).then_some(&fits[..])) {
        Ok(n) => {
            if !args.quiet {
                let plots = if n > 0 { format!(" and {n} plots (SVG and PNG)") } else { String::new() };
                eprintln!("relsim: wrote fit.json{plots} in {}", out_dir.display());
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}\n  = help: choose another folder with --out DIR");
            return EXIT_FAILURE;
        }
    }
    match &args.into {
        Some(scenario) => into(&args, scenario, &fits, &map, color),
        None => 0,
    }
}

fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Writes fit.json and the plots, all or none (through a staging folder, as a run's outputs);
/// returns how many plots.
fn write_outputs(dir: &Path, json: &str, plots: Option<&[ComponentFit]>) -> anyhow::Result<usize> {
    use anyhow::Context;
    let staging = crate::output::Staging::new(dir)?;
    let path = staging.path().join("fit.json");
    std::fs::write(&path, json).with_context(|| format!("cannot write {}", path.display()))?;
    let mut files = vec![path];
    if let Some(fits) = plots {
        files.extend(crate::plot::fit::write(staging.path(), fits)?);
    }
    let plots = (files.len() - 1) / 2;
    staging.commit(&files)?;
    Ok(plots)
}

/// `--into`: calibrates the scenario and writes it.
fn into(args: &FitArgs, scenario: &Path, fits: &[ComponentFit], map: &[(String, String)], color: bool) -> i32 {
    let text = match std::fs::read_to_string(scenario) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read the scenario {}: {e}\n  = help: --into takes the scenario file to calibrate, for example scenarios/gateway-failover.toml", scenario.display());
            return EXIT_INPUT;
        }
    };
    let command = command_line(args);
    let display = scenario.display().to_string();
    let plan = Plan { text: &text, display_name: &display, fits, map, failure: args.failure_dist, repair: args.repair_dist, command: &command, name: args.name.as_deref() };
    let calibrated = match calibrate(&plan) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{}", e.render(color));
            eprintln!("error: {} was not changed", scenario.display());
            return EXIT_INPUT;
        }
    };
    for s in &calibrated.skipped {
        eprintln!("warning: {s}");
    }
    if calibrated.written.is_empty() {
        eprintln!("error: nothing to write into {}: no component of the incident file is a component of the scenario\n  = help: map them with --map 'CSVNAME=COMPONENT,...'", scenario.display());
        return EXIT_INPUT;
    }
    let target = args.save_as.clone().unwrap_or_else(|| scenario.to_path_buf());
    if args.save_as.is_none() {
        let backup = PathBuf::from(format!("{}.bak", scenario.display()));
        if let Err(e) = crate::output::write_atomic(&backup, text.as_bytes()) {
            eprintln!("error: cannot keep the old scenario as {}: {e:#}; nothing was written", backup.display());
            return EXIT_FAILURE;
        }
        if !args.quiet {
            eprintln!("relsim: kept the old scenario as {}", backup.display());
        }
    }
    // Through a temporary file renamed into place: the scenario is either the old one or the
    // whole calibrated one, never half of it.
    if let Err(e) = crate::output::write_atomic(&target, calibrated.text.as_bytes()) {
        eprintln!("error: {e:#}");
        return EXIT_FAILURE;
    }
    if !args.quiet {
        for w in &calibrated.written {
            eprintln!("relsim: {w}");
        }
        eprintln!("relsim: wrote the calibrated scenario {} (checked: it loads)", target.display());
    }
    0
}

/// The command that calibrates the scenario, as written in its header: every option that
/// changes what is written, in a fixed order (output options left out).
pub fn command_line(args: &FitArgs) -> String {
    let mut parts = vec!["relsim".to_string(), "fit".to_string(), quote(&args.file.display().to_string())];
    let i = &args.incidents;
    let mut opt = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            parts.push(name.to_string());
            // A flag has no value.
            if !v.is_empty() {
                parts.push(quote(&v));
            }
        }
    };
    opt("--window", i.window.clone());
    opt("--wide", i.wide.then(String::new));
    let list = |v: &[String]| (!v.is_empty()).then(|| v.join(","));
    opt("--services", list(&i.services));
    opt("--start", list(&i.start_columns));
    opt("--end", i.end_column.clone());
    opt("--impact-column", i.impact_column.clone());
    opt("--impact", list(&i.impacts));
    opt("--confidence", (args.confidence != 0.95).then(|| args.confidence.to_string()));
    opt("--failure-dist", args.failure_dist.map(|f| f.name().to_string()));
    opt("--repair-dist", args.repair_dist.map(|f| f.name().to_string()));
    opt("--map", args.map.clone());
    opt("--into", args.into.as_ref().map(|p| p.display().to_string()));
    opt("--save-as", args.save_as.as_ref().map(|p| p.display().to_string()));
    opt("--name", args.name.clone());
    parts.join(" ")
}

/// Quotes for a POSIX shell when needed.
fn quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_-./:=,+@%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
