//! The result of a run as every report reads it: per architecture and class, estimates with
//! confidence intervals ([`Summary`]), and each metric by its [`crate::model::metric`] enum.
//! `accumulator.rs` gathers the sums and `summarize.rs` turns them into this.

use serde::Serialize;

use crate::model::metric::{ArchitectureMetric, ClassMetric};
use crate::stats::cost::{CostDifference, CostSummary};
use crate::stats::decision::Decision;
use crate::stats::estimate::{Estimate, QuantileEstimate};

/// The accumulator, where the Monte Carlo driver names it (part B moves that import).
pub use crate::stats::accumulator::Accumulator;

/// Latency added by timeouts and retries, over requests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Latency {
    /// Mean added latency per request (seconds), flattened into `mean`, `ci_low`, `ci_high`.
    #[serde(flatten)]
    pub mean: Estimate,
    /// Median over requests (seconds).
    pub p50: QuantileEstimate,
    /// 99th percentile over requests (seconds).
    pub p99: QuantileEstimate,
}

/// MTTR: mean, median and p90 over outages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mttr {
    /// Mean outage duration, flattened into `mean`, `ci_low`, `ci_high`.
    #[serde(flatten)]
    pub mean: Estimate,
    /// Median outage duration.
    pub median: QuantileEstimate,
    /// 90th percentile of outage duration.
    pub p90: QuantileEstimate,
}

/// Metrics of one traffic class in one architecture.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassSummary {
    /// Class name.
    pub name: String,
    /// Fraction of time the class can be served.
    pub availability: Estimate,
    /// Fraction of requests answered rightly within the deadline.
    pub request_success: Estimate,
    /// Fraction of requests answered wrongly (silent failures).
    pub silent_errors: Estimate,
    /// Fraction of requests shed as overloaded.
    pub overloaded_requests: Estimate,
    /// Extra attempts (retries) per request.
    pub retries_per_request: Estimate,
    /// Latency added by timeouts and retries (seconds).
    pub added_latency_seconds: Latency,
    /// Circuit breaker openings on the class's route per year.
    pub breaker_opens_per_year: Estimate,
    /// Hours down per year.
    pub downtime_hours_per_year: Estimate,
    /// Outages per year.
    pub outages_per_year: Estimate,
    /// Blips (shorter than `min_outage`) per year.
    pub blips_per_year: Estimate,
    /// Outage duration in hours.
    pub mttr_hours: Mttr,
    /// Mean up time between outages in hours.
    pub mtbf_hours: Estimate,
    /// Longest outage in one horizon, in hours.
    pub longest_outage_hours: Estimate,
    /// Downtime cost plus failed-request cost per year.
    pub cost_per_year: Estimate,
    /// Mean time to the first outage from the all-up start, in hours (measured only with
    /// `--first-outage`; `exact` where the analytic engine applies).
    pub time_to_first_outage_hours: Estimate,
    /// Every component the class depends on, with its share of the class's downtime and its
    /// Birnbaum importance.
    pub importance: Vec<ComponentImportance>,
    /// Rare-event estimates (importance sampling, `--rare`), beside the crude ones above;
    /// absent when they were not computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rare: Option<crate::stats::rare::ClassRare>,
}

impl ClassSummary {
    /// The estimate of `metric`, quantiles as estimates without `exact`.
    pub fn metric(&self, metric: ClassMetric) -> Estimate {
        use ClassMetric as M;
        let q = |q: &QuantileEstimate| Estimate { mean: q.value, ci_low: q.ci_low, ci_high: q.ci_high, exact: None };
        match metric {
            M::Availability => self.availability,
            M::RequestSuccess => self.request_success,
            M::DowntimeHoursPerYear => self.downtime_hours_per_year,
            M::OutagesPerYear => self.outages_per_year,
            M::BlipsPerYear => self.blips_per_year,
            M::MttrHours => self.mttr_hours.mean,
            M::MttrHoursMedian => q(&self.mttr_hours.median),
            M::MttrHoursP90 => q(&self.mttr_hours.p90),
            M::MtbfHours => self.mtbf_hours,
            M::LongestOutageHours => self.longest_outage_hours,
            M::CostPerYear => self.cost_per_year,
            M::SilentErrors => self.silent_errors,
            M::OverloadedRequests => self.overloaded_requests,
            M::RetriesPerRequest => self.retries_per_request,
            M::AddedLatencySeconds => self.added_latency_seconds.mean,
            M::AddedLatencySecondsP50 => q(&self.added_latency_seconds.p50),
            M::AddedLatencySecondsP99 => q(&self.added_latency_seconds.p99),
            M::BreakerOpensPerYear => self.breaker_opens_per_year,
            M::TimeToFirstOutageHours => self.time_to_first_outage_hours,
        }
    }
}

