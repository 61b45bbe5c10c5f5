//! The regenerative estimator: cycles of the architecture's jump chain from the all-up state
//! back to it, some under balanced failure biasing ([`super::bias`]) and some without, in
//! batches until the unavailability's interval is as narrow as asked.
//!
//! Time in a state is counted as its expectation, 1 / (total rate out), rather than drawn
//! (conditional Monte Carlo on the holding times: unbiased, and with less variance), so a
//! cycle is a walk of the jump chain. Per cycle:
//!
//! - biased, for each class c (biasing on until c's first outage in the cycle, original
//!   probabilities afterwards): `down` = Σ L_k · 1{X_k down} / q(X_k), `outages` = Σ L_k ·
//!   1{X_(k−1) up, X_k down}, `hit` = L_K · 1{c goes down before the cycle ends}, where L_k is
//!   the likelihood ratio of the path up to step k;
//! - plain, shared by the classes: `length` = Σ 1 / q(X_k), and for each class `until_down` =
//!   the same sum over the states before c's first outage (or the whole cycle).
//!
//! Then unavailability = E(down) / E(length), outages per hour = E(outages) / E(length), and
//! mean time to first outage = E(until_down) / E(hit) (a first outage comes after a geometric
//! number of cycles that return without one). Each ratio's two means come from independent
//! samples; see [`crate::stats::rare::independent_ratio`] for the interval.
//!
//! Cycle `i` of class `c` draws only from the stream `(seed, i, id of (architecture, c))`, and
//! plain cycle `i` from `(seed, i, id of the architecture)`; sums are exact. So the result does
//! not depend on the thread count, and the batches are decided from the sums alone.

use std::ops::Range;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rand::RngExt;

use rayon::prelude::*;

use crate::analytic::chain::Chain;
use crate::rare::bias;
use crate::rare::chain::{Id, Walker, START};
use crate::rng::{stream, Stream};
use crate::stats::estimate::{normal_quantile, t_quantile, Moments};

/// Cycles of each kind in the first batch.
pub const PILOT_CYCLES: u64 = 2048;
/// Most transitions one cycle may take before the chain is deemed not to return to all up.
pub const MAX_CYCLE_STEPS: u64 = 1_000_000;
/// Share of the unavailability's variance budget given to the plain cycles (they are cheap
/// and vary little).
const PLAIN_SHARE: f64 = 0.1;
/// A batch multiplies the cycles of a sample by at most this.
const MAX_GROWTH: u64 = 8;
/// Biased cycles after which a class that has never gone down is given up on: its failure set
/// is too far from all up (too many failures at once) for balanced failure biasing to reach.
pub const GIVE_UP_CYCLES: u64 = PILOT_CYCLES * MAX_GROWTH;

/// How far the sampling may go.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Relative half-width asked of every class's unavailability.
    pub precision: f64,
    /// Most cycles of each sample (each class's biased cycles, the plain cycles).
    pub max_cycles: u64,
    /// Most transitions in all (a bound on the time taken).
    pub max_steps: u64,
}

/// Sums over biased cycles of one class (with no time down at all when no cycle reached an
/// outage: see [`GIVE_UP_CYCLES`]).
#[derive(Clone, Debug, Default)]
pub struct Biased {
    /// Weighted time down per cycle (hours).
    pub down: Moments,
    /// Weighted outages per cycle.
    pub outages: Moments,
    /// Weighted indicator of an outage before the cycle ends.
    pub hit: Moments,
    /// Transitions taken.
    pub steps: u64,
}

impl Biased {
    fn merge(&mut self, o: &Biased) {
        self.down.merge(&o.down);
        self.outages.merge(&o.outages);
        self.hit.merge(&o.hit);
        self.steps += o.steps;
    }
}

/// Sums over plain cycles.
#[derive(Clone, Debug, Default)]
pub struct Plain {
    /// Cycle length (hours).
    pub length: Moments,
    /// Per class: time until the cycle ends or the class first goes down (hours).
    pub until_down: Vec<Moments>,
    /// Transitions taken.
    pub steps: u64,
}

