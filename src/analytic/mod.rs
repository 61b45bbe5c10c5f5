//! Exact answers for the exponential subset of the scenario format, so the simulator can be
//! checked against mathematics wherever mathematics reaches.
//!
//! For each architecture, one of two methods is chosen automatically:
//! - [`structure`]: independent components (series, `any`, `k_of_n`, `within`, `requires`,
//!   pools, grace periods on single units, failovers that are instant and perfect) — the
//!   availability and outage frequency of each class from a decision diagram;
//! - [`markov`]: what breaks independence (a crew that can be busy, a switch-over that can fail,
//!   cold standby) — a continuous-time Markov chain solved for its steady state.
//!
//! Both give availability A and outage frequency ν per class; MTTR = (1 − A)/ν and MTBF (up time
//! per outage) = A/ν follow. The mean time to first outage from the all-up state comes from the
//! Markov chain (built for that purpose when the structure method was used and the chain is
//! small enough). When an architecture is out of reach the reason names the key responsible.

pub mod chain;
mod layout;
pub mod markov;
pub mod mdd;
mod solve;
pub mod sparse;
pub mod structure;

use crate::model::{Model, NodeKind};
use crate::format::duration as format_duration;
use crate::scenario::units::{HOUR, YEAR};
use crate::stats::summary::Summary;

/// How far the analysis may go.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Largest Markov chain built; decision diagrams may have `structure::NODES_PER_STATE`
    /// times as many nodes.
    pub max_states: usize,
    /// Compute the mean time to first outage.
    pub mttff: bool,
    /// Compute Birnbaum importance.
    pub birnbaum: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { max_states: 200_000, mttff: true, birnbaum: true }
    }
}

/// Which method an architecture was solved with.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// Independent components, decision diagram.
    Structure,
    /// Markov chain with this many states.
    Markov {
        /// States of the chain.
        states: usize,
    },
}

impl Method {
    /// A short description for reports.
    pub fn describe(&self) -> String {
        match self {
            Method::Structure => "structure algebra (independent components)".to_string(),
            Method::Markov { states } => format!("Markov chain ({states} states)"),
        }
    }
}

/// Exact results for one class.
#[derive(Clone, Debug)]
pub struct ClassExact {
    /// Steady-state availability.
    pub availability: f64,
    /// Outages per hour (`None` when `min_outage` > 0: blips are not separated exactly).
    pub frequency: Option<f64>,
    /// Mean time to the first outage from the all-up state (hours).
    pub mttff_hours: Option<f64>,
    /// Birnbaum importance of each component the class depends on: (model index, value).
    pub birnbaum: Vec<(usize, f64)>,
}

impl ClassExact {
    /// Mean outage duration (hours).
    pub fn mttr_hours(&self) -> Option<f64> {
        self.frequency.filter(|&f| f > 0.0).map(|f| (1.0 - self.availability) / f)
    }

    /// Mean up time between outages (hours).
    pub fn mtbf_hours(&self) -> Option<f64> {
        self.frequency.filter(|&f| f > 0.0).map(|f| self.availability / f)
    }

    /// Unavailability in minutes per year.
    pub fn downtime_minutes_per_year(&self) -> f64 {
        (1.0 - self.availability) * YEAR / 60.0
    }
}

/// Exact results for one architecture.
#[derive(Clone, Debug)]
pub struct ArchExact {
    /// How they were computed.
    pub method: Method,
    /// Per class (model order).
    pub classes: Vec<ClassExact>,
    /// Why some figure is missing, if one is.
    pub notes: Vec<String>,
}

/// Exact results for every architecture, or why there are none.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Per architecture (model order): the results, or the reason they are out of reach.
    pub archs: Vec<Result<ArchExact, String>>,
}

impl Analysis {
    /// Whether every architecture has exact results.
    pub fn complete(&self) -> bool {
        self.archs.iter().all(Result::is_ok)
    }
}

enum Choice {
    Structure,
    Markov,
}

