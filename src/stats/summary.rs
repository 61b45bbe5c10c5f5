//! From replications to the reported metrics: a per-replication record goes into an
//! [`Accumulator`] (exact sums, counts and histograms, so any grouping merges to the same bits),
//! and the accumulator turns into a [`Summary`] of estimates with confidence intervals.

use serde::{Deserialize, Serialize};

use crate::model::{Model, SlaBasis};
use crate::scenario::units::{HOUR, YEAR};
use crate::sim::accounting::Accounts;
use crate::sim::FIRST_OUTAGE_LIMIT;
use crate::stats::cost::{CostAcc, CostDifference, CostSummary};
use crate::stats::decision::Decision;
use crate::stats::estimate::{quantile, Estimate, Moments, Pair, QuantileEstimate, Share};
use crate::stats::distributions::{ClassDistributions, Distributions};
use crate::stats::exact_sum::ExactSum;
use crate::stats::histogram::LogHistogram;
use crate::traffic::walk::Outcome;

/// Sums for one architecture × class.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ClassAcc {
    /// Fraction of the horizon down.
    unavailability: Moments,
    /// Fraction of requests (by the daily profile) arriving while down (classes whose requests
    /// follow availability).
    request_failure: Moments,
    /// (requests answered rightly, requests), per replication (tallied classes).
    right: Pair,
    /// (requests answered wrongly, requests).
    wrong: Pair,
    /// (requests shed as overloaded, requests).
    overloaded: Pair,
    /// (extra attempts, requests).
    extra: Pair,
    /// (latency, requests).
    latency: Pair,
    /// Requests by latency (seconds → requests), summed exactly.
    latency_mass: std::collections::BTreeMap<u64, ExactSum>,
    /// Breaker openings per replication.
    breaker_opens: Moments,
    /// Cost per year (downtime and failed requests), per replication.
    cost: Moments,
    /// Outages per replication.
    outages: Moments,
    /// Blips per replication.
    blips: Moments,
    /// Longest outage per replication (seconds).
    longest: Moments,
    /// (outage time, outages): MTTR.
    duration_per_outage: Pair,
    /// (unavailability, outages): MTBF = up time / outages.
    down_per_outage: Pair,
    /// Outage durations (seconds).
    durations: LogHistogram,
    /// Downtime per year (seconds) of each replication that had any.
    downtime_per_year: LogHistogram,
    /// Replications with no downtime.
    no_downtime: u64,
    /// Time to the first outage from the all-up start (seconds), when measured.
    first_outage: Moments,
    /// First-outage replications cut at the limit without an outage.
    first_outage_censored: u64,
    /// Outages still going on when relsim stopped following them (their length is unknown).
    #[serde(default)]
    unfinished: u64,
    /// Outages cut when following them past the horizon spent its event budget (counted at
    /// their followed length, a lower bound).
    #[serde(default)]
    cut: u64,
}

/// Sums for one architecture.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ArchAcc {
    /// Downtime cost plus SLA credits per year.
    cost: Moments,
    /// Fraction of SLA periods breached.
    breach: Moments,
    /// SLA credits per year.
    credits: Moments,
}

/// Everything the replications of a run have added, merged exactly.
///
/// It serialises (for a shard's partial result, see `crate::shard`) without its scratch space:
/// one read back is only merged into an [`Accumulator::new`] of the same model, after
/// [`Accumulator::check`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Accumulator {
    classes: Vec<ClassAcc>,
    archs: Vec<ArchAcc>,
    /// Per account and component: downtime started by that component's failures (fraction of
    /// the horizon), as a share of the account's downtime.
    causes: Vec<Share>,
    /// Per account and component: availability with the component held up minus held down.
    birnbaum: Vec<Moments>,
    /// Per class and pair of architectures `(a, b)`, `a < b`: unavailability of `a` minus `b`,
    /// replication by replication (the same random histories, so the pair's spread is small).
    unavailability_diff: Vec<Moments>,
    /// Per pair of architectures: total cost per year of `a` minus `b`.
    cost_diff: Vec<Moments>,
    /// Running and total costs, and the paired sums of the decision.
    costs: CostAcc,
    /// This replication's unavailability per account and cost per architecture, filled by
    /// [`Accumulator::add`] world by world and turned into differences by
    /// [`Accumulator::count_replication`]. Scratch space, not part of the sums.
    #[serde(skip)]
    current_unavailability: Vec<f64>,
    #[serde(skip)]
    current_cost: Vec<f64>,
    components: usize,
    replications: u64,
    events: u64,
}

