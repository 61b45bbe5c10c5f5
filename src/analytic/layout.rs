//! An architecture as a continuous-time Markov chain: the [`State`] (per component, units in
//! detection and in repair; per contended crew, the failed units in order with their phase; per
//! failover, its mode) and the simulator's rules as rates ([`Layout::steps`], [`Layout::apply`],
//! then [`Layout::settle`]: components first, then routes in index order, a switch-over that may
//! fail as a branch with probabilities `switch_success` and its complement). `super::markov`
//! enumerates every state from these rules; `super::chain` walks them one transition at a time.

use crate::model::{Member, Model, NodeKind};
use crate::scenario::units::HOUR;

/// A component held up or down for the whole analysis (for Birnbaum importance).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forced {
    /// Model index of the component.
    pub component: usize,
    /// Held up (never fails) or down (never repaired, needs no crew).
    pub up: bool,
}

const DETECTING: u16 = 0;
const WAITING: u16 = 1;
const REPAIRING: u16 = 2;

/// A failover in the chain.
struct Fo {
    members: usize,
    switch_success: f64,
    failback: bool,
}

/// Everything about the architecture the exploration needs, by local component index.
pub(super) struct Layout {
    pub(super) comps: Vec<usize>,
    count: Vec<u16>,
    need: Vec<u16>,
    lambda: Vec<f64>,
    delta: Vec<Option<f64>>,
    mu: Vec<f64>,
    forced: Vec<Option<bool>>,
    /// Contended crew (local) of each component.
    crew: Vec<Option<usize>>,
    crew_size: Vec<u16>,
    /// (failover, member position) of a cold standby member.
    cold: Vec<Option<(usize, u16)>>,
    /// Dependencies (local) of each component, for effective states.
    pub(super) deps: Vec<Vec<usize>>,
    /// Local components in dependency order (a component after what it depends on).
    pub(super) order: Vec<usize>,
    /// Members of each node: Ok(local component) or Err(node).
    pub(super) members: Vec<Vec<std::result::Result<usize, usize>>>,
    /// Need of each gate node (`None` for failovers).
    gate_need: Vec<Option<usize>>,
    /// Failover of each node, if it is one.
    node_fo: Vec<Option<usize>>,
    fos: Vec<Fo>,
    pub(super) roots: Vec<usize>,
}

/// One state of the chain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct State {
    detecting: Vec<u16>,
    repairing: Vec<u16>,
    /// Per contended crew: (local component, phase) in order of failure.
    queues: Vec<Vec<(u16, u16)>>,
    /// Per failover: mode (`i` serving i, `m + i` stuck on i, `2m` none up).
    pub(super) modes: Vec<u16>,
}

