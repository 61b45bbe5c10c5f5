//! `relsim check --junit FILE`: the checks as a JUnit XML report, which CI systems (GitHub
//! Actions test reporters, GitLab, Jenkins) display as a test suite.
//!
//! One `<testsuite name="relsim check: SCENARIO">` inside `<testsuites>`, one `<testcase>` per
//! check with `classname="ARCHITECTURE.CLASS"` (the architecture alone for an
//! architecture-level metric) and `name="METRIC >= BOUND"`; a breach, or a check that cannot be
//! judged, is a `<failure>` whose message holds the figures. quick-xml writes and escapes.

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::{SloResult, Tally, Verdict};

/// What the report is about.
pub struct Suite<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// The scenario file as given on the command line.
    pub file: &'a str,
    /// Master seed of the run.
    pub seed: u64,
    /// Replications per architecture.
    pub replications: u64,
    /// Wall-clock seconds of the run (simulation and summary).
    pub seconds: f64,
    /// The command that reproduces the run.
    pub command: &'a str,
    /// The checks, in file order.
    pub results: &'a [SloResult],
}

/// The JUnit XML text of `suite`.
pub fn render(suite: &Suite<'_>) -> anyhow::Result<String> {
    let tally = Tally::of(suite.results);
    let tests = tally.total().to_string();
    let failures = tally.failed().to_string();
    let time = format!("{:.3}", suite.seconds.max(0.0));
    let name = format!("relsim check: {}", suite.scenario);
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("testsuites")
        .with_attributes([("name", "relsim check"), ("tests", tests.as_str()), ("failures", failures.as_str()), ("errors", "0"), ("time", time.as_str())])
        .write_inner_content(|w| {
            w.create_element("testsuite")
                .with_attributes([
                    ("name", name.as_str()),
                    ("tests", tests.as_str()),
                    ("failures", failures.as_str()),
                    ("errors", "0"),
                    ("skipped", "0"),
                    ("time", time.as_str()),
                ])
                .write_inner_content(|w| {
                    let seed = suite.seed.to_string();
                    let reps = suite.replications.to_string();
                    w.create_element("properties").write_inner_content(|w| {
                        for (k, v) in [("file", suite.file), ("seed", seed.as_str()), ("replications", reps.as_str()), ("command", suite.command)] {
                            w.create_element("property").with_attributes([("name", k), ("value", v)]).write_empty()?;
                        }
                        Ok(())
                    })?;
                    for r in suite.results {
                        testcase(w, r)?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    let mut text = String::from_utf8(w.into_inner())?;
    text.push('\n');
    Ok(text)
}

fn testcase(w: &mut Writer<Vec<u8>>, r: &SloResult) -> std::io::Result<()> {
    let classname = match &r.class {
        Some(c) => format!("{}.{c}", r.architecture),
        None => r.architecture.clone(),
    };
    let name = r.check_name(true);
    let element = w.create_element("testcase").with_attributes([("classname", classname.as_str()), ("name", name.as_str()), ("time", "0")]);
    if r.holds() {
        element.write_inner_content(|w| {
            w.create_element("system-out").write_text_content(BytesText::new(&format!("PASS {}", r.line())))?;
            Ok(())
        })?;
        return Ok(());
    }
    let kind = match r.verdict {
        Verdict::Unjudged(_) => "cannot be judged",
        _ => "breach",
    };
    let message = format!("{}: {} ({})", r.check_name(false), r.figures(), r.detail());
    element.write_inner_content(|w| {
        w.create_element("failure")
            .with_attributes([("message", message.as_str()), ("type", kind)])
            .write_text_content(BytesText::new(&format!("FAIL {}", r.line())))?;
        Ok(())
    })?;
    Ok(())
}
