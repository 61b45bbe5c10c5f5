//! The structure method: for independent components, the availability of a class is the
//! probability of a Boolean function of the components' states, and its outage frequency is the
//! frequency of the component transitions that flip that function (the frequency-duration
//! method). Shared components (a region under many services, a service in several routes) are
//! handled exactly by a decision diagram.
//!
//! Each component is one independent variable. A single unit that other components require
//! with a grace period gets extra states for how long it has been down (below the first grace,
//! between graces, past the last), whose probabilities follow from its down-time distribution;
//! this makes grace periods exact here. A pool is one up/down variable with binomial
//! probabilities.

use std::collections::HashMap;

use crate::analytic::mdd::{Id, Mdd, FALSE};
use crate::model::{Member, Model, NodeKind};
use crate::scenario::units::HOUR;

/// Largest variables × diagram nodes for which [`Structure::frequency`] runs (about a second).
const FREQUENCY_BUDGET: f64 = 5e7;

/// One independent variable: its states' probabilities and the frequencies (per hour) of its
/// transitions between states.
struct Var {
    probs: Vec<f64>,
    transitions: Vec<(usize, usize, f64)>,
    /// Grace thresholds (hours) bounding its down states, ascending.
    thresholds: Vec<f64>,
}

/// The structure model of one architecture.
pub struct Structure {
    mdd: Mdd,
    vars: Vec<Var>,
    /// Variable of each component (model index), if the architecture uses it.
    var_of: Vec<Option<u32>>,
    roots: Vec<Id>,
}

/// Survival `P(D > x)` and `∫_a^b P(D > x) dx` of a down time D = detection + repair (hours).
struct DownTime {
    delta: Option<f64>,
    mu: f64,
}

impl DownTime {
    fn survival(&self, x: f64) -> f64 {
        if x.is_infinite() {
            return 0.0;
        }
        let mu = self.mu;
        match self.delta {
            None => (-mu * x).exp(),
            Some(d) if (d - mu).abs() < 1e-12 * mu => (1.0 + mu * x) * (-mu * x).exp(),
            Some(d) => (mu * (-d * x).exp() - d * (-mu * x).exp()) / (mu - d),
        }
    }

    /// ∫ from `a` to `b` of the survival function.
    fn integral(&self, a: f64, b: f64) -> f64 {
        let mu = self.mu;
        let e = |r: f64, x: f64| if x.is_infinite() { 0.0 } else { (-r * x).exp() };
        match self.delta {
            None => (e(mu, a) - e(mu, b)) / mu,
            Some(d) if (d - mu).abs() < 1e-12 * mu => {
                let g = |x: f64| if x.is_infinite() { 0.0 } else { (2.0 + mu * x) * (-mu * x).exp() / mu };
                g(a) - g(b)
            }
            Some(d) => (mu * (e(d, a) - e(d, b)) / d - d * (e(mu, a) - e(mu, b)) / mu) / (mu - d),
        }
    }

    fn mean(&self) -> f64 {
        1.0 / self.mu + self.delta.map_or(0.0, |d| 1.0 / d)
    }
}

