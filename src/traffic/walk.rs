//! The request walk: what happens to a request of each class, given the state of the system at
//! its arrival.
//!
//! A request walks its route. A component that is up answers (rightly, or wrongly for its silent
//! fraction), unless it sheds the request as overloaded; a component that is down fails at once
//! or, if it hangs, when the attempt's deadline passes. `all` calls members in order and stops at
//! the first failure; `any` sends the request to one healthy member; `k_of_n` asks every member
//! and needs k answers; `balance` sends it to a member in rotation by weight. A request-level
//! `failover` (retries, timeout, breaker) is tried in member order from the first, skipping
//! members whose breaker is open, retrying on the next member after a failure while the
//! request has attempts left and time before the class deadline; a route-level one sends the
//! request to the member its state machine serves from.
//!
//! [`Walker`] computes the exact distribution of the outcome (with its latency), the expected
//! extra attempts, the load each component receives (overload is found as a fixed point, since
//! retries after overload add load elsewhere), and the calls each breaker sees. The fast mode
//! multiplies these by the requests in an interval; the per-request mode samples them.

use rand::RngExt;

use crate::model::{Model, TrafficClass};
use crate::plan::{Plan, PlanNode, NODE_BIT, NONE};
use crate::rng::Stream;
use crate::traffic::breaker::Breaker;

/// How a request (or one attempt) ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Served, and right.
    Right = 0,
    /// Served, but wrong (a silent failure).
    Wrong = 1,
    /// Failed at once (a member down, or nothing to send it to).
    Fast = 2,
    /// Failed by a deadline (a hanging member, or the class timeout).
    Timeout = 3,
    /// Shed by a component beyond its capacity.
    Overload = 4,
    /// Refused because every breaker on its way was open.
    Open = 5,
}

impl Outcome {
    /// Every outcome, in index order.
    pub const ALL: [Outcome; 6] = [Outcome::Right, Outcome::Wrong, Outcome::Fast, Outcome::Timeout, Outcome::Overload, Outcome::Open];

    /// Whether the request was answered (rightly or not).
    pub fn served(self) -> bool {
        matches!(self, Outcome::Right | Outcome::Wrong)
    }
}

/// One possible end of a request: how, after how long, with what probability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Atom {
    /// How it ends.
    pub outcome: Outcome,
    /// Seconds spent waiting on timeouts before it ends.
    pub latency: f64,
    /// Probability.
    pub p: f64,
}

/// The distribution of a class's requests in the current state.
#[derive(Debug, Default)]
pub struct ClassWalk {
    /// Probability of each outcome (index = `Outcome as usize`).
    pub p: [f64; 6],
    /// Expected extra attempts (retries) per request.
    pub extra_attempts: f64,
    /// Latency distribution over all requests: (seconds, probability).
    pub latency: Vec<(f64, f64)>,
    /// Expected money per request: the price of every component that answers it (rightly or
    /// not), weighted by how likely it is to answer.
    pub charge: f64,
}

// By hand, so that `clone_from` reuses the latency buffer (walks are copied at every event
// that changes them).
impl Clone for ClassWalk {
    fn clone(&self) -> Self {
        ClassWalk { p: self.p, extra_attempts: self.extra_attempts, latency: self.latency.clone(), charge: self.charge }
    }

    fn clone_from(&mut self, source: &Self) {
        self.p = source.p;
        self.extra_attempts = source.extra_attempts;
        self.latency.clone_from(&source.latency);
        self.charge = source.charge;
    }
}

impl ClassWalk {
    /// Probability that a request is answered (rightly or not).
    pub fn served(&self) -> f64 {
        self.p[Outcome::Right as usize] + self.p[Outcome::Wrong as usize]
    }
}

/// The calls one breaker sees, per second, in the current state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BreakerCalls {
    /// Calls per second.
    pub rate: f64,
    /// Probability that a call fails.
    pub p_fail: f64,
    /// Mean time from a failing call to its failure being known (hanging calls).
    pub fail_delay: f64,
}

/// One sampled request (per-request mode).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sampled {
    /// How it ended.
    pub outcome: Outcome,
    /// Seconds spent waiting on timeouts.
    pub latency: f64,
    /// Extra attempts it made.
    pub extra_attempts: u32,
    /// Money it cost: the price of every component that answered it.
    pub charge: f64,
}