/// Pairs `(a, b)` with `a < b` among `n` architectures, in the order differences are stored.
pub fn architecture_pairs(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).flat_map(move |a| (a + 1..n).map(move |b| (a, b)))
}

impl Accumulator {
    /// An empty accumulator for `model`.
    pub fn new(model: &Model) -> Self {
        let n = model.architectures.len() * model.classes.len();
        let pairs = architecture_pairs(model.architectures.len()).count();
        Accumulator {
            classes: vec![ClassAcc::default(); n],
            archs: vec![ArchAcc::default(); model.architectures.len()],
            causes: vec![Share::default(); n * model.components.len()],
            birnbaum: vec![Moments::default(); n * model.components.len()],
            unavailability_diff: vec![Moments::default(); pairs * model.classes.len()],
            cost_diff: vec![Moments::default(); pairs],
            costs: CostAcc::new(model),
            current_unavailability: vec![0.0; n],
            current_cost: vec![0.0; model.architectures.len()],
            components: model.components.len(),
            replications: 0,
            events: 0,
        }
    }

    /// Replications added.
    pub fn replications(&self) -> u64 {
        self.replications
    }

    /// Events simulated over all replications.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Counts one replication (call once per replication, after [`Accumulator::add`] for every
    /// world) and records the differences between architectures it showed.
    pub fn count_replication(&mut self) {
        self.replications += 1;
        self.costs.count_replication();
        let narch = self.archs.len();
        if narch < 2 {
            return;
        }
        let ncls = self.classes.len() / narch;
        for (k, (a, b)) in architecture_pairs(narch).enumerate() {
            self.cost_diff[k].add(self.current_cost[a] - self.current_cost[b]);
            for c in 0..ncls {
                let d = self.current_unavailability[a * ncls + c] - self.current_unavailability[b * ncls + c];
                self.unavailability_diff[c * self.cost_diff.len() + k].add(d);
            }
        }
    }

