//! Integers modulo the group order q: KMS master secrets, the ephemeral r, identifiers used
//! as multipliers.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};
use zeroize::{DefaultIsZeroes, Zeroize, ZeroizeOnDrop};

use crate::arith::{self, Limbs, Modulus, N};
use crate::barrier;
use crate::params;

/// Marker for the prime q.
#[derive(Clone, Copy, Debug)]
pub(crate) struct QMod;

impl Modulus for QMod {
    const M: Limbs = params::Q;
}

/// Window width of the signed-digit recoding used by constant-time multiplications.
pub const WINDOW: usize = 5;
/// Signed digits of a 1022-bit scalar: ceil(1022 / 5) windows plus one for the last carry.
pub const MAX_DIGITS: usize = 1022usize.div_ceil(WINDOW) + 1;

/// An integer in [0, q), stored canonically (not in Montgomery form) so that its bits are
/// at hand for scalar multiplication. Debug output hides the value.
#[derive(Clone, Copy, Default)]
pub struct Scalar(pub(crate) Limbs);

impl DefaultIsZeroes for Scalar {}

crate::macros::impl_redacted_debug!(Scalar);

impl Scalar {
    pub const ZERO: Scalar = Scalar([0; N]);

    pub fn from_u64(v: u64) -> Scalar {
        let mut l = [0u64; N];
        l[0] = v;
        Scalar(l)
    }

    /// A big-endian integer of at most 128 bytes; None if it is not below q.
    pub fn from_be_bytes(bytes: &[u8]) -> Option<CtOption<Scalar>> {
        let padded = pad128(bytes)?;
        let limbs = arith::limbs_from_be_bytes(&padded);
        let below = Choice::from(arith::lt(&limbs, &params::Q) as u8);
        Some(CtOption::new(Scalar(limbs), below))
    }

    /// v mod q for any 1024-bit v, in constant time: v < 2^1024 < 8q, so three conditional
    /// subtractions (of 4q, 2q, q) reduce it. Used for HashToIntegerRange(.., q, ..).
    pub fn reduce_be_bytes(bytes: &[u8; 128]) -> Scalar {
        let mut v = arith::limbs_from_be_bytes(bytes);
        for shift in [2u32, 1, 0] {
            let m = shl(&params::Q, shift);
            let (d, borrow) = arith::sub_limbs(&v, &m);
            let keep = Choice::from((borrow ^ 1) as u8);
            for i in 0..N {
                v[i] = u64::conditional_select(&v[i], &d[i], keep);
            }
        }
        Scalar(v)
    }

    /// 128-byte big-endian encoding.
    pub fn to_be_bytes(&self) -> [u8; 128] {
        arith::limbs_to_be_bytes(&self.0)
    }

    pub fn is_zero(&self) -> Choice {
        self.0.ct_eq(&[0u64; N])
    }

    /// Little-endian limbs of the value.
    pub fn to_limbs(&self) -> Limbs {
        self.0
    }

    pub fn add(&self, other: &Scalar) -> Scalar {
        Scalar(arith::add_mod::<QMod>(&self.0, &other.0))
    }

    pub fn mul(&self, other: &Scalar) -> Scalar {
        // (a R)(b) R^-1 = ab: one operand in Montgomery form gives a plain product.
        let a_mont = arith::mont_mul::<QMod>(&self.0, &QMod::R2);
        Scalar(arith::mont_mul::<QMod>(&a_mont, &other.0))
    }

    /// The inverse mod q by Fermat (constant time); zero maps to zero.
    pub fn invert(&self) -> Scalar {
        let mut acc = QMod::R; // 1 in Montgomery form
        let mut base = arith::mont_mul::<QMod>(&self.0, &QMod::R2);
        let mut table = [QMod::R; 16];
        for i in 1..16 {
            table[i] = arith::mont_mul::<QMod>(&table[i - 1], &base);
        }
        for limb in params::Q_MINUS_2.iter().rev() {
            for nibble in (0..16).rev() {
                for _ in 0..4 {
                    acc = arith::mont_square::<QMod>(&acc);
                }
                // The exponent q - 2 is public: indexing by its digits leaks nothing.
                let digit = ((limb >> (4 * nibble)) & 0xf) as usize;
                acc = arith::mont_mul::<QMod>(&acc, &table[digit]);
            }
        }
        let mut one = [0u64; N];
        one[0] = 1;
        let inverse = Scalar(arith::mont_mul::<QMod>(&acc, &one));
        // Powers of a secret (a + z when issuing an RSK).
        table.zeroize();
        base.zeroize();
        acc.zeroize();
        inverse
    }

    /// Signed base-2^5 digits d_i in [-16, 16] with self = sum d_i 2^(5i), computed without
    /// branches on the value.
    pub fn signed_digits(&self) -> SignedDigits {
        let mut d = [0i8; MAX_DIGITS];
        let mut carry = 0u64;
        for (i, digit) in d.iter_mut().enumerate() {
            let w = (bits_at(&self.0, i * WINDOW, WINDOW) + carry) as i64;
            // When w > 16, use w - 32 and carry one into the next window. `over` (1 iff
            // w > 16) is opaque, so that the choice stays arithmetic.
            let over = barrier::opaque(((16 - w) >> 63) as u64 & 1);
            *digit = (w - ((over as i64) << WINDOW)) as i8;
            carry = over;
        }
        SignedDigits { d }
    }
}

/// Secret digit string, least significant first: wiped when dropped.
pub struct SignedDigits {
    d: [i8; MAX_DIGITS],
}

impl SignedDigits {
    pub fn as_slice(&self) -> &[i8] {
        &self.d
    }
    pub(crate) fn len(&self) -> usize {
        MAX_DIGITS
    }
}

impl Drop for SignedDigits {
    fn drop(&mut self) {
        self.d.zeroize();
    }
}

impl ZeroizeOnDrop for SignedDigits {}

/// `count` bits of x starting at bit `start` (zero past the top).
fn bits_at(x: &Limbs, start: usize, count: usize) -> u64 {
    let limb = start / 64;
    let off = start % 64;
    if limb >= N {
        return 0;
    }
    let mut v = x[limb] >> off;
    if off + count > 64 && limb + 1 < N {
        v |= x[limb + 1] << (64 - off);
    }
    v & ((1u64 << count) - 1)
}

fn shl(x: &Limbs, s: u32) -> Limbs {
    if s == 0 {
        return *x;
    }
    let mut r = [0u64; N];
    for i in 0..N {
        r[i] = x[i] << s;
        if i > 0 {
            r[i] |= x[i - 1] >> (64 - s);
        }
    }
    r
}

fn pad128(bytes: &[u8]) -> Option<[u8; 128]> {
    if bytes.len() > 128 {
        return None;
    }
    let mut out = [0u8; 128];
    out[128 - bytes.len()..].copy_from_slice(bytes);
    Some(out)
}

impl ConstantTimeEq for Scalar {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for Scalar {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl Eq for Scalar {}

impl ConditionallySelectable for Scalar {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        let mut r = [0u64; N];
        for (i, limb) in r.iter_mut().enumerate() {
            *limb = u64::conditional_select(&a.0[i], &b.0[i], choice);
        }
        Scalar(r)
    }
}
