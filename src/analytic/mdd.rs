//! Multi-valued decision diagrams: Boolean functions of independent multi-valued variables,
//! reduced and shared, so that repeated variables (a region under many components, a component
//! in several routes) are handled exactly. Variables are tested in index order.
//!
//! A diagram can grow exponentially with the model (and quadratically for a large `k_of_n`),
//! so a store has a budget of nodes ([`Mdd::with_budget`]): once an operation would exceed it,
//! the store is marked [`Mdd::exceeded`] and every further operation returns at once, so the
//! caller can give up in about the time the budget took to fill rather than run out of memory.

use rustc_hash::FxHashMap as HashMap;

/// A node id. `FALSE` and `TRUE` are the terminals.
pub type Id = u32;
/// The constant false.
pub const FALSE: Id = 0;
/// The constant true.
pub const TRUE: Id = 1;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    And,
    Or,
}

/// A store of decision-diagram nodes over variables with `states[v]` values each.
pub struct Mdd {
    states: Vec<usize>,
    /// Variable of each node (`u32::MAX` for terminals).
    var: Vec<u32>,
    /// Children of each node, `states[var]` of them, starting at `first[node]` in `children`.
    first: Vec<u32>,
    children: Vec<Id>,
    unique: HashMap<(u32, Vec<Id>), Id>,
    memo: HashMap<(Op, Id, Id), Id>,
    not_memo: HashMap<Id, Id>,
    /// Most nodes the store may hold; the operation memos may hold [`MEMO_PER_NODE`] times that.
    max_nodes: usize,
    /// Whether an operation hit the budget (its result, and all later ones, are meaningless).
    exceeded: bool,
}

/// Memo entries allowed per node of the budget: the memos, not the nodes, are most of the
/// memory of a large diagram.
const MEMO_PER_NODE: usize = 4;

impl Mdd {
    /// A store for variables with `states[v]` states each, without a budget.
    pub fn new(states: Vec<usize>) -> Self {
        Self::with_budget(states, usize::MAX)
    }

    /// A store for variables with `states[v]` states each, holding at most `max_nodes` nodes.
    pub fn with_budget(states: Vec<usize>, max_nodes: usize) -> Self {
        Mdd {
            max_nodes,
            exceeded: false,
            states,
            var: vec![u32::MAX, u32::MAX],
            first: vec![0, 0],
            children: Vec::new(),
            unique: HashMap::default(),
            memo: HashMap::default(),
            not_memo: HashMap::default(),
        }
    }

    /// Number of nodes (terminals included).
    pub fn len(&self) -> usize {
        self.var.len()
    }

    /// Whether an operation needed more nodes than the budget allows; every result since is
    /// meaningless.
    pub fn exceeded(&self) -> bool {
        self.exceeded
    }

    /// The budget of nodes.
    pub fn max_nodes(&self) -> usize {
        self.max_nodes
    }

    /// Marks the budget as exceeded when the store or its memos are full.
    fn full(&mut self) -> bool {
        if !self.exceeded && (self.var.len() >= self.max_nodes || self.memo.len() + self.not_memo.len() >= self.max_nodes.saturating_mul(MEMO_PER_NODE)) {
            self.exceeded = true;
        }
        self.exceeded
    }

    /// Whether only the terminals exist.
    pub fn is_empty(&self) -> bool {
        self.var.len() == 2
    }

    fn top(&self, f: Id) -> u32 {
        self.var[f as usize]
    }

    fn child(&self, f: Id, s: usize) -> Id {
        self.children[self.first[f as usize] as usize + s]
    }

    /// The cofactor of `f` for variable `v` in state `s` (f itself if it does not test `v` at top).
    fn cofactor(&self, f: Id, v: u32, s: usize) -> Id {
        if self.top(f) == v { self.child(f, s) } else { f }
    }

