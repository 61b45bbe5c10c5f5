//! The numerical tools of the fits, small and tested on problems with known answers: a
//! bracketing root finder for the one-parameter score equations, Nelder–Mead for the two
//! likelihoods without a closed-form profile (censored lognormal and gamma), and central
//! differences for the observed information.
//!
//! Why not a crate: the problems are one- and two-dimensional, smooth and well started (from
//! closed forms or profiles), so a hundred lines of textbook code do; argmin, the Rust crate for
//! this, would bring its own `rand` major version and an executor/state framework for what is
//! here a loop.

/// The root of a decreasing function `g` on `[lo, hi]` by bisection (on whatever scale the
/// caller chose), to `tol` in the argument. `None` if `g` does not change sign on the interval.
pub fn bisect_decreasing(g: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64, tol: f64) -> Option<f64> {
    let (glo, ghi) = (g(lo), g(hi));
    if !(glo >= 0.0 && ghi <= 0.0) {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if hi - lo <= tol {
            return Some(mid);
        }
        let v = g(mid);
        if v.is_nan() {
            return None;
        }
        if v > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

/// The result of a maximisation.
#[derive(Clone, Debug, PartialEq)]
pub struct Maximum {
    /// Where.
    pub x: Vec<f64>,
    /// The function's value there.
    pub value: f64,
    /// Function evaluations used.
    pub evaluations: usize,
}

/// Maximises `f` from `x0` with Nelder–Mead (reflection 1, expansion 2, contraction ½,
/// shrink ½), first simplex steps `step`, restarting from the best point until a restart no
/// longer improves (a restart undoes a simplex that collapsed early). Non-finite values count
/// as −∞, so `f` may refuse parameters by returning NaN.
pub fn nelder_mead(f: impl Fn(&[f64]) -> f64, x0: &[f64], step: &[f64], tol: f64) -> Maximum {
    let value = |x: &[f64]| {
        let v = f(x);
        if v.is_finite() { v } else { f64::NEG_INFINITY }
    };
    let mut best = x0.to_vec();
    let mut best_v = value(&best);
    let mut evaluations = 1;
    let mut scale = 1.0;
    for _ in 0..8 {
        let (x, v, n) = simplex_run(&value, &best, step, scale, tol);
        evaluations += n;
        let improved = v > best_v + tol * (1.0 + best_v.abs());
        if v >= best_v {
            best = x;
            best_v = v;
        }
        if !improved {
            break;
        }
        scale *= 0.5;
    }
    Maximum { x: best, value: best_v, evaluations }
}

fn simplex_run(value: &impl Fn(&[f64]) -> f64, x0: &[f64], step: &[f64], scale: f64, tol: f64) -> (Vec<f64>, f64, usize) {
    let n = x0.len();
    let mut pts: Vec<Vec<f64>> = vec![x0.to_vec()];
    for i in 0..n {
        let mut p = x0.to_vec();
        p[i] += step.get(i).copied().unwrap_or(0.1) * scale;
        pts.push(p);
    }
    let mut vals: Vec<f64> = pts.iter().map(|p| value(p)).collect();
    let mut evals = n + 1;
    let point = |c: &[f64], toward: &[f64], t: f64| -> Vec<f64> { c.iter().zip(toward).map(|(a, b)| a + t * (b - a)).collect() };
    for _ in 0..5000 {
        // Order best (highest) first.
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&a, &b| vals[b].total_cmp(&vals[a]));
        pts = order.iter().map(|&i| pts[i].clone()).collect();
        vals = order.iter().map(|&i| vals[i]).collect();
        let spread = vals[0] - vals[n];
        let size = pts.iter().skip(1).map(|p| p.iter().zip(&pts[0]).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)).fold(0.0, f64::max);
        if vals[0].is_finite() && spread.is_finite() && spread <= tol * (1.0 + vals[0].abs()) && size <= tol.sqrt() {
            break;
        }
        let centroid: Vec<f64> = (0..n).map(|j| pts[..n].iter().map(|p| p[j]).sum::<f64>() / n as f64).collect();
        let worst = pts[n].clone();
        let reflected = point(&centroid, &worst, -1.0);
        let fr = value(&reflected);
        evals += 1;
        if fr > vals[0] {
            let expanded = point(&centroid, &worst, -2.0);
            let fe = value(&expanded);
            evals += 1;
            if fe > fr {
                pts[n] = expanded;
                vals[n] = fe;
            } else {
                pts[n] = reflected;
                vals[n] = fr;
            }
        } else if fr > vals[n - 1] {
            pts[n] = reflected;
            vals[n] = fr;
        } else {
            let (toward, f_toward) = if fr > vals[n] { (reflected, fr) } else { (worst, vals[n]) };
            let contracted = point(&centroid, &toward, 0.5);
            let fc = value(&contracted);
            evals += 1;
            if fc > f_toward {
                pts[n] = contracted;
                vals[n] = fc;
            } else {
                for i in 1..=n {
                    pts[i] = point(&pts[0].clone(), &pts[i], 0.5);
                    vals[i] = value(&pts[i]);
                    evals += 1;
                }
            }
        }
    }
    let best = (0..=n).max_by(|&a, &b| vals[a].total_cmp(&vals[b])).unwrap_or(0);
    (pts[best].clone(), vals[best], evals)
}

