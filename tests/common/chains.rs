//! Markov chains built by hand for the tests, independently of relsim's code: the oracles the
//! simulator and the analytic engine are both checked against.

use super::ctmc::steady_state;

/// Hot-standby failover of two different members with independent repairs, switch-over that
/// works with probability c (a failed one leaves the route down until the failed member is
/// repaired), with and without failback: a chain over (a up, b up, mode).
pub fn failover_chain(la: f64, ma: f64, lb: f64, mb: f64, c: f64, failback: bool) -> f64 {
    // A state is (a up, b up, mode); mode: 0 serving a, 1 serving b, 2 stuck on a, 3 stuck on
    // b, 4 none up.
    let valid = |a: bool, b: bool, mode: usize| match mode {
        0 => a,
        1 => b,
        2 => !a,
        3 => !b,
        _ => !a && !b,
    };
    let mut states = Vec::new();
    for a in [false, true] {
        for b in [false, true] {
            for mode in 0..5 {
                if valid(a, b, mode) {
                    states.push((a, b, mode));
                }
            }
        }
    }
    let index = |s: (bool, bool, usize)| states.iter().position(|&x| x == s).expect("valid state");
    let mut t = Vec::new();
    for &(a, b, mode) in &states {
        let from = index((a, b, mode));
        let up = [a, b];
        // A member fails.
        for (which, rate) in [(0usize, la), (1usize, lb)] {
            if !up[which] {
                continue;
            }
            let (na, nb) = if which == 0 { (false, b) } else { (a, false) };
            if mode == which {
                let first_up = if na { Some(0) } else if nb { Some(1) } else { None };
                match first_up {
                    None => t.push((from, index((na, nb, 4)), rate)),
                    Some(j) => {
                        t.push((from, index((na, nb, j)), rate * c));
                        t.push((from, index((na, nb, 2 + which)), rate * (1.0 - c)));
                    }
                }
            } else {
                t.push((from, index((na, nb, mode)), rate));
            }
        }
        // A member is repaired.
        for (which, rate) in [(0usize, ma), (1usize, mb)] {
            if up[which] {
                continue;
            }
            let (na, nb) = if which == 0 { (true, b) } else { (a, true) };
            let to_mode = match mode {
                0 | 1 if failback && which == 0 => 0,
                0 | 1 => mode,
                2 | 3 if mode - 2 == which => {
                    if failback && na { 0 } else { which }
                }
                2 | 3 => mode,
                _ => which,
            };
            t.push((from, index((na, nb, to_mode)), rate));
        }
    }
    let pi = steady_state(states.len(), &t);
    states.iter().zip(&pi).filter(|((a, b, mode), _)| (*mode == 0 && *a) || (*mode == 1 && *b)).map(|(_, p)| p).sum()
}

/// Steady state of three components sharing one crew of size 1, where a state is the list of
/// failed components in the order the crew will repair them (the first is in repair). With
/// `fifo` the queue is in order of failure; otherwise the crew next takes the waiting component
/// with the lowest index (the contrast a test of ordering needs). Returns (states, π).
pub fn crew_chain(lambda: [f64; 3], mu: [f64; 3], fifo: bool) -> (Vec<Vec<usize>>, Vec<f64>) {
    let mut states: Vec<Vec<usize>> = vec![vec![]];
    for a in 0..3 {
        states.push(vec![a]);
        for b in (0..3).filter(|&b| b != a) {
            states.push(vec![a, b]);
            for c in (0..3).filter(|&c| c != a && c != b) {
                states.push(vec![a, b, c]);
            }
        }
    }
    let normal = |s: Vec<usize>| -> Vec<usize> {
        if fifo || s.len() < 2 {
            return s;
        }
        let mut waiting = s[1..].to_vec();
        waiting.sort();
        std::iter::once(s[0]).chain(waiting).collect()
    };
    states.retain(|s| normal(s.clone()) == *s);
    let index = |s: &Vec<usize>| states.iter().position(|x| x == s).expect("state");
    let mut t = Vec::new();
    for s in &states {
        for c in (0..3).filter(|c| !s.contains(c)) {
            let mut next = s.clone();
            next.push(c);
            t.push((index(s), index(&normal(next)), lambda[c]));
        }
        if let Some(&first) = s.first() {
            let mut rest = s[1..].to_vec();
            if !fifo && rest.len() > 1 {
                rest.sort();
            }
            t.push((index(s), index(&rest), mu[first]));
        }
    }
    let pi = steady_state(states.len(), &t);
    (states, pi)
}

