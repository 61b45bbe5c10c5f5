//! What the requests of one class saw in one replication: counted one by one (per-request mode)
//! or as expectations over intervals of constant state (fast mode).

use crate::traffic::walk::{ClassWalk, Outcome};

/// Request tallies of one architecture × class in one replication.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Requests.
    pub requests: f64,
    /// Requests by outcome (index = `Outcome as usize`).
    pub outcomes: [f64; 6],
    /// Extra attempts (retries).
    pub extra_attempts: f64,
    /// Sum of latencies (seconds).
    pub latency_sum: f64,
    /// Requests by latency: (seconds, requests), sorted by latency.
    pub latency: Vec<(f64, f64)>,
    /// Money the requests cost: the prices of the components that answered them.
    pub charge: f64,
}

impl Tally {
    /// Empties it for a new replication (keeping its buffer).
    pub fn clear(&mut self) {
        self.requests = 0.0;
        self.outcomes = [0.0; 6];
        self.extra_attempts = 0.0;
        self.latency_sum = 0.0;
        self.latency.clear();
        self.charge = 0.0;
    }

    /// Adds `n` expected requests that follow `walk`.
    pub fn add_expected(&mut self, n: f64, walk: &ClassWalk) {
        if n <= 0.0 {
            return;
        }
        self.requests += n;
        for (t, p) in self.outcomes.iter_mut().zip(&walk.p) {
            *t += n * p;
        }
        self.extra_attempts += n * walk.extra_attempts;
        self.charge += n * walk.charge;
        for &(l, p) in &walk.latency {
            self.latency_sum += n * p * l;
            self.add_latency(l, n * p);
        }
    }

    /// Adds one request, which cost `charge`.
    pub fn add_one(&mut self, outcome: Outcome, latency: f64, extra_attempts: u32, charge: f64) {
        self.requests += 1.0;
        self.charge += charge;
        self.outcomes[outcome as usize] += 1.0;
        self.extra_attempts += extra_attempts as f64;
        self.latency_sum += latency;
        self.add_latency(latency, 1.0);
    }

    fn add_latency(&mut self, l: f64, w: f64) {
        if w <= 0.0 {
            return;
        }
        match self.latency.binary_search_by(|x| x.0.total_cmp(&l)) {
            Ok(i) => self.latency[i].1 += w,
            Err(i) => self.latency.insert(i, (l, w)),
        }
    }

    /// Requests that failed or were answered wrongly.
    pub fn failed(&self) -> f64 {
        self.requests - self.outcomes[Outcome::Right as usize]
    }
}
