//! The architecture's Markov chain as importance sampling walks it: one transition at a time,
//! from the rules of [`crate::analytic::chain::Chain`] (the exact engine's, which are the
//! simulator's).
//!
//! Cycles keep coming back to the same few states near all up, so a [`Walker`] remembers what
//! it worked out about each state it met (its moves and their rates, which classes are up,
//! where each move leads, each class's biasing weights), under a small integer id. What it
//! remembers is a pure function of the state, so it changes the speed only, never a result.
//! When it holds [`STATES`] states, or [`MOVES`] moves over all of them, it forgets them all
//! and starts again, so memory stays bounded (some 50 MB) however large the chain.

use rustc_hash::FxHashMap;

use crate::analytic::chain::{Chain, State, Step};
use crate::rare::weights::Weights;

/// A state's id in a [`Walker`].
pub type Id = u32;

/// The id of the all-up state (the regeneration state): always the first one remembered.
pub const START: Id = 0;

/// States a walker remembers before it forgets them all.
pub const STATES: usize = 1 << 16;
/// Moves (over all states remembered) a walker holds before it forgets them all.
pub const MOVES: usize = 1 << 20;

/// Where a move leads: each outcome's probability and state.
type Outcomes = Box<[(f64, Id)]>;

/// What a walker knows about one state.
struct Entry {
    /// The moves out of it with their rates per hour.
    steps: Vec<(f64, Step)>,
    /// Their total rate.
    total: f64,
    /// Whether each class is up.
    up: Vec<bool>,
    /// Per move, the states it leads to once routes settle, with their probabilities.
    next: Vec<Option<Outcomes>>,
    /// Per class, each move's weight in balanced failure biasing.
    weights: Vec<Option<Box<[f64]>>>,
}

/// A walker over one chain.
pub struct Walker<'a> {
    chain: &'a Chain,
    index: FxHashMap<State, Id>,
    states: Vec<State>,
    entries: Vec<Entry>,
    branches: Vec<(f64, State)>,
    weights: Weights,
    can_fail: Vec<bool>,
    /// Moves held, over all states remembered.
    moves: usize,
}

impl<'a> Walker<'a> {
    /// A walker over `chain`.
    pub fn new(chain: &'a Chain) -> Walker<'a> {
        let mut w = Walker { chain, index: FxHashMap::default(), states: Vec::new(), entries: Vec::new(), branches: Vec::new(), weights: Weights::default(), can_fail: Vec::new(), moves: 0 };
        w.intern(chain.start().clone());
        w
    }

    fn intern(&mut self, s: State) -> Id {
        if let Some(&id) = self.index.get(&s) {
            return id;
        }
        let mut steps = Vec::new();
        self.chain.steps(&s, &mut steps);
        let total = steps.iter().map(|m| m.0).sum();
        let up = self.chain.classes_up(&s);
        let classes = up.len();
        self.moves += steps.len();
        let id = self.states.len() as Id;
        self.entries.push(Entry { next: vec![None; steps.len()], weights: vec![None; classes], steps, total, up });
        self.index.insert(s.clone(), id);
        self.states.push(s);
        id
    }

    /// The total rate out of state `id` (per hour): the expected time spent in it is its
    /// inverse.
    pub fn total(&self, id: Id) -> f64 {
        self.entries[id as usize].total
    }

    /// The moves out of state `id`, with their rates.
    pub fn steps(&self, id: Id) -> &[(f64, Step)] {
        &self.entries[id as usize].steps
    }

    /// Whether class `class` is up in state `id`.
    pub fn up(&self, id: Id, class: usize) -> bool {
        self.entries[id as usize].up[class]
    }

    /// Whether every class is up in state `id`, one by one.
    pub fn classes_up(&self, id: Id) -> &[bool] {
        &self.entries[id as usize].up
    }

    /// The moves out of state `id`, and each one's weight in class `class`'s balanced failure
    /// biasing (see [`crate::rare::weights`]): its failing component's weight, 0 for repairs.
    pub fn weighted_steps(&mut self, id: Id, class: usize) -> (&[(f64, Step)], &[f64]) {
        let e = id as usize;
        if self.entries[e].weights[class].is_none() {
            let structure = self.chain.structure();
            self.can_fail.clear();
            self.can_fail.resize(self.chain.components().len(), false);
            for &(rate, step) in &self.entries[e].steps {
                if let (Step::Fail(i), true) = (step, rate > 0.0) {
                    self.can_fail[i as usize] = true;
                }
            }
            let own = self.weights.compute(&structure, structure.roots()[class], &self.can_fail);
            let per_step: Box<[f64]> = self.entries[e].steps.iter().map(|&(_, s)| if let Step::Fail(i) = s { own[i as usize] } else { 0.0 }).collect();
            self.entries[e].weights[class] = Some(per_step);
        }
        let entry = &self.entries[e];
        (&entry.steps, entry.weights[class].as_deref().unwrap_or(&[]))
    }

    /// Where move `k` out of state `id` leads once routes settle: each outcome with its
    /// probability (several only when a switch-over may fail). The ids it returns are valid
    /// until the next call; `id` itself may not be (the walker may have forgotten everything
    /// to make room, keeping only all up, `id`'s state and these outcomes).
    pub fn next(&mut self, id: Id, k: usize) -> &[(f64, Id)] {
        let mut e = id as usize;
        if self.entries[e].next[k].is_none() {
            if self.states.len() >= STATES || self.moves >= MOVES {
                let keep = self.states[e].clone();
                self.forget();
                e = self.intern(keep) as usize;
            }
            let step = self.entries[e].steps[k].1;
            let mut branches = std::mem::take(&mut self.branches);
            self.chain.take(&self.states[e], step, &mut branches);
            let outcomes: Outcomes = branches.drain(..).map(|(p, s)| (p, self.intern(s))).collect();
            self.branches = branches;
            self.entries[e].next[k] = Some(outcomes);
        }
        self.entries[e].next[k].as_deref().unwrap_or(&[])
    }

    /// Forgets every state but all up.
    fn forget(&mut self) {
        self.index.clear();
        self.entries.clear();
        self.moves = 0;
        let start = self.chain.start().clone();
        self.states.clear();
        self.intern(start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walker_remembers_states_and_forgets_them_without_changing_anything() {
        let text = "[simulation]\nhorizon = \"1y\"\n[components.a]\nfailure = \"30d\"\nrepair = \"1h\"\ncount = 3\nneed = 1\n[traffic.api]\nrate = \"1/s\"\n[architectures.one]\napi = [\"a\"]\n";
        let model = crate::load_str(text, &[]).unwrap();
        let chain = Chain::new(&model, 0);
        let mut w = Walker::new(&chain);
        assert_eq!((w.steps(START).len(), w.up(START, 0)), (1, true));
        let one = w.next(START, 0)[0].1;
        assert_eq!(w.next(START, 0), &[(1.0, one)]);
        assert_eq!(w.states.len(), 2);
        // One unit down: a failure (rate 2/720) and a repair (rate 1).
        assert!((w.total(one) - (2.0 / 720.0 + 1.0)).abs() < 1e-12);
        let weights = w.weighted_steps(one, 0).1.to_vec();
        assert_eq!(weights.iter().filter(|&&x| x == 1.0).count(), 1);
        w.forget();
        assert_eq!(w.states.len(), 1);
        let again = w.next(START, 0)[0].1;
        assert!((w.total(again) - (2.0 / 720.0 + 1.0)).abs() < 1e-12);
    }
}