impl ArchitectureSummary {
    /// The estimate of `metric`; `None` for an SLA metric without an SLA.
    pub fn metric(&self, metric: ArchitectureMetric) -> Option<Estimate> {
        use ArchitectureMetric as M;
        let c = &self.costs;
        match metric {
            M::CostPerYear => Some(self.cost_per_year),
            M::SlaBreachProbability => self.sla_breach_probability,
            M::SlaCreditsPerYear => self.sla_credits_per_year,
            M::RunningCostPerYear => Some(c.running_cost_per_year),
            M::FixedCostPerYear => Some(c.fixed_cost_per_year),
            M::RequestCostPerYear => Some(c.request_cost_per_year),
            M::DowntimeCostPerYear => Some(c.downtime_cost_per_year),
            M::FailedRequestCostPerYear => Some(c.failed_request_cost_per_year),
            M::TotalCostPerYear => Some(c.total_cost_per_year),
            M::WeightedDowntimeHoursPerYear => Some(c.weighted_downtime_hours_per_year),
        }
    }
}

/// How much one component matters to one class.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentImportance {
    /// Component name.
    pub component: String,
    /// Fraction of the class's downtime in outages that began with this component's failure.
    pub downtime_share: Estimate,
    /// Birnbaum importance: availability with the component always up minus availability with
    /// it always down (exact where the analytic engine applies; by simulation with
    /// `--importance`; `null` otherwise).
    pub birnbaum: Estimate,
}

/// Metrics of one architecture.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArchitectureSummary {
    /// Architecture name.
    pub name: String,
    /// Description, if any.
    pub description: Option<String>,
    /// Per class.
    pub classes: Vec<ClassSummary>,
    /// What failures cost per year: every class's downtime and failed-request cost, plus SLA
    /// credits (running costs are not in it; `total_cost_per_year` adds them).
    pub cost_per_year: Estimate,
    /// Running cost, the parts of the failure cost, and the total.
    #[serde(flatten)]
    pub costs: CostSummary,
    /// Probability that an SLA period is breached (no SLA: `null`).
    pub sla_breach_probability: Option<Estimate>,
    /// SLA credits per year (no SLA: `null`).
    pub sla_credits_per_year: Option<Estimate>,
}

/// The SLA's terms, for reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SlaTerms {
    /// Availability target.
    pub target: f64,
    /// "month" or "year".
    pub period: String,
    /// Fee per period.
    pub fee: f64,
    /// What it measures.
    pub measures: String,
}

/// The result of a run: every architecture's metrics with intervals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: Option<String>,
    /// relsim version that produced it.
    pub relsim_version: String,
    /// Master seed.
    pub seed: u64,
    /// Replications per architecture.
    pub replications: u64,
    /// Horizon of each replication in hours.
    pub horizon_hours: f64,
    /// Confidence level of every interval.
    pub confidence: f64,
    /// Outages shorter than this (hours) are blips.
    pub min_outage_hours: f64,
    /// SLA terms, if any.
    pub sla: Option<SlaTerms>,
    /// Notes on how to read the numbers.
    pub notes: Vec<String>,
    /// Per architecture.
    pub architectures: Vec<ArchitectureSummary>,
    /// Every two architectures compared replication by replication (`a` minus `b`): on the same
    /// random histories, these intervals are much narrower than the two estimates' intervals
    /// suggest.
    pub differences: Vec<Difference>,
    /// Every architecture against the baseline: net benefit and break-even cost of downtime
    /// (with a single architecture, the baseline and the price of downtime alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// How a precision target (`--precision`, `--rel-precision`) went; absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<crate::stats::precision::Outcome>,
    /// What was replayed (`relsim replay`): the window, the traced components and their
    /// overlaps; absent in a normal run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<crate::stats::replay::ReplaySection>,
}

/// Architecture `a` minus architecture `b`, replication by replication.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    /// First architecture.
    pub a: String,
    /// Second architecture.
    pub b: String,
    /// Per class: downtime hours per year of `a` minus `b`.
    pub downtime_hours_per_year: Vec<ClassDifference>,
    /// What failures cost per year (downtime, failed requests and SLA credits) of `a` minus `b`.
    pub cost_per_year: Estimate,
    /// Running and total cost per year of `a` minus `b`.
    #[serde(flatten)]
    pub costs: CostDifference,
}

/// A difference for one class.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassDifference {
    /// Class name.
    pub class: String,
    /// The difference with its interval.
    pub difference: Estimate,
}

#[cfg(test)]
mod metric_tests {
    use crate::model::metric::{ArchitectureMetric, ClassMetric};

    #[test]
    fn every_metric_has_a_value() {
        let model = crate::load_str("[components.a]\nfailure = \"30d\"\nrepair = \"1h\"\n[traffic.api]\nrate = \"1/s\"\n[architectures.one]\napi = [\"a\"]\n[simulation]\nhorizon = \"1y\"\nreplications = 4\n", &[]).unwrap();
        let s = crate::simulate(&model, Some(1)).unwrap();
        assert!(s.architectures[0].classes[0].metric(ClassMetric::Availability).mean.is_some());
        for &m in ArchitectureMetric::ALL {
            let sla = matches!(m, ArchitectureMetric::SlaBreachProbability | ArchitectureMetric::SlaCreditsPerYear);
            assert_eq!(s.architectures[0].metric(m).is_some(), !sla, "{m}");
        }
    }
}
