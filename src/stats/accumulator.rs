//! From replications to sums: each replication's record goes into an [`Accumulator`] (exact
//! sums, counts and histograms, so any grouping merges to the same bits); `summarize.rs` turns
//! the sums into a [`crate::stats::summary::Summary`].

use serde::{Deserialize, Serialize};

use crate::model::{Model, SlaBasis};
use crate::scenario::units::{HOUR, YEAR};
use crate::sim::accounting::Accounts;
use crate::sim::FIRST_OUTAGE_LIMIT;
use crate::stats::cost::CostAcc;
use crate::stats::estimate::{Moments, Pair, Share};
use crate::stats::exact_sum::ExactSum;
use crate::stats::histogram::LogHistogram;
use crate::traffic::walk::Outcome;

/// Sums for one architecture × class.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct ClassAcc {
    /// Fraction of the horizon down.
    pub(super) unavailability: Moments,
    /// Fraction of requests (by the daily profile) arriving while down (classes whose requests
    /// follow availability).
    pub(super) request_failure: Moments,
    /// (requests answered rightly, requests), per replication (tallied classes).
    pub(super) right: Pair,
    /// (requests answered wrongly, requests).
    pub(super) wrong: Pair,
    /// (requests shed as overloaded, requests).
    pub(super) overloaded: Pair,
    /// (extra attempts, requests).
    pub(super) extra: Pair,
    /// (latency, requests).
    pub(super) latency: Pair,
    /// Requests by latency (seconds → requests), summed exactly.
    pub(super) latency_mass: std::collections::BTreeMap<u64, ExactSum>,
    /// Breaker openings per replication.
    pub(super) breaker_opens: Moments,
    /// Cost per year (downtime and failed requests), per replication.
    pub(super) cost: Moments,
    /// Outages per replication.
    pub(super) outages: Moments,
    /// Blips per replication.
    pub(super) blips: Moments,
    /// Longest outage per replication (seconds).
    pub(super) longest: Moments,
    /// (outage time, outages): MTTR.
    pub(super) duration_per_outage: Pair,
    /// (unavailability, outages): MTBF = up time / outages.
    pub(super) down_per_outage: Pair,
    /// Outage durations (seconds).
    pub(super) durations: LogHistogram,
    /// Downtime per year (seconds) of each replication that had any.
    pub(super) downtime_per_year: LogHistogram,
    /// Replications with no downtime.
    pub(super) no_downtime: u64,
    /// Time to the first outage from the all-up start (seconds), when measured.
    pub(super) first_outage: Moments,
    /// First-outage replications cut at the limit without an outage.
    pub(super) first_outage_censored: u64,
    /// Outages still going on when relsim stopped following them (their length is unknown).
    #[serde(default)]
    pub(super) unfinished: u64,
    /// Outages cut when following them past the horizon spent its event budget (counted at
    /// their followed length, a lower bound).
    #[serde(default)]
    pub(super) cut: u64,
}

/// Sums for one architecture.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct ArchAcc {
    /// Downtime cost plus SLA credits per year.
    pub(super) cost: Moments,
    /// Fraction of SLA periods breached.
    pub(super) breach: Moments,
    /// SLA credits per year.
    pub(super) credits: Moments,
}

/// Everything the replications of a run have added, merged exactly.
///
/// It serialises (for a shard's partial result, see `crate::shard`) without its scratch space:
/// one read back is only merged into an [`Accumulator::new`] of the same model, after
/// [`Accumulator::check`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Accumulator {
    pub(super) classes: Vec<ClassAcc>,
    pub(super) archs: Vec<ArchAcc>,
    /// Per account and component: downtime started by that component's failures (fraction of
    /// the horizon), as a share of the account's downtime.
    pub(super) causes: Vec<Share>,
    /// Per account and component: availability with the component held up minus held down.
    pub(super) birnbaum: Vec<Moments>,
    /// Per class and pair of architectures `(a, b)`, `a < b`: unavailability of `a` minus `b`,
    /// replication by replication (the same random histories, so the pair's spread is small).
    pub(super) unavailability_diff: Vec<Moments>,
    /// Per pair of architectures: total cost per year of `a` minus `b`.
    pub(super) cost_diff: Vec<Moments>,
    /// Running and total costs, and the paired sums of the decision.
    pub(super) costs: CostAcc,
    /// This replication's unavailability per account and cost per architecture, filled by
    /// [`Accumulator::add`] world by world and turned into differences by
    /// [`Accumulator::count_replication`]. Scratch space, not part of the sums.
    #[serde(skip)]
    pub(super) current_unavailability: Vec<f64>,
    #[serde(skip)]
    pub(super) current_cost: Vec<f64>,
    pub(super) components: usize,
    pub(super) replications: u64,
    pub(super) events: u64,
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
}
