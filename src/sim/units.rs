//! Failure processes, units and crews: a process fails, its detection delay ends, it waits for
//! a crew, its repair ends; a unit goes down while one of its `down` processes is failed and
//! serves less while a degraded or silent one is; a cold standby's clocks stop while it is idle;
//! deploys and surges.

use rand::RngExt;

use crate::model::Effect;
use crate::plan::{ProcHot, Slot};

use super::{Accounting, Engine, NONE};

/// Where a failure process is in its cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    Up,
    /// Up but idle: a cold standby member that is not serving; its failure clock is stopped.
    Standby,
    Detecting,
    Waiting,
    Repairing,
    /// Held down for the whole replication (importance runs): never repaired.
    Dead,
}

impl Phase {
    /// Whether the process's failure is in effect.
    pub(super) fn failed(self) -> bool {
        matches!(self, Phase::Detecting | Phase::Waiting | Phase::Repairing | Phase::Dead)
    }
}

/// A failure waiting for a crew: ordered by failure time, then process.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Waiting {
    pub(super) failed_at: f64,
    pub(super) process: u32,
}

impl Eq for Waiting {}

impl Ord for Waiting {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // BinaryHeap is a max-heap: reverse so the earliest failure comes out first.
        other.failed_at.total_cmp(&self.failed_at).then(other.process.cmp(&self.process))
    }
}

impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Engine<'_> {
    /// Holds component `c` up or down from time 0 (see [`Engine::set_forced`]).
    pub(super) fn hold(&mut self, c: usize, up: bool) {
        let first = self.plan.comp_first_unit[c] as usize;
        for u in first..first + self.plan.comp_units[c] as usize {
            let p0 = self.plan.unit_first_proc[u] as usize;
            for i in p0..p0 + self.model.components[c].processes.len() {
                if up {
                    // A failure that never comes: the unit stays up, idle or not.
                    self.remaining[i] = f64::INFINITY;
                    if self.phase[i] == Phase::Up {
                        self.queue.set(i, f64::INFINITY);
                    }
                } else {
                    self.queue.cancel(i);
                    self.phase[i] = Phase::Dead;
                }
            }
        }
        if !up {
            let was_up = self.units_up[c] >= self.plan.comp_need[c];
            self.units_up[c] = 0;
            if was_up && self.plan.comp_need[c] > 0 {
                self.blocked[c] += 1;
                if self.blocked[c] == 1 {
                    self.cause = c as u32;
                    self.initializing = true;
                    self.component_changed(c);
                    self.initializing = false;
                }
            }
        }
    }

    /// The event of a plain process (see [`ProcHot::plain`]): the same steps as
    /// [`Engine::process_event`] takes for it, without the branches that cannot apply.
    #[inline(always)]
    pub(super) fn plain_event(&mut self, i: usize, hot: ProcHot) {
        let k = &self.plan.kinds[hot.kind as usize];
        let (c, u) = (hot.comp as usize, hot.unit as usize);
        match self.phase[i] {
            Phase::Up => {
                self.phase[i] = Phase::Repairing;
                let t = self.now + k.repair.sample(&mut self.rng_down[i]);
                self.queue.set(i, t);
                self.unit_failed(u, c);
            }
            Phase::Repairing => {
                self.phase[i] = Phase::Up;
                let t = self.now + k.failure.sample(&mut self.rng_up[i]);
                self.queue.set(i, t);
                self.unit_recovered(u, c);
            }
            _ => self.process_event(i),
        }
    }

    #[inline(always)]
    pub(super) fn process_event(&mut self, i: usize) {
        match self.phase[i] {
            Phase::Up => self.process_fails(i),
            Phase::Detecting => self.request_repair(i),
            Phase::Repairing => self.process_repaired(i),
            // Waiting, standby and dead processes have no timer; nothing to do if one is ever seen.
            Phase::Waiting | Phase::Standby | Phase::Dead => self.queue.cancel(i),
        }
    }

    #[inline(always)]
    pub(super) fn process_fails(&mut self, i: usize) {
        self.failed_at[i] = self.now;
        match &self.kind(i).detect {
            Some(d) => {
                self.phase[i] = Phase::Detecting;
                let t = self.now + d.sample(&mut self.rng_down[i]);
                self.queue.set(i, t);
            }
            None => self.request_repair(i),
        }
        self.effect_changed(i, true);
    }

    #[inline(always)]
    pub(super) fn request_repair(&mut self, i: usize) {
        let c = self.plan.proc_hot[i].comp as usize;
        let crew = self.plan.comp_crew[c];
        if crew == NONE || self.crew_busy[crew as usize] < self.plan.crew_size[crew as usize] {
            if crew != NONE {
                self.crew_busy[crew as usize] += 1;
            }
            self.start_repair(i);
        } else {
            self.phase[i] = Phase::Waiting;
            self.queue.cancel(i);
            self.crew_wait[crew as usize].push(Waiting { failed_at: self.failed_at[i], process: i as u32 });
        }
    }

    #[inline(always)]
    pub(super) fn start_repair(&mut self, i: usize) {
        self.phase[i] = Phase::Repairing;
        let t = self.now + self.kind(i).repair.sample(&mut self.rng_down[i]);
        self.queue.set(i, t);
    }

    #[inline(always)]
    pub(super) fn process_repaired(&mut self, i: usize) {
        let c = self.plan.proc_hot[i].comp as usize;
        let life = self.kind(i).failure.sample(&mut self.rng_up[i]);
        if self.active[c] {
            self.phase[i] = Phase::Up;
            self.queue.set(i, self.now + life);
        } else {
            self.phase[i] = Phase::Standby;
            self.queue.cancel(i);
            self.remaining[i] = life;
        }
        let crew = self.plan.comp_crew[c];
        if crew != NONE {
            match self.crew_wait[crew as usize].pop() {
                Some(next) => self.start_repair(next.process as usize),
                None => self.crew_busy[crew as usize] -= 1,
            }
        }
        self.effect_changed(i, false);
    }

    /// Process `i`'s failure came into effect (`failed`) or ended: update its unit.
    #[inline(always)]
    pub(super) fn effect_changed(&mut self, i: usize, failed: bool) {
        let u = self.plan.proc_hot[i].unit as usize;
        let c = self.plan.proc_hot[i].comp as usize;
        match self.kind(i).effect {
            Effect::Down if failed => self.unit_failed(u, c),
            Effect::Down => self.unit_recovered(u, c),
            Effect::Degraded { .. } | Effect::Silent { .. } => self.partial_effect_changed(u, c),
        }
    }

    /// A process of unit `u` of component `c` took the unit down.
    #[inline(always)]
    pub(super) fn unit_failed(&mut self, u: usize, c: usize) {
        self.unit_down[u] += 1;
        if self.unit_down[u] == 1 {
            self.units_up[c] -= 1;
            if self.units_up[c] + 1 == self.plan.comp_need[c] {
                self.blocked[c] += 1;
                if self.blocked[c] == 1 {
                    self.component_changed(c);
                }
            }
        }
        self.mark_component(c);
    }

    /// A process of unit `u` of component `c` no longer holds the unit down.
    #[inline(always)]
    pub(super) fn unit_recovered(&mut self, u: usize, c: usize) {
        self.unit_down[u] -= 1;
        if self.unit_down[u] == 0 {
            self.units_up[c] += 1;
            if self.units_up[c] == self.plan.comp_need[c] {
                self.blocked[c] -= 1;
                if self.blocked[c] == 0 {
                    self.component_changed(c);
                }
            }
        }
        self.mark_component(c);
    }

    /// A degrading or silent process started or ended: recompute its unit's capacity and
    /// share of wrong answers from every such process in effect.
    pub(super) fn partial_effect_changed(&mut self, u: usize, c: usize) {
        {
            {
                let p0 = self.plan.unit_first_proc[u] as usize;
                let (mut cap, mut right) = (1.0, 1.0);
                for (k, p) in self.model.components[c].processes.iter().enumerate() {
                    if !self.phase[p0 + k].failed() {
                        continue;
                    }
                    match p.effect {
                        Effect::Degraded { capacity_left } => cap *= capacity_left,
                        Effect::Silent { fraction } => right *= 1.0 - fraction,
                        Effect::Down => {}
                    }
                }
                self.unit_capacity[u] = cap;
                self.unit_silent[u] = 1.0 - right;
                self.mark_component(c);
            }
        }
    }

    /// Starts or stops the failure clocks of component `c`'s up units.
    pub(super) fn set_active(&mut self, c: usize, active: bool) {
        if self.active[c] == active {
            return;
        }
        self.active[c] = active;
        let first = self.plan.comp_first_unit[c] as usize;
        for u in first..first + self.plan.comp_units[c] as usize {
            let p0 = self.plan.unit_first_proc[u] as usize;
            for i in p0..p0 + self.model.components[c].processes.len() {
                match (self.phase[i], active) {
                    (Phase::Up, false) => {
                        self.remaining[i] = self.queue.time(i) - self.now;
                        self.queue.cancel(i);
                        self.phase[i] = Phase::Standby;
                    }
                    (Phase::Standby, true) => {
                        self.queue.set(i, self.now + self.remaining[i]);
                        self.phase[i] = Phase::Up;
                    }
                    _ => {}
                }
            }
        }
    }

    pub(super) fn deploy_event(&mut self, d: usize) {
        let c = self.plan.deploys[d].0 as usize;
        let Some(dep) = &self.model.components[c].deploys else { return };
        let slot = self.plan.slot(Slot::Deploy(d));
        let was_bad = self.deploy_bad[d].is_some();
        match self.deploy_bad[d] {
            None => {
                if self.rng_deploy[d].random::<f64>() < dep.bad {
                    self.deploy_bad[d] = Some(dep.effect);
                    let t = self.now + dep.rollback.sample(&mut self.rng_deploy[d]);
                    self.queue.set(slot, t);
                    if dep.effect == Effect::Down {
                        self.cause = c as u32;
                        self.blocked[c] += 1;
                        if self.blocked[c] == 1 {
                            self.component_changed(c);
                        }
                    }
                } else {
                    let t = self.now + dep.every.sample(&mut self.rng_deploy[d]);
                    self.queue.set(slot, t);
                }
            }
            Some(effect) => {
                self.deploy_bad[d] = None;
                let t = self.now + dep.every.sample(&mut self.rng_deploy[d]);
                self.queue.set(slot, t);
                if effect == Effect::Down {
                    self.blocked[c] -= 1;
                    if self.blocked[c] == 0 {
                        self.component_changed(c);
                    }
                }
            }
        }
        // A bad deploy beginning or rolled back changes the component; a good one does not.
        if was_bad || self.deploy_bad[d].is_some() {
            self.mark_component(c);
        }
    }

    pub(super) fn surge_event(&mut self, s: usize) {
        let class = self.plan.surges[s].0 as usize;
        let Some(sg) = &self.model.classes[class].surges else { return };
        let slot = self.plan.slot(Slot::Surge(s));
        // The requests before the surge toggles come at the old rate.
        self.tally_until(self.now);
        self.surge_on[s] = !self.surge_on[s];
        let t = if self.surge_on[s] { sg.duration.sample(&mut self.rng_surge[s]) } else { sg.every.sample(&mut self.rng_surge[s]) };
        self.queue.set(slot, self.now + t);
        self.mark_rates_changed();
        if self.accounting == Accounting::PerRequest {
            self.schedule_arrival(class);
        }
    }
}
