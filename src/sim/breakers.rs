//! The engine's side of fast-forwarding circuit breakers ([`crate::traffic::cycling`]): when a
//! span of identical open → half-open → open cycles starts, when it ends, and how its requests
//! reach the tallies.
//!
//! A span starts at a refresh of the requests (or a breaker event) that finds a breaker open
//! in the fast mode, once the engine has checked that the cycles change nothing but that
//! breaker and its architecture's request tallies: the architecture's walk with the breaker
//! permitting and the one with it refusing give every class the same up/down state (so no
//! outage starts or ends with a cycle) and every other breaker of the architecture the same
//! calls (so their windows see the same thing either way); the permitting walk must send the
//! breaker trial calls at a positive rate. Otherwise the breaker cycles one event per
//! transition, as before, and the check is not repeated until the architecture's inputs or the
//! rates change.
//!
//! A span ends, before anything else is decided, at the first refresh that would walk the
//! architecture again (a component, capacity or health change, the rates of the hour or a
//! surge, another breaker of the architecture changing), at the verdict that closes the
//! breaker, and at the end of the replication. Its requests, counted since its start with the
//! refusing walk's rates (both walks share them), go to the tallies split by the time share in
//! which the breaker permitted calls. Only one breaker per architecture is fast-forwarded at a
//! time: two together would need four walks.

use crate::traffic::cycling::{Cycling, Reached};
use crate::traffic::walk::{BreakerCalls, ClassWalk};

use crate::plan::NONE;

use super::{Engine, Requests};

/// Relative difference below which two walks' calls to a breaker count as the same (they come
/// from the same sums added in another order).
const SAME_CALLS: f64 = 1e-9;

/// The fast-forward state of every breaker of a world.
pub(super) struct Cycles {
    /// Whether breakers are fast-forwarded at all.
    on: bool,
    /// Per breaker: its span under way.
    active: Vec<Option<Cycling>>,
    /// Spans under way.
    running: usize,
    /// Per breaker: its architecture's class walks while it permits calls.
    walks: Vec<Vec<ClassWalk>>,
    /// Per breaker: the check failed since its architecture's inputs last changed.
    refused: Vec<bool>,
    /// Per breaker: it has just opened outside a refresh of its architecture.
    candidate: Vec<bool>,
    /// Per architecture (model index): its breaker being fast-forwarded, or `NONE`.
    arch_cycling: Vec<u32>,
    /// Scratch: the breakers' calls with the candidate permitting.
    calls: Vec<BreakerCalls>,
}

impl Cycles {
    pub(super) fn new(on: bool, breakers: usize, archs: usize, classes: usize) -> Self {
        Cycles {
            on,
            active: vec![None; breakers],
            running: 0,
            walks: vec![vec![ClassWalk::default(); classes]; breakers],
            refused: vec![false; breakers],
            candidate: vec![false; breakers],
            arch_cycling: vec![NONE; archs],
            calls: Vec::with_capacity(breakers),
        }
    }

    /// For a new replication.
    pub(super) fn reset(&mut self) {
        self.active.iter_mut().for_each(|c| *c = None);
        self.running = 0;
        self.refused.fill(false);
        self.candidate.fill(false);
        self.arch_cycling.fill(NONE);
    }

    /// Whether breaker `k` is being fast-forwarded.
    pub(super) fn active(&self, k: usize) -> bool {
        self.active[k].is_some()
    }

    /// Breaker `k` has just opened at one of its own events: it may start a span at the next
    /// refresh. Returns whether the refresh is needed.
    pub(super) fn opened(&mut self, k: usize) -> bool {
        if self.on && !self.refused[k] {
            self.candidate[k] = true;
        }
        self.candidate[k]
    }
}

fn same(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= SAME_CALLS * a.abs().max(b.abs())
}

fn same_calls(a: &BreakerCalls, b: &BreakerCalls) -> bool {
    same(a.rate, b.rate) && same(a.p_fail, b.p_fail) && same(a.fail_delay, b.fail_delay)
}