    /// The node testing `v` with these children (reduced: equal children collapse).
    pub fn node(&mut self, v: u32, kids: Vec<Id>) -> Id {
        debug_assert_eq!(kids.len(), self.states[v as usize]);
        if kids.iter().all(|&k| k == kids[0]) {
            return kids[0];
        }
        if let Some(&id) = self.unique.get(&(v, kids.clone())) {
            return id;
        }
        if self.full() {
            return FALSE;
        }
        let id = self.var.len() as Id;
        self.var.push(v);
        self.first.push(self.children.len() as u32);
        self.children.extend_from_slice(&kids);
        self.unique.insert((v, kids), id);
        id
    }

    /// True when variable `v` is in one of the states where `set[s]` is true.
    pub fn literal(&mut self, v: u32, set: &[bool]) -> Id {
        let kids = set.iter().map(|&b| if b { TRUE } else { FALSE }).collect();
        self.node(v, kids)
    }

    fn apply(&mut self, op: Op, a: Id, b: Id) -> Id {
        match (op, a, b) {
            (Op::And, FALSE, _) | (Op::And, _, FALSE) => return FALSE,
            (Op::And, TRUE, x) | (Op::And, x, TRUE) => return x,
            (Op::Or, TRUE, _) | (Op::Or, _, TRUE) => return TRUE,
            (Op::Or, FALSE, x) | (Op::Or, x, FALSE) => return x,
            _ => {}
        }
        if a == b {
            return a;
        }
        if self.full() {
            return FALSE;
        }
        let key = if a < b { (op, a, b) } else { (op, b, a) };
        if let Some(&r) = self.memo.get(&key) {
            return r;
        }
        let v = self.top(a).min(self.top(b));
        let n = self.states[v as usize];
        let mut kids = Vec::with_capacity(n);
        for s in 0..n {
            let (x, y) = (self.cofactor(a, v, s), self.cofactor(b, v, s));
            kids.push(self.apply(op, x, y));
        }
        let r = self.node(v, kids);
        self.memo.insert(key, r);
        r
    }

    /// `a ∧ b`.
    pub fn and(&mut self, a: Id, b: Id) -> Id {
        self.apply(Op::And, a, b)
    }

    /// `a ∨ b`.
    pub fn or(&mut self, a: Id, b: Id) -> Id {
        self.apply(Op::Or, a, b)
    }

    /// `¬a`.
    pub fn not(&mut self, a: Id) -> Id {
        match a {
            FALSE => return TRUE,
            TRUE => return FALSE,
            _ => {}
        }
        if let Some(&r) = self.not_memo.get(&a) {
            return r;
        }
        if self.full() {
            return FALSE;
        }
        let v = self.top(a);
        let kids: Vec<Id> = (0..self.states[v as usize]).map(|s| self.child(a, s)).collect();
        let kids = kids.into_iter().map(|k| self.not(k)).collect();
        let r = self.node(v, kids);
        self.not_memo.insert(a, r);
        r
    }

    /// True when at least `k` of `fs` are true.
    pub fn at_least(&mut self, k: usize, fs: &[Id]) -> Id {
        // Threshold by dynamic programming over (members seen, still needed).
        let mut memo: HashMap<(usize, usize), Id> = HashMap::default();
        fn go(m: &mut Mdd, memo: &mut HashMap<(usize, usize), Id>, fs: &[Id], i: usize, k: usize) -> Id {
            if k == 0 {
                return TRUE;
            }
            if fs.len() - i < k || m.exceeded {
                return FALSE;
            }
            if let Some(&r) = memo.get(&(i, k)) {
                return r;
            }
            let with = go(m, memo, fs, i + 1, k - 1);
            let without = go(m, memo, fs, i + 1, k);
            let yes = m.and(fs[i], with);
            let not_f = m.not(fs[i]);
            let no = m.and(not_f, without);
            let r = m.or(yes, no);
            memo.insert((i, k), r);
            r
        }
        go(self, &mut memo, fs, 0, k)
    }