fn ln_choose(n: u32, k: u32) -> f64 {
    use statrs::function::gamma::ln_gamma;
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

impl Structure {
    /// Builds the structure model of architecture `arch` with a decision diagram of at most
    /// `max_nodes` nodes, or says that it would need more. The caller has checked that the
    /// method applies (exponential distributions, no crew contention, failovers equivalent to
    /// `any`, grace only on single units without dependencies).
    pub fn new(model: &Model, arch: usize, max_nodes: usize) -> Result<Structure, String> {
        let a = &model.architectures[arch];
        let used = model.components_of(arch);
        let comps = &model.components;
        // Grace thresholds each component is required with, among the used components.
        let mut thresholds: Vec<Vec<f64>> = vec![Vec::new(); comps.len()];
        for (c, comp) in comps.iter().enumerate() {
            if used[c] && comp.grace > 0.0 {
                for &r in &comp.requires {
                    thresholds[r].push(comp.grace / HOUR);
                }
            }
        }
        let mut var_of = vec![None; comps.len()];
        let mut vars = Vec::new();
        for (c, comp) in comps.iter().enumerate() {
            if !used[c] {
                continue;
            }
            let p = &comp.processes[0];
            let lambda = HOUR / p.failure.mean();
            let down = DownTime { delta: p.detect.as_ref().map(|d| HOUR / d.mean()), mu: HOUR / p.repair.mean() };
            let nu = 1.0 / (1.0 / lambda + down.mean());
            let unit_a = nu / lambda;
            let var = if comp.count > 1 {
                let (n, k) = (comp.count, comp.need);
                let pmf = |j: u32| (ln_choose(n, j) + j as f64 * unit_a.ln() + (n - j) as f64 * (1.0 - unit_a).ln()).exp();
                let p_up: f64 = (k..=n).map(pmf).sum();
                let p_down: f64 = (0..k).map(pmf).sum();
                let f = pmf(k) * k as f64 * lambda;
                Var { probs: vec![p_up, p_down], transitions: vec![(0, 1, f), (1, 0, f)], thresholds: Vec::new() }
            } else {
                let mut t = std::mem::take(&mut thresholds[c]);
                t.sort_by(f64::total_cmp);
                t.dedup();
                let mut bounds = vec![0.0];
                bounds.extend(&t);
                bounds.push(f64::INFINITY);
                let mut probs = vec![unit_a];
                let mut transitions = vec![(0, 1, nu)];
                for i in 0..bounds.len() - 1 {
                    let state = i + 1;
                    probs.push(nu * down.integral(bounds[i], bounds[i + 1]));
                    let onward = nu * down.survival(bounds[i + 1]);
                    transitions.push((state, 0, nu * down.survival(bounds[i]) - onward));
                    if i + 2 < bounds.len() {
                        transitions.push((state, state + 1, onward));
                    }
                }
                Var { probs, transitions, thresholds: t }
            };
            var_of[c] = Some(vars.len() as u32);
            vars.push(var);
        }
        let mut mdd = Mdd::with_budget(vars.iter().map(|v| v.probs.len()).collect(), max_nodes);
        let mut eff: HashMap<usize, Id> = HashMap::new();
        let mut node_f: Vec<Id> = Vec::with_capacity(a.nodes.len());
        for node in &a.nodes {
            let fs: Vec<Id> = node
                .members
                .iter()
                .map(|m| match *m {
                    Member::Component(c) => effective(&mut mdd, model, &vars, &var_of, &mut eff, c),
                    Member::Node(k) => node_f[k],
                })
                .collect();
            let need = match &node.kind {
                NodeKind::Gate { need } => *need as usize,
                // Checked by the caller: a perfect, instant, hot failover is `any`; balancing
                // is refused before we get here.
                NodeKind::Failover(_) | NodeKind::Balance(_) => 1,
            };
            let f = mdd.at_least(need, &fs);
            if mdd.exceeded() {
                return Err(over_budget(max_nodes));
            }
            node_f.push(f);
        }
        let roots = a.class_roots.iter().map(|&r| node_f[r]).collect();
        Ok(Structure { mdd, vars, var_of, roots })
    }

    fn probs(&self) -> Vec<Vec<f64>> {
        self.vars.iter().map(|v| v.probs.clone()).collect()
    }

    /// Availability of class `class`.
    pub fn availability(&self, class: usize) -> f64 {
        // A class's root is built last, over nearly every node: one pass in id order.
        let root = self.roots[class];
        self.mdd.probabilities(root, &self.probs())[root as usize]
    }

    /// Outages per hour of class `class`: Σ over variable transitions s → s' of their frequency
    /// times the probability that the rest makes the class up in s and down in s'. `Err` with
    /// the reason when that would take too long: the work grows with the number of variables
    /// times the size of the decision diagram.
    pub fn frequency(&mut self, class: usize) -> Result<f64, String> {
        let work = self.vars.len() as f64 * self.mdd.len() as f64;
        if work > FREQUENCY_BUDGET {
            return Err(format!(
                "no exact outage frequency (so no exact MTTR or MTBF): {} components × {} decision-diagram nodes exceed the budget of {:.0e}",
                self.vars.len(),
                self.mdd.len(),
                FREQUENCY_BUDGET
            ));
        }
        let root = self.roots[class];
        let probs = self.probs();
        let mut total = 0.0;
        for v in 0..self.vars.len() {
            for k in 0..self.vars[v].transitions.len() {
                let (s, s2, f) = self.vars[v].transitions[k];
                let up = self.mdd.restrict(root, v as u32, s);
                let down = self.mdd.restrict(root, v as u32, s2);
                let not_down = self.mdd.not(down);
                let flip = self.mdd.and(up, not_down);
                if flip != FALSE {
                    total += f * self.mdd.probability(flip, &probs);
                }
                if self.mdd.exceeded() {
                    return Err(format!("no exact outage frequency (so no exact MTTR or MTBF): {}", over_budget(self.mdd.max_nodes())));
                }
            }
        }
        Ok(total)
    }

    /// Birnbaum importance of each component (model index) for class `class`: availability
    /// with it always up minus availability with it always down (past every grace period).
    /// 0 for components the architecture does not use.
    pub fn birnbaum(&self, class: usize) -> Vec<f64> {
        let by_var = self.mdd.birnbaum_all(self.roots[class], &self.probs());
        self.var_of.iter().map(|v| v.map_or(0.0, |v| by_var[v as usize])).collect()
    }
}

/// Why there is no exact value when the diagram outgrows its budget.
pub fn over_budget(max_nodes: usize) -> String {
    format!(
        "the decision diagram would exceed {} nodes (the analytic engine's budget, {NODES_PER_STATE} nodes per --max-states); raise --max-states for exact values",
        grouped(max_nodes)
    )
}

/// `2000000` as `2,000,000`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Decision-diagram nodes allowed per Markov chain state of `--max-states`: one budget bounds
/// both methods (a node costs about as much memory as a state and its transitions).
pub const NODES_PER_STATE: usize = 5;

/// The effective state of component `c`: its own state, and its container and requirements
/// effectively up (a requirement with a grace period only blocks once it has been down longer).
fn effective(mdd: &mut Mdd, model: &Model, vars: &[Var], var_of: &[Option<u32>], memo: &mut HashMap<usize, Id>, c: usize) -> Id {
    if let Some(&f) = memo.get(&c) {
        return f;
    }
    let comp = &model.components[c];
    let Some(v) = var_of[c] else { return FALSE };
    let mut own = vec![false; vars[v as usize].probs.len()];
    own[0] = true;
    let mut f = mdd.literal(v, &own);
    if let Some(w) = comp.within {
        let g = effective(mdd, model, vars, var_of, memo, w);
        f = mdd.and(f, g);
    }
    for &r in &comp.requires {
        let g = if comp.grace > 0.0 {
            let Some(rv) = var_of[r] else { return FALSE };
            let var = &vars[rv as usize];
            // Down states: 1 = below the first threshold, 1 + i = past threshold i.
            let blocked_from = 1 + var.thresholds.iter().position(|&t| t >= comp.grace / HOUR - 1e-12).map_or(var.thresholds.len(), |i| i + 1);
            let ok: Vec<bool> = (0..var.probs.len()).map(|s| s < blocked_from).collect();
            mdd.literal(rv, &ok)
        } else {
            effective(mdd, model, vars, var_of, memo, r)
        };
        f = mdd.and(f, g);
    }
    memo.insert(c, f);
    f
}
