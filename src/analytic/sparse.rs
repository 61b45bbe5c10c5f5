//! Linear systems for the Markov method: a compressed sparse row matrix, ILU(0)-preconditioned
//! BiCGSTAB for large systems, and dense LU with partial pivoting for small ones. The systems
//! relsim solves (−Q restricted to a subset of states, transposed or not) are nonsingular
//! M-matrices, for which ILU(0) exists and works well. Every solution is checked by its
//! residual; a solve that does not converge is an error, never a silent answer.

/// Systems up to this size are solved densely (exact to rounding).
pub const DENSE_LIMIT: usize = 600;

/// A square sparse matrix in compressed rows, columns sorted within each row.
#[derive(Clone, Debug)]
pub struct Csr {
    n: usize,
    start: Vec<usize>,
    col: Vec<usize>,
    val: Vec<f64>,
}

impl Csr {
    /// Builds an `n × n` matrix from `(row, column, value)` triplets; duplicates are summed.
    pub fn from_triplets(n: usize, mut t: Vec<(usize, usize, f64)>) -> Csr {
        t.sort_by_key(|e| (e.0, e.1));
        let mut start = vec![0; n + 1];
        let mut col = Vec::with_capacity(t.len());
        let mut val: Vec<f64> = Vec::with_capacity(t.len());
        let mut last: Option<(usize, usize)> = None;
        for (r, c, v) in t {
            if last == Some((r, c)) {
                if let Some(x) = val.last_mut() {
                    *x += v;
                }
                continue;
            }
            last = Some((r, c));
            col.push(c);
            val.push(v);
            start[r + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        Csr { n, start, col, val }
    }

    /// Size.
    pub fn n(&self) -> usize {
        self.n
    }

    /// `y = A x`.
    pub fn mul(&self, x: &[f64], y: &mut [f64]) {
        for (i, yi) in y.iter_mut().enumerate().take(self.n) {
            *yi = (self.start[i]..self.start[i + 1]).map(|k| self.val[k] * x[self.col[k]]).sum();
        }
    }

    fn dense(&self) -> Vec<Vec<f64>> {
        let mut a = vec![vec![0.0; self.n]; self.n];
        for (i, row) in a.iter_mut().enumerate() {
            for k in self.start[i]..self.start[i + 1] {
                row[self.col[k]] += self.val[k];
            }
        }
        a
    }
}

/// Solves `A x = b`; the error says why when it cannot.
pub fn solve(a: &Csr, b: &[f64]) -> Result<Vec<f64>, String> {
    let x = if a.n <= DENSE_LIMIT { dense_solve(a.dense(), b)? } else { bicgstab(a, b)? };
    let mut r = vec![0.0; a.n];
    a.mul(&x, &mut r);
    let norm = |v: &[f64]| v.iter().map(|x| x.abs()).fold(0.0, f64::max);
    // The iterative solver must have converged: its residual is judged against ‖b‖. The direct
    // one is backward stable, so its residual is judged as a backward error, against
    // ‖A‖·‖x‖ + ‖b‖ (infinity norms): a correct solution of a stiff system (mean times to
    // failure of 10⁸ h from rates of 1/h) misses ‖b‖ alone by the rounding of its large terms.
    let a_norm = || (0..a.n).map(|i| a.val[a.start[i]..a.start[i + 1]].iter().map(|v| v.abs()).sum::<f64>()).fold(0.0, f64::max);
    let scale = if a.n <= DENSE_LIMIT { a_norm() * norm(&x) + norm(b) } else { norm(b) }.max(f64::MIN_POSITIVE);
    let residual = r.iter().zip(b).map(|(ri, bi)| (ri - bi).abs()).fold(0.0, f64::max) / scale;
    // A NaN residual fails this test too.
    if residual.is_nan() || residual >= 1e-8 {
        return Err(format!("the linear solver did not converge (relative residual {residual:.1e})"));
    }
    Ok(x)
}

fn dense_solve(mut a: Vec<Vec<f64>>, b: &[f64]) -> Result<Vec<f64>, String> {
    let n = b.len();
    for (row, &bi) in a.iter_mut().zip(b) {
        row.push(bi);
    }
    for col in 0..n {
        let pivot = (col..n).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs())).unwrap_or(col);
        if a[pivot][col].abs() < 1e-300 {
            return Err("the Markov chain is not irreducible (singular system)".to_string());
        }
        a.swap(col, pivot);
        let p = a[col][col];
        let pivot_row: Vec<f64> = a[col][col..].iter().map(|v| v / p).collect();
        a[col][col..].copy_from_slice(&pivot_row);
        for (r, row) in a.iter_mut().enumerate() {
            if r != col && row[col] != 0.0 {
                let f = row[col];
                row[col..].iter_mut().zip(&pivot_row).for_each(|(x, p)| *x -= f * p);
            }
        }
    }
    Ok(a.into_iter().map(|row| row[n]).collect())
}

/// Incomplete LU factors with the sparsity of A (ILU(0)).
struct Ilu {
    a: Csr,
    diag: Vec<usize>,
}