    /// Adds one replication's outcome for architectures `archs` (one world of the model).
    pub fn add(&mut self, model: &Model, acc: &Accounts, archs: &[usize], events: u64) {
        self.events += events;
        let h = model.horizon;
        let ncls = model.classes.len();
        let per_year = YEAR / h;
        let mut class_costs = vec![0.0; self.classes.len()];
        // Each class's downtime cost and failed-request cost per year, for the cost parts.
        let mut parts = vec![(0.0, 0.0); self.classes.len()];
        for i in archs.iter().flat_map(|&a| a * ncls..(a + 1) * ncls) {
            let (c, a) = (&mut self.classes[i], &acc.list[i]);
            let class = i % ncls;
            let cls = &model.classes[class];
            let u = a.downtime / h;
            c.unavailability.add(u);
            self.current_unavailability[i] = u;
            if a.downtime > 0.0 {
                c.downtime_per_year.add(a.downtime * per_year);
            } else {
                c.no_downtime += 1;
            }
            let failed_requests = if acc.tallied[i] {
                let t = &acc.tallies[i];
                c.right.add(t.outcomes[Outcome::Right as usize], t.requests);
                c.wrong.add(t.outcomes[Outcome::Wrong as usize], t.requests);
                c.overloaded.add(t.outcomes[Outcome::Overload as usize], t.requests);
                c.extra.add(t.extra_attempts, t.requests);
                c.latency.add(t.latency_sum, t.requests);
                for &(l, w) in &t.latency {
                    c.latency_mass.entry(l.to_bits()).or_default().add(w);
                }
                c.breaker_opens.add(acc.breaker_opens[i] as f64);
                t.failed()
            } else {
                let fail = a.weighted_down / acc.total_weight(class);
                c.request_failure.add(fail);
                fail * cls.rate * acc.total_weight(class)
            };
            let cost = (a.downtime / HOUR * cls.cost_per_hour_down + failed_requests * cls.cost_per_failed_request) * per_year;
            c.cost.add(cost);
            class_costs[i] = cost;
            parts[i] = (a.downtime / HOUR * cls.cost_per_hour_down * per_year, failed_requests * cls.cost_per_failed_request * per_year);
            c.outages.add(a.outages as f64);
            c.blips.add(a.blips as f64);
            c.longest.add(a.longest);
            c.unfinished += a.unfinished as u64;
            c.cut += a.cut as u64;
            c.duration_per_outage.add(a.duration_sum, a.outages as f64);
            c.down_per_outage.add(u, a.outages as f64);
            for &d in &a.durations {
                c.durations.add(d);
            }
            let row = &acc.cause_down[i * self.components..(i + 1) * self.components];
            for (k, &down) in row.iter().enumerate() {
                if down > 0.0 {
                    self.causes[i * self.components + k].add(down / h, u);
                }
            }
        }
        for &ai in archs {
            let arch = &mut self.archs[ai];
            let downtime_cost: f64 = class_costs[ai * ncls..(ai + 1) * ncls].iter().sum();
            let mut credits_per_year = 0.0;
            if let (Some(sla), true) = (&model.sla, acc.periods > 0) {
                let p = acc.periods;
                let total_rate = model.total_rate();
                let (mut breaches, mut credits) = (0u32, 0.0);
                for k in 0..p {
                    let down_fraction = match sla.basis {
                        SlaBasis::Class(c) => acc.period_down[(ai * ncls + c) * p + k] / sla.period,
                        SlaBasis::AllByRate => {
                            model.classes.iter().enumerate().map(|(c, cls)| cls.rate / total_rate * acc.period_down[(ai * ncls + c) * p + k]).sum::<f64>()
                                / sla.period
                        }
                    };
                    let availability = 1.0 - down_fraction;
                    if availability < sla.target {
                        breaches += 1;
                    }
                    credits += sla.fee * sla.credit_fraction(availability);
                }
                credits_per_year = credits * YEAR / (p as f64 * sla.period);
                arch.breach.add(breaches as f64 / p as f64);
                arch.credits.add(credits_per_year);
            }
            arch.cost.add(downtime_cost + credits_per_year);
            self.current_cost[ai] = downtime_cost + credits_per_year;
            self.costs.add(model, acc, ai, &parts[ai * ncls..(ai + 1) * ncls], credits_per_year, downtime_cost + credits_per_year);
        }
    }

    /// Adds one first-outage replication for architectures `archs` (see `sim::Mode`).
    pub fn add_first_outage(&mut self, model: &Model, acc: &Accounts, archs: &[usize]) {
        let ncls = model.classes.len();
        for i in archs.iter().flat_map(|&a| a * ncls..(a + 1) * ncls) {
            let c = &mut self.classes[i];
            match acc.list[i].first_outage {
                Some(t) => c.first_outage.add(t),
                None => {
                    c.first_outage.add(FIRST_OUTAGE_LIMIT);
                    c.first_outage_censored += 1;
                }
            }
        }
    }

    /// The unavailability of every account of architectures `archs` in the last run, for
    /// [`Accumulator::add_birnbaum`].
    pub fn unavailabilities(&self, model: &Model, acc: &Accounts, archs: &[usize]) -> Vec<(usize, f64)> {
        let ncls = model.classes.len();
        archs.iter().flat_map(|&a| a * ncls..(a + 1) * ncls).map(|i| (i, acc.list[i].downtime / model.horizon)).collect()
    }

    /// Adds one replication's Birnbaum difference for component `c`: `held_up` are the
    /// unavailabilities with `c` held up, `acc` the accounts of the run with `c` held down.
    pub fn add_birnbaum(&mut self, model: &Model, acc: &Accounts, archs: &[usize], c: usize, held_up: &[(usize, f64)]) {
        let down = self.unavailabilities(model, acc, archs);
        for (&(i, u_up), &(_, u_down)) in held_up.iter().zip(&down) {
            self.birnbaum[i * self.components + c].add(u_down - u_up);
        }
    }

