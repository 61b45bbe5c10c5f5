//! A recorded history that some components follow instead of being sampled (`relsim replay`).
//!
//! A [`History`] holds, for each *traced* component, its down intervals in seconds from the
//! start of the replication (the start of the observation window). The engine
//! (`sim::replay`) takes such a component down at each recorded start and brings it back at
//! each recorded end, in every replication, and samples nothing of its own: its failure
//! processes (every mode), its deploys and hence its crew's work for it are replaced by the
//! record. What it depends on (`within`, `requires`) still applies, since those are
//! components of the scenario, sampled or traced themselves.
//!
//! A traced pool (`count > 1`) is down as a whole during a recorded interval: a status page
//! says whether a service is down, not how many of its machines are.
//!
//! A normal run has an empty history, and then nothing here touches the engine.

use crate::model::Model;

/// One component's recorded down intervals.
#[derive(Clone, Debug, PartialEq)]
pub struct TracedComponent {
    /// The component (index into `Model::components`).
    pub component: usize,
    /// Down intervals `[start, end)` in seconds from the start, sorted, each non-empty, neither
    /// overlapping nor touching, inside `[0, horizon]`.
    pub down: Vec<(f64, f64)>,
}

/// The components that follow a recorded history, in component order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Traced components, sorted by component index, each once.
    pub components: Vec<TracedComponent>,
}

impl History {
    /// A history from raw intervals per component, over a horizon of `horizon` seconds:
    /// intervals are clipped to `[0, horizon]`, empty ones dropped, overlapping or touching
    /// ones merged, and several entries for one component combined.
    pub fn new(horizon: f64, traced: Vec<(usize, Vec<(f64, f64)>)>) -> History {
        let mut components: Vec<TracedComponent> = Vec::new();
        for (component, down) in traced {
            match components.iter_mut().find(|t| t.component == component) {
                Some(t) => t.down.extend(down),
                None => components.push(TracedComponent { component, down }),
            }
        }
        for t in &mut components {
            t.down = normalize(&t.down, horizon);
        }
        components.sort_by_key(|t| t.component);
        History { components }
    }

    /// Whether no component is traced (a normal run).
    pub fn is_empty(&self) -> bool {
        self.components.is_empty()
    }

    /// Component `c`'s record, if it is traced.
    pub fn get(&self, c: usize) -> Option<&TracedComponent> {
        self.components.iter().find(|t| t.component == c)
    }

    /// Whether component `c` follows the history.
    pub fn follows(&self, c: usize) -> bool {
        self.get(c).is_some()
    }
}

impl TracedComponent {
    /// Total recorded down time (seconds).
    pub fn down_time(&self) -> f64 {
        self.down.iter().fold(0.0, |sum, (s, e)| sum + (e - s))
    }
}

impl Model {
    /// Makes the model replay a recorded history over a horizon of `horizon` seconds (the
    /// observation window): the horizon is replaced, and the components listed in `traced`
    /// follow their down intervals (cleaned up as [`History::new`] says).
    pub fn follow(&mut self, horizon: f64, traced: Vec<(usize, Vec<(f64, f64)>)>) {
        self.horizon = horizon;
        self.history = History::new(horizon, traced);
    }
}

/// Sorted, clipped, merged intervals.
fn normalize(down: &[(f64, f64)], horizon: f64) -> Vec<(f64, f64)> {
    let mut clipped: Vec<(f64, f64)> = down
        .iter()
        .map(|&(s, e)| (s.max(0.0), e.min(horizon)))
        .filter(|&(s, e)| s.is_finite() && e.is_finite() && s < e)
        .collect();
    clipped.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(clipped.len());
    for (s, e) in clipped {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_clipped_sorted_and_merged() {
        let h = History::new(100.0, vec![(2, vec![(50.0, 60.0), (-5.0, 10.0), (10.0, 20.0), (55.0, 58.0), (90.0, 120.0), (30.0, 30.0)]), (0, vec![]), (2, vec![(70.0, 71.0)])]);
        assert_eq!(h.components.len(), 2);
        assert_eq!(h.components[0], TracedComponent { component: 0, down: vec![] });
        assert_eq!(h.components[1].down, vec![(0.0, 20.0), (50.0, 60.0), (70.0, 71.0), (90.0, 100.0)]);
        assert_eq!(h.components[1].down_time(), 41.0);
        assert!(h.follows(0) && h.follows(2) && !h.follows(1));
    }
}
