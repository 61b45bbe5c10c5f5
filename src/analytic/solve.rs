//! Solving a continuous-time Markov chain given as transitions `(from, to, rate)` with each
//! state's total out-rate: its steady state from state 0 (closed classes found and solved one
//! by one, weighted by the probability of absorption into each), and the mean time to reach a
//! down state from state 0.

use crate::analytic::sparse::{solve, Csr, DENSE_LIMIT};

/// The long-run fraction of time in each state, starting from state 0.
///
/// The chain need not be irreducible (a failover that never fails back can leave the all-up
/// state behind for good): its closed classes are found, each is solved for its own steady
/// state, and they are weighted by the probability of ending up in each from state 0.
pub(super) fn steady_state(n: usize, t: &[(usize, usize, f64)], out: &[f64]) -> std::result::Result<Vec<f64>, String> {
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(i, j, _) in t {
        succ[i].push(j);
    }
    let comp = strongly_connected(&succ);
    let ncomp = comp.iter().copied().max().map_or(0, |c| c + 1);
    let mut closed = vec![true; ncomp];
    for &(i, j, _) in t {
        if comp[i] != comp[j] {
            closed[comp[i]] = false;
        }
    }
    let mut pi = vec![0.0; n];
    let classes: Vec<usize> = (0..ncomp).filter(|&c| closed[c]).collect();
    for &c in &classes {
        let members: Vec<usize> = (0..n).filter(|&s| comp[s] == c).collect();
        let weight = if classes.len() == 1 { 1.0 } else { absorption(n, t, out, &comp, c)? };
        if weight == 0.0 {
            continue;
        }
        for (s, p) in members.iter().zip(class_steady_state(&members, t, out)?) {
            pi[*s] = weight * p;
        }
    }
    Ok(pi)
}

/// Steady state of a closed class (irreducible). Small classes use GTH elimination, which
/// involves no subtraction and so keeps full relative accuracy however stiff the rates; large
/// ones fix the first member's mass to 1, solve the others' balance equations and normalise.
fn class_steady_state(members: &[usize], t: &[(usize, usize, f64)], out: &[f64]) -> std::result::Result<Vec<f64>, String> {
    let m = members.len();
    if m == 1 {
        return Ok(vec![1.0]);
    }
    let mut local = std::collections::HashMap::with_capacity(m);
    for (k, &s) in members.iter().enumerate() {
        local.insert(s, k);
    }
    if m <= DENSE_LIMIT {
        let mut a = vec![vec![0.0; m]; m];
        for &(i, j, r) in t {
            if let (Some(&li), Some(&lj)) = (local.get(&i), local.get(&j)) {
                a[li][lj] += r;
            }
        }
        return gth(a);
    }
    // Unknowns x₁..x_{m−1} (x₀ = 1): for each j ≥ 1, out_j·x_j − Σ_{i≠j} x_i q_ij = q_0j.
    let mut a = Vec::with_capacity(t.len() + m);
    let mut b = vec![0.0; m - 1];
    for &(i, j, r) in t {
        let (Some(&li), Some(&lj)) = (local.get(&i), local.get(&j)) else { continue };
        if lj == 0 {
            continue;
        }
        if li == 0 {
            b[lj - 1] += r;
        } else {
            a.push((lj - 1, li - 1, -r));
        }
    }
    for (k, &s) in members.iter().enumerate().skip(1) {
        a.push((k - 1, k - 1, out[s]));
    }
    let x = solve(&Csr::from_triplets(m - 1, a), &b)?;
    let total: f64 = 1.0 + x.iter().map(|v| v.max(0.0)).sum::<f64>();
    let mut p = Vec::with_capacity(m);
    p.push(1.0 / total);
    p.extend(x.iter().map(|v| v.max(0.0) / total));
    Ok(p)
}

/// Grassmann–Taksar–Heyman elimination: the steady state of an irreducible chain from its
/// off-diagonal rates `a[i][j]`.
fn gth(mut a: Vec<Vec<f64>>) -> std::result::Result<Vec<f64>, String> {
    let n = a.len();
    for k in (1..n).rev() {
        let s: f64 = (0..k).map(|j| a[k][j]).sum();
        if s.is_nan() || s <= 0.0 {
            return Err("the Markov chain is not irreducible".to_string());
        }
        for row in a.iter_mut().take(k) {
            row[k] /= s;
        }
        let (top, rest) = a.split_at_mut(k);
        let ak = &rest[0];
        for row in top.iter_mut() {
            let f = row[k];
            if f != 0.0 {
                for (x, &y) in row[..k].iter_mut().zip(&ak[..k]) {
                    *x += f * y;
                }
            }
        }
    }
    let mut x = vec![0.0; n];
    x[0] = 1.0;
    for j in 1..n {
        x[j] = (0..j).map(|i| x[i] * a[i][j]).sum();
    }
    let total: f64 = x.iter().sum();
    Ok(x.into_iter().map(|v| v / total).collect())
}

