//! report.html in a real headless browser (Debian's chromium, which `.ci/run` installs): the
//! page loads from the file alone and every plot in it renders as an image.
//!
//! Skipped, with a message, when no chromium is found, unless `RELSIM_REQUIRE_BROWSER` is set
//! (`.ci/run` sets it once it has installed chromium, so CI cannot skip it by accident).

use std::path::{Path, PathBuf};
use std::process::Command;

const CANDIDATES: [&str; 4] = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

fn find_browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RELSIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| CANDIDATES.iter().map(move |c| dir.join(c))).find(|p| p.is_file())
}

/// Runs the page through the browser and returns the DOM after the load event.
fn dump_dom(browser: &Path, page: &Path, profile: &Path) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("the browser starts");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Appended to a copy of report.html: after the load event, writes what rendered into the DOM.
const PROBE: &str = r#"<script>
window.addEventListener('load', () => {
  const images = [...document.images];
  const rendered = images.filter(i => i.complete && i.naturalWidth > 0 && i.src.startsWith('data:image/png;base64,'));
  const out = document.createElement('pre');
  out.id = 'relsim-probe';
  out.textContent = 'images=' + images.length + ' rendered=' + rendered.length +
    ' widths=' + rendered.map(i => i.naturalWidth + 'x' + i.naturalHeight).join(',') +
    ' alts=' + rendered.map(i => i.alt).join('|') + ' tables=' + document.querySelectorAll('table').length;
  document.body.appendChild(out);
});
</script>
"#;

#[test]
fn report_html_renders_every_plot_in_a_headless_browser() {
    let Some(browser) = find_browser() else {
        assert!(
            std::env::var_os("RELSIM_REQUIRE_BROWSER").is_none(),
            "RELSIM_REQUIRE_BROWSER is set but no chromium was found on PATH"
        );
        eprintln!("skipping the browser test: no chromium on PATH (install Debian's chromium, or set RELSIM_CHROMIUM)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let status = Command::new(env!("CARGO_BIN_EXE_relsim"))
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/gateway-failover.toml"))
        .args(["--reps", "40", "--quiet", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    // The page must stand alone: move it away from the plot files before opening it.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let alone = dir.path().join("alone");
    std::fs::create_dir(&alone).unwrap();
    let page = alone.join("report.html");
    std::fs::write(&page, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
    let dom = dump_dom(&browser, &page, &dir.path().join("profile"));
    let probe = dom.split("<pre id=\"relsim-probe\">").nth(1).and_then(|r| r.split("</pre>").next()).unwrap_or_else(|| panic!("the probe did not run; DOM:\n{dom}"));
    assert!(probe.starts_with("images=6 rendered=6 "), "not every plot rendered: {probe}");
    for alt in ["Availability", "Downtime per year across replications", "Outage durations", "One sample year", "Expected cost of failures per year", "Running cost against downtime"] {
        assert!(probe.contains(alt), "{alt} missing: {probe}");
    }
    let widths = probe.split(" widths=").nth(1).and_then(|r| r.split(' ').next()).unwrap_or_default();
    for size in widths.split(',') {
        let w: u32 = size.split('x').next().and_then(|w| w.parse().ok()).unwrap_or(0);
        assert!(w >= 800, "a plot is only {size} pixels: {probe}");
    }
    let tables: u32 = probe.split("tables=").nth(1).and_then(|t| t.trim().parse().ok()).unwrap_or(0);
    assert!(tables >= 5, "{probe}");
}
