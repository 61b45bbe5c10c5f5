//! The sampled walk (per-request mode): one request drawn through the route, with its breakers
//! recording each call, by the same rules as the exact walk.

use rand::RngExt;

use crate::plan::{PlanNode, NODE_BIT, NONE};
use crate::rng::Stream;
use crate::traffic::breaker::Breaker;

use super::{Outcome, Sampled, View, Walker};

impl Walker<'_> {
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
    pub(super) fn draw(&mut self, view: &View<'_>, member: u32, t: f64, until: f64, now: f64, rng: &mut Stream, breakers: &mut [Breaker], extra: &mut u32) -> (Outcome, f64) {
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
}
