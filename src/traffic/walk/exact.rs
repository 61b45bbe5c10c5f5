//! The exact walk: the distribution of a request's outcome and latency through each kind of
//! route node, as a list of atoms (outcome, latency, probability), with the load each component
//! receives and the calls each breaker sees.

use crate::model::TrafficClass;
use crate::plan::{PlanNode, NODE_BIT, NONE};

use super::{Atom, Outcome, View, Walker};

/// A failover attempt still going: (elapsed, attempts made, offset of the next member to
/// try, probability).
#[derive(Clone, Copy, Debug)]
pub(super) struct Attempt {
    pub(super) elapsed: f64,
    pub(super) made: u32,
    pub(super) offset: usize,
    pub(super) p: f64,
}

const EPS: f64 = 1e-12;

pub(super) fn atom_order(a: &Atom, b: &Atom) -> std::cmp::Ordering {
    a.outcome.cmp(&b.outcome).then(a.latency.total_cmp(&b.latency))
}

/// Sorts atoms and adds up those with the same outcome and latency, dropping empty ones.
pub(super) fn merge(atoms: &mut Vec<Atom>) {
    atoms.sort_by(atom_order);
    let mut kept = 0;
    for i in 0..atoms.len() {
        let a = atoms[i];
        if a.p <= 0.0 {
            continue;
        }
        if kept > 0 {
            let l = &mut atoms[kept - 1];
            if l.outcome == a.outcome && (l.latency - a.latency).abs() <= 1e-9 * a.latency.abs().max(1.0) {
                l.p += a.p;
                continue;
            }
        }
        atoms[kept] = a;
        kept += 1;
    }
    atoms.truncate(kept);
}

