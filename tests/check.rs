//! `relsim check`: [[slo]] entries judged on the conservative end of each interval, exit codes,
//! verdict lines and the JUnit report.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use quick_xml::events::Event;
use quick_xml::Reader;

fn relsim() -> Command {
    Command::cargo_bin("relsim").expect("the relsim binary is built")
}

/// One component failing every 30 days on average and repaired in 2 hours (all exponential):
/// availability 720 / 722 = 99.72 %; with 40 replications of a year the 95 % interval is about
/// ± 0.04 %. A second architecture adds a component failing every 40 days, repaired in 3 hours
/// (about 99.41 %).
const BASE: &str = r#"
[simulation]
horizon = "1y"
replications = 40
seed = 5

[components.a]
failure = { dist = "exponential", mean = "30d" }
repair = { dist = "exponential", mean = "2h" }

[components.b]
failure = { dist = "exponential", mean = "40d" }
repair = { dist = "exponential", mean = "3h" }

[traffic.api]
rate = "1/s"

[architectures.one]
api = ["a"]

[architectures.two]
api = ["a", "b"]
"#;

fn slo(arch: &str, metric: &str, bound: &str) -> String {
    format!("\n[[slo]]\narchitecture = \"{arch}\"\nclass = \"api\"\nmetric = \"{metric}\"\n{bound}\n")
}

struct Case {
    dir: tempfile::TempDir,
    file: PathBuf,
}

