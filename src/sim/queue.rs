//! The event queue: an indexed 4-ary min-heap of timer slots.
//!
//! Every thing that can have a pending event (a unit's next failure or repair end, a grace
//! expiry, a failover switch-over) owns one fixed slot, and a slot has at most one pending time.
//! Rescheduling a slot moves it in place (no pop + push, no stale entries, no allocation).
//! Ties in time are broken by slot index, so the order of simultaneous events is deterministic.

const NONE: u32 = u32::MAX;
const ARITY: usize = 4;

/// An indexed min-heap keyed by `(time, slot)`.
#[derive(Clone, Debug, Default)]
pub struct TimerQueue {
    time: Vec<f64>,
    heap: Vec<u32>,
    pos: Vec<u32>,
}

impl TimerQueue {
    /// A queue with `slots` slots, all unscheduled.
    pub fn new(slots: usize) -> Self {
        TimerQueue { time: vec![f64::INFINITY; slots], heap: Vec::with_capacity(slots), pos: vec![NONE; slots] }
    }

    /// Unschedules every slot.
    pub fn clear(&mut self) {
        for &s in &self.heap {
            self.pos[s as usize] = NONE;
            self.time[s as usize] = f64::INFINITY;
        }
        self.heap.clear();
    }

    /// Number of scheduled slots.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no slot is scheduled.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The earliest scheduled slot and its time.
    #[inline]
    pub fn peek(&self) -> Option<(usize, f64)> {
        self.heap.first().map(|&s| (s as usize, self.time[s as usize]))
    }

    /// Whether `slot` is scheduled.
    pub fn is_scheduled(&self, slot: usize) -> bool {
        self.pos[slot] != NONE
    }

    /// The scheduled time of `slot` (infinity if none).
    pub fn time(&self, slot: usize) -> f64 {
        self.time[slot]
    }

    #[inline]
    fn less(&self, a: u32, b: u32) -> bool {
        let (ta, tb) = (self.time[a as usize], self.time[b as usize]);
        ta < tb || (ta == tb && a < b)
    }

    /// Schedules `slot` at time `t`, replacing any pending time it had.
    #[inline]
    pub fn set(&mut self, slot: usize, t: f64) {
        let p = self.pos[slot];
        if p == NONE {
            self.time[slot] = t;
            self.heap.push(slot as u32);
            let i = self.heap.len() - 1;
            self.pos[slot] = i as u32;
            self.sift_up(i);
        } else {
            let old = self.time[slot];
            self.time[slot] = t;
            if t < old {
                self.sift_up(p as usize);
            } else {
                self.sift_down(p as usize);
            }
        }
    }

    /// Unschedules `slot` if it was scheduled.
    #[inline]
    pub fn cancel(&mut self, slot: usize) {
        let p = self.pos[slot];
        if p == NONE {
            return;
        }
        let p = p as usize;
        self.pos[slot] = NONE;
        self.time[slot] = f64::INFINITY;
        let last = self.heap.len() - 1;
        if p != last {
            let moved = self.heap[last];
            self.heap[p] = moved;
            self.pos[moved as usize] = p as u32;
            self.heap.pop();
            if p > 0 && self.less(moved, self.heap[(p - 1) / ARITY]) {
                self.sift_up(p);
            } else {
                self.sift_down(p);
            }
        } else {
            self.heap.pop();
        }
    }

    fn sift_up(&mut self, mut i: usize) {
        let s = self.heap[i];
        while i > 0 {
            let parent = (i - 1) / ARITY;
            let ps = self.heap[parent];
            if !self.less(s, ps) {
                break;
            }
            self.heap[i] = ps;
            self.pos[ps as usize] = i as u32;
            i = parent;
        }
        self.heap[i] = s;
        self.pos[s as usize] = i as u32;
    }

    fn sift_down(&mut self, mut i: usize) {
        let n = self.heap.len();
        let s = self.heap[i];
        loop {
            let first = ARITY * i + 1;
            if first >= n {
                break;
            }
            let end = (first + ARITY).min(n);
            let mut best = first;
            for c in first + 1..end {
                if self.less(self.heap[c], self.heap[best]) {
                    best = c;
                }
            }
            let bs = self.heap[best];
            if !self.less(bs, s) {
                break;
            }
            self.heap[i] = bs;
            self.pos[bs as usize] = i as u32;
            i = best;
        }
        self.heap[i] = s;
        self.pos[s as usize] = i as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn pops_in_time_then_slot_order() {
        let mut q = TimerQueue::new(5);
        q.set(3, 2.0);
        q.set(1, 1.0);
        q.set(4, 1.0);
        q.set(0, 5.0);
        let mut order = Vec::new();
        while let Some((s, _)) = q.peek() {
            order.push(s);
            q.cancel(s);
        }
        assert_eq!(order, vec![1, 4, 3, 0]);
    }

    #[test]
    fn matches_a_sorted_reference_under_random_operations() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let n = 64;
        let mut q = TimerQueue::new(n);
        let mut reference = vec![f64::INFINITY; n];
        for _ in 0..20_000 {
            let slot = rng.random_range(0..n);
            match rng.random_range(0..3) {
                0 | 1 => {
                    let t = (rng.random_range(0..50)) as f64;
                    q.set(slot, t);
                    reference[slot] = t;
                }
                _ => {
                    q.cancel(slot);
                    reference[slot] = f64::INFINITY;
                }
            }
            let expect = reference
                .iter()
                .enumerate()
                .filter(|(_, t)| t.is_finite())
                .min_by(|a, b| a.1.total_cmp(b.1).then(a.0.cmp(&b.0)))
                .map(|(s, t)| (s, *t));
            assert_eq!(q.peek(), expect);
            assert_eq!(q.len(), reference.iter().filter(|t| t.is_finite()).count());
        }
    }
}
