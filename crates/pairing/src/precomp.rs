//! Per-RSK precomputation of the Miller loop (DESIGN.md section 1).
//!
//! The pairing is symmetric on E[q], so <R, K> = <K, R>: the loop can run over the
//! multiples of the fixed key K and be evaluated at the varying R. Every line then has the
//! form  A * x_R + B  +  i * C * y_R  with A, B, C depending only on K; dividing by C (an F_p
//! factor, which PF_p ignores) leaves  a * x_R + b + i * y_R. The table stores (a, b) for
//! each step, found with one batched inversion, so a pairing against a table costs an F_p2
//! squaring, one multiplication to evaluate the line and a sparse product per step.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::fp::Fp;
use crate::fp2::Fp2;
use crate::miller::{add_with_line, double_with_line};
use crate::params::{MILLER_DIGITS, MILLER_NAF};
use crate::point::{AffinePoint, JacobianPoint};

/// One normalised line a * x + b (+ i * y), and whether the loop squares before it.
#[derive(Clone, Copy, Default)]
struct Line {
    a: Fp,
    b: Fp,
}

/// The Miller-loop lines of one fixed point (an RSK): 1,373 lines, 343 KiB. Secret when the
/// point is, so wiped on drop and never printed.
#[derive(Clone)]
pub struct LineTable {
    /// In loop order: for each of the 1021 doubling steps its line, followed by the line
    /// of the addition step when the NAF digit is non-zero.
    lines: Vec<Line>,
    /// The same lines for the vector unit, (a, b) interleaved, where the processor has one.
    #[cfg(target_arch = "x86_64")]
    vector: Option<Vec<crate::simd::batch8::Limbs52>>,
}

impl fmt::Debug for LineTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "LineTable({} lines, {} bytes)",
            self.lines.len(),
            self.memory_bytes()
        )
    }
}

impl Zeroize for LineTable {
    fn zeroize(&mut self) {
        for line in self.lines.iter_mut() {
            line.a.zeroize();
            line.b.zeroize();
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(v) = self.vector.as_mut() {
            v.zeroize();
        }
    }
}

impl Drop for LineTable {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for LineTable {}

impl LineTable {
    /// Runs the Miller loop over `k` once, keeping each line's coefficients; constant
    /// time in `k`. About as costly as one plain pairing.
    pub fn new(k: &AffinePoint) -> LineTable {
        LineTable::build(k, true)
    }

    /// As [`LineTable::new`]; `vector` false skips the vector-unit copy (for callers that
    /// will not use it, such as the portable backend).
    pub fn build(k: &AffinePoint, vector: bool) -> LineTable {
        let mut raw: Vec<(Fp, Fp, Fp)> = Vec::with_capacity(MILLER_DIGITS + 360);
        let neg_ky = -k.y;
        let mut t = JacobianPoint::from(*k);
        for i in (0..MILLER_DIGITS - 1).rev() {
            raw.push(double_with_line(&mut t).coefficients());
            let ky = match MILLER_NAF[i] {
                1 => k.y,
                -1 => neg_ky,
                _ => continue,
            };
            raw.push(add_with_line(&mut t, &k.x, &ky).coefficients());
        }
        // Divide every line by its C with one inversion for the whole table.
        let cs: Vec<Fp> = raw.iter().map(|r| r.2).collect();
        let inverses = Fp::batch_invert(&cs);
        let lines: Vec<Line> = raw
            .iter()
            .zip(&inverses)
            .map(|(&(a, b, _), c_inv)| Line {
                a: a * c_inv,
                b: b * c_inv,
            })
            .collect();
        raw.zeroize_all();
        #[cfg(target_arch = "x86_64")]
        let vector = (vector && crate::simd::ifma_available()).then(|| {
            let flat: Vec<Fp> = lines.iter().flat_map(|l: &Line| [l.a, l.b]).collect();
            crate::simd::batch8::vector_form(&flat)
        });
        LineTable {
            lines,
            #[cfg(target_arch = "x86_64")]
            vector,
        }
    }

    /// The vector-unit form of the lines, if built.
    #[cfg(target_arch = "x86_64")]
    pub(crate) fn vector_lines(&self) -> Option<&[crate::simd::batch8::Limbs52]> {
        self.vector.as_deref()
    }

    /// The normalised lines (a, b) in loop order: each of the 1021 doubling steps, then
    /// the addition step's where the NAF digit of q - 1 is non-zero. Accelerators upload
    /// them as they are.
    pub fn lines(&self) -> impl Iterator<Item = (Fp, Fp)> + '_ {
        self.lines.iter().map(|l| (l.a, l.b))
    }

    /// Memory held by the table.
    pub fn memory_bytes(&self) -> usize {
        let vector = {
            #[cfg(target_arch = "x86_64")]
            {
                self.vector
                    .as_ref()
                    .map_or(0, |v| v.len() * 8 * crate::simd::batch8::LIMBS52)
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                0
            }
        };
        self.lines.len() * core::mem::size_of::<Line>() + vector
    }

    /// f_K([i]Q) up to an F_p factor, from the stored lines.
    pub fn miller_loop(&self, q: &AffinePoint) -> Fp2 {
        let (qx, qy) = (q.x, q.y);
        let mut f = Fp2::ONE;
        let mut lines = self.lines.iter();
        for i in (0..MILLER_DIGITS - 1).rev() {
            let Some(dbl) = lines.next() else { break };
            let u = dbl.a * qx + dbl.b;
            f = f.square();
            if MILLER_NAF[i] == 0 {
                f = mul_by_line(&f, &u, &qy);
            } else {
                // Two lines at once: (u + i y)(v + i y) = (uv - y^2) + i y (u + v).
                let Some(add) = lines.next() else { break };
                let v = add.a * qx + add.b;
                let both = Fp2::new(u * v - qy.square(), qy * (u + v));
                f *= both;
            }
        }
        f
    }
}

/// f * (u + i y) with Karatsuba: three multiplications.
#[inline(always)]
fn mul_by_line(f: &Fp2, u: &Fp, y: &Fp) -> Fp2 {
    let t0 = f.c0 * u;
    let t1 = f.c1 * y;
    let t2 = (f.c0 + f.c1) * (u + y);
    Fp2::new(t0 - t1, t2 - t0 - t1)
}

/// Wipes the intermediate coefficients.
trait ZeroizeAll {
    fn zeroize_all(&mut self);
}

impl ZeroizeAll for Vec<(Fp, Fp, Fp)> {
    fn zeroize_all(&mut self) {
        for (a, b, c) in self.iter_mut() {
            a.zeroize();
            b.zeroize();
            c.zeroize();
        }
    }
}
