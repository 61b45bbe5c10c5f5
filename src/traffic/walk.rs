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
use crate::sim::plan::{Plan, PlanNode, NODE_BIT, NONE};
use crate::sim::rng::Stream;
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
#[derive(Clone, Debug, Default)]
pub struct ClassWalk {
    /// Probability of each outcome (index = `Outcome as usize`).
    pub p: [f64; 6],
    /// Expected extra attempts (retries) per request.
    pub extra_attempts: f64,
    /// Latency distribution over all requests: (seconds, probability).
    pub latency: Vec<(f64, f64)>,
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
pub struct Walker<'m> {
    model: &'m Model,
    plan: &'m Plan,
    hang: Vec<bool>,
    /// Per component: load in the current architecture (requests per second).
    load: Vec<f64>,
    /// Per component: fraction of requests shed as overloaded.
    overload: Vec<f64>,
    /// Per breaker: (calls, failing calls, failing calls × delay), per second.
    calls: Vec<(f64, f64, f64)>,
    tracking: bool,
    rate: f64,
    deadline: f64,
    extra: f64,
    /// The result of the last `evaluate`, per class (model order).
    pub classes: Vec<ClassWalk>,
    /// The calls of every breaker after the last `evaluate` of each architecture.
    pub breakers: Vec<BreakerCalls>,
}

const EPS: f64 = 1e-12;

fn merge(atoms: &mut Vec<Atom>) {
    atoms.sort_by(|a, b| a.outcome.cmp(&b.outcome).then(a.latency.total_cmp(&b.latency)));
    let mut out: Vec<Atom> = Vec::with_capacity(atoms.len());
    for a in atoms.drain(..) {
        if a.p <= 0.0 {
            continue;
        }
        match out.last_mut() {
            Some(l) if l.outcome == a.outcome && (l.latency - a.latency).abs() <= 1e-9 * a.latency.abs().max(1.0) => l.p += a.p,
            _ => out.push(a),
        }
    }
    *atoms = out;
}

impl<'m> Walker<'m> {
    /// A walker for one world.
    pub fn new(model: &'m Model, plan: &'m Plan) -> Self {
        Walker {
            model,
            plan,
            hang: model.components.iter().map(|c| c.hang).collect(),
            load: vec![0.0; model.components.len()],
            overload: vec![0.0; model.components.len()],
            calls: vec![(0.0, 0.0, 0.0); plan.breakers.len()],
            tracking: false,
            rate: 0.0,
            deadline: f64::INFINITY,
            extra: 0.0,
            classes: vec![ClassWalk::default(); model.classes.len() * model.architectures.len()],
            breakers: vec![BreakerCalls::default(); plan.breakers.len()],
        }
    }

