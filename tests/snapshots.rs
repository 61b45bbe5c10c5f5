//! Snapshots of every exporter (insta): the terminal table, JSON, CSV and Markdown of one small
//! run with a fixed seed. A change in any output shows up as a diff to review
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test` and read the diff in git).

use relsim::report::{csv::CsvExporter, json::JsonExporter, markdown::MarkdownExporter, table::TableExporter, Exporter, Report};

/// Two architectures, two classes, an SLA and costs (running costs, prices per request with a
/// dearer second region, an architecture's own cost): every section of every output has
/// something in it. All exponential, so the exact values are shown beside the estimates.
const SCENARIO: &str = r#"
name = "snapshot"
description = "A primary region alone, or with a second region behind a failover."

[simulation]
horizon = "1y"
replications = 200
seed = 7

[components.region-a]
kind = "cloud region"
failure = { dist = "exponential", mean = "60d" }
repair = { dist = "exponential", mean = "6h" }
running_cost = "1500/month"
cost_per_request = 0.0001

[components.region-b]
kind = "cloud region"
failure = { dist = "exponential", mean = "60d" }
repair = { dist = "exponential", mean = "6h" }
running_cost = "1500/month"
cost_per_request = 0.0003

[components.auth]
kind = "auth service"
failure = { dist = "exponential", mean = "90d" }
repair = { dist = "exponential", mean = "1h" }
running_cost = "0.5/h"

[traffic.api]
rate = "50/s"
cost_per_hour_down = 2000

[traffic.web]
rate = "5/s"
cost_per_hour_down = 500

[routes.regions]
failover = ["region-a", "region-b"]

[architectures.single]
description = "One region."
api = ["region-a"]
web = ["region-a", "auth"]

[architectures.failover]
description = "Two regions behind a failover."
running_cost = "4000/year"
api = ["regions"]
web = ["regions", "auth"]

[sla]
target = 0.999
period = "month"
fee = 10000
credits = [{ below = 0.999, credit = 0.1 }]
"#;

fn render(exporter: &dyn Exporter) -> String {
    let model = relsim::load_str(SCENARIO, &[]).expect("the snapshot scenario loads");
    let mut summary = relsim::simulate(&model, Some(2)).expect("it runs");
    let analysis = relsim::analytic::analyze(&model, &relsim::analytic::Options { max_states: 10_000, mttff: false, birnbaum: true });
    relsim::analytic::attach(&mut summary, &analysis, &model);
    let plots: Vec<String> = ["availability", "downtime_cdf", "outage_durations", "timeline", "cost", "cost_tradeoff"].iter().flat_map(|p| [format!("{p}.png"), format!("{p}.svg")]).collect();
    let report = Report {
        summary: &summary,
        model: &model,
        file: "snapshot.toml",
        command: "relsim run snapshot.toml --seed 7 --reps 200",
        exact_note: Some("\"exact\" lines are steady-state values from the analytic engine."),
        plots: &plots,
    };
    exporter.render(&report).expect("renders")
}

#[test]
fn table() {
    insta::assert_snapshot!(render(&TableExporter { color: false, wrap: false }));
}

#[test]
fn json() {
    insta::assert_snapshot!(render(&JsonExporter));
}

#[test]
fn csv() {
    insta::assert_snapshot!(render(&CsvExporter));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(render(&MarkdownExporter));
}