    /// Merges another accumulator (of the same model).
    pub fn merge(&mut self, o: &Accumulator) {
        for (a, b) in self.classes.iter_mut().zip(&o.classes) {
            a.unavailability.merge(&b.unavailability);
            a.request_failure.merge(&b.request_failure);
            a.outages.merge(&b.outages);
            a.blips.merge(&b.blips);
            a.longest.merge(&b.longest);
            a.duration_per_outage.merge(&b.duration_per_outage);
            a.down_per_outage.merge(&b.down_per_outage);
            a.durations.merge(&b.durations);
            a.downtime_per_year.merge(&b.downtime_per_year);
            a.no_downtime += b.no_downtime;
            a.right.merge(&b.right);
            a.wrong.merge(&b.wrong);
            a.overloaded.merge(&b.overloaded);
            a.extra.merge(&b.extra);
            a.latency.merge(&b.latency);
            for (k, v) in &b.latency_mass {
                a.latency_mass.entry(*k).or_default().merge(v);
            }
            a.breaker_opens.merge(&b.breaker_opens);
            a.cost.merge(&b.cost);
            a.first_outage.merge(&b.first_outage);
            a.first_outage_censored += b.first_outage_censored;
            a.unfinished += b.unfinished;
            a.cut += b.cut;
        }
        for (a, b) in self.causes.iter_mut().zip(&o.causes) {
            a.merge(b);
        }
        for (a, b) in self.birnbaum.iter_mut().zip(&o.birnbaum) {
            a.merge(b);
        }
        for (a, b) in self.unavailability_diff.iter_mut().zip(&o.unavailability_diff) {
            a.merge(b);
        }
        for (a, b) in self.cost_diff.iter_mut().zip(&o.cost_diff) {
            a.merge(b);
        }
        self.costs.merge(&o.costs);
        for (a, b) in self.archs.iter_mut().zip(&o.archs) {
            a.cost.merge(&b.cost);
            a.breach.merge(&b.breach);
            a.credits.merge(&b.credits);
        }
        self.replications += o.replications;
        self.events += o.events;
    }

    /// Checks that an accumulator read from a file fits `model` and could have come from a run:
    /// every table has the model's shape, no count exceeds the replications, histograms hold
    /// whole counts and every sum is plausible, so merging and summarising it cannot panic.
    /// The error says what is wrong.
    pub fn check(&self, model: &Model) -> Result<(), String> {
        let (narch, ncls, ncomp) = (model.architectures.len(), model.classes.len(), model.components.len());
        let pairs = architecture_pairs(narch).count();
        let shapes = [
            ("architecture × class sums", self.classes.len(), narch * ncls),
            ("architecture sums", self.archs.len(), narch),
            ("downtime causes", self.causes.len(), narch * ncls * ncomp),
            ("Birnbaum sums", self.birnbaum.len(), narch * ncls * ncomp),
            ("unavailability differences", self.unavailability_diff.len(), pairs * ncls),
            ("cost differences", self.cost_diff.len(), pairs),
            ("components", self.components, ncomp),
        ];
        for (what, found, expected) in shapes {
            if found != expected {
                return Err(format!("it has {found} {what} where the scenario needs {expected}"));
            }
        }
        let r = self.replications;
        let implausible = |what: &str| Err(format!("its {what} cannot come from {r} replications"));
        for (i, c) in self.classes.iter().enumerate() {
            let moments = [&c.unavailability, &c.request_failure, &c.breaker_opens, &c.cost, &c.outages, &c.blips, &c.longest, &c.first_outage];
            let pairs = [&c.right, &c.wrong, &c.overloaded, &c.extra, &c.latency, &c.duration_per_outage, &c.down_per_outage];
            let latency_ok = c.latency_mass.iter().all(|(bits, w)| f64::from_bits(*bits).is_finite() && w.is_plausible());
            if !moments.iter().all(|m| m.plausible(r))
                || !pairs.iter().all(|p| p.plausible(r))
                || !latency_ok
                || c.no_downtime > r
                || c.first_outage_censored > r
                || c.unfinished > r.saturating_mul(u32::MAX as u64)
                || c.cut > r.saturating_mul(u32::MAX as u64)
            {
                let (a, k) = (i / ncls, i % ncls);
                return implausible(&format!("sums for architecture {} class {}", model.architectures[a].name, model.classes[k].name));
            }
        }
        for (a, arch) in self.archs.iter().enumerate() {
            if ![&arch.cost, &arch.breach, &arch.credits].iter().all(|m| m.plausible(r)) {
                return implausible(&format!("sums for architecture {}", model.architectures[a].name));
            }
        }
        if !self.causes.iter().all(Share::plausible) {
            return implausible("downtime causes");
        }
        if !self.birnbaum.iter().chain(&self.unavailability_diff).chain(&self.cost_diff).all(|m| m.plausible(r)) {
            return implausible("Birnbaum sums or differences");
        }
        self.costs.check(model, r)
    }