impl Case {
    fn new(text: &str) -> Case {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("gate.toml");
        std::fs::write(&file, text).expect("scenario written");
        Case { dir, file }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// `relsim check FILE --no-plots --quiet --out DIR` plus `extra`.
    fn check(&self, extra: &[&str]) -> assert_cmd::assert::Assert {
        relsim().arg("check").arg(&self.file).args(["--no-plots", "--quiet", "--out"]).arg(self.out()).args(extra).assert()
    }
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

#[test]
fn an_slo_that_clearly_holds_exits_0_and_writes_the_outputs() {
    let case = Case::new(&format!("{BASE}{}", slo("one", "availability", "min = 0.99")));
    let a = case.check(&[]).code(0);
    let out = stdout(&a);
    assert!(out.starts_with("PASS one/api availability ≥ 0.99: 99.7"), "{out}");
    assert!(out.contains("(low end 99.") && !out.contains(" < "), "{out}");
    assert!(out.ends_with("1 of 1 SLOs hold\n"), "{out}");
    assert!(case.out().join("summary.json").exists(), "check writes the run's outputs");
}

#[test]
fn a_clear_breach_exits_1_and_names_architecture_class_metric_and_figure() {
    let text = format!("{BASE}{}{}", slo("one", "availability", "min = 0.99"), slo("two", "availability", "min = 0.999"));
    let a = Case::new(&text).check(&[]).code(1);
    let out = stdout(&a);
    let fail = out.lines().find(|l| l.starts_with("FAIL")).unwrap_or_else(|| panic!("no FAIL line:\n{out}"));
    assert!(fail.starts_with("FAIL two/api availability ≥ 0.999: 99.4"), "{fail}");
    assert!(fail.contains("% ± ") && fail.contains("(low end 99.") && fail.contains("% < 99.90"), "{fail}");
    assert!(out.ends_with("1 of 2 SLOs hold; 1 breached\n"), "{out}");
}

/// The point of judging the conservative end: a bound the mean meets but the interval's low
/// end does not is a breach. The bound is put halfway between the two, read from the same run's
/// JSON, and set with --set (which reaches [[slo]] entries by index).
#[test]
fn a_mean_that_meets_the_bound_is_not_enough() {
    let case = Case::new(&format!("{BASE}{}", slo("one", "availability", "min = 0.5")));
    let a = relsim().arg("run").arg(&case.file).args(["--no-plots", "--quiet", "--format", "json", "--out"]).arg(case.out()).assert().success();
    let json: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("JSON");
    let availability = &json["architectures"][0]["classes"][0]["availability"];
    let (mean, low) = (availability["mean"].as_f64().unwrap(), availability["ci_low"].as_f64().unwrap());
    assert!(low < mean, "the interval has width");
    let between = (low + mean) / 2.0;
    let set = format!("slo.0.min={between}");
    let out = stdout(&case.check(&["--set", &set]).code(1));
    assert!(out.starts_with(&format!("FAIL one/api availability ≥ {between}: ")), "{out}");
    // A bound just below the low end holds. (Not the low end itself: serde_json's default
    // float parsing may be off by one unit in the last place.)
    let set = format!("slo.0.min={}", low - 1e-12);
    case.check(&["--set", &set]).code(0);
    // And a max is judged on the high end.
    let high = availability["ci_high"].as_f64().unwrap();
    let set = format!("slo.0.max={}", (mean + high) / 2.0);
    let out = stdout(&case.check(&["--set", "slo.0.min=0.5", "--set", &set]).code(1));
    assert!(out.contains("availability ≤ ") && out.contains("(high end ") && out.contains(" > "), "{out}");
}

#[test]
fn missing_data_cannot_be_judged_and_fails_the_gate() {
    // A failure every thousand years: no outage in a month, so MTTR has no estimate.
    let text = format!("{BASE}{}", slo("one", "mttr_hours", "max = 4"));
    let case = Case::new(&text);
    let out = stdout(&case.check(&["--set", "components.a.failure.mean=1000y", "--set", "simulation.horizon=30d"]).code(1));
    assert!(out.contains("FAIL one/api mttr_hours ≤ 4: no estimate (cannot be judged: no outages in 40 replications"), "{out}");
    assert!(out.ends_with("0 of 1 SLOs hold; 1 cannot be judged (counted as breached)\n"), "{out}");
    // A quantile reported without an interval: a warning when the file is read, and a failure.
    let case = Case::new(&format!("{BASE}{}", slo("one", "added_latency_seconds.p99", "max = 10")));
    let a = case.check(&[]).code(1).stderr(predicate::str::contains("warning: slo[0].metric: `added_latency_seconds.p99` is a point value without a confidence interval"));
    assert!(stdout(&a).contains("FAIL one/api added_latency_seconds.p99 ≤ 10: 0.000 (cannot be judged: "), "{}", stdout(&a));
}

#[test]
fn bad_input_exits_2() {
    // Nothing to check: the message shows an entry to add.
    Case::new(BASE)
        .check(&[])
        .code(2)
        .stderr(predicate::str::contains("no [[slo]] entries, so there is nothing to check").and(predicate::str::contains("[[slo]]\n      architecture = \"one\"")));
    // A metric that does not exist, located.
    let case = Case::new(&format!("{BASE}{}", slo("one", "availabilty", "min = 0.99")));
    case.check(&[]).code(2).stderr(predicate::str::contains("gate.toml:").and(predicate::str::contains("did you mean `availability`?")));
    // A percentage where a fraction is meant.
    let case = Case::new(&format!("{BASE}{}", slo("one", "availability", "min = 99.95")));
    case.check(&[]).code(2).stderr(predicate::str::contains("write min = 0.9995 for 99.95%"));
    // An SLA metric without an [sla], bounds that can never hold, and run's own checks.
    let case = Case::new(&format!("{BASE}\n[[slo]]\narchitecture = \"one\"\nmetric = \"sla_breach_probability\"\nmax = 0.1\n"));
    case.check(&[]).code(2).stderr(predicate::str::contains("needs an [sla] table"));
    let case = Case::new(&format!("{BASE}{}", slo("one", "availability", "min = 0.99\nmax = 0.9")));
    case.check(&[]).code(2).stderr(predicate::str::contains("so the check can never hold"));
    let case = Case::new(&format!("{BASE}{}", slo("one", "availability", "min = 0.99")));
    case.check(&["--reps", "1"]).code(2).stderr(predicate::str::contains("at least 2 replications"));
    relsim().args(["check", "no-such-file.toml"]).assert().code(2).stderr(predicate::str::contains("cannot read scenario"));
    // Nothing was written for any of them.
    assert!(!case.out().exists());
}

/// Every element of an XML document with its attributes, in document order; panics if the
/// document is not well-formed.
fn elements(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut depth = 0i32;
    loop {
        let event = reader.read_event().unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{xml}"));
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            Event::End(_) => {
                depth -= 1;
                (None, false)
            }
            Event::Eof => break,
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
            let attrs = e
                .attributes()
                .map(|a| {
                    let a = a.expect("a well-formed attribute");
                    (String::from_utf8_lossy(a.key.as_ref()).into_owned(), a.normalized_value(quick_xml::XmlVersion::Implicit1_0).expect("escaped properly").into_owned())
                })
                .collect();
            out.push((name, attrs));
            if !empty {
                depth += 1;
            }
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    out
}

fn attr<'a>(element: &'a (String, Vec<(String, String)>), key: &str) -> &'a str {
    element.1.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("<{}> has no {key}", element.0))
}

