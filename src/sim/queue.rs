//! The event queue: an indexed 4-ary min-heap of timer slots.
//!
//! Every thing that can have a pending event (a unit's next failure or repair end, a grace
//! expiry, a failover switch-over) owns one fixed slot, and a slot has at most one pending time.
//! Rescheduling a slot moves it in place (no pop + push, no stale entries, no allocation).
//! Ties in time are broken by slot index, so the order of simultaneous events is deterministic.

const NONE: u32 = u32::MAX;
const ARITY: usize = 4;

/// A slot's key: the bits of its time above the slot index. Times are never negative, and the
/// bits of non-negative doubles (infinity included) order like the doubles, so one integer
/// comparison orders by time and then by slot, without branches on ties.
#[inline]
fn key(t: f64, slot: u32) -> u128 {
    debug_assert!(t >= 0.0, "negative event time {t}");
    // `+ 0.0` turns a negative zero into zero, whose bits would otherwise sort last.
    (((t + 0.0).to_bits() as u128) << 32) | slot as u128
}

#[inline]
fn key_time(k: u128) -> f64 {
    f64::from_bits((k >> 32) as u64)
}

#[inline]
fn key_slot(k: u128) -> usize {
    (k as u32) as usize
}

/// An indexed min-heap keyed by `(time, slot)`.
///
/// The keys live in the heap array itself, so comparing a node's four children reads one
/// or two cache lines rather than four scattered ones.
#[derive(Clone, Debug, Default)]
pub struct TimerQueue {
    heap: Vec<u128>,
    pos: Vec<u32>,
}

impl TimerQueue {
    /// A queue with `slots` slots, all unscheduled.
    pub fn new(slots: usize) -> Self {
        TimerQueue { heap: Vec::with_capacity(slots), pos: vec![NONE; slots] }
    }

    /// Unschedules every slot.
    pub fn clear(&mut self) {
        for &k in &self.heap {
            self.pos[key_slot(k)] = NONE;
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
        self.heap.first().map(|&k| (key_slot(k), key_time(k)))
    }

    /// Whether `slot` is scheduled.
    pub fn is_scheduled(&self, slot: usize) -> bool {
        self.pos[slot] != NONE
    }

    /// The scheduled time of `slot` (infinity if none).
    pub fn time(&self, slot: usize) -> f64 {
        match self.pos[slot] {
            NONE => f64::INFINITY,
            p => key_time(self.heap[p as usize]),
        }
    }

    /// Schedules `slot` at time `t` (not negative), replacing any pending time it had.
    /// Rescheduling the earliest slot is a replace-top: one sift down, no pop and push.
    /// Always inlined: every event calls it, and as a call it cost a quarter as much again as
    /// the sift itself (callgrind on `benches/renewal.rs`'s model).
    #[inline(always)]
    pub fn set(&mut self, slot: usize, t: f64) {
        let k = key(t, slot as u32);
        let p = self.pos[slot];
        if p == NONE {
            self.heap.push(k);
            self.sift_up(self.heap.len() - 1, k);
        } else {
            let p = p as usize;
            if k < self.heap[p] {
                self.sift_up(p, k);
            } else {
                self.sift_down(p, k);
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
        let Some(moved) = self.heap.pop() else { return };
        if p < self.heap.len() {
            if p > 0 && moved < self.heap[(p - 1) / ARITY] {
                self.sift_up(p, moved);
            } else {
                self.sift_down(p, moved);
            }
        }
    }

    /// Places key `k` at or above position `i`.
    #[inline]
    fn sift_up(&mut self, mut i: usize, k: u128) {
        while i > 0 {
            let parent = (i - 1) / ARITY;
            let pk = self.heap[parent];
            if k >= pk {
                break;
            }
            self.heap[i] = pk;
            self.pos[key_slot(pk)] = i as u32;
            i = parent;
        }
        self.heap[i] = k;
        self.pos[key_slot(k)] = i as u32;
    }

    /// Places key `k` at or below position `i`.
    ///
    /// Always inlined: every event sifts once, and as a call its prologue and epilogue cost
    /// about 17 instructions per event (callgrind on `benches/renewal.rs`'s model). The heap
    /// and the positions are taken as two local slices so that the compiler knows neither
    /// length changes while the sift writes (one bounds check per slice access fewer), and a
    /// full set of four children is read with one checked slice pattern.
    #[inline(always)]
    fn sift_down(&mut self, mut i: usize, k: u128) {
        let heap = &mut self.heap[..];
        let pos = &mut self.pos[..];
        let n = heap.len();
        loop {
            let first = ARITY * i + 1;
            if let Some(&[c0, c1, c2, c3]) = heap.get(first..first + ARITY) {
                // A full set of children: pick the least without data-dependent branches.
                let (a, ia) = if c1 < c0 { (c1, 1) } else { (c0, 0) };
                let (b, ib) = if c3 < c2 { (c3, 3) } else { (c2, 2) };
                let (m, im) = if b < a { (b, ib) } else { (a, ia) };
                if m >= k {
                    break;
                }
                heap[i] = m;
                pos[key_slot(m)] = i as u32;
                i = first + im;
            } else {
                if first >= n {
                    break;
                }
                let mut best = first;
                for c in first + 1..n {
                    if heap[c] < heap[best] {
                        best = c;
                    }
                }
                let m = heap[best];
                if m >= k {
                    break;
                }
                heap[i] = m;
                pos[key_slot(m)] = i as u32;
                i = best;
            }
        }
        heap[i] = k;
        pos[key_slot(k)] = i as u32;
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
    fn infinity_sorts_last_and_negative_zero_first() {
        let mut q = TimerQueue::new(4);
        q.set(0, f64::INFINITY);
        q.set(1, 1e300);
        q.set(2, -0.0);
        q.set(3, 0.0);
        let mut order = Vec::new();
        while let Some((s, t)) = q.peek() {
            order.push((s, t));
            q.cancel(s);
        }
        assert_eq!(order, vec![(2, 0.0), (3, 0.0), (1, 1e300), (0, f64::INFINITY)]);
        assert_eq!(q.time(1), f64::INFINITY);
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