impl Walker<'_> {
    pub(super) fn walk_class(&mut self, view: &View<'_>, cls: &TrafficClass, ci: usize, root: u32) -> Vec<Atom> {
        self.class = ci;
        self.deadline = cls.timeout.unwrap_or(f64::INFINITY);
        self.extra = 0.0;
        let mut atoms = self.node(view, NODE_BIT | root, 0.0, self.deadline, 1.0);
        merge(&mut atoms);
        atoms
    }

    /// The outcomes of sending the request to `member` (encoded) at time `elapsed`, with
    /// `mass` its probability (for loads), an attempt deadline `until`.
    pub(super) fn node(&mut self, view: &View<'_>, member: u32, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
        if member & NODE_BIT == 0 {
            return self.component(view, member as usize, elapsed, until, mass);
        }
        let n = (member & !NODE_BIT) as usize;
        match self.plan.nodes[n] {
            PlanNode::Gate { need } => {
                let m = self.plan.node_members.row(n).len();
                if need as usize == m {
                    self.series(view, n, elapsed, until, mass)
                } else if need == 1 {
                    self.any(view, n, elapsed, until, mass)
                } else {
                    self.quorum(view, n, need as usize, elapsed, until, mass)
                }
            }
            PlanNode::Failover(f) => self.failover(view, f as usize, elapsed, until, mass),
            PlanNode::Balance(b) => self.balance(view, b as usize, elapsed, until, mass),
        }
    }

    pub(super) fn component(&mut self, view: &View<'_>, c: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
        if view.blocked[c] > 0 {
            return if self.hang[c] { self.single(Outcome::Timeout, until.min(self.deadline)) } else { self.single(Outcome::Fast, elapsed) };
        }
        let st = &mut self.state[self.arch];
        st.unit_load[self.class * self.ncomp + c] += mass;
        let over = st.overload[c];
        let silent = view.silent[c];
        let mut out = self.buffer();
        if over > 0.0 {
            out.push(Atom { outcome: Outcome::Overload, latency: elapsed, p: over });
        }
        out.push(Atom { outcome: Outcome::Right, latency: elapsed, p: (1.0 - over) * (1.0 - silent) });
        if silent > 0.0 {
            out.push(Atom { outcome: Outcome::Wrong, latency: elapsed, p: (1.0 - over) * silent });
        }
        out
    }

    /// Every member in order; the first failure ends the request, a wrong answer stays wrong.
    pub(super) fn series(&mut self, view: &View<'_>, n: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
        let plan = self.plan;
        // Requests still going, as atoms: Right, or Wrong if an answer was wrong so far.
        let mut going = self.buffer();
        going.push(Atom { outcome: Outcome::Right, latency: elapsed, p: 1.0 });
        let mut next = self.buffer();
        let mut out = self.buffer();
        for &m in plan.node_members.row(n) {
            for &g in &going {
                let sub = self.node(view, m, g.latency, until, mass * g.p);
                for &a in &sub {
                    match a.outcome {
                        Outcome::Right => next.push(Atom { outcome: g.outcome, latency: a.latency, p: g.p * a.p }),
                        Outcome::Wrong => next.push(Atom { outcome: Outcome::Wrong, latency: a.latency, p: g.p * a.p }),
                        _ => out.push(Atom { p: g.p * a.p, ..a }),
                    }
                }
                self.recycle(sub);
            }
            merge(&mut next);
            std::mem::swap(&mut going, &mut next);
            next.clear();
        }
        out.extend_from_slice(&going);
        self.recycle(going);
        self.recycle(next);
        merge(&mut out);
        out
    }

    /// Ideal parallel: one healthy member, chosen evenly, serves the request.
    pub(super) fn any(&mut self, view: &View<'_>, n: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
        let members = self.plan.node_members.row(n);
        let up = members.iter().filter(|&&m| self.member_up(view, m)).count();
        if up == 0 {
            return self.single(Outcome::Fast, elapsed);
        }
        let share = 1.0 / up as f64;
        let mut out = self.buffer();
        for &m in members {
            if !self.member_up(view, m) {
                continue;
            }
            let sub = self.node(view, m, elapsed, until, mass * share);
            out.extend(sub.iter().map(|a| Atom { p: a.p * share, ..*a }));
            self.recycle(sub);
        }
        merge(&mut out);
        out
    }

    /// A quorum: every member gets the request; it is served if at least `need` answer, and
    /// wrong if any answer is wrong.
    pub(super) fn quorum(&mut self, view: &View<'_>, n: usize, need: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
        let members = self.plan.node_members.row(n);
        // tallies[base + k][w]: probability that k members answered, w = whether any answer
        // was wrong (nested quorums stack their tallies above this one's).
        let base = self.tallies.len();
        self.tallies.resize(base + members.len() + 1, [0.0; 2]);
        self.tallies[base][0] = 1.0;
        for (i, &m) in members.iter().enumerate() {
            let (mut right, mut wrong) = (0.0, 0.0);
            let sub = self.node(view, m, elapsed, until, mass);
            for a in &sub {
                match a.outcome {
                    Outcome::Right => right += a.p,
                    Outcome::Wrong => wrong += a.p,
                    _ => {}
                }
            }
            self.recycle(sub);
            let fail = (1.0 - right - wrong).max(0.0);
            let dp = &mut self.tallies[base..];
            for k in (0..=i).rev() {
                for w in 0..2 {
                    let p = dp[k][w];
                    if p == 0.0 {
                        continue;
                    }
                    dp[k][w] = p * fail;
                    dp[k + 1][w] += p * right;
                    dp[k + 1][1] += p * wrong;
                }
            }
        }
        let (mut right, mut wrong) = (0.0, 0.0);
        for row in self.tallies[base..].iter().skip(need) {
            right += row[0];
            wrong += row[1];
        }
        self.tallies.truncate(base);
        let mut out = self.buffer();
        out.extend([
            Atom { outcome: Outcome::Right, latency: elapsed, p: right },
            Atom { outcome: Outcome::Wrong, latency: elapsed, p: wrong },
            Atom { outcome: Outcome::Fast, latency: elapsed, p: (1.0 - right - wrong).max(0.0) },
        ]);
        merge(&mut out);
        out
    }

    pub(super) fn balance(&mut self, view: &View<'_>, b: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
        let plan = self.plan;
        let bp = &plan.balances[b];
        let members = plan.node_members.row(bp.node as usize);
        let first = bp.first_member as usize;
        let total: f64 = (0..members.len()).filter(|&k| view.rotation[first + k]).map(|k| bp.weights[k]).sum();
        if total <= 0.0 {
            return self.single(Outcome::Fast, elapsed);
        }
        let mut out = self.buffer();
        for (k, &m) in members.iter().enumerate() {
            if !view.rotation[first + k] {
                continue;
            }
            let share = bp.weights[k] / total;
            let sub = self.node(view, m, elapsed, until, mass * share);
            out.extend(sub.iter().map(|a| Atom { p: a.p * share, ..*a }));
            self.recycle(sub);
        }
        merge(&mut out);
        out
    }

    pub(super) fn failover(&mut self, view: &View<'_>, f: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
        let plan = self.plan;
        let fo = plan.failovers[f];
        let members = plan.node_members.row(fo.node as usize);
        let m = members.len();
        let start = if fo.per_request || view.serving[f] == NONE { 0 } else { view.serving[f] as usize };
        let permitted = |k: usize| fo.first_breaker == NONE || view.permitted[fo.first_breaker as usize + k];
        // This failover's attempts live above `base` on the shared stack; nested failovers
        // push and pop above them and are done before `node` returns.
        let base = self.attempts.len();
        self.attempts.push(Attempt { elapsed, made: 0, offset: 0, p: 1.0 });
        let mut out = self.buffer();
        while self.attempts.len() > base {
            let Some(Attempt { elapsed: t, made, offset, p }) = self.attempts.pop() else { break };
            if p <= EPS * EPS {
                continue;
            }
            if t >= self.deadline {
                out.push(Atom { outcome: Outcome::Timeout, latency: self.deadline, p });
                continue;
            }
            let Some(step) = (0..m).find(|&k| permitted((start + offset + k) % m)) else {
                out.push(Atom { outcome: Outcome::Open, latency: t, p });
                continue;
            };
            let idx = (start + offset + step) % m;
            let attempt_until = (t + fo.attempt_timeout).min(until);
            let sub = self.node(view, members[idx], t, attempt_until, mass * p);
            if self.tracking && fo.first_breaker != NONE {
                let k = fo.first_breaker as usize + idx;
                let slot = self.class * self.arch_breakers[self.arch].len() + self.breaker_slot[k];
                let calls = &mut self.state[self.arch].unit_calls[slot];
                let share = mass * p;
                calls.0 += share;
                for a in &sub {
                    if !a.outcome.served() {
                        calls.1 += share * a.p;
                        calls.2 += share * a.p * (a.latency - t);
                    }
                }
            }
            for &a in &sub {
                if a.outcome.served() {
                    out.push(Atom { p: p * a.p, ..a });
                } else if a.latency >= self.deadline {
                    // No time left for another attempt: the request ends at the deadline.
                    out.push(Atom { outcome: Outcome::Timeout, latency: self.deadline, p: p * a.p });
                } else if made < fo.retries {
                    if self.tracking {
                        self.extra += mass * p * a.p;
                    }
                    self.attempts.push(Attempt { elapsed: a.latency, made: made + 1, offset: offset + step + 1, p: p * a.p });
                } else {
                    out.push(Atom { p: p * a.p, ..a });
                }
            }
            self.recycle(sub);
        }
        merge(&mut out);
        out
    }
}
