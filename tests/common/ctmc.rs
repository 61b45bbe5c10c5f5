//! A small dense continuous-time Markov chain solver for the tests' hand-built chains:
//! the steady state π with πQ = 0 and Σπ = 1, by Gaussian elimination with partial pivoting.
//! It is deliberately independent of relsim's code.

/// Steady-state probabilities of a chain with `n` states and transitions `(from, to, rate)`.
pub fn steady_state(n: usize, transitions: &[(usize, usize, f64)]) -> Vec<f64> {
    // Build Qᵀ, replace the last equation by Σπ = 1.
    let mut a = vec![vec![0.0; n + 1]; n];
    for &(i, j, r) in transitions {
        a[j][i] += r;
        a[i][i] -= r;
    }
    a[n - 1][..n].fill(1.0);
    a[n - 1][n] = 1.0;
    for col in 0..n {
        let pivot = (col..n).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs())).unwrap();
        a.swap(col, pivot);
        let p = a[col][col];
        assert!(p.abs() > 1e-300, "singular chain");
        a[col][col..].iter_mut().for_each(|x| *x /= p);
        let pivot_row = a[col].clone();
        for (row, r) in a.iter_mut().enumerate() {
            if row != col && r[col] != 0.0 {
                let f = r[col];
                r[col..].iter_mut().zip(&pivot_row[col..]).for_each(|(x, p)| *x -= f * p);
            }
        }
    }
    (0..n).map(|i| a[i][n]).collect()
}

#[test]
fn two_state_chain() {
    let pi = steady_state(2, &[(0, 1, 0.001), (1, 0, 0.1)]);
    assert!((pi[0] - 0.1 / 0.101).abs() < 1e-15);
}