/// Probability that the chain started in state 0 ends up in closed class `target`.
fn absorption(n: usize, t: &[(usize, usize, f64)], out: &[f64], comp: &[usize], target: usize) -> std::result::Result<f64, String> {
    let mut closed_comp = vec![true; comp.iter().copied().max().map_or(0, |c| c + 1)];
    for &(i, j, _) in t {
        if comp[i] != comp[j] {
            closed_comp[comp[i]] = false;
        }
    }
    if closed_comp[comp[0]] {
        return Ok(if comp[0] == target { 1.0 } else { 0.0 });
    }
    // Transient states: (−Q_TT) h = (rates into the target class).
    let mut idx = vec![usize::MAX; n];
    let mut m = 0;
    for s in 0..n {
        if !closed_comp[comp[s]] {
            idx[s] = m;
            m += 1;
        }
    }
    let mut a = Vec::with_capacity(t.len() + m);
    let mut b = vec![0.0; m];
    for &(i, j, r) in t {
        if idx[i] == usize::MAX {
            continue;
        }
        if idx[j] != usize::MAX {
            a.push((idx[i], idx[j], -r));
        } else if comp[j] == target {
            b[idx[i]] += r;
        }
    }
    for s in 0..n {
        if idx[s] != usize::MAX {
            a.push((idx[s], idx[s], out[s]));
        }
    }
    let h = solve(&Csr::from_triplets(m, a), &b)?;
    Ok(h[idx[0]])
}

/// Strongly connected components (Tarjan's algorithm, iterative so deep chains cannot overflow
/// the call stack). Returns the component of each state.
fn strongly_connected(succ: &[Vec<usize>]) -> Vec<usize> {
    let n = succ.len();
    let (mut index, mut low) = (vec![usize::MAX; n], vec![0; n]);
    let (mut on_stack, mut stack) = (vec![false; n], Vec::new());
    let mut comp = vec![usize::MAX; n];
    let (mut next, mut ncomp) = (0, 0);
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut k)) = call.last_mut() {
            if *k < succ[v].len() {
                let w = succ[v][*k];
                *k += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = ncomp;
                        if w == v {
                            break;
                        }
                    }
                    ncomp += 1;
                }
            }
        }
    }
    comp
}

/// Mean time from state 0 until the first state where `up` is false: (−Q_UU) τ = 1.
/// Infinite when the chain may never get there (it can end up where the class never fails).
pub(super) fn mean_time_to_down(n: usize, t: &[(usize, usize, f64)], out: &[f64], up: &[bool]) -> std::result::Result<f64, String> {
    if !up[0] {
        return Ok(0.0);
    }
    // States that can reach a down state, by a backward search from the down states.
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(i, j, _) in t {
        pred[j].push(i);
    }
    let mut reaches = up.iter().map(|u| !u).collect::<Vec<bool>>();
    let mut work: Vec<usize> = (0..n).filter(|&s| reaches[s]).collect();
    while let Some(j) = work.pop() {
        for &i in &pred[j] {
            if !reaches[i] {
                reaches[i] = true;
                work.push(i);
            }
        }
    }
    // Any up state reachable from 0 through up states that cannot reach down: never fails.
    let mut seen = vec![false; n];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(i, j, _) in t {
        succ[i].push(j);
    }
    let mut work = vec![0];
    seen[0] = true;
    while let Some(i) = work.pop() {
        if !reaches[i] {
            return Ok(f64::INFINITY);
        }
        for &j in &succ[i] {
            if up[j] && !seen[j] {
                seen[j] = true;
                work.push(j);
            }
        }
    }
    let mut idx = vec![usize::MAX; n];
    let mut m = 0;
    for s in 0..n {
        if up[s] {
            idx[s] = m;
            m += 1;
        }
    }
    let mut a = Vec::with_capacity(t.len() + m);
    for &(i, j, r) in t {
        if up[i] && up[j] {
            a.push((idx[i], idx[j], -r));
        }
    }
    for s in 0..n {
        if up[s] {
            if out[s] == 0.0 {
                return Ok(f64::INFINITY);
            }
            a.push((idx[s], idx[s], out[s]));
        }
    }
    let tau = solve(&Csr::from_triplets(m, a), &vec![1.0; m])?;
    Ok(tau[0])
}