impl Plain {
    fn new(classes: usize) -> Plain {
        Plain { until_down: vec![Moments::default(); classes], ..Plain::default() }
    }

    fn merge(&mut self, o: &Plain) {
        self.length.merge(&o.length);
        for (a, b) in self.until_down.iter_mut().zip(&o.until_down) {
            a.merge(b);
        }
        self.steps += o.steps;
    }
}

/// Every cycle's sums, and whether each class met the precision asked.
#[derive(Clone, Debug)]
pub struct Sample {
    /// The plain cycles.
    pub plain: Plain,
    /// Per class, its biased cycles.
    pub biased: Vec<Biased>,
    /// Per class, whether its unavailability met the precision.
    pub met: Vec<bool>,
    /// Whether sampling stopped at the transition budget (rather than the cycle cap) before
    /// every class met the precision.
    pub out_of_steps: bool,
}

/// The stream ids of one architecture's cycles.
#[derive(Clone, Debug)]
pub struct Streams {
    /// Master seed.
    pub seed: u64,
    /// Id of the plain cycles' streams.
    pub plain: u64,
    /// Per class, the id of its biased cycles' streams.
    pub biased: Vec<u64>,
}

fn not_returning() -> String {
    format!("its Markov chain did not come back to the all-up state within {MAX_CYCLE_STEPS} transitions, and the regenerative method needs it to")
}

/// The outcome of move `k` out of `id` drawn by its probabilities, or (when `balanced` and the
/// move is a failure with several outcomes, a switch-over that may fail) each equally likely:
/// the state it leads to and the likelihood ratio of the draw. `None` if the move had no
/// outcome (settling always gives one).
fn outcome(w: &mut Walker<'_>, id: Id, k: usize, balanced: bool, rng: &mut Stream) -> Option<(Id, f64)> {
    let failure = w.steps(id)[k].1.is_failure();
    let next = w.next(id, k);
    let n = next.len();
    match n {
        0 => return None,
        1 => return Some((next[0].1, 1.0)),
        _ => {}
    }
    if balanced && failure {
        let i = ((rng.random::<f64>() * n as f64) as usize).min(n - 1);
        return Some((next[i].1, next[i].0 * n as f64));
    }
    let mut x = rng.random::<f64>();
    for &(p, t) in next {
        if x < p {
            return Some((t, 1.0));
        }
        x -= p;
    }
    Some((next[n - 1].1, 1.0))
}

fn no_outcome() -> String {
    "a move of its Markov chain had no outcome (this is a bug in relsim; please report it)".to_string()
}

/// One biased cycle of class `class`: (down, outages, hit, transitions).
fn biased_cycle(w: &mut Walker<'_>, class: usize, rng: &mut Stream) -> Result<(f64, f64, f64, u64), String> {
    let mut s = START;
    let (mut l, mut biased, mut up) = (1.0f64, true, true);
    let (mut down, mut outages, mut hit) = (0.0, 0.0, 0.0);
    for steps in 1..=MAX_CYCLE_STEPS {
        let q = w.total(s);
        if q.is_nan() || q <= 0.0 {
            return Err(not_returning());
        }
        if !up {
            down += l / q;
        }
        let (k, ratio) = if biased {
            let (steps, weights) = w.weighted_steps(s, class);
            let d = bias::balanced(steps, weights, bias::FAILURE_PROBABILITY, rng);
            (d.index, d.ratio)
        } else {
            (bias::plain(w.steps(s), q, rng), 1.0)
        };
        let (t, branch) = outcome(w, s, k, biased, rng).ok_or_else(no_outcome)?;
        l *= ratio * branch;
        let now_up = w.up(t, class);
        if up && !now_up {
            outages += l;
            if biased {
                // From the first outage on the path is not rare any more: it goes on with the
                // original probabilities, and the likelihood ratio stays as it is.
                hit = l;
                biased = false;
            }
        }
        up = now_up;
        s = t;
        if s == START {
            return Ok((down, outages, hit, steps));
        }
    }
    Err(not_returning())
}