/// The Hessian of `f` at `x` by central differences with step `h` in every coordinate.
#[allow(clippy::needless_range_loop)] // a symmetric matrix is filled by index pairs
pub fn hessian(f: impl Fn(&[f64]) -> f64, x: &[f64], h: f64) -> Vec<Vec<f64>> {
    let n = x.len();
    let at = |d: &[(usize, f64)]| {
        let mut p = x.to_vec();
        for &(i, v) in d {
            p[i] += v;
        }
        f(&p)
    };
    let f0 = f(x);
    let mut hess = vec![vec![0.0; n]; n];
    for i in 0..n {
        hess[i][i] = (at(&[(i, h)]) - 2.0 * f0 + at(&[(i, -h)])) / (h * h);
        for j in 0..i {
            let v = (at(&[(i, h), (j, h)]) - at(&[(i, h), (j, -h)]) - at(&[(i, -h), (j, h)]) + at(&[(i, -h), (j, -h)])) / (4.0 * h * h);
            hess[i][j] = v;
            hess[j][i] = v;
        }
    }
    hess
}

/// The gradient of `f` at `x` by central differences.
pub fn gradient(f: impl Fn(&[f64]) -> f64, x: &[f64], h: f64) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let (mut a, mut b) = (x.to_vec(), x.to_vec());
            a[i] += h;
            b[i] -= h;
            (f(&a) - f(&b)) / (2.0 * h)
        })
        .collect()
}

/// The inverse of a symmetric positive-definite matrix of size 1 or 2; `None` when it is not
/// positive definite (a likelihood that is flat or not at a maximum).
pub fn inverse_spd(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    match m.len() {
        1 => (m[0][0] > 0.0 && m[0][0].is_finite()).then(|| vec![vec![1.0 / m[0][0]]]),
        2 => {
            let (a, b, d) = (m[0][0], m[0][1], m[1][1]);
            let det = a * d - b * b;
            (a > 0.0 && det > 0.0 && det.is_finite()).then(|| vec![vec![d / det, -b / det], vec![-b / det, a / det]])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bisection_finds_a_known_root() {
        // g(x) = 2 - x² is decreasing on [0, 3] with its root at √2.
        let r = bisect_decreasing(|x| 2.0 - x * x, 0.0, 3.0, 1e-13).unwrap();
        assert!((r - 2f64.sqrt()).abs() < 1e-12, "{r}");
        assert_eq!(bisect_decreasing(|x| 2.0 - x * x, 2.0, 3.0, 1e-9), None);
    }

    #[test]
    fn nelder_mead_finds_the_top_of_a_quadratic_and_of_rosenbrock() {
        // -(x-1)² - 10(y+2)² has its maximum 0 at (1, -2).
        let m = nelder_mead(|p| -(p[0] - 1.0).powi(2) - 10.0 * (p[1] + 2.0).powi(2), &[5.0, 5.0], &[1.0, 1.0], 1e-14);
        assert!((m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] + 2.0).abs() < 1e-6, "{m:?}");
        // Rosenbrock's banana, maximised as its negative: the top is at (1, 1), a hard valley.
        let m = nelder_mead(|p| -(100.0 * (p[1] - p[0] * p[0]).powi(2) + (1.0 - p[0]).powi(2)), &[-1.2, 1.0], &[0.5, 0.5], 1e-15);
        assert!((m.x[0] - 1.0).abs() < 1e-5 && (m.x[1] - 1.0).abs() < 1e-5, "{m:?}");
        // A refused region (NaN) is avoided, not fallen into.
        let m = nelder_mead(|p| if p[0] < 0.5 { f64::NAN } else { -(p[0] - 2.0).powi(2) }, &[1.0], &[1.0], 1e-14);
        assert!((m.x[0] - 2.0).abs() < 1e-6, "{m:?}");
    }

    #[test]
    fn the_hessian_and_inverse_of_a_quadratic_are_exact() {
        // f = -(2x² + 3xy + 4y²): Hessian [[-4, -3], [-3, -8]] everywhere.
        let h = hessian(|p| -(2.0 * p[0] * p[0] + 3.0 * p[0] * p[1] + 4.0 * p[1] * p[1]), &[0.3, -0.7], 1e-3);
        for (got, want) in h.iter().flatten().zip([-4.0, -3.0, -3.0, -8.0]) {
            assert!((got - want).abs() < 1e-6, "{h:?}");
        }
        let info: Vec<Vec<f64>> = h.iter().map(|r| r.iter().map(|v| -v).collect()).collect();
        let inv = inverse_spd(&info).unwrap();
        // [[4, 3], [3, 8]]⁻¹ = [[8, -3], [-3, 4]] / 23.
        for (got, want) in inv.iter().flatten().zip([8.0 / 23.0, -3.0 / 23.0, -3.0 / 23.0, 4.0 / 23.0]) {
            assert!((got - want).abs() < 1e-6, "{inv:?}");
        }
        assert_eq!(inverse_spd(&[vec![1.0, 2.0], vec![2.0, 1.0]]), None);
        let g = gradient(|p| p[0] * p[0] * p[1], &[2.0, 3.0], 1e-5);
        assert!((g[0] - 12.0).abs() < 1e-6 && (g[1] - 4.0).abs() < 1e-6, "{g:?}");
    }
}