    /// The largest count held (events, or values in one histogram): merging accumulators
    /// cannot overflow a count if the sum of theirs fits a `u64`.
    pub fn largest_count(&self) -> u64 {
        self.classes.iter().flat_map(|c| [c.durations.total(), c.downtime_per_year.total()]).fold(self.events, u64::max)
    }

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
    /// The metric named `name` (a name of `model::CLASS_METRICS`), quantiles as estimates
    /// without `exact`; `None` for an unknown name.
    pub fn metric(&self, name: &str) -> Option<Estimate> {
        let q = |q: &QuantileEstimate| Estimate { mean: q.value, ci_low: q.ci_low, ci_high: q.ci_high, exact: None };
        Some(match name {
            "availability" => self.availability,
            "request_success" => self.request_success,
            "downtime_hours_per_year" => self.downtime_hours_per_year,
            "outages_per_year" => self.outages_per_year,
            "blips_per_year" => self.blips_per_year,
            "mttr_hours" => self.mttr_hours.mean,
            "mttr_hours.median" => q(&self.mttr_hours.median),
            "mttr_hours.p90" => q(&self.mttr_hours.p90),
            "mtbf_hours" => self.mtbf_hours,
            "longest_outage_hours" => self.longest_outage_hours,
            "cost_per_year" => self.cost_per_year,
            "silent_errors" => self.silent_errors,
            "overloaded_requests" => self.overloaded_requests,
            "retries_per_request" => self.retries_per_request,
            "added_latency_seconds" => self.added_latency_seconds.mean,
            "added_latency_seconds.p50" => q(&self.added_latency_seconds.p50),
            "added_latency_seconds.p99" => q(&self.added_latency_seconds.p99),
            "breaker_opens_per_year" => self.breaker_opens_per_year,
            "time_to_first_outage_hours" => self.time_to_first_outage_hours,
            _ => return None,
        })
    }
}

impl ArchitectureSummary {
    /// The architecture-level metric named `name` (a name of `model::ARCHITECTURE_METRICS`);
    /// `None` for an unknown name, or an SLA metric without an SLA.
    pub fn metric(&self, name: &str) -> Option<Estimate> {
        match name {
            "cost_per_year" => Some(self.cost_per_year),
            "sla_breach_probability" => self.sla_breach_probability,
            "sla_credits_per_year" => self.sla_credits_per_year,
            _ => self.costs.metric(name),
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
    pub precision: Option<crate::precision::Outcome>,    /// What was replayed (`relsim replay`): the window, the traced components and their
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
    use crate::model::CLASS_METRICS;

    #[test]
    fn every_class_metric_name_has_a_value() {
        let model = crate::load_str("[components.a]\nfailure = \"30d\"\nrepair = \"1h\"\n[traffic.api]\nrate = \"1/s\"\n[architectures.one]\napi = [\"a\"]\n[simulation]\nhorizon = \"1y\"\nreplications = 4\n", &[]).unwrap();
        let s = crate::simulate(&model, Some(1)).unwrap();
        for name in CLASS_METRICS {
            assert!(s.architectures[0].classes[0].metric(name).is_some(), "{name}");
        }
        assert!(s.architectures[0].classes[0].metric("nonsense").is_none());
    }
}
