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

use crate::model::Model;
use crate::plan::{Plan, NODE_BIT};

mod exact;
mod sampled;

use exact::Attempt;

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

    fn member_up(&self, view: &View<'_>, m: u32) -> bool {
        if m & NODE_BIT != 0 { view.node_up[(m & !NODE_BIT) as usize] } else { view.blocked[m as usize] == 0 }
    }
}