/// Which method architecture `arch` needs, or why neither applies.
fn choose(model: &Model, arch: usize) -> Result<Choice, String> {
    let used = model.components_of(arch);
    if let Some(t) = model.history.components.iter().find(|t| used[t.component]) {
        return Err(format!("components.{} follows a replayed history, which has no steady state", model.components[t.component].name));
    }
    for (_, comp) in model.components.iter().enumerate().filter(|(c, _)| used[*c]) {
        let p = comp.simple().ok_or_else(|| format!("components.{}.modes: several failure modes have no exact model", comp.name))?;
        let dists = [("failure", Some(&p.failure)), ("detect", p.detect.as_ref()), ("repair", Some(&p.repair))];
        for (key, d) in dists {
            if let Some(d) = d.filter(|d| !d.is_exponential()) {
                return Err(format!("components.{}.{key} is {}", comp.name, d.name()));
            }
        }
        if comp.deploys.is_some() {
            return Err(format!("components.{}.deploys: deploys have no exact model", comp.name));
        }
        if comp.hang {
            return Err(format!("components.{}.fails = \"hang\": timeouts are request-level behaviour, which has no exact model", comp.name));
        }
        if comp.capacity.is_some() {
            return Err(format!("components.{}.capacity: overload is request-level behaviour, which has no exact model", comp.name));
        }
    }
    for class in &model.classes {
        if class.surges.is_some() || class.timeout.is_some() || class.cost_per_failed_request > 0.0 {
            let key = if class.surges.is_some() { "surges" } else if class.timeout.is_some() { "timeout" } else { "cost_per_failed_request" };
            return Err(format!("traffic.{}.{key}: request-level behaviour has no exact model", class.name));
        }
    }
    let a = &model.architectures[arch];
    let mut markov_because = None;
    for node in &a.nodes {
        if let NodeKind::Balance(_) = &node.kind {
            return Err(format!("routes.{}: balancing is request-level behaviour, which has no exact model", node.name));
        }
        if let NodeKind::Failover(f) = &node.kind {
            let request_keys = [("breaker", f.breaker.is_some()), ("retries", f.retries > 0), ("timeout", f.timeout.is_some())];
            if let Some((key, _)) = request_keys.iter().find(|(_, on)| *on) {
                return Err(format!("routes.{}.{key}: request-level behaviour has no exact model", node.name));
            }
            if f.switchover > 0.0 {
                return Err(format!("routes.{}.switchover is a fixed delay ({}); exact answers need switchover = \"0s\"", node.name, format_duration(f.switchover)));
            }
            if f.cold {
                markov_because.get_or_insert(format!("routes.{} is a cold standby", node.name));
            } else if f.switch_success < 1.0 {
                markov_because.get_or_insert(format!("routes.{} has switch_success < 1", node.name));
            }
        }
    }
    let mut crew_units = vec![0u32; model.crews.len()];
    for (c, comp) in model.components.iter().enumerate() {
        if let (true, Some(k)) = (used[c], comp.crew) {
            crew_units[k] += comp.count;
        }
    }
    for (k, crew) in model.crews.iter().enumerate() {
        if crew_units[k] > crew.size {
            markov_because.get_or_insert(format!("crews.{} can be busy", crew.name));
        }
    }
    for (_, comp) in model.components.iter().enumerate().filter(|(c, _)| used[*c]) {
        if comp.grace <= 0.0 || comp.requires.is_empty() {
            continue;
        }
        if let Some(why) = &markov_because {
            return Err(format!(
                "components.{}.grace is a fixed delay ({}), which the Markov chain this architecture needs ({why}) cannot represent",
                comp.name,
                format_duration(comp.grace)
            ));
        }
        for &r in &comp.requires {
            let dep = &model.components[r];
            if dep.count > 1 || dep.within.is_some() || !dep.requires.is_empty() {
                return Err(format!(
                    "components.{}.grace: exact answers need `{}` to be a single unit with no `within` or `requires` of its own",
                    comp.name, dep.name
                ));
            }
        }
    }
    Ok(if markov_because.is_some() { Choice::Markov } else { Choice::Structure })
}

/// Whether the Markov chain of [`chain::Chain`] represents architecture `arch` exactly (every
/// distribution exponential, no request-level behaviour, instant switch-overs, no grace
/// periods), or why not, naming the key.
pub fn chain_supported(model: &Model, arch: usize) -> Result<(), String> {
    choose(model, arch)?;
    let used = model.components_of(arch);
    match model.components.iter().zip(&used).find(|(c, u)| **u && c.grace > 0.0 && !c.requires.is_empty()) {
        Some((c, _)) => Err(format!("components.{}.grace is a fixed delay ({}), which the Markov chain cannot represent", c.name, format_duration(c.grace))),
        None => Ok(()),
    }
}

/// Exact results for every architecture of `model`.
pub fn analyze(model: &Model, options: &Options) -> Analysis {
    Analysis { archs: (0..model.architectures.len()).map(|a| analyze_arch(model, a, options).map_err(|e| format!("not exact: {e}"))).collect() }
}