impl Ilu {
    fn new(a: &Csr) -> Result<Ilu, String> {
        let mut f = a.clone();
        let n = f.n;
        let mut diag = vec![usize::MAX; n];
        for (i, d) in diag.iter_mut().enumerate() {
            for k in f.start[i]..f.start[i + 1] {
                if f.col[k] == i {
                    *d = k;
                }
            }
            if *d == usize::MAX {
                return Err("the Markov chain has a state with no way out (zero diagonal)".to_string());
            }
        }
        let mut pos = vec![usize::MAX; n];
        for i in 0..n {
            for k in f.start[i]..f.start[i + 1] {
                pos[f.col[k]] = k;
            }
            for k in f.start[i]..f.start[i + 1] {
                let j = f.col[k];
                if j >= i {
                    break;
                }
                let ljj = f.val[diag[j]];
                if ljj == 0.0 {
                    return Err("incomplete factorisation broke down".to_string());
                }
                f.val[k] /= ljj;
                let lik = f.val[k];
                for kk in diag[j] + 1..f.start[j + 1] {
                    let p = pos[f.col[kk]];
                    if p != usize::MAX {
                        f.val[p] -= lik * f.val[kk];
                    }
                }
            }
            for k in f.start[i]..f.start[i + 1] {
                pos[f.col[k]] = usize::MAX;
            }
            if f.val[diag[i]] == 0.0 {
                return Err("incomplete factorisation broke down".to_string());
            }
        }
        Ok(Ilu { a: f, diag })
    }

    /// Solves `L U z = r` in place.
    fn apply(&self, z: &mut [f64]) {
        let f = &self.a;
        for i in 0..f.n {
            let mut s = z[i];
            for k in f.start[i]..self.diag[i] {
                s -= f.val[k] * z[f.col[k]];
            }
            z[i] = s;
        }
        for i in (0..f.n).rev() {
            let mut s = z[i];
            for k in self.diag[i] + 1..f.start[i + 1] {
                s -= f.val[k] * z[f.col[k]];
            }
            z[i] = s / f.val[self.diag[i]];
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Right-preconditioned BiCGSTAB.
fn bicgstab(a: &Csr, b: &[f64]) -> Result<Vec<f64>, String> {
    let n = a.n;
    let m = Ilu::new(a)?;
    let norm_b = dot(b, b).sqrt();
    if norm_b == 0.0 {
        return Ok(vec![0.0; n]);
    }
    let mut x = vec![0.0; n];
    let mut r = b.to_vec();
    let r0 = r.clone();
    let (mut rho, mut alpha, mut omega) = (1.0, 1.0, 1.0);
    let (mut v, mut p) = (vec![0.0; n], vec![0.0; n]);
    let (mut y, mut z, mut s, mut t) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for _ in 0..2000 {
        let rho_new = dot(&r0, &r);
        if rho_new == 0.0 {
            break;
        }
        let beta = (rho_new / rho) * (alpha / omega);
        rho = rho_new;
        for i in 0..n {
            p[i] = r[i] + beta * (p[i] - omega * v[i]);
        }
        y.copy_from_slice(&p);
        m.apply(&mut y);
        a.mul(&y, &mut v);
        alpha = rho / dot(&r0, &v);
        for i in 0..n {
            s[i] = r[i] - alpha * v[i];
        }
        if dot(&s, &s).sqrt() <= 1e-15 * norm_b {
            for i in 0..n {
                x[i] += alpha * y[i];
            }
            return Ok(x);
        }
        z.copy_from_slice(&s);
        m.apply(&mut z);
        a.mul(&z, &mut t);
        omega = dot(&t, &s) / dot(&t, &t);
        for i in 0..n {
            x[i] += alpha * y[i] + omega * z[i];
            r[i] = s[i] - omega * t[i];
        }
        if dot(&r, &r).sqrt() <= 1e-15 * norm_b {
            return Ok(x);
        }
        if !omega.is_finite() || omega == 0.0 {
            break;
        }
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// −Q of a birth–death chain restricted to all but state 0: an M-matrix.
    fn chain(n: usize) -> Csr {
        let (up, down) = (0.3, 1.0);
        let mut t = Vec::new();
        for i in 0..n {
            let mut diag = down;
            if i + 1 < n {
                diag += up;
                t.push((i, i + 1, -up));
            }
            if i > 0 {
                t.push((i, i - 1, -down));
            }
            t.push((i, i, diag));
        }
        Csr::from_triplets(n, t)
    }

    #[test]
    fn dense_and_iterative_agree() {
        for n in [10, DENSE_LIMIT + 50, 5000] {
            let a = chain(n);
            let b: Vec<f64> = (0..n).map(|i| 1.0 + (i % 7) as f64).collect();
            let x = solve(&a, &b).unwrap();
            let mut r = vec![0.0; n];
            a.mul(&x, &mut r);
            for (ri, bi) in r.iter().zip(&b) {
                assert!((ri - bi).abs() < 1e-9 * bi, "{n}");
            }
        }
    }

    #[test]
    fn singular_systems_are_reported() {
        let a = Csr::from_triplets(2, vec![(0, 0, 1.0), (0, 1, -1.0), (1, 0, -1.0), (1, 1, 1.0)]);
        assert!(solve(&a, &[1.0, 1.0]).is_err());
    }
}