/// One plain cycle: its length and transitions; each class's time until it first went down
/// (or the cycle ended) goes into `until`.
fn plain_cycle(w: &mut Walker<'_>, rng: &mut Stream, until: &mut [f64], hit: &mut [bool]) -> Result<(f64, u64), String> {
    let mut s = START;
    until.fill(0.0);
    hit.fill(false);
    let mut length = 0.0;
    for steps in 1..=MAX_CYCLE_STEPS {
        let q = w.total(s);
        if q.is_nan() || q <= 0.0 {
            return Err(not_returning());
        }
        length += 1.0 / q;
        for (u, h) in until.iter_mut().zip(hit.iter()) {
            if !h {
                *u += 1.0 / q;
            }
        }
        let k = bias::plain(w.steps(s), q, rng);
        let (t, _) = outcome(w, s, k, false, rng).ok_or_else(no_outcome)?;
        for (h, up) in hit.iter_mut().zip(w.classes_up(t)) {
            *h |= !up;
        }
        s = t;
        if s == START {
            return Ok((length, steps));
        }
    }
    Err(not_returning())
}

/// Cycles handed to a worker at a time.
const CHUNK: u64 = 64;

/// The cycles of `range` in chunks of [`CHUNK`], for rayon (a `u64` range is not an indexed
/// parallel iterator).
fn chunks(range: Range<u64>) -> Vec<Range<u64>> {
    (range.start..range.end).step_by(CHUNK as usize).map(|a| a..(a + CHUNK).min(range.end)).collect()
}

/// One walker per worker thread, kept across batches so that what each remembers is reused.
pub struct Walkers<'a>(Vec<Mutex<Walker<'a>>>);