    /// `f` with variable `v` fixed to state `s`.
    pub fn restrict(&mut self, f: Id, v: u32, s: usize) -> Id {
        let mut memo = HashMap::default();
        self.restrict_memo(f, v, s, &mut memo)
    }

    fn restrict_memo(&mut self, f: Id, v: u32, s: usize, memo: &mut HashMap<Id, Id>) -> Id {
        if f <= TRUE || self.top(f) > v || self.exceeded {
            return f;
        }
        if self.top(f) == v {
            return self.child(f, s);
        }
        if let Some(&r) = memo.get(&f) {
            return r;
        }
        let top = self.top(f);
        let kids: Vec<Id> = (0..self.states[top as usize]).map(|t| self.child(f, t)).collect();
        let kids = kids.into_iter().map(|k| self.restrict_memo(k, v, s, memo)).collect();
        let r = self.node(top, kids);
        memo.insert(f, r);
        r
    }

    /// The probability that `f` is true when variable `v` is in state `s` with probability
    /// `p[v][s]`, independently.
    pub fn probability(&self, f: Id, p: &[Vec<f64>]) -> f64 {
        // Only the nodes under `f`: `f` may be a small diagram among many larger ones.
        let mut memo: HashMap<Id, f64> = HashMap::default();
        self.prob_memo(f, p, &mut memo)
    }

    fn prob_memo(&self, f: Id, p: &[Vec<f64>], memo: &mut HashMap<Id, f64>) -> f64 {
        match f {
            FALSE => return 0.0,
            TRUE => return 1.0,
            _ => {}
        }
        if let Some(&r) = memo.get(&f) {
            return r;
        }
        let v = self.top(f) as usize;
        let r = (0..self.states[v]).map(|s| p[v][s] * self.prob_memo(self.child(f, s), p, memo)).sum();
        memo.insert(f, r);
        r
    }

    /// The probability of every node up to `f` (by id) being true, as [`Mdd::probability`]
    /// says. A node's children are made before it, so one pass in id order suffices; worth it
    /// when most of those nodes are under `f`.
    pub fn probabilities(&self, f: Id, p: &[Vec<f64>]) -> Vec<f64> {
        let mut prob = vec![0.0; f as usize + 1];
        prob[TRUE as usize] = 1.0;
        for n in 2..=f as usize {
            let v = self.var[n] as usize;
            prob[n] = (0..self.states[v]).map(|s| p[v][s] * prob[self.child(n as Id, s) as usize]).sum();
        }
        prob
    }