/// What the walk reads about the system at one instant.
pub struct View<'a> {
    /// How many reasons keep each component down (0: effectively up).
    pub blocked: &'a [u32],
    /// Requests per second each component can serve now (infinite: no limit).
    pub capacity: &'a [f64],
    /// Fraction of each component's answers that are wrong now.
    pub silent: &'a [f64],
    /// Structural state of each node (for `any` and health checks).
    pub node_up: &'a [bool],
    /// Member each failover serves from (`NONE`: none; requests then start at the first).
    pub serving: &'a [u32],
    /// Whether each breaker lets calls through.
    pub permitted: &'a [bool],
    /// Whether each balance member is in rotation.
    pub rotation: &'a [bool],
    /// Current rate of each class (requests per second).
    pub class_rate: &'a [f64],
}

/// Computes walks; keeps its buffers between calls.
///
/// A walk is computed per request: the outcome distribution, the requests each component
/// receives and the calls each breaker sees, per request of each class. Rates multiply these
/// afterwards, so when only the rates change (the hour of the day, a surge) a walk still holds
/// unless the loads cross a capacity ([`Walker::rescale`]).
pub struct Walker<'m> {
    model: &'m Model,
    plan: &'m Plan,
    hang: Vec<bool>,
    /// Per component: its price per request answered.
    price: Vec<f64>,
    /// The components with a price: the only ones a request's charge can come from.
    priced: Vec<usize>,
    /// The charge of the request being drawn (per-request mode).
    charge: f64,
    /// The components with a `capacity`: the only ones whose capacity can be finite.
    with_capacity: Vec<usize>,
    ncls: usize,
    ncomp: usize,
    /// Per component: load in the architecture being walked (requests per second).
    load: Vec<f64>,
    /// The architecture and class being walked.
    arch: usize,
    class: usize,
    /// Per architecture (model index): what its last walks found.
    state: Vec<ArchWalks>,
    tracking: bool,
    deadline: f64,
    extra: f64,
    /// Spare atom buffers: the walk recurses once per node and each level returns its atoms in
    /// a buffer, so reusing them keeps the event loop free of allocation.
    pool: Vec<Vec<Atom>>,
    /// Failover attempts still going, as one stack shared by nested failovers.
    attempts: Vec<Attempt>,
    /// Quorum tallies, as one stack shared by nested quorums.
    tallies: Vec<[f64; 2]>,
    /// Whether any component has a capacity (otherwise nothing is ever shed).
    capacitated: bool,
    /// Per architecture (model index): its breakers.
    arch_breakers: Vec<Vec<usize>>,
    /// Per breaker: its position among its architecture's breakers.
    breaker_slot: Vec<usize>,
    /// Per architecture: walks computed since the last [`Walker::forget`], by which of its
    /// breakers let calls through (the first `remembered[arch]` entries are valid). When only
    /// breakers change, as they do many times over a long outage, the walks repeat.
    memo: Vec<Vec<ArchWalks>>,
    remembered: Vec<usize>,
    /// The result of the last `evaluate`, per architecture and class (`arch × classes + class`).
    pub classes: Vec<ClassWalk>,
    /// The calls of every breaker after the last `evaluate` of each architecture.
    pub breakers: Vec<BreakerCalls>,
}

/// What the walks of one architecture found, per request of each class.
#[derive(Debug, Default)]
struct ArchWalks {
    /// Which of its breakers let calls through (bits), when remembered.
    permitted: u64,
    /// The class rates the walks were computed at.
    rates: Vec<f64>,
    /// Per class.
    classes: Vec<ClassWalk>,
    /// Per class and component: requests reaching the component per request of the class.
    unit_load: Vec<f64>,
    /// Per class and breaker of the architecture: (calls, failing calls, failing calls × the
    /// time their failure takes to be known) per request of the class.
    unit_calls: Vec<(f64, f64, f64)>,
    /// Per component: fraction of its requests shed as overloaded.
    overload: Vec<f64>,
}

impl Clone for ArchWalks {
    fn clone(&self) -> Self {
        let mut copy = ArchWalks::default();
        copy.clone_from(self);
        copy
    }

    fn clone_from(&mut self, source: &Self) {
        self.permitted = source.permitted;
        self.rates.clone_from(&source.rates);
        self.classes.clone_from(&source.classes);
        self.unit_load.clone_from(&source.unit_load);
        self.unit_calls.clone_from(&source.unit_calls);
        self.overload.clone_from(&source.overload);
    }
}