impl<'a> Walkers<'a> {
    /// Walkers over `chain` for the threads of `pool`.
    pub fn new(chain: &'a Chain, pool: &rayon::ThreadPool) -> Walkers<'a> {
        Walkers((0..pool.current_num_threads().max(1)).map(|_| Mutex::new(Walker::new(chain))).collect())
    }

    /// The current worker thread's walker.
    fn mine(&self) -> MutexGuard<'_, Walker<'a>> {
        let i = rayon::current_thread_index().unwrap_or(0) % self.0.len();
        self.0[i].lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Biased cycles `range` of class `class`.
fn run_biased(walkers: &Walkers<'_>, class: usize, range: Range<u64>, seed: u64, id: u64, pool: &rayon::ThreadPool) -> Result<Biased, String> {
    pool.install(|| {
        chunks(range)
            .into_par_iter()
            .map(|cycles| {
                let mut w = walkers.mine();
                let mut acc = Biased::default();
                for i in cycles {
                    let (down, outages, hit, steps) = biased_cycle(&mut w, class, &mut stream(seed, i, id))?;
                    acc.down.add(down);
                    acc.outages.add(outages);
                    acc.hit.add(hit);
                    acc.steps += steps;
                }
                Ok(acc)
            })
            .try_reduce(Biased::default, |mut a, b| {
                a.merge(&b);
                Ok(a)
            })
    })
}

/// Plain cycles `range`.
fn run_plain(walkers: &Walkers<'_>, classes: usize, range: Range<u64>, seed: u64, id: u64, pool: &rayon::ThreadPool) -> Result<Plain, String> {
    pool.install(|| {
        chunks(range)
            .into_par_iter()
            .map(|cycles| {
                let mut w = walkers.mine();
                let (mut acc, mut until, mut hit) = (Plain::new(classes), vec![0.0; classes], vec![false; classes]);
                for i in cycles {
                    let (length, steps) = plain_cycle(&mut w, &mut stream(seed, i, id), &mut until, &mut hit)?;
                    acc.length.add(length);
                    for (m, &u) in acc.until_down.iter_mut().zip(&until) {
                        m.add(u);
                    }
                    acc.steps += steps;
                }
                Ok(acc)
            })
            .try_reduce(|| Plain::new(classes), |mut a, b| {
                a.merge(&b);
                Ok(a)
            })
    })
}

/// Variance per cycle over the squared mean (infinite when the mean is not positive).
fn relative_variance(m: &Moments) -> f64 {
    let x = m.mean();
    if x > 0.0 && m.n() >= 2 { m.variance() / (x * x) } else { f64::INFINITY }
}

/// The relative half-width of class `c`'s unavailability from the sums so far.
fn relative_half_width(plain: &Plain, biased: &Biased, confidence: f64) -> f64 {
    let (nb, np) = (biased.down.n(), plain.length.n());
    let rel = relative_variance(&biased.down) / nb as f64 + relative_variance(&plain.length) / np as f64;
    t_quantile(confidence, nb.min(np).saturating_sub(1).max(1)) * rel.sqrt()
}

/// Cycles to plan for a sample of `n` whose per-cycle relative variance is `rv`, given the
/// share `share` of the squared precision `r2` (z² the squared normal quantile).
fn planned(n: u64, rv: f64, z2: f64, r2: f64, share: f64, max: u64) -> u64 {
    let grown = n.saturating_mul(MAX_GROWTH);
    let want = if rv.is_finite() { (1.05 * z2 * rv / (share * r2)).ceil().min(grown as f64) as u64 } else { grown };
    want.max(n + n / 4).min(grown).min(max).max(n)
}

/// Samples cycles of `chain` in batches until every class's unavailability has a relative
/// half-width of at most `budget.precision`, or a cap is reached.
pub fn sample(chain: &Chain, streams: &Streams, budget: &Budget, pool: &rayon::ThreadPool) -> Result<Sample, String> {
    let (seed, classes) = (streams.seed, chain.structure().roots().len());
    let walkers = Walkers::new(chain, pool);
    let first = PILOT_CYCLES.min(budget.max_cycles.max(2));
    let mut plain = run_plain(&walkers, classes, 0..first, seed, streams.plain, pool)?;
    let mut biased = Vec::with_capacity(classes);
    for c in 0..classes {
        biased.push(run_biased(&walkers, c, 0..first, seed, streams.biased[c], pool)?);
    }
    let (z2, r2) = (normal_quantile(budget.confidence).powi(2), budget.precision * budget.precision);
    loop {
        let met: Vec<bool> = biased.iter().map(|b| relative_half_width(&plain, b, budget.confidence) <= budget.precision).collect();
        let used = plain.steps + biased.iter().map(|b| b.steps).sum::<u64>();
        if met.iter().all(|&m| m) {
            return Ok(Sample { plain, biased, met, out_of_steps: false });
        }
        // Cycles each unmet sample wants, and the plain cycles the neediest class wants.
        let np = plain.length.n();
        let rv_plain = relative_variance(&plain.length);
        let mut want_plain = np;
        let mut want: Vec<u64> = biased.iter().map(|b| b.down.n()).collect();
        let hopeless = |b: &Biased| b.down.n() >= GIVE_UP_CYCLES && b.down.mean() == 0.0;
        for c in (0..classes).filter(|&c| !met[c] && !hopeless(&biased[c])) {
            let n = biased[c].down.n();
            want[c] = planned(n, relative_variance(&biased[c].down), z2, r2, 1.0 - PLAIN_SHARE, budget.max_cycles);
            want_plain = want_plain.max(planned(np, rv_plain, z2, r2, PLAIN_SHARE, budget.max_cycles));
        }
        // Scale the batch down to the transitions left, at the transitions per cycle seen.
        let per_cycle = |steps: u64, n: u64| steps as f64 / n.max(1) as f64;
        let mut cost = (want_plain - np) as f64 * per_cycle(plain.steps, np);
        for (b, &w) in biased.iter().zip(&want) {
            cost += (w - b.down.n()) as f64 * per_cycle(b.steps, b.down.n());
        }
        let left = budget.max_steps.saturating_sub(used) as f64;
        let scale = if cost > left { left / cost } else { 1.0 };
        let grow = |n: u64, w: u64| n + ((w - n) as f64 * scale) as u64;
        let next_plain = grow(np, want_plain);
        let next: Vec<u64> = biased.iter().zip(&want).map(|(b, &w)| grow(b.down.n(), w)).collect();
        if next_plain == np && next.iter().zip(&biased).all(|(&n, b)| n == b.down.n()) {
            return Ok(Sample { plain, biased, met, out_of_steps: scale < 1.0 });
        }
        if next_plain > np {
            plain.merge(&run_plain(&walkers, classes, np..next_plain, seed, streams.plain, pool)?);
        }
        for c in 0..classes {
            let n = biased[c].down.n();
            if next[c] > n {
                let more = run_biased(&walkers, c, n..next[c], seed, streams.biased[c], pool)?;
                biased[c].merge(&more);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(text: &str) -> Chain {
        Chain::new(&crate::load_str(text, &[]).unwrap(), 0)
    }

    fn pool() -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap()
    }

    const ONE: &str = "[simulation]\nhorizon = \"1y\"\n[components.a]\nfailure = { dist = \"exponential\", mean = \"99h\" }\nrepair = { dist = \"exponential\", mean = \"1h\" }\n[traffic.api]\nrate = \"1/s\"\n[architectures.one]\napi = [\"a\"]\n";

    #[test]
    fn a_single_unit_has_one_cycle_shape_and_an_exact_answer() {
        // Every cycle is up (expected 99 h) then down (expected 1 h), whatever is drawn: with
        // expected holding times the estimates have no variance. Unavailability 1/100, one
        // outage per 100 h, first outage after 99 h.
        let c = chain(ONE);
        let streams = Streams { seed: 1, plain: 2, biased: vec![3] };
        let budget = Budget { confidence: 0.95, precision: 0.01, max_cycles: 10_000, max_steps: 1_000_000 };
        let s = sample(&c, &streams, &budget, &pool()).unwrap();
        assert_eq!(s.met, vec![true]);
        assert_eq!(s.plain.length.n(), PILOT_CYCLES);
        let b = &s.biased[0];
        assert!((b.down.mean() / s.plain.length.mean() - 0.01).abs() < 1e-15);
        assert!((b.outages.mean() / s.plain.length.mean() - 0.01).abs() < 1e-15);
        assert!((s.plain.until_down[0].mean() / b.hit.mean() - 99.0).abs() < 1e-12);
        assert_eq!(relative_half_width(&s.plain, b, 0.95), 0.0);
    }

    #[test]
    fn the_sample_does_not_depend_on_the_thread_count() {
        let two = "[simulation]\nhorizon = \"1y\"\n[crews.ops]\nsize = 1\n[components.a]\nfailure = { dist = \"exponential\", mean = \"99h\" }\nrepair = { dist = \"exponential\", mean = \"1h\" }\ncrew = \"ops\"\n[components.b]\nfailure = { dist = \"exponential\", mean = \"30d\" }\nrepair = { dist = \"exponential\", mean = \"2h\" }\ncrew = \"ops\"\n[routes.both]\nany = [\"a\", \"b\"]\n[traffic.api]\nrate = \"1/s\"\n[architectures.one]\napi = [\"both\"]\n";
        let c = chain(two);
        let streams = Streams { seed: 7, plain: 2, biased: vec![3] };
        let budget = Budget { confidence: 0.95, precision: 0.05, max_cycles: 1 << 20, max_steps: 10_000_000 };
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let (a, b) = (sample(&c, &streams, &budget, &one).unwrap(), sample(&c, &streams, &budget, &pool()).unwrap());
        assert_eq!(a.biased[0].down, b.biased[0].down);
        assert_eq!(a.plain.length, b.plain.length);
        assert_eq!(a.biased[0].steps, b.biased[0].steps);
        assert!(a.met[0] && a.biased[0].down.n() > PILOT_CYCLES, "{:?}", a.biased[0].down.n());
    }
}
