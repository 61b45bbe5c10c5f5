//! From sums to estimates: [`Accumulator::summarize`] turns a run's sums into the
//! [`Summary`] every report reads (intervals, paired differences, the decision, the guards),
//! and [`Accumulator::distributions`] into what the plots draw.

use crate::model::{Model, SlaBasis};
use crate::scenario::units::{HOUR, YEAR};
use crate::sim::FIRST_OUTAGE_LIMIT;
use crate::stats::accumulator::{architecture_pairs, Accumulator};
use crate::stats::distributions::{ClassDistributions, Distributions};
use crate::stats::estimate::{quantile, Estimate, QuantileEstimate};
use crate::stats::exact_sum::ExactSum;
use crate::stats::histogram::LogHistogram;
use crate::stats::summary::{ArchitectureSummary, ClassDifference, ClassSummary, ComponentImportance, Difference, Latency, Mttr, SlaTerms, Summary};

impl Accumulator {
    /// The estimates.
    pub fn summarize(&self, model: &Model) -> Summary {
        let conf = model.confidence;
        let h = model.horizon;
        let per_year = YEAR / h;
        let ncls = model.classes.len();
        let architectures = model
            .architectures
            .iter()
            .enumerate()
            .map(|(ai, arch)| {
                let classes = model
                    .classes
                    .iter()
                    .enumerate()
                    .map(|(ci, cls)| {
                        let c = &self.classes[ai * ncls + ci];
                        let unavail = c.unavailability.estimate(conf);
                        let downtime_hours = unavail.affine(0.0, YEAR / HOUR);
                        let tallied = model.request_level(ai);
                        let zero = || Estimate { mean: Some(0.0), ci_low: Some(0.0), ci_high: Some(0.0), exact: None };
                        let (request_success, silent, overloaded, retries, latency, opens) = if tallied {
                            (
                                c.right.ratio(0.0, 1.0, conf),
                                c.wrong.ratio(0.0, 1.0, conf),
                                c.overloaded.ratio(0.0, 1.0, conf),
                                c.extra.ratio(0.0, 1.0, conf),
                                Latency {
                                    mean: c.latency.ratio(0.0, 1.0, conf),
                                    p50: latency_quantile(&c.latency_mass, 0.5),
                                    p99: latency_quantile(&c.latency_mass, 0.99),
                                },
                                c.breaker_opens.estimate(conf).affine(0.0, per_year),
                            )
                        } else {
                            let none = QuantileEstimate { value: Some(0.0), ci_low: None, ci_high: None };
                            (c.request_failure.estimate(conf).affine(1.0, -1.0), zero(), zero(), zero(), Latency { mean: zero(), p50: none, p99: none }, zero())
                        };
                        ClassSummary {
                            name: cls.name.clone(),
                            availability: unavail.affine(1.0, -1.0),
                            request_success,
                            silent_errors: silent,
                            overloaded_requests: overloaded,
                            retries_per_request: retries,
                            added_latency_seconds: latency,
                            breaker_opens_per_year: opens,
                            downtime_hours_per_year: downtime_hours,
                            outages_per_year: c.outages.estimate(conf).affine(0.0, per_year),
                            blips_per_year: c.blips.estimate(conf).affine(0.0, per_year),
                            mttr_hours: Mttr {
                                mean: c.duration_per_outage.ratio(0.0, 1.0, conf).affine(0.0, 1.0 / HOUR),
                                median: quantile(&c.durations, 0.5, conf).scaled(1.0 / HOUR),
                                p90: quantile(&c.durations, 0.9, conf).scaled(1.0 / HOUR),
                            },
                            mtbf_hours: c.down_per_outage.ratio(h, -h, conf).affine(0.0, 1.0 / HOUR),
                            longest_outage_hours: c.longest.estimate(conf).affine(0.0, 1.0 / HOUR),
                            cost_per_year: c.cost.estimate(conf),
                            time_to_first_outage_hours: c.first_outage.estimate(conf).affine(0.0, 1.0 / HOUR),
                            importance: model
                                .components_of_class(ai, ci)
                                .into_iter()
                                .map(|k| ComponentImportance {
                                    component: model.components[k].name.clone(),
                                    downtime_share: self.causes[(ai * ncls + ci) * self.components + k].share_of(&c.unavailability, conf),
                                    birnbaum: self.birnbaum[(ai * ncls + ci) * self.components + k].estimate(conf),
                                })
                                .collect(),
                            rare: None,
                        }
                    })
                    .collect();
                let a = &self.archs[ai];
                let (breach, credits) = if model.sla.is_some() {
                    (Some(a.breach.estimate(conf)), Some(a.credits.estimate(conf)))
                } else {
                    (None, None)
                };
                ArchitectureSummary {
                    name: arch.name.clone(),
                    description: arch.description.clone(),
                    classes,
                    cost_per_year: a.cost.estimate(conf),
                    costs: self.costs.summary(model, ai, conf),
                    sla_breach_probability: breach,
                    sla_credits_per_year: credits,
                }
            })
            .collect();
        let mut summary = Summary {
            scenario: model.name.clone(),
            description: model.description.clone(),
            relsim_version: env!("CARGO_PKG_VERSION").to_string(),
            seed: model.seed,
            replications: self.replications,
            horizon_hours: h / HOUR,
            confidence: conf,
            min_outage_hours: model.min_outage / HOUR,
            sla: model.sla.as_ref().map(|s| SlaTerms {
                target: s.target,
                period: s.period_name.to_string(),
                fee: s.fee,
                measures: match s.basis {
                    SlaBasis::Class(c) => model.classes[c].name.clone(),
                    SlaBasis::AllByRate => "all classes, weighted by rate".to_string(),
                },
            }),
            notes: self.notes(),
            architectures,
            differences: self.differences(model),
            decision: crate::stats::decision::decide(model, &self.costs, conf),
            precision: None,
            replay: None,
        };
        crate::stats::guards::apply(&mut summary, &self.guard_facts());
        summary
    }