impl Layout {
    pub(super) fn new(model: &Model, arch: usize, forced: Option<Forced>) -> Layout {
        let a = &model.architectures[arch];
        let used = model.components_of(arch);
        let comps: Vec<usize> = (0..used.len()).filter(|&c| used[c]).collect();
        let mut local = vec![usize::MAX; model.components.len()];
        for (i, &c) in comps.iter().enumerate() {
            local[c] = i;
        }
        let rate = |d: &crate::dist::Dist| HOUR / d.mean();
        let m = &model.components;
        let forced_of = |c: usize| forced.filter(|f| f.component == c).map(|f| f.up);
        let mut crew_units = vec![0u32; model.crews.len()];
        for &c in &comps {
            if let (Some(k), None) = (m[c].crew, forced_of(c)) {
                crew_units[k] += m[c].count;
            }
        }
        let mut crew_local = vec![usize::MAX; model.crews.len()];
        let mut crew_size = Vec::new();
        for (k, crew) in model.crews.iter().enumerate() {
            if crew_units[k] > crew.size {
                crew_local[k] = crew_size.len();
                crew_size.push(crew.size as u16);
            }
        }
        let deps: Vec<Vec<usize>> = comps.iter().map(|&c| m[c].within.iter().chain(&m[c].requires).map(|&d| local[d]).collect()).collect();
        let mut order = Vec::with_capacity(comps.len());
        let mut placed = vec![false; comps.len()];
        while order.len() < comps.len() {
            for i in 0..comps.len() {
                if !placed[i] && deps[i].iter().all(|&d| placed[d]) {
                    placed[i] = true;
                    order.push(i);
                }
            }
        }
        let mut fos = Vec::new();
        let mut node_fo = vec![None; a.nodes.len()];
        let mut cold = vec![None; comps.len()];
        let mut gate_need = vec![None; a.nodes.len()];
        for (n, node) in a.nodes.iter().enumerate() {
            match &node.kind {
                NodeKind::Gate { need } => gate_need[n] = Some(*need as usize),
                // Refused before a chain is built (see `analytic::choose`).
                NodeKind::Balance(_) => gate_need[n] = Some(1),
                NodeKind::Failover(f) => {
                    node_fo[n] = Some(fos.len());
                    if f.cold {
                        for (pos, mem) in node.members.iter().enumerate() {
                            if let Member::Component(c) = *mem {
                                cold[local[c]] = Some((fos.len(), pos as u16));
                            }
                        }
                    }
                    fos.push(Fo { members: node.members.len(), switch_success: f.switch_success, failback: f.failback });
                }
            }
        }
        let members = a
            .nodes
            .iter()
            .map(|node| {
                node.members
                    .iter()
                    .map(|mem| match *mem {
                        Member::Component(c) => Ok(local[c]),
                        Member::Node(k) => Err(k),
                    })
                    .collect()
            })
            .collect();
        Layout {
            count: comps.iter().map(|&c| m[c].count as u16).collect(),
            need: comps.iter().map(|&c| m[c].need as u16).collect(),
            lambda: comps.iter().map(|&c| rate(&m[c].processes[0].failure)).collect(),
            delta: comps.iter().map(|&c| m[c].processes[0].detect.as_ref().map(rate)).collect(),
            mu: comps.iter().map(|&c| rate(&m[c].processes[0].repair)).collect(),
            forced: comps.iter().map(|&c| forced_of(c)).collect(),
            crew: comps.iter().map(|&c| m[c].crew.map(|k| crew_local[k]).filter(|&k| k != usize::MAX)).collect(),
            crew_size,
            cold,
            deps,
            order,
            members,
            gate_need,
            node_fo,
            fos,
            roots: a.class_roots.clone(),
            comps,
        }
    }

    fn down_units(&self, s: &State, i: usize) -> u16 {
        match self.crew[i] {
            Some(k) => s.queues[k].iter().filter(|e| e.0 as usize == i).count() as u16,
            None => s.detecting[i] + s.repairing[i],
        }
    }

    pub(super) fn effective(&self, s: &State) -> Vec<bool> {
        let mut eff = vec![false; self.comps.len()];
        for &i in &self.order {
            let own = match self.forced[i] {
                Some(up) => up,
                None => self.count[i] - self.down_units(s, i) >= self.need[i],
            };
            eff[i] = own && self.deps[i].iter().all(|&d| eff[d]);
        }
        eff
    }

    fn nodes_up(&self, eff: &[bool], modes: &[u16]) -> Vec<bool> {
        let mut up = vec![false; self.members.len()];
        for n in 0..self.members.len() {
            up[n] = match (self.gate_need[n], self.node_fo[n]) {
                (Some(need), _) => self.members[n].iter().filter(|m| member_up(m, eff, &up)).count() >= need,
                (None, Some(f)) => (modes[f] as usize) < self.fos[f].members,
                _ => false,
            };
        }
        up
    }