    /// Computes the walks of every class of architecture `arch` (a model index) in the state
    /// `view`, into `classes[arch × classes + class]` and `breakers`.
    pub fn evaluate(&mut self, view: &View<'_>, arch: usize) {
        let Some(pos) = self.plan.arch_position(arch) else { return };
        let a = &self.model.architectures[arch];
        let base = self.plan.arch_first_node[pos];
        let ncls = self.model.classes.len();
        // Overload as a fixed point: loads from the current guess, shedding from the loads.
        for o in self.overload.iter_mut() {
            *o = 0.0;
        }
        for _ in 0..200 {
            self.load.iter_mut().for_each(|l| *l = 0.0);
            self.tracking = false;
            for (ci, cls) in self.model.classes.iter().enumerate() {
                self.walk_class(view, cls, ci, base + a.class_roots[ci] as u32);
            }
            let mut change: f64 = 0.0;
            for (c, o) in self.overload.iter_mut().enumerate() {
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
        for fo in &self.plan.failovers {
            if self.plan.node_arch[fo.node as usize] as usize == arch && fo.first_breaker != NONE {
                let m = self.plan.node_members.row(fo.node as usize).len();
                for k in 0..m {
                    self.calls[fo.first_breaker as usize + k] = (0.0, 0.0, 0.0);
                }
            }
        }
        for (ci, cls) in self.model.classes.iter().enumerate() {
            let atoms = self.walk_class(view, cls, ci, base + a.class_roots[ci] as u32);
            let w = &mut self.classes[arch * ncls + ci];
            w.p = [0.0; 6];
            w.latency.clear();
            for at in &atoms {
                w.p[at.outcome as usize] += at.p;
                w.latency.push((at.latency, at.p));
            }
            w.extra_attempts = self.extra;
            w.latency.sort_by(|x, y| x.0.total_cmp(&y.0));
            w.latency.dedup_by(|x, y| {
                if (x.0 - y.0).abs() <= 1e-9 * x.0.max(1.0) {
                    y.1 += x.1;
                    true
                } else {
                    false
                }
            });
        }
        for (k, b) in self.plan.breakers.iter().enumerate() {
            let fo = &self.plan.failovers[b.failover as usize];
            if self.plan.node_arch[fo.node as usize] as usize != arch {
                continue;
            }
            let (calls, fails, delay) = self.calls[k];
            self.breakers[k] = BreakerCalls {
                rate: calls,
                p_fail: if calls > 0.0 { (fails / calls).clamp(0.0, 1.0) } else { 0.0 },
                fail_delay: if fails > 0.0 { delay / fails } else { 0.0 },
            };
        }
    }

    fn walk_class(&mut self, view: &View<'_>, cls: &TrafficClass, ci: usize, root: u32) -> Vec<Atom> {
        self.rate = view.class_rate[ci];
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
            return if self.hang[c] {
                vec![Atom { outcome: Outcome::Timeout, latency: until.min(self.deadline), p: 1.0 }]
            } else {
                vec![Atom { outcome: Outcome::Fast, latency: elapsed, p: 1.0 }]
            };
        }
        self.load[c] += self.rate * mass;
        let over = self.overload[c];
        let silent = view.silent[c];
        let mut out = Vec::with_capacity(3);
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
        let members: Vec<u32> = self.plan.node_members.row(n).to_vec();
        // Requests still going: (elapsed, wrong so far, probability).
        let mut going: Vec<(f64, bool, f64)> = vec![(elapsed, false, 1.0)];
        let mut out = Vec::new();
        for &m in &members {
            let mut next = Vec::new();
            for &(t, wrong, p) in &going {
                for a in self.node(view, m, t, until, mass * p) {
                    match a.outcome {
                        Outcome::Right => next.push((a.latency, wrong, p * a.p)),
                        Outcome::Wrong => next.push((a.latency, true, p * a.p)),
                        _ => out.push(Atom { p: p * a.p, ..a }),
                    }
                }
            }
            next.sort_by(|x, y| x.1.cmp(&y.1).then(x.0.total_cmp(&y.0)));
            next.dedup_by(|x, y| {
                if x.1 == y.1 && (x.0 - y.0).abs() <= 1e-9 * x.0.max(1.0) {
                    y.2 += x.2;
                    true
                } else {
                    false
                }
            });
            going = next;
        }
        for (t, wrong, p) in going {
            out.push(Atom { outcome: if wrong { Outcome::Wrong } else { Outcome::Right }, latency: t, p });
        }
        merge(&mut out);
        out
    }

    fn member_up(&self, view: &View<'_>, m: u32) -> bool {
        if m & NODE_BIT != 0 { view.node_up[(m & !NODE_BIT) as usize] } else { view.blocked[m as usize] == 0 }
    }

    /// Ideal parallel: one healthy member, chosen evenly, serves the request.
    fn any(&mut self, view: &View<'_>, n: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
        let up: Vec<u32> = self.plan.node_members.row(n).iter().copied().filter(|&m| self.member_up(view, m)).collect();
        if up.is_empty() {
            return vec![Atom { outcome: Outcome::Fast, latency: elapsed, p: 1.0 }];
        }
        let share = 1.0 / up.len() as f64;
        let mut out = Vec::new();
        for m in up {
            for a in self.node(view, m, elapsed, until, mass * share) {
                out.push(Atom { p: a.p * share, ..a });
            }
        }
        merge(&mut out);
        out
    }

    /// A quorum: every member gets the request; it is served if at least `need` answer, and
    /// wrong if any answer is wrong.
    fn quorum(&mut self, view: &View<'_>, n: usize, need: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
        let members: Vec<u32> = self.plan.node_members.row(n).to_vec();
        // dp[k][w]: probability that k members answered, w = whether any answer was wrong.
        let mut dp = vec![[0.0f64; 2]; members.len() + 1];
        dp[0][0] = 1.0;
        for (i, &m) in members.iter().enumerate() {
            let (mut right, mut wrong) = (0.0, 0.0);
            for a in self.node(view, m, elapsed, until, mass) {
                match a.outcome {
                    Outcome::Right => right += a.p,
                    Outcome::Wrong => wrong += a.p,
                    _ => {}
                }
            }
            let fail = (1.0 - right - wrong).max(0.0);
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
        for row in dp.iter().skip(need) {
            right += row[0];
            wrong += row[1];
        }
        let mut out = vec![
            Atom { outcome: Outcome::Right, latency: elapsed, p: right },
            Atom { outcome: Outcome::Wrong, latency: elapsed, p: wrong },
            Atom { outcome: Outcome::Fast, latency: elapsed, p: (1.0 - right - wrong).max(0.0) },
        ];
        merge(&mut out);
        out
    }

    fn balance(&mut self, view: &View<'_>, b: usize, elapsed: f64, until: f64, mass: f64) -> Vec<Atom> {
        let bp = &self.plan.balances[b];
        let members: Vec<u32> = self.plan.node_members.row(bp.node as usize).to_vec();
        let first = bp.first_member as usize;
        let total: f64 = (0..members.len()).filter(|&k| view.rotation[first + k]).map(|k| bp.weights[k]).sum();
        if total <= 0.0 {
            return vec![Atom { outcome: Outcome::Fast, latency: elapsed, p: 1.0 }];
        }
        let weights = bp.weights.clone();
        let mut out = Vec::new();
        for (k, &m) in members.iter().enumerate() {
            if !view.rotation[first + k] {
                continue;
            }
            let share = weights[k] / total;
            for a in self.node(view, m, elapsed, until, mass * share) {
                out.push(Atom { p: a.p * share, ..a });
            }
        }
        merge(&mut out);
        out
    }

    /// Draws one request of class `class` of architecture `arch` arriving at `now`, with the
    /// overload of the last `evaluate`; its calls go through and are recorded by `breakers`.
    pub fn sample(&mut self, view: &View<'_>, arch: usize, class: usize, now: f64, rng: &mut Stream, breakers: &mut [Breaker]) -> Sampled {
        let Some(pos) = self.plan.arch_position(arch) else {
            return Sampled { outcome: Outcome::Fast, latency: 0.0, extra_attempts: 0 };
        };
        let root = self.plan.arch_first_node[pos] + self.model.architectures[arch].class_roots[class] as u32;
        self.deadline = self.model.classes[class].timeout.unwrap_or(f64::INFINITY);
        let mut extra = 0;
        let (outcome, latency) = self.draw(view, NODE_BIT | root, 0.0, self.deadline, now, rng, breakers, &mut extra);
        Sampled { outcome, latency, extra_attempts: extra }
    }

    #[allow(clippy::too_many_arguments)]
    fn draw(&mut self, view: &View<'_>, member: u32, t: f64, until: f64, now: f64, rng: &mut Stream, breakers: &mut [Breaker], extra: &mut u32) -> (Outcome, f64) {
        if member & NODE_BIT == 0 {
            let c = member as usize;
            if view.blocked[c] > 0 {
                return if self.hang[c] { (Outcome::Timeout, until.min(self.deadline)) } else { (Outcome::Fast, t) };
            }
            let u: f64 = rng.random();
            return if u < self.overload[c] {
                (Outcome::Overload, t)
            } else if rng.random::<f64>() < view.silent[c] {
                (Outcome::Wrong, t)
            } else {
                (Outcome::Right, t)
            };
        }
        let n = (member & !NODE_BIT) as usize;
        let members: Vec<u32> = self.plan.node_members.row(n).to_vec();
        match self.plan.nodes[n] {
            PlanNode::Gate { need } if need as usize == members.len() => {
                let (mut t, mut wrong) = (t, false);
                for &m in &members {
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
                let up: Vec<u32> = members.iter().copied().filter(|&m| self.member_up(view, m)).collect();
                if up.is_empty() {
                    return (Outcome::Fast, t);
                }
                let pick = up[rng.random_range(0..up.len())];
                self.draw(view, pick, t, until, now, rng, breakers, extra)
            }
            PlanNode::Gate { need } => {
                let (mut answered, mut wrong) = (0, false);
                for &m in &members {
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
                let bp = &self.plan.balances[b as usize];
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
                let fo = self.plan.failovers[f as usize];
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
        let fo = self.plan.failovers[f];
        let members: Vec<u32> = self.plan.node_members.row(fo.node as usize).to_vec();
        let m = members.len();
        let start = if fo.per_request || view.serving[f] == NONE { 0 } else { view.serving[f] as usize };
        let permitted = |k: usize| fo.first_breaker == NONE || view.permitted[fo.first_breaker as usize + k];
        // Attempts still going: (elapsed, attempts made, offset of the next member to try, probability).
        let mut going: Vec<(f64, u32, usize, f64)> = vec![(elapsed, 0, 0, 1.0)];
        let mut out = Vec::new();
        while let Some((t, made, offset, p)) = going.pop() {
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
                let calls = &mut self.calls[fo.first_breaker as usize + idx];
                let rate = self.rate * mass * p;
                calls.0 += rate;
                for a in &sub {
                    if !a.outcome.served() {
                        calls.1 += rate * a.p;
                        calls.2 += rate * a.p * (a.latency - t);
                    }
                }
            }
            for a in sub {
                if a.outcome.served() {
                    out.push(Atom { p: p * a.p, ..a });
                } else if a.latency >= self.deadline {
                    // No time left for another attempt: the request ends at the deadline.
                    out.push(Atom { outcome: Outcome::Timeout, latency: self.deadline, p: p * a.p });
                } else if made < fo.retries {
                    if self.tracking {
                        self.extra += mass * p * a.p;
                    }
                    going.push((a.latency, made + 1, offset + step + 1, p * a.p));
                } else {
                    out.push(Atom { p: p * a.p, ..a });
                }
            }
        }
        merge(&mut out);
        out
    }
}
