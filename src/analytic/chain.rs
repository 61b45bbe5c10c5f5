//! An architecture's Markov chain walked one transition at a time, with the rules of
//! `super::layout` (the simulator's, which [`super::markov`] enumerates), for methods that walk
//! the chain instead of building it: importance sampling in `crate::rare`.

use super::layout::Layout;
pub use super::layout::{State, Step};
use crate::model::Model;

/// An architecture's Markov chain, explored on the fly: the same transition rules that
/// [`super::markov::analyze`] enumerates, for methods that walk the chain instead of building it (importance
/// sampling in `crate::rare`).
pub struct Chain {
    lay: Layout,
    start: State,
}

impl Chain {
    /// The chain of architecture `arch` of `model`. The model must be in the exponential subset
    /// (`crate::analytic::chain_supported`); other distributions are read by their mean.
    pub fn new(model: &Model, arch: usize) -> Chain {
        let lay = Layout::new(model, arch, None);
        let start = lay.start();
        Chain { lay, start }
    }

    /// The state at time 0, every unit up: the regeneration state.
    pub fn start(&self) -> &State {
        &self.start
    }

    /// The model index of each component the chain follows, by local index (the index in
    /// [`Step::Fail`]).
    pub fn components(&self) -> &[usize] {
        &self.lay.comps
    }

    /// The moves out of `s` with their rates per hour, into `out` (cleared first).
    pub fn steps(&self, s: &State, out: &mut Vec<(f64, Step)>) {
        self.lay.steps(s, out);
    }

    /// Where `step` from `s` leads once routes have settled: every outcome with its
    /// probability (more than one only when a switch-over may fail), into `out` (cleared first).
    pub fn take(&self, s: &State, step: Step, out: &mut Vec<(f64, State)>) {
        out.clear();
        let moved = self.lay.apply(s, step);
        let (eff, eff2) = (self.lay.effective(s), self.lay.effective(&moved));
        for (p, modes) in self.lay.settle(&s.modes, &eff, &eff2) {
            let mut t = moved.clone();
            t.modes = modes;
            out.push((p, t));
        }
    }

    /// Whether each class is up in `s` (model order).
    pub fn classes_up(&self, s: &State) -> Vec<bool> {
        self.lay.classes_up(s)
    }

    /// The architecture's structure as the chain sees it, by local component index.
    pub fn structure(&self) -> Structure<'_> {
        Structure { lay: &self.lay }
    }
}

/// A read-only view of an architecture's structure: route nodes (members always before the
/// nodes that use them), each component's dependencies, and each class's root.
pub struct Structure<'a> {
    lay: &'a Layout,
}

impl Structure<'_> {
    /// Members of each node: `Ok(local component)` or `Err(node)`.
    pub fn members(&self) -> &[Vec<std::result::Result<usize, usize>>] {
        &self.lay.members
    }

    /// Dependencies (`within`, `requires`) of each local component.
    pub fn dependencies(&self) -> &[Vec<usize>] {
        &self.lay.deps
    }

    /// Local components in dependency order (each after what it depends on).
    pub fn order(&self) -> &[usize] {
        &self.lay.order
    }

    /// The root node of each class (model order).
    pub fn roots(&self) -> &[usize] {
        &self.lay.roots
    }
}