    /// Per architecture × class, what [`crate::stats::guards`] needs beyond the estimates.
    fn guard_facts(&self) -> Vec<crate::stats::guards::ClassFacts> {
        self.classes.iter().map(|c| crate::stats::guards::ClassFacts { outages: c.durations.total(), unfinished: c.unfinished, cut: c.cut }).collect()
    }

    /// Paired differences between every two architectures.
    fn differences(&self, model: &Model) -> Vec<Difference> {
        let conf = model.confidence;
        let npairs = self.cost_diff.len();
        architecture_pairs(model.architectures.len())
            .enumerate()
            .map(|(k, (a, b))| Difference {
                a: model.architectures[a].name.clone(),
                b: model.architectures[b].name.clone(),
                downtime_hours_per_year: model
                    .classes
                    .iter()
                    .enumerate()
                    .map(|(c, cls)| ClassDifference {
                        class: cls.name.clone(),
                        difference: self.unavailability_diff[c * npairs + k].estimate(conf).affine(0.0, YEAR / HOUR),
                    })
                    .collect(),
                cost_per_year: self.cost_diff[k].estimate(conf),
                costs: self.costs.difference(k, conf),
            })
            .collect()
    }

    /// Distributions across replications and outages, for plots.
    pub fn distributions(&self, model: &Model) -> Distributions {
        let ncls = model.classes.len();
        let hours = |h: &LogHistogram| h.bins().map(|(v, n)| (v / HOUR, n)).collect::<Vec<_>>();
        let cells = self
            .classes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut downtime = Vec::with_capacity(1);
                if c.no_downtime > 0 {
                    downtime.push((0.0, c.no_downtime));
                }
                downtime.extend(hours(&c.downtime_per_year));
                ClassDistributions {
                    architecture: model.architectures[i / ncls].name.clone(),
                    class: model.classes[i % ncls].name.clone(),
                    downtime_hours_per_year: downtime,
                    outage_hours: hours(&c.durations),
                }
            })
            .collect();
        Distributions { classes: ncls, cells }
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = vec![REQUEST_SUCCESS_NOTE.to_string()];
        let censored: u64 = self.classes.iter().map(|c| c.first_outage_censored).sum();
        if censored > 0 {
            notes.push(format!(
                "time_to_first_outage_hours: {censored} replication(s) of some class reached {} years without an outage and count as that long, so those estimates are lower bounds",
                FIRST_OUTAGE_LIMIT / YEAR
            ));
        }
        notes
    }
}

/// How to read request_success.
pub const REQUEST_SUCCESS_NOTE: &str = "request_success is the fraction of requests answered rightly within the deadline; \
in architectures without request-level behaviour (retries, timeouts, breakers, balancing, capacity, failure modes, deploys, surges, prices per request) \
it is the availability weighted by the daily profile";

/// The `p`-quantile of a latency distribution kept as (seconds → requests).
fn latency_quantile(mass: &std::collections::BTreeMap<u64, ExactSum>, p: f64) -> QuantileEstimate {
    let total: f64 = mass.values().map(ExactSum::value).sum();
    if total <= 0.0 {
        return QuantileEstimate::default();
    }
    let mut seen = 0.0;
    for (bits, w) in mass {
        seen += w.value();
        if seen >= p * total * (1.0 - 1e-12) {
            return QuantileEstimate { value: Some(f64::from_bits(*bits)), ci_low: None, ci_high: None };
        }
    }
    QuantileEstimate { value: mass.keys().next_back().map(|b| f64::from_bits(*b)), ci_low: None, ci_high: None }
}