impl Engine<'_> {
    /// Refresh, first step: ends the spans whose architecture is about to be walked again,
    /// and lets breakers whose inputs changed be checked again.
    pub(super) fn end_cycles(&mut self, r: &mut Requests<'_>) {
        let rates = r.rates_changed;
        for k in 0..r.breakers.len() {
            let a = r.breaker_arch[k] as usize;
            if rates || r.forget[a] {
                r.cycles.refused[k] = false;
            }
            if r.cycles.active(k) && (rates || r.stale[a]) {
                self.end_cycling(r, k, self.now);
                r.stale[a] = true;
            }
        }
    }

    /// Ends breaker `k`'s span at `t`: its requests to the tallies, the breaker in the state
    /// the cycles reached.
    fn end_cycling(&mut self, r: &mut Requests<'_>, k: usize, t: f64) {
        let Some(mut c) = r.cycles.active[k].take() else { return };
        r.cycles.running -= 1;
        let a = r.breaker_arch[k] as usize;
        r.cycles.arch_cycling[a] = NONE;
        let reached = c.advance_to(t, u32::MAX, &mut r.rng_breaker[k]);
        self.mix_flush(r, k, &c, t);
        r.breakers[k].opens += c.opens;
        let delay = c.delay();
        r.breakers[k].resume(reached, &c.trials, delay, t, &mut r.rng_breaker[k]);
    }

    /// Adds the requests counted for breaker `k`'s architecture since its span began, split
    /// between its walks by the share of `[since, t)` in which the breaker permitted calls.
    fn mix_flush(&mut self, r: &mut Requests<'_>, k: usize, c: &Cycling, t: f64) {
        let ncls = self.model.classes.len();
        let a = r.breaker_arch[k] as usize;
        let share = c.permitting_share(t);
        for cls in 0..ncls {
            let acc = a * ncls + cls;
            let n = std::mem::take(&mut r.unflushed[acc]);
            let tally = &mut self.accounts.tallies[acc];
            tally.add_expected(n * (1.0 - share), &r.walker.classes[acc]);
            tally.add_expected(n * share, &r.cycles.walks[k][cls]);
        }
    }

    /// Refresh, last step: starts a span for each breaker that is open in an architecture just
    /// walked (or that opened at its own event), if the check allows.
    pub(super) fn start_cycles(&mut self, r: &mut Requests<'_>) {
        if !r.cycles.on {
            return;
        }
        for k in 0..r.breakers.len() {
            let a = r.breaker_arch[k] as usize;
            let candidate = std::mem::take(&mut r.cycles.candidate[k]);
            if !(r.refreshed[a] || candidate) || r.cycles.refused[k] || r.cycles.active(k) || r.cycles.arch_cycling[a] != NONE {
                continue;
            }
            let Some(until) = r.breakers[k].fast_open_until() else { continue };
            match self.check_cycles(r, k, until) {
                Some(c) => {
                    // The requests so far followed the refusing walk, the current one.
                    let ncls = self.model.classes.len();
                    Self::flush(&mut self.accounts.tallies, &mut r.unflushed, &r.walker.classes, a, ncls);
                    let stop = c.next_stop(&r.rng_breaker[k]);
                    self.set_breaker_timer(k, stop);
                    r.cycles.active[k] = Some(c);
                    r.cycles.running += 1;
                    r.cycles.arch_cycling[a] = k as u32;
                }
                None => r.cycles.refused[k] = true,
            }
        }
    }

    /// Walks breaker `k`'s architecture with the breaker permitting, keeps those walks, and
    /// walks it back as it is; the cycles if the two walks differ only in that breaker.
    fn check_cycles(&mut self, r: &mut Requests<'_>, k: usize, until: f64) -> Option<Cycling> {
        let a = r.breaker_arch[k] as usize;
        let ncls = self.model.classes.len();
        if r.walker.breakers[k].rate != 0.0 {
            return None;
        }
        r.permitted[k] = true;
        r.walker.evaluate(&view!(self, r), a);
        r.permitted[k] = false;
        for cls in 0..ncls {
            r.cycles.walks[k][cls].clone_from(&r.walker.classes[a * ncls + cls]);
        }
        r.cycles.calls.clear();
        r.cycles.calls.extend_from_slice(&r.walker.breakers);
        r.walker.evaluate(&view!(self, r), a);
        let up_same = (0..ncls).all(|cls| (r.cycles.walks[k][cls].served() > 0.0) == (r.walker.classes[a * ncls + cls].served() > 0.0));
        let others_same = (0..r.breakers.len()).filter(|&j| j != k && r.breaker_arch[j] as usize == a).all(|j| same_calls(&r.cycles.calls[j], &r.walker.breakers[j]));
        if !(up_same && others_same) {
            return None;
        }
        let calls = r.cycles.calls[k];
        Cycling::new(r.breakers[k].config(), self.now, until, calls.rate, calls.p_fail, calls.fail_delay, self.model.horizon)
    }

    /// Breaker `k`'s timer at `t` (none if infinite).
    fn set_breaker_timer(&mut self, k: usize, t: f64) {
        super::requests::set_breaker_timer(&mut self.queue, self.plan, k, t, self.now);
    }

    /// Breaker `k`'s timer fired during its span: the closing verdict (the span ends at the
    /// refresh this asks for) or a checkpoint of the look-ahead (the next one is found).
    pub(super) fn cycling_event(&mut self, r: &mut Requests<'_>, k: usize) {
        let Some(c) = r.cycles.active[k].as_mut() else { return };
        match c.advance_to(self.now, u32::MAX, &mut r.rng_breaker[k]) {
            Reached::Open { .. } => {
                let stop = c.next_stop(&r.rng_breaker[k]);
                self.set_breaker_timer(k, stop);
            }
            Reached::Closed | Reached::HalfOpen { .. } => {
                self.set_breaker_timer(k, f64::INFINITY);
                r.stale[r.breaker_arch[k] as usize] = true;
                r.dirty = true;
            }
        }
    }

    /// End of the replication: every span's requests and opens up to the horizon.
    pub(super) fn finish_cycles(&mut self, r: &mut Requests<'_>) {
        if r.cycles.running == 0 {
            return;
        }
        let horizon = self.model.horizon;
        for k in 0..r.breakers.len() {
            if let Some(mut c) = r.cycles.active[k].take() {
                let a = r.breaker_arch[k] as usize;
                r.cycles.arch_cycling[a] = NONE;
                c.advance_to(horizon.max(c.since), u32::MAX, &mut r.rng_breaker[k]);
                self.mix_flush(r, k, &c, horizon);
                r.breakers[k].opens += c.opens;
            }
        }
        r.cycles.running = 0;
    }
}