fn analyze_arch(model: &Model, arch: usize, options: &Options) -> Result<ArchExact, String> {
    let choice = choose(model, arch)?;
    let ncls = model.classes.len();
    let blips_apart = model.min_outage > 0.0;
    let mut notes = Vec::new();
    if blips_apart {
        notes.push(format!("min_outage is {}: outage counts, MTTR and MTBF exclude blips, which the exact methods do not separate", format_duration(model.min_outage)));
    }
    let has_grace = model.components_of(arch).iter().zip(&model.components).any(|(&u, c)| u && c.grace > 0.0 && !c.requires.is_empty());
    let (method, mut classes) = match choice {
        Choice::Structure => {
            let mut s = structure::Structure::new(model, arch, options.max_states.saturating_mul(structure::NODES_PER_STATE))?;
            let mut classes = Vec::with_capacity(ncls);
            for c in 0..ncls {
                let frequency = if blips_apart {
                    None
                } else {
                    match s.frequency(c) {
                        Ok(f) => Some(f),
                        Err(e) => {
                            // The reason is the same for every class: say it once.
                            if !notes.contains(&e) {
                                notes.push(e);
                            }
                            None
                        }
                    }
                };
                classes.push(ClassExact { availability: s.availability(c), frequency, mttff_hours: None, birnbaum: Vec::new() });
            }
            if options.birnbaum {
                for (c, class) in classes.iter_mut().enumerate() {
                    let b = s.birnbaum(c);
                    class.birnbaum = model.components_of_class(arch, c).into_iter().map(|k| (k, b[k])).collect();
                }
            }
            if options.mttff {
                if has_grace {
                    notes.push("the mean time to first outage is not exact with grace periods (they are fixed delays)".to_string());
                } else {
                    match markov::analyze(model, arch, None, options.max_states, true) {
                        Ok(r) => {
                            for (class, rc) in classes.iter_mut().zip(r.classes) {
                                class.mttff_hours = rc.mttff_hours;
                            }
                        }
                        Err(e) => notes.push(format!("no exact mean time to first outage: {e}")),
                    }
                }
            }
            (Method::Structure, classes)
        }
        Choice::Markov => {
            let r = markov::analyze(model, arch, None, options.max_states, options.mttff)?;
            let classes = r
                .classes
                .iter()
                .map(|c| ClassExact { availability: c.availability, frequency: (!blips_apart).then_some(c.frequency), mttff_hours: c.mttff_hours, birnbaum: Vec::new() })
                .collect();
            (Method::Markov { states: r.states }, classes)
        }
    };
    if let (Method::Markov { states }, true) = (&method, options.birnbaum) {
        let used: Vec<usize> = model.components_of(arch).iter().enumerate().filter(|(_, u)| **u).map(|(c, _)| c).collect();
        if states * used.len() * 2 > 4 * options.max_states {
            notes.push(format!("Birnbaum importance not computed exactly: it needs {} more chains of about {states} states", 2 * used.len()));
        } else {
            let forced = |k: usize, up: bool| -> Result<Vec<f64>, String> {
                let r = markov::analyze(model, arch, Some(markov::Forced { component: k, up }), options.max_states, false)?;
                Ok(r.classes.iter().map(|c| c.availability).collect())
            };
            // (component, availability per class held up, held down)
            type UpDown = Vec<(usize, Vec<f64>, Vec<f64>)>;
            let up_down: Result<UpDown, String> = used.iter().map(|&k| Ok((k, forced(k, true)?, forced(k, false)?))).collect();
            match up_down {
                Ok(up_down) => {
                    for (c, class) in classes.iter_mut().enumerate() {
                        let relevant = model.components_of_class(arch, c);
                        class.birnbaum = up_down.iter().filter(|(k, _, _)| relevant.contains(k)).map(|(k, up, down)| (*k, up[c] - down[c])).collect();
                    }
                }
                Err(e) => notes.push(format!("Birnbaum importance not computed exactly: {e}")),
            }
        }
    }
    Ok(ArchExact { method, classes, notes })
}

/// Fills the `exact` fields of a Monte Carlo summary from an analysis of the same model.
pub fn attach(summary: &mut Summary, analysis: &Analysis, model: &Model) {
    let no_credits = model.sla.as_ref().is_none_or(|s| s.fee == 0.0 || s.credits.is_empty());
    for ((arch, exact), _) in summary.architectures.iter_mut().zip(&analysis.archs).zip(&model.architectures) {
        let Ok(exact) = exact else { continue };
        let mut total_cost = 0.0;
        for ((class, e), cls) in arch.classes.iter_mut().zip(&exact.classes).zip(&model.classes) {
            let down_hours = (1.0 - e.availability) * YEAR / HOUR;
            class.availability.exact = Some(e.availability);
            class.request_success.exact = Some(e.availability);
            class.downtime_hours_per_year.exact = Some(down_hours);
            class.cost_per_year.exact = Some(down_hours * cls.cost_per_hour_down);
            total_cost += down_hours * cls.cost_per_hour_down;
            if let Some(f) = e.frequency {
                class.outages_per_year.exact = Some(f * YEAR / HOUR);
                class.blips_per_year.exact = Some(0.0);
                class.mttr_hours.mean.exact = e.mttr_hours();
                class.mtbf_hours.exact = e.mtbf_hours();
            }
            class.time_to_first_outage_hours.exact = e.mttff_hours;
            for imp in class.importance.iter_mut() {
                if let Some(&(_, b)) = e.birnbaum.iter().find(|(k, _)| model.components[*k].name == imp.component) {
                    imp.birnbaum.exact = Some(b);
                }
            }
        }
        if no_credits {
            arch.cost_per_year.exact = Some(total_cost);
        }
    }
    // An exact value that is not finite (a degenerate model) is dropped like any other.
    crate::stats::guards::drop_non_finite(summary);
}