/// How many breaker combinations are remembered per architecture.
const MEMO_SLOTS: usize = 8;

/// A failover attempt still going: (elapsed, attempts made, offset of the next member to
/// try, probability).
#[derive(Clone, Copy, Debug)]
struct Attempt {
    elapsed: f64,
    made: u32,
    offset: usize,
    p: f64,
}

const EPS: f64 = 1e-12;

fn atom_order(a: &Atom, b: &Atom) -> std::cmp::Ordering {
    a.outcome.cmp(&b.outcome).then(a.latency.total_cmp(&b.latency))
}

/// Whether walks computed at `w.rates` hold at the rates of `view`: the same rates, or nothing
/// shed then and no load above a capacity now.
fn holds_at(w: &ArchWalks, view: &View<'_>, ncomp: usize, with_capacity: &[usize]) -> bool {
    if w.rates == view.class_rate {
        return true;
    }
    if w.overload.iter().any(|&o| o > 0.0) {
        return false;
    }
    // Only components with a `capacity` can ever have a finite one.
    with_capacity.iter().all(|&c| {
        let cap = view.capacity[c];
        !cap.is_finite() || view.class_rate.iter().enumerate().map(|(ci, r)| r * w.unit_load[ci * ncomp + c]).sum::<f64>() <= cap
    })
}

