//! The Markov method: a continuous-time Markov chain of one architecture, for what breaks
//! independence (shared crews, failovers whose switch can fail, cold standby), solved for its
//! steady state and for the mean time to first outage.
//!
//! A state holds, for each component, how many units are in detection and in repair; for each
//! crew that can be busy, the failed units in order of failure with their phase (detecting,
//! waiting, repairing); and each failover's mode (serving member i, stuck on member i after a
//! failed switch, or none up). The transitions follow the simulator's rules exactly, including
//! the order in which an instant settles (components first, then routes in index order); a
//! switch-over that may fail is a branch with probabilities `switch_success` and its complement.
//! The state and the rules are `super::layout`'s; the solvers are `super::solve`'s. The same
//! rules, one transition at a time, are `super::chain::Chain`.

use rustc_hash::FxHashMap as HashMap;

use crate::analytic::layout::{Layout, State};
use crate::analytic::solve::{mean_time_to_down, steady_state};
use crate::model::Model;

pub use crate::analytic::layout::Forced;

/// Exact results for one class.
#[derive(Clone, Debug)]
pub struct ClassResult {
    /// Steady-state availability.
    pub availability: f64,
    /// Outages per hour in the steady state.
    pub frequency: f64,
    /// Mean time to the first outage from the all-up state (hours), if asked for.
    pub mttff_hours: Option<f64>,
}

/// Exact results for one architecture.
#[derive(Clone, Debug)]
pub struct Result {
    /// States of the chain.
    pub states: usize,
    /// Per class (model order).
    pub classes: Vec<ClassResult>,
}

/// Most component states (states × components) an explored chain may hold: about a gigabyte
/// with the index, whatever `--max-states` says.
const MAX_STATE_CELLS: usize = 50_000_000;

/// Builds and solves the chain of architecture `arch`. Fails with a reason when the chain has
/// more than `max_states` states or cannot be solved.
pub fn analyze(model: &Model, arch: usize, forced: Option<Forced>, max_states: usize, want_mttff: bool) -> std::result::Result<Result, String> {
    let lay = Layout::new(model, arch, forced);
    let nc = lay.comps.len();
    let start = lay.start();
    let mut index: HashMap<State, u32> = HashMap::default();
    let mut states = vec![start.clone()];
    index.insert(start, 0);
    let mut triplets: Vec<(usize, usize, f64)> = Vec::new();
    let mut out_rate: Vec<f64> = Vec::new();
    let mut i = 0;
    while i < states.len() {
        let s = states[i].clone();
        let eff = lay.effective(&s);
        let mut total = 0.0;
        for (rate, moved) in lay.moves(&s) {
            let eff2 = lay.effective(&moved);
            for (p, modes) in lay.settle(&s.modes, &eff, &eff2) {
                let mut t = moved.clone();
                t.modes = modes;
                let j = match index.get(&t) {
                    Some(&j) => j as usize,
                    None => {
                        if states.len() >= max_states {
                            return Err(format!("its Markov chain has more than {max_states} states (raise --max-states to try a larger one)"));
                        }
                        if states.len() * nc > MAX_STATE_CELLS {
                            return Err(format!(
                                "its Markov chain has more than {} states of {nc} components each, too many to hold (at most {MAX_STATE_CELLS:.0e} component states in all)",
                                states.len()
                            ));
                        }
                        states.push(t.clone());
                        index.insert(t, (states.len() - 1) as u32);
                        states.len() - 1
                    }
                };
                if j != i {
                    triplets.push((i, j, rate * p));
                    total += rate * p;
                }
            }
        }
        out_rate.push(total);
        i += 1;
    }
    let n = states.len();
    let class_up: Vec<Vec<bool>> = {
        let up: Vec<Vec<bool>> = states.iter().map(|s| lay.classes_up(s)).collect();
        (0..lay.roots.len()).map(|c| up.iter().map(|u| u[c]).collect()).collect()
    };
    let pi = steady_state(n, &triplets, &out_rate)?;
    let mut classes = Vec::with_capacity(class_up.len());
    for up in &class_up {
        let availability: f64 = (0..n).filter(|&s| up[s]).map(|s| pi[s]).sum();
        let frequency: f64 = triplets.iter().filter(|&&(a, b, _)| up[a] && !up[b]).map(|&(a, _, r)| pi[a] * r).sum();
        let mttff_hours = if want_mttff { Some(mean_time_to_down(n, &triplets, &out_rate, up)?) } else { None };
        classes.push(ClassResult { availability, frequency, mttff_hours });
    }
    Ok(Result { states: n, classes })
}