    /// For every variable `v`: `P(f | v in state 0) − P(f | v in its last state)`, the other
    /// variables independent with probabilities `p`.
    ///
    /// One pass down and one up instead of two restrictions per variable: every path from the
    /// root meets `v` at most once, and the paths that skip `v` contribute the same to both
    /// terms, so the difference is the sum over the nodes that test `v` of the probability of
    /// reaching the node times the difference of its first and last children's probabilities.
    pub fn birnbaum_all(&self, f: Id, p: &[Vec<f64>]) -> Vec<f64> {
        let mut out = vec![0.0; self.states.len()];
        if f <= TRUE {
            return out;
        }
        let prob = self.probabilities(f, p);
        let mut reach = vec![0.0; f as usize + 1];
        reach[f as usize] = 1.0;
        for n in (2..=f as usize).rev() {
            let r = reach[n];
            if r == 0.0 {
                continue;
            }
            let v = self.var[n] as usize;
            let last = self.states[v] - 1;
            for (s, &ps) in p[v].iter().enumerate() {
                let k = self.child(n as Id, s) as usize;
                if k > TRUE as usize {
                    reach[k] += r * ps;
                }
            }
            out[v] += r * (prob[self.child(n as Id, 0) as usize] - prob[self.child(n as Id, last) as usize]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_variables_are_exact() {
        // (a ∧ b) ∨ (a ∧ c) with a shared: P = pa·(1 − (1−pb)(1−pc)).
        let mut m = Mdd::new(vec![2, 2, 2]);
        let (a, b, c) = (m.literal(0, &[true, false]), m.literal(1, &[true, false]), m.literal(2, &[true, false]));
        let ab = m.and(a, b);
        let ac = m.and(a, c);
        let f = m.or(ab, ac);
        let p = vec![vec![0.9, 0.1], vec![0.8, 0.2], vec![0.7, 0.3]];
        assert!((m.probability(f, &p) - 0.9 * (1.0 - 0.2 * 0.3)).abs() < 1e-15);
        let g = m.restrict(f, 0, 1);
        assert_eq!(g, FALSE);
    }

    #[test]
    fn birnbaum_in_one_pass_matches_two_restrictions_per_variable() {
        // (a ∧ b) ∨ (a ∧ c) ∨ (d with three states, up only in state 0).
        let mut m = Mdd::new(vec![2, 2, 2, 3]);
        let (a, b, c) = (m.literal(0, &[true, false]), m.literal(1, &[true, false]), m.literal(2, &[true, false]));
        let d = m.literal(3, &[true, false, false]);
        let ab = m.and(a, b);
        let ac = m.and(a, c);
        let abc = m.or(ab, ac);
        let f = m.or(abc, d);
        let p = vec![vec![0.9, 0.1], vec![0.8, 0.2], vec![0.7, 0.3], vec![0.6, 0.3, 0.1]];
        let all = m.birnbaum_all(f, &p);
        for (v, &states) in [2usize, 2, 2, 3].iter().enumerate() {
            let up = m.restrict(f, v as u32, 0);
            let down = m.restrict(f, v as u32, states - 1);
            let expect = m.probability(up, &p) - m.probability(down, &p);
            assert!((all[v] - expect).abs() < 1e-15, "variable {v}: {} vs {expect}", all[v]);
        }
        // By hand for a: P(b ∨ c) · P(¬d) = (1 − 0.2 · 0.3) · 0.4.
        assert!((all[0] - 0.94 * 0.4).abs() < 1e-15);
    }

    #[test]
    fn a_budget_stops_a_diagram_that_grows_too_large() {
        // At least 50 of 100 independent members: the threshold function needs about
        // 50 × 51 nodes, far above a budget of 500.
        let mut m = Mdd::with_budget(vec![2; 100], 500);
        let xs: Vec<Id> = (0..100).map(|v| m.literal(v, &[true, false])).collect();
        assert!(!m.exceeded());
        let _ = m.at_least(50, &xs);
        assert!(m.exceeded());
        assert!(m.len() <= 500);
        // With room enough it is built, and exact: P(at least 2 of 3) for p = 0.9.
        let mut m = Mdd::with_budget(vec![2; 3], 100);
        let xs: Vec<Id> = (0..3).map(|v| m.literal(v, &[true, false])).collect();
        let two = m.at_least(2, &xs);
        assert!(!m.exceeded());
        let p = vec![vec![0.9, 0.1]; 3];
        assert!((m.probability(two, &p) - (0.729 + 3.0 * 0.81 * 0.1)).abs() < 1e-15);
    }

    #[test]
    fn thresholds_and_negation() {
        let mut m = Mdd::new(vec![2, 2, 2]);
        let xs: Vec<Id> = (0..3).map(|v| m.literal(v, &[true, false])).collect();
        let two = m.at_least(2, &xs);
        let a = 0.99;
        let p = vec![vec![a, 1.0 - a]; 3];
        let exact = a * a * a + 3.0 * a * a * (1.0 - a);
        assert!((m.probability(two, &p) - exact).abs() < 1e-15);
        let not_two = m.not(two);
        assert!((m.probability(not_two, &p) - (1.0 - exact)).abs() < 1e-15);
        assert_eq!(m.at_least(0, &xs), TRUE);
        assert_eq!(m.at_least(4, &xs), FALSE);
    }
}