    /// Settles routes after components moved from `old_eff` to `new_eff`, starting from the
    /// failover modes `modes`: every outcome with its probability.
    pub(super) fn settle(&self, modes: &[u16], old_eff: &[bool], new_eff: &[bool]) -> Vec<(f64, Vec<u16>)> {
        let old_up = self.nodes_up(old_eff, modes);
        let mut outcomes: Vec<(f64, Vec<u16>, Vec<bool>)> = vec![(1.0, modes.to_vec(), vec![false; self.members.len()])];
        for n in 0..self.members.len() {
            let mut next = Vec::with_capacity(outcomes.len());
            for (p, modes, mut up) in outcomes {
                if let Some(need) = self.gate_need[n] {
                    up[n] = self.members[n].iter().filter(|m| member_up(m, new_eff, &up)).count() >= need;
                    next.push((p, modes, up));
                    continue;
                }
                let Some(f) = self.node_fo[n] else { continue };
                let now: Vec<bool> = self.members[n].iter().map(|m| member_up(m, new_eff, &up)).collect();
                let mut sub = vec![(1.0, modes[f])];
                for (pos, mem) in self.members[n].iter().enumerate() {
                    let before = member_up(mem, old_eff, &old_up);
                    if before != now[pos] {
                        sub = sub.into_iter().flat_map(|(q, mode)| self.handle(f, mode, pos, now[pos], &now).into_iter().map(move |(r, m2)| (q * r, m2))).collect();
                    }
                }
                for (q, mode) in sub {
                    let mut modes2 = modes.clone();
                    modes2[f] = mode;
                    let mut up2 = up.clone();
                    up2[n] = (mode as usize) < self.fos[f].members;
                    next.push((p * q, modes2, up2));
                }
            }
            outcomes = next;
        }
        outcomes.into_iter().filter(|o| o.0 > 0.0).map(|(p, m, _)| (p, m)).collect()
    }

    /// The failover state machine (see `sim`): member `pos` of failover `f` is now `up`.
    fn handle(&self, f: usize, mode: u16, pos: usize, up: bool, now: &[bool]) -> Vec<(f64, u16)> {
        let fo = &self.fos[f];
        let m = fo.members;
        let serve = |i: usize| -> u16 {
            if fo.failback {
                if let Some(j) = (0..i).find(|&j| now[j]) {
                    return j as u16;
                }
            }
            i as u16
        };
        let mode = mode as usize;
        if mode < m {
            let i = mode;
            if pos == i && !up {
                return match (0..m).find(|&j| now[j]) {
                    None => vec![(1.0, (2 * m) as u16)],
                    Some(j) if j == i => vec![(1.0, j as u16)],
                    Some(j) if fo.switch_success < 1.0 => {
                        vec![(fo.switch_success, j as u16), (1.0 - fo.switch_success, (m + i) as u16)]
                    }
                    Some(j) => vec![(1.0, j as u16)],
                };
            }
            if up && pos < i && fo.failback {
                return vec![(1.0, pos as u16)];
            }
            vec![(1.0, mode as u16)]
        } else if mode < 2 * m {
            if pos == mode - m && up { vec![(1.0, serve(pos))] } else { vec![(1.0, mode as u16)] }
        } else if up {
            vec![(1.0, serve(pos))]
        } else {
            vec![(1.0, mode as u16)]
        }
    }

    /// Whether component `i`'s up units run (a cold standby member runs only while serving).
    fn active(&self, s: &State, i: usize) -> bool {
        match self.cold[i] {
            Some((f, pos)) => s.modes[f] == pos,
            None => true,
        }
    }

    /// Every component-level move out of `s`: (rate per hour, state before routes settle).
    pub(super) fn moves(&self, s: &State) -> Vec<(f64, State)> {
        let mut steps = Vec::new();
        self.steps(s, &mut steps);
        steps.into_iter().map(|(rate, step)| (rate, self.apply(s, step))).collect()
    }

