//! The engine's side of a replay: traced components follow their recorded down intervals
//! (`model::history`) instead of their sampled failure processes.
//!
//! Each traced component of the world owns one timer slot ([`Slot::Replay`]) that walks
//! through its record: at a recorded start the component is blocked, at a recorded end it is
//! released. Blocking is the same counter a dependency or a bad deploy uses, so everything
//! downstream (dependencies, grace, routes, failover, breakers, request accounting, the
//! timeline recorder, the cause of an outage) sees an ordinary change of effective state. The
//! component's own failure processes are held up for the whole replication, exactly as
//! `Engine::hold` does for importance runs, so its units never fail, never wait for a crew and
//! draw nothing; its deploys are left out of the plan.
//!
//! A recorded interval that starts at 0 is in place from the start, set up like a component
//! held down (no switch-over delay, no switch coin: nothing was serving from it yet). After
//! the horizon the record has nothing more to say; a component down at the end of the window
//! comes back at the horizon, where its interval was cut.
//!
//! A component held by `Engine::set_forced` is held, not replayed: importance is the effect of
//! the component being always up or always down.

use crate::plan::Slot;
use super::{Engine, NONE};

impl<'m> Engine<'m> {
    /// Sets up every traced component of the world for a new replication: holds its
    /// processes up and schedules its first recorded transition. Called at the end of reset.
    pub(super) fn start_replay(&mut self) {
        let (model, plan) = (self.model, self.plan);
        for k in 0..plan.replayed.len() {
            let trace = &model.history.components[plan.replayed[k] as usize];
            let c = trace.component;
            self.replay_next[k] = 0;
            if self.forced.is_some_and(|(f, _)| f == c) {
                self.replay_next[k] = NONE;
                continue;
            }
            self.hold(c, true);
            match trace.down.first() {
                Some(&(start, _)) if start <= 0.0 => {
                    self.initializing = true;
                    self.replay_event(k);
                    self.initializing = false;
                }
                Some(&(start, _)) => self.queue.set(plan.slot(Slot::Replay(k)), start),
                None => {}
            }
        }
    }

    /// Traced component `k` of the world reaches its next recorded transition: an even step
    /// starts interval `step / 2`, an odd step ends it.
    pub(super) fn replay_event(&mut self, k: usize) {
        let (model, plan) = (self.model, self.plan);
        let trace = &model.history.components[plan.replayed[k] as usize];
        let c = trace.component;
        let slot = plan.slot(Slot::Replay(k));
        let step = self.replay_next[k] as usize;
        let Some(&(_, end)) = trace.down.get(step / 2) else {
            self.queue.cancel(slot);
            return;
        };
        self.replay_next[k] += 1;
        self.cause = c as u32;
        if step % 2 == 0 {
            self.queue.set(slot, end);
            self.blocked[c] += 1;
            if self.blocked[c] == 1 {
                self.component_changed(c);
            }
        } else {
            match trace.down.get(step / 2 + 1) {
                Some(&(next, _)) => self.queue.set(slot, next),
                None => self.queue.cancel(slot),
            }
            self.blocked[c] -= 1;
            if self.blocked[c] == 0 {
                self.component_changed(c);
            }
        }
        self.mark_component(c);
    }
}