#[test]
fn junit_report_is_valid_xml_with_the_right_counts_and_failures() {
    let text = format!(
        "{BASE}{}{}{}\n[sla]\ntarget = 0.99\n\n[[slo]]\narchitecture = \"two\"\nmetric = \"sla_breach_probability\"\nmax = 0.9\n",
        slo("one", "availability", "min = 0.99"),
        slo("two", "availability", "min = 0.999"),
        slo("two", "mttr_hours.p90", "max = 0.5"),
    );
    let case = Case::new(&text);
    let junit = case.dir.path().join("reports").join("relsim-junit.xml");
    std::fs::create_dir_all(junit.parent().unwrap()).unwrap();
    case.check(&["--junit", junit.to_str().unwrap()]).code(1);
    let xml = std::fs::read_to_string(&junit).expect("the JUnit report is written");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), "{xml}");
    let els = elements(&xml);
    let named = |n: &str| els.iter().filter(|e| e.0 == n).collect::<Vec<_>>();
    let (suites, suite, cases, failures) = (named("testsuites"), named("testsuite"), named("testcase"), named("failure"));
    assert_eq!((suites.len(), suite.len(), cases.len(), failures.len()), (1, 1, 4, 2), "{xml}");
    assert_eq!(els[0].0, "testsuites", "the root");
    for s in [suites[0], suite[0]] {
        assert_eq!(attr(s, "tests"), "4");
        assert_eq!(attr(s, "failures"), "2");
        assert!(attr(s, "time").parse::<f64>().is_ok_and(|t| t >= 0.0));
    }
    assert_eq!(attr(suite[0], "name"), "relsim check: gate");
    let ids: Vec<(&str, &str)> = cases.iter().map(|c| (attr(c, "classname"), attr(c, "name"))).collect();
    assert_eq!(ids, [("one.api", "availability >= 0.99"), ("two.api", "availability >= 0.999"), ("two.api", "mttr_hours.p90 <= 0.5"), ("two", "sla_breach_probability <= 0.9")]);
    // Failures sit inside the breached test cases, with the figures in the message.
    let failing: Vec<usize> = els.iter().enumerate().filter(|(_, e)| e.0 == "failure").map(|(i, _)| i).collect();
    assert_eq!(attr(&els[failing[0] - 1], "name"), "availability >= 0.999");
    assert_eq!(attr(&els[failing[1] - 1], "name"), "mttr_hours.p90 <= 0.5");
    let message = attr(failures[0], "message");
    assert!(message.starts_with("availability ≥ 0.999: 99.") && message.contains("low end 99.") && message.contains(" < 99.90"), "{message}");
    assert!(attr(failures[1], "message").contains("(high end ") && attr(failures[1], "message").contains(" > 0.5"), "{}", attr(failures[1], "message"));
    assert_eq!(attr(failures[0], "type"), "breach");
    // A run where everything holds has no failure elements.
    case.check(&["--junit", junit.to_str().unwrap(), "--set", "slo.1.min=0.9", "--set", "slo.2.max=100"]).code(0);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let els = elements(&xml);
    assert!(els.iter().all(|e| e.0 != "failure"), "{xml}");
    assert_eq!(attr(&els[0], "failures"), "0");
}

#[test]
fn an_unwritable_junit_path_exits_1() {
    let case = Case::new(&format!("{BASE}{}", slo("one", "availability", "min = 0.99")));
    let path = Path::new(case.dir.path()).join("missing-folder").join("j.xml");
    case.check(&["--junit", path.to_str().unwrap()]).code(1).stderr(predicate::str::contains("cannot write the JUnit report"));
}