    /// The component-level moves out of `s` with their rates per hour, without building the
    /// states they lead to (see [`Layout::apply`]), in the order the exploration numbers them.
    pub(super) fn steps(&self, s: &State, out: &mut Vec<(f64, Step)>) {
        out.clear();
        for i in 0..self.comps.len() {
            if self.forced[i].is_some() {
                continue;
            }
            let up = self.count[i] - self.down_units(s, i);
            if up > 0 && self.active(s, i) {
                out.push((self.lambda[i] * up as f64, Step::Fail(i as u32)));
            }
            if self.crew[i].is_none() {
                if let (Some(d), true) = (self.delta[i], s.detecting[i] > 0) {
                    out.push((d * s.detecting[i] as f64, Step::Detect(i as u32)));
                }
                if s.repairing[i] > 0 {
                    out.push((self.mu[i] * s.repairing[i] as f64, Step::Repair(i as u32)));
                }
            }
        }
        for (k, q) in s.queues.iter().enumerate() {
            for (j, &(i, phase)) in q.iter().enumerate() {
                let i = i as usize;
                match phase {
                    DETECTING => out.push((self.delta[i].unwrap_or(0.0), Step::CrewDetect(k as u32, j as u32))),
                    REPAIRING => out.push((self.mu[i], Step::CrewRepair(k as u32, j as u32))),
                    _ => {}
                }
            }
        }
    }

    /// The state `step` leads to from `s`, before routes settle.
    pub(super) fn apply(&self, s: &State, step: Step) -> State {
        let mut t = s.clone();
        let busy = |k: usize| s.queues[k].iter().filter(|e| e.1 == REPAIRING).count() as u16;
        match step {
            Step::Fail(i) => {
                let i = i as usize;
                match self.crew[i] {
                    None => match self.delta[i] {
                        Some(_) => t.detecting[i] += 1,
                        None => t.repairing[i] += 1,
                    },
                    Some(k) => {
                        let phase = match self.delta[i] {
                            Some(_) => DETECTING,
                            None if busy(k) < self.crew_size[k] => REPAIRING,
                            None => WAITING,
                        };
                        t.queues[k].push((i as u16, phase));
                    }
                }
            }
            Step::Detect(i) => {
                t.detecting[i as usize] -= 1;
                t.repairing[i as usize] += 1;
            }
            Step::Repair(i) => t.repairing[i as usize] -= 1,
            Step::CrewDetect(k, j) => {
                let k = k as usize;
                t.queues[k][j as usize].1 = if busy(k) < self.crew_size[k] { REPAIRING } else { WAITING };
            }
            Step::CrewRepair(k, j) => {
                let k = k as usize;
                t.queues[k].remove(j as usize);
                if let Some(w) = t.queues[k].iter_mut().find(|e| e.1 == WAITING) {
                    w.1 = REPAIRING;
                }
            }
        }
        t
    }

    /// The state at time 0: every repairable unit up, routes settled (a member held down does
    /// not serve).
    pub(super) fn start(&self) -> State {
        let nc = self.comps.len();
        let mut start = State { detecting: vec![0; nc], repairing: vec![0; nc], queues: vec![Vec::new(); self.crew_size.len()], modes: vec![0; self.fos.len()] };
        let eff0 = self.effective(&start);
        let all_up = vec![true; nc];
        if let Some((_, modes)) = self.settle(&start.modes, &all_up, &eff0).into_iter().next() {
            start.modes = modes;
        }
        start
    }

    /// Whether each class is up in `s` (model order).
    pub(super) fn classes_up(&self, s: &State) -> Vec<bool> {
        let up = self.nodes_up(&self.effective(s), &s.modes);
        self.roots.iter().map(|&r| up[r]).collect()
    }
}

/// One component-level move out of a state of the chain (before routes settle).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A unit of the component with this local index fails.
    Fail(u32),
    /// A detection of that component ends (its crew cannot be busy).
    Detect(u32),
    /// A repair of that component ends (its crew cannot be busy).
    Repair(u32),
    /// Entry `.1` of contended crew `.0`'s queue ends its detection.
    CrewDetect(u32, u32),
    /// Entry `.1` of contended crew `.0`'s queue ends its repair.
    CrewRepair(u32, u32),
}

impl Step {
    /// Whether the move is a unit failing (rather than a detection or repair ending).
    pub fn is_failure(self) -> bool {
        matches!(self, Step::Fail(_))
    }
}

fn member_up(m: &std::result::Result<usize, usize>, eff: &[bool], nodes: &[bool]) -> bool {
    match *m {
        Ok(c) => eff[c],
        Err(n) => nodes[n],
    }
}
