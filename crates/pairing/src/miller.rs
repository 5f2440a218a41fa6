//! The pairing <R, Q> of RFC 6508 section 3.2, computed with a projective Miller loop.
//!
//! The RFC's pseudocode works in affine coordinates and so divides at every step. Here the
//! running point is Jacobian and each line is scaled by an F_p factor that clears its
//! denominators: PF_p is F_p2 modulo F_p*, so such factors do not change the result (nor
//! do the vertical lines that the NAF subtraction steps would add, whose values at [i]Q
//! lie in F_p). One inversion remains, to normalise the final value.

use crate::fp::Fp;
use crate::fp2::Fp2;
use crate::params::{MILLER_DIGITS, MILLER_NAF};
use crate::pf::PfValue;
use crate::point::{AffinePoint, JacobianPoint};

/// The tangent line at a point being doubled, up to an F_p factor:
/// alpha (delta x + X) - 2 gamma  +  i (Z3 delta) y, with the dbl-2001-b quantities
/// (delta = Z^2, gamma = Y^2, alpha = 3(X^2 - Z^4), Z3 = 2YZ) of the point before doubling.
pub(crate) struct TangentLine {
    alpha: Fp,
    delta: Fp,
    x: Fp,
    gamma: Fp,
    z3: Fp,
}

impl TangentLine {
    /// The line at [i]Q = (-qx, i qy).
    #[inline(always)]
    fn eval(&self, qx: &Fp, qy: &Fp) -> Fp2 {
        let c0 = self.alpha * (self.delta * qx + self.x) - self.gamma.double();
        Fp2::new(c0, self.z3 * self.delta * qy)
    }

    /// (A, B, C) with the line equal to A qx + B + i C qy.
    pub(crate) fn coefficients(&self) -> (Fp, Fp, Fp) {
        (
            self.alpha * self.delta,
            self.alpha * self.x - self.gamma.double(),
            self.z3 * self.delta,
        )
    }
}

/// Doubles `t` (a = -3, dbl-2001-b: 3M + 5S) and returns its tangent line.
#[inline(always)]
pub(crate) fn double_with_line(t: &mut JacobianPoint) -> TangentLine {
    let delta = t.z.square();
    let gamma = t.y.square();
    let beta = t.x * gamma;
    let s = (t.x - delta) * (t.x + delta);
    let alpha = s.double() + s;
    let beta4 = beta.double().double();
    let x3 = alpha.square() - beta4.double();
    let z3 = (t.y + t.z).square() - gamma - delta;
    let y3 = alpha * (beta4 - x3) - gamma.square().double().double().double();
    let line = TangentLine {
        alpha,
        delta,
        x: t.x,
        gamma,
        z3,
    };
    *t = JacobianPoint {
        x: x3,
        y: y3,
        z: z3,
    };
    line
}

/// The chord through the running point and the affine point (rx, ry) being added, up to
/// an F_p factor: rr (x + rx) - ry Z3  +  i Z3 y, where rr = 2(S2 - Y) and Z3 = 2ZH are the
/// madd-2007-bl quantities.
pub(crate) struct ChordLine {
    rr: Fp,
    z3: Fp,
    rx: Fp,
    ry: Fp,
}

impl ChordLine {
    /// The line at [i]Q, with qx + rx precomputed by the caller.
    #[inline(always)]
    fn eval(&self, qx_plus_rx: &Fp, qy: &Fp) -> Fp2 {
        Fp2::new(self.rr * qx_plus_rx - self.ry * self.z3, self.z3 * qy)
    }

    /// (A, B, C) with the line equal to A qx + B + i C qy.
    pub(crate) fn coefficients(&self) -> (Fp, Fp, Fp) {
        (self.rr, self.rr * self.rx - self.ry * self.z3, self.z3)
    }
}

/// Adds the affine point (rx, ry) to `t` (madd-2007-bl: 7M + 4S) and returns the chord.
/// Assumes t != +-(rx, ry) and t is not the identity, which holds inside the Miller loop
/// for points of order q.
#[inline(always)]
pub(crate) fn add_with_line(t: &mut JacobianPoint, rx: &Fp, ry: &Fp) -> ChordLine {
    let z1z1 = t.z.square();
    let u2 = rx * &z1z1;
    let s2 = ry * &(t.z * z1z1);
    let h = u2 - t.x;
    let hh = h.square();
    let i = hh.double().double();
    let j = h * i;
    let rr = (s2 - t.y).double();
    let v = t.x * i;
    let x3 = rr.square() - j - v.double();
    let y3 = rr * (v - x3) - (t.y * j).double();
    let z3 = (t.z + h).square() - z1z1 - hh;
    *t = JacobianPoint {
        x: x3,
        y: y3,
        z: z3,
    };
    ChordLine {
        rr,
        z3,
        rx: *rx,
        ry: *ry,
    }
}

/// f_R([i]Q) up to an F_p factor: the Miller loop over the non-adjacent form of q - 1.
/// The control flow depends only on q, never on R or Q.
pub fn miller_loop(r: &AffinePoint, q: &AffinePoint) -> Fp2 {
    let (qx, qy) = (q.x, q.y);
    let neg_ry = -r.y;
    let qx_plus_rx = qx + r.x;
    let mut t = JacobianPoint::from(*r);
    let mut f = Fp2::ONE;
    for i in (0..MILLER_DIGITS - 1).rev() {
        let line = double_with_line(&mut t);
        f = f.square() * line.eval(&qx, &qy);
        let ry = match MILLER_NAF[i] {
            1 => r.y,
            -1 => neg_ry,
            _ => continue,
        };
        let line = add_with_line(&mut t, &r.x, &ry);
        f *= line.eval(&qx_plus_rx, &qy);
    }
    f
}

/// The final step: t = f^c with c = (p + 1)/q = 4, as its PF_p representative.
pub fn final_exponentiation(f: &Fp2) -> PfValue {
    PfValue::from_fp2(&f.square().square())
}

/// <R, Q> for R, Q in E(F_p)[q]. Both arguments may be secret: the time taken does not
/// depend on them. Points outside the subgroup give a meaningless value, never a panic.
pub fn pairing(r: &AffinePoint, q: &AffinePoint) -> PfValue {
    final_exponentiation(&miller_loop(r, q))
}
