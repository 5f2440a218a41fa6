//! PF_p = (F_p2)* / (F_p)*: where pairing values live (RFC 6508 section 2.1).
//!
//! An element a + ib of F_p2 stands for its whole F_p* coset; the RFC represents the coset
//! by b/a in F_p. Arithmetic stays in F_p2 (no inversion per step) and an element is
//! normalised to b/a only when it must be encoded or compared.

use subtle::{Choice, ConstantTimeEq, CtOption};
use zeroize::{DefaultIsZeroes, Zeroize};

use crate::fp::{Fp, FP_BYTES};
use crate::fp2::Fp2;
use crate::lookup::{lookup_signed, SignedEntry};
use crate::params;
use crate::scalar::{Scalar, WINDOW};

/// An element of PF_p[q] in the RFC's representation x = b/a (the coset of 1 + ix).
/// Debug output hides the value (w = <R, K_b> and g^r are secrets).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct PfValue(pub(crate) Fp);

impl DefaultIsZeroes for PfValue {}

crate::macros::impl_redacted_debug!(PfValue);

impl PfValue {
    /// The identity element (the coset of 1).
    pub const IDENTITY: PfValue = PfValue(Fp::ZERO);

    /// g = <P, P> from RFC 6509 Appendix A.
    pub fn generator() -> PfValue {
        PfValue(Fp::from_canonical(&params::G))
    }

    /// Normalises a + ib to b/a. A zero real part (the element of order 2, or a degenerate
    /// input) gives 0; callers comparing results treat that like any other value.
    pub fn from_fp2(t: &Fp2) -> PfValue {
        PfValue(t.c1 * t.c0.invert())
    }

    /// Normalises many values with one inversion (Montgomery's trick): 3 multiplications
    /// per element plus one inversion for the whole slice.
    pub fn batch_from_fp2(ts: &[Fp2]) -> Vec<PfValue> {
        let reals: Vec<Fp> = ts.iter().map(|t| t.c0).collect();
        let inverses = Fp::batch_invert(&reals);
        ts.iter()
            .zip(inverses)
            .map(|(t, a_inv)| PfValue(t.c1 * a_inv))
            .collect()
    }

    /// The F_p2 element 1 + ix that this value stands for.
    pub fn to_fp2(&self) -> Fp2 {
        Fp2::new(Fp::ONE, self.0)
    }

    /// The 128-byte encoding (RFC 6508 section 4): fixed length, leading zeros kept.
    pub fn to_bytes(&self) -> [u8; FP_BYTES] {
        self.0.to_bytes()
    }

    /// Decodes 128 bytes; None unless the value is below p.
    pub fn from_bytes(bytes: &[u8; FP_BYTES]) -> CtOption<PfValue> {
        Fp::from_bytes(bytes).map(PfValue)
    }

    /// The group law of RFC 6508 section 2.1, (a + b) / (1 - ab), for tests and callers
    /// that hold normalised values; the engine multiplies in F_p2 instead.
    pub fn mul(&self, other: &PfValue) -> PfValue {
        let num = self.0 + other.0;
        let den = Fp::ONE - self.0 * other.0;
        PfValue(num * den.invert())
    }

    /// self^k in constant time (k is secret in encapsulation: it is r).
    ///
    /// Works on v = t / conj(t) for t = 1 + ix: v has norm one and stands for t^2 in PF_p,
    /// so t^k = v^(k/2), with k/2 taken mod q (self must lie in PF_p[q], as pairing values
    /// and g do). For norm-one values a square is (2a^2 - 1) + i((a + b)^2 - 1), two F_p
    /// squarings, and the inverse is the conjugate, so signed window digits cost nothing.
    pub fn pow(&self, k: &Scalar) -> PfValue {
        let t = self.to_fp2();
        let v = t * t.conjugate().invert();
        let mut half_k = k.mul(&Scalar(params::HALF_MOD_Q));
        let power = PfValue::from_fp2(&unitary_pow(&v, &half_k));
        half_k.zeroize(); // as secret as k
        power
    }
}

/// Squaring for a + ib with a^2 + b^2 = 1.
#[inline(always)]
pub(crate) fn unitary_square(u: &Fp2) -> Fp2 {
    let a2 = u.c0.square();
    let s = (u.c0 + u.c1).square();
    Fp2::new(a2.double() - Fp::ONE, s - Fp::ONE)
}

/// u^k for a norm-one u, fixed signed 5-bit windows with constant-time table scans.
pub(crate) fn unitary_pow(u: &Fp2, k: &Scalar) -> Fp2 {
    // table[j] = u^(j+1), j = 0..16
    let mut table = [*u; 16];
    for j in 1..16 {
        table[j] = table[j - 1] * u;
    }
    let digits = k.signed_digits();
    let mut acc = Fp2::ONE;
    for (pos, &d) in digits.as_slice().iter().enumerate().rev() {
        if pos + 1 != digits.len() {
            for _ in 0..WINDOW {
                acc = unitary_square(&acc);
            }
        }
        acc *= lookup_signed(&table, d);
    }
    acc
}

impl ConstantTimeEq for PfValue {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

/// Table entries of [`unitary_pow`]: norm-one values, whose inverse is the conjugate.
impl SignedEntry for Fp2 {
    fn zero_digit() -> Fp2 {
        Fp2::ONE
    }
    fn negate(&self) -> Fp2 {
        self.conjugate()
    }
}