/// Sorts atoms and adds up those with the same outcome and latency, dropping empty ones.
fn merge(atoms: &mut Vec<Atom>) {
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

impl<'m> Walker<'m> {
    /// A walker for one world.
    pub fn new(model: &'m Model, plan: &'m Plan) -> Self {
        let (ncls, ncomp) = (model.classes.len(), model.components.len());
        let arch_breakers: Vec<Vec<usize>> = (0..model.architectures.len())
            .map(|a| (0..plan.breakers.len()).filter(|&k| plan.node_arch[plan.failovers[plan.breakers[k].failover as usize].node as usize] as usize == a).collect())
            .collect();
        let state = arch_breakers
            .iter()
            .map(|ks| ArchWalks {
                permitted: 0,
                rates: vec![0.0; ncls],
                classes: vec![ClassWalk::default(); ncls],
                unit_load: vec![0.0; ncls * ncomp],
                unit_calls: vec![(0.0, 0.0, 0.0); ncls * ks.len()],
                overload: vec![0.0; ncomp],
            })
            .collect();
        let mut breaker_slot = vec![0; plan.breakers.len()];
        for ks in &arch_breakers {
            for (j, &k) in ks.iter().enumerate() {
                breaker_slot[k] = j;
            }
        }
        Walker {
            model,
            plan,
            hang: model.components.iter().map(|c| c.hang).collect(),
            price: (0..model.components.len()).map(|c| model.costs.per_request.get(c).copied().unwrap_or(0.0)).collect(),
            priced: (0..model.components.len()).filter(|&c| model.costs.per_request.get(c).is_some_and(|&p| p > 0.0)).collect(),
            charge: 0.0,
            with_capacity: (0..model.components.len()).filter(|&c| model.components[c].capacity.is_some()).collect(),
            ncls,
            ncomp,
            load: vec![0.0; ncomp],
            arch: 0,
            class: 0,
            state,
            tracking: false,
            deadline: f64::INFINITY,
            extra: 0.0,
            pool: Vec::new(),
            attempts: Vec::new(),
            tallies: Vec::new(),
            capacitated: model.components.iter().any(|c| c.capacity.is_some()),
            arch_breakers,
            breaker_slot,
            memo: vec![Vec::new(); model.architectures.len()],
            remembered: vec![0; model.architectures.len()],
            classes: vec![ClassWalk::default(); ncls * model.architectures.len()],
            breakers: vec![BreakerCalls::default(); plan.breakers.len()],
        }
    }

    /// Forgets the walks remembered for `arch`: something other than breakers and rates changed.
    pub fn forget(&mut self, arch: usize) {
        self.remembered[arch] = 0;
    }

    /// Computes the walks of every class of architecture `arch` (a model index) in the state
    /// `view`, into `classes[arch × classes + class]` and `breakers`. Unless [`Walker::forget`]
    /// was called since, only breakers and rates may have changed from one call to the next.
    pub fn evaluate(&mut self, view: &View<'_>, arch: usize) {
        let key = self.permitted_key(view, arch);
        if let Some(key) = key {
            let found = self.memo[arch][..self.remembered[arch]].iter().position(|m| m.permitted == key && holds_at(m, view, self.ncomp, &self.with_capacity));
            if let Some(i) = found {
                let (state, memo) = (&mut self.state[arch], &self.memo[arch][i]);
                state.clone_from(memo);
                self.publish(view, arch);
                return;
            }
        }
        self.compute(view, arch);
        self.publish(view, arch);
        if let Some(key) = key {
            if self.remembered[arch] == MEMO_SLOTS {
                self.remembered[arch] = 0;
            }
            let i = self.remembered[arch];
            if self.memo[arch].len() <= i {
                self.memo[arch].push(ArchWalks::default());
            }
            self.state[arch].permitted = key;
            let (state, memo) = (&self.state[arch], &mut self.memo[arch][i]);
            memo.clone_from(state);
            self.remembered[arch] = i + 1;
        }
    }

    /// The class rates changed, nothing else: keeps the walks of `arch` if they still hold
    /// (nothing was shed before and nothing is now) and updates its breakers' calls. Returns
    /// false if the architecture must be evaluated again.
    pub fn rescale(&mut self, view: &View<'_>, arch: usize) -> bool {
        if !holds_at(&self.state[arch], view, self.ncomp, &self.with_capacity) {
            return false;
        }
        self.publish_calls(view, arch);
        true
    }

    /// Copies an architecture's walks to the outputs, with its breakers' calls.
    fn publish(&mut self, view: &View<'_>, arch: usize) {
        let ncls = self.ncls;
        for (w, saved) in self.classes[arch * ncls..(arch + 1) * ncls].iter_mut().zip(&self.state[arch].classes) {
            w.clone_from(saved);
        }
        self.publish_calls(view, arch);
    }

    /// An architecture's breakers' calls at the current rates.
    fn publish_calls(&mut self, view: &View<'_>, arch: usize) {
        let st = &self.state[arch];
        let ks = &self.arch_breakers[arch];
        for (j, &k) in ks.iter().enumerate() {
            let (mut calls, mut fails, mut delay) = (0.0, 0.0, 0.0);
            for (ci, rate) in view.class_rate.iter().enumerate() {
                let (c, f, d) = st.unit_calls[ci * ks.len() + j];
                calls += rate * c;
                fails += rate * f;
                delay += rate * d;
            }
            self.breakers[k] = BreakerCalls {
                rate: calls,
                p_fail: if calls > 0.0 { (fails / calls).clamp(0.0, 1.0) } else { 0.0 },
                fail_delay: if fails > 0.0 { delay / fails } else { 0.0 },
            };
        }
    }

    /// Which of the architecture's breakers let calls through, as bits (none if it has more
    /// than 64).
    fn permitted_key(&self, view: &View<'_>, arch: usize) -> Option<u64> {
        let ks = &self.arch_breakers[arch];
        if ks.len() > 64 {
            return None;
        }
        Some(ks.iter().enumerate().fold(0u64, |key, (bit, &k)| key | (u64::from(view.permitted[k]) << bit)))
    }

    fn compute(&mut self, view: &View<'_>, arch: usize) {
        let Some(pos) = self.plan.arch_position(arch) else { return };
        let a = &self.model.architectures[arch];
        let base = self.plan.arch_first_node[pos];
        let (ncls, ncomp) = (self.ncls, self.ncomp);
        self.arch = arch;
        self.state[arch].rates.copy_from_slice(view.class_rate);
        // Overload as a fixed point: loads from the current guess, shedding from the loads.
        self.state[arch].overload.fill(0.0);
        let rounds = if self.capacitated { 200 } else { 0 };
        for _ in 0..rounds {
            self.tracking = false;
            self.state[arch].unit_load.fill(0.0);
            for (ci, cls) in self.model.classes.iter().enumerate() {
                let atoms = self.walk_class(view, cls, ci, base + a.class_roots[ci] as u32);
                self.recycle(atoms);
            }
            let st = &mut self.state[arch];
            for c in 0..ncomp {
                self.load[c] = (0..ncls).map(|ci| view.class_rate[ci] * st.unit_load[ci * ncomp + c]).sum();
            }
            let mut change: f64 = 0.0;
            for (c, o) in st.overload.iter_mut().enumerate() {
                let cap = view.capacity[c];
                let load = self.load[c];
                let new = if cap.is_finite() && load > cap { 1.0 - cap / load } else { 0.0 };
                change = change.max((new - *o).abs());
                *o = new;
            }
            if change < 1e-12 {
                break;
            }
        }
        // The final pass, with the loads settled, records everything.
        self.tracking = true;
        self.state[arch].unit_load.fill(0.0);
        self.state[arch].unit_calls.fill((0.0, 0.0, 0.0));
        for (ci, cls) in self.model.classes.iter().enumerate() {
            let atoms = self.walk_class(view, cls, ci, base + a.class_roots[ci] as u32);
            // A component answers what reaches it while it is up, less what it sheds.
            let st = &self.state[arch];
            let charge = self.priced.iter().map(|&c| self.price[c] * st.unit_load[ci * ncomp + c] * (1.0 - st.overload[c])).sum();
            let w = &mut self.state[arch].classes[ci];
            w.p = [0.0; 6];
            w.latency.clear();
            for at in &atoms {
                w.p[at.outcome as usize] += at.p;
                w.latency.push((at.latency, at.p));
            }
            w.extra_attempts = self.extra;
            w.charge = charge;
            w.latency.sort_by(|x, y| x.0.total_cmp(&y.0));
            w.latency.dedup_by(|x, y| {
                if (x.0 - y.0).abs() <= 1e-9 * x.0.max(1.0) {
                    y.1 += x.1;
                    true
                } else {
                    false
                }
            });
            self.recycle(atoms);
        }
    }

    fn buffer(&mut self) -> Vec<Atom> {
        self.pool.pop().unwrap_or_default()
    }

    fn recycle(&mut self, mut atoms: Vec<Atom>) {
        atoms.clear();
        self.pool.push(atoms);
    }

    /// A buffer holding one atom.
    fn single(&mut self, outcome: Outcome, latency: f64) -> Vec<Atom> {
        let mut out = self.buffer();
        out.push(Atom { outcome, latency, p: 1.0 });
        out
    }

    fn walk_class(&mut self, view: &View<'_>, cls: &TrafficClass, ci: usize, root: u32) -> Vec<Atom> {
        self.class = ci;
        self.deadline = cls.timeout.unwrap_or(f64::INFINITY);
        self.extra = 0.0;
        let mut atoms = self.node(view, NODE_BIT | root, 0.0, self.deadline, 1.0);
        merge(&mut atoms);
        atoms
    }

    /// The outcomes of sending the request to `member` (encoded) at time `elapsed`, with
    /// `mass` its probability (for loads), an attempt deadline `until`.
    fn node(&mut self, view: &View<'_>, member: u32, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
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

    fn component(&mut self, view: &View<'_>, c: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
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
    fn series(&mut self, view: &View<'_>, n: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
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

    fn member_up(&self, view: &View<'_>, m: u32) -> bool {
        if m & NODE_BIT != 0 { view.node_up[(m & !NODE_BIT) as usize] } else { view.blocked[m as usize] == 0 }
    }

    /// Ideal parallel: one healthy member, chosen evenly, serves the request.
    fn any(&mut self, view: &View<'_>, n: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
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
    fn quorum(&mut self, view: &View<'_>, n: usize, need: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
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

    fn balance(&mut self, view: &View<'_>, b: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
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

    /// Draws one request of class `class` of architecture `arch` arriving at `now`, with the
    /// overload of the last `evaluate`; its calls go through and are recorded by `breakers`.
    pub fn sample(&mut self, view: &View<'_>, arch: usize, class: usize, now: f64, rng: &mut Stream, breakers: &mut [Breaker]) -> Sampled {
        let Some(pos) = self.plan.arch_position(arch) else {
            return Sampled { outcome: Outcome::Fast, latency: 0.0, extra_attempts: 0, charge: 0.0 };
        };
        let root = self.plan.arch_first_node[pos] + self.model.architectures[arch].class_roots[class] as u32;
        self.deadline = self.model.classes[class].timeout.unwrap_or(f64::INFINITY);
        self.arch = arch;
        self.charge = 0.0;
        let mut extra = 0;
        let (outcome, latency) = self.draw(view, NODE_BIT | root, 0.0, self.deadline, now, rng, breakers, &mut extra);
        Sampled { outcome, latency, extra_attempts: extra, charge: self.charge }
    }

    #[allow(clippy::too_many_arguments)]
    fn draw(&mut self, view: &View<'_>, member: u32, t: f64, until: f64, now: f64, rng: &mut Stream, breakers: &mut [Breaker], extra: &mut u32) -> (Outcome, f64) {
        if member & NODE_BIT == 0 {
            let c = member as usize;
            if view.blocked[c] > 0 {
                return if self.hang[c] { (Outcome::Timeout, until.min(self.deadline)) } else { (Outcome::Fast, t) };
            }
            let u: f64 = rng.random();
            if u < self.state[self.arch].overload[c] {
                return (Outcome::Overload, t);
            }
            // Answered, rightly or not: billed.
            self.charge += self.price[c];
            return if rng.random::<f64>() < view.silent[c] { (Outcome::Wrong, t) } else { (Outcome::Right, t) };
        }
        let n = (member & !NODE_BIT) as usize;
        let plan = self.plan;
        let members = plan.node_members.row(n);
        match plan.nodes[n] {
            PlanNode::Gate { need } if need as usize == members.len() => {
                let (mut t, mut wrong) = (t, false);
                for &m in members {
                    let (o, l) = self.draw(view, m, t, until, now, rng, breakers, extra);
                    if !o.served() {
                        return (o, l);
                    }
                    wrong |= o == Outcome::Wrong;
                    t = l;
                }
                (if wrong { Outcome::Wrong } else { Outcome::Right }, t)
            }
            PlanNode::Gate { need: 1 } => {
                let up = members.iter().filter(|&&m| self.member_up(view, m)).count();
                if up == 0 {
                    return (Outcome::Fast, t);
                }
                let k = rng.random_range(0..up);
                match members.iter().copied().filter(|&m| self.member_up(view, m)).nth(k) {
                    Some(pick) => self.draw(view, pick, t, until, now, rng, breakers, extra),
                    None => (Outcome::Fast, t),
                }
            }
            PlanNode::Gate { need } => {
                let (mut answered, mut wrong) = (0, false);
                for &m in members {
                    let (o, _) = self.draw(view, m, t, until, now, rng, breakers, extra);
                    if o.served() {
                        answered += 1;
                        wrong |= o == Outcome::Wrong;
                    }
                }
                if answered >= need as usize {
                    (if wrong { Outcome::Wrong } else { Outcome::Right }, t)
                } else {
                    (Outcome::Fast, t)
                }
            }
            PlanNode::Balance(b) => {
                let bp = &plan.balances[b as usize];
                let first = bp.first_member as usize;
                let total: f64 = (0..members.len()).filter(|&k| view.rotation[first + k]).map(|k| bp.weights[k]).sum();
                if total <= 0.0 {
                    return (Outcome::Fast, t);
                }
                let mut x = rng.random::<f64>() * total;
                let mut pick = None;
                for k in (0..members.len()).filter(|&k| view.rotation[first + k]) {
                    pick = Some(k);
                    if x < bp.weights[k] {
                        break;
                    }
                    x -= bp.weights[k];
                }
                match pick {
                    Some(k) => self.draw(view, members[k], t, until, now, rng, breakers, extra),
                    None => (Outcome::Fast, t),
                }
            }
            PlanNode::Failover(f) => {
                let fo = plan.failovers[f as usize];
                let m = members.len();
                let start = if fo.per_request || view.serving[f as usize] == NONE { 0 } else { view.serving[f as usize] as usize };
                let (mut t, mut made, mut offset) = (t, 0u32, 0usize);
                loop {
                    if t >= self.deadline {
                        return (Outcome::Timeout, self.deadline);
                    }
                    let permitted = |k: usize, b: &[Breaker]| fo.first_breaker == NONE || b[fo.first_breaker as usize + k].permitted();
                    let Some(step) = (0..m).find(|&k| permitted((start + offset + k) % m, breakers)) else {
                        return (Outcome::Open, t);
                    };
                    let idx = (start + offset + step) % m;
                    if fo.first_breaker != NONE {
                        breakers[fo.first_breaker as usize + idx].call();
                    }
                    let (o, l) = self.draw(view, members[idx], t, (t + fo.attempt_timeout).min(until), now, rng, breakers, extra);
                    if fo.first_breaker != NONE {
                        breakers[fo.first_breaker as usize + idx].record_at(now, now + l, !o.served());
                    }
                    if o.served() || made >= fo.retries {
                        return (o, l);
                    }
                    if l >= self.deadline {
                        return (Outcome::Timeout, self.deadline);
                    }
                    made += 1;
                    *extra += 1;
                    t = l;
                    offset += step + 1;
                }
            }
        }
    }

    fn failover(&mut self, view: &View<'_>, f: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
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
