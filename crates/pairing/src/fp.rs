//! The base field F_p of RFC 6509 parameter set 1, in Montgomery form.

use core::ops::{Add, Mul, Neg, Sub};

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};
use zeroize::DefaultIsZeroes;

use crate::arith::{self, Limbs, Modulus, N};
use crate::params;

/// Marker for the prime p.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PMod;

impl Modulus for PMod {
    const M: Limbs = params::P;
}

/// -p^-1 mod 2^64, for the vector arithmetic.
#[cfg(target_arch = "x86_64")]
pub(crate) const P_INV: u64 = PMod::INV;

/// Length of an encoded F_p element: Ceiling(lg(p)/8) = 128 bytes (RFC 6508 section 4).
pub const FP_BYTES: usize = 128;

/// An element of F_p, stored as a * 2^1024 mod p. Always fully reduced.
#[derive(Clone, Copy, Default)]
pub struct Fp(pub(crate) Limbs);

impl DefaultIsZeroes for Fp {}

crate::macros::impl_redacted_debug!(Fp);

impl Fp {
    pub const ZERO: Fp = Fp([0; N]);
    pub const ONE: Fp = Fp(PMod::R);

    /// The element with the given canonical value (limbs little-endian, value < p).
    pub(crate) fn from_canonical(limbs: &Limbs) -> Fp {
        Fp(arith::mont_mul::<PMod>(limbs, &PMod::R2))
    }

    /// The canonical value (limbs little-endian).
    pub(crate) fn to_canonical(self) -> Limbs {
        let mut one = [0u64; N];
        one[0] = 1;
        arith::mont_mul::<PMod>(&self.0, &one)
    }

    /// Small constants.
    pub fn from_u64(v: u64) -> Fp {
        let mut limbs = [0u64; N];
        limbs[0] = v;
        Fp::from_canonical(&limbs)
    }

    /// Decodes 128 big-endian bytes; None if the value is not below p.
    pub fn from_bytes(bytes: &[u8; FP_BYTES]) -> CtOption<Fp> {
        let limbs = arith::limbs_from_be_bytes(bytes);
        let canonical = Choice::from(arith::lt(&limbs, &params::P) as u8);
        CtOption::new(Fp::from_canonical(&limbs), canonical)
    }

    /// The 128-byte big-endian encoding of the canonical value.
    pub fn to_bytes(&self) -> [u8; FP_BYTES] {
        arith::limbs_to_be_bytes(&self.to_canonical())
    }

    /// The stored Montgomery form a * 2^1024 mod p, as 16 little-endian u64 limbs: for
    /// accelerator backends, which compute on the same representation so that their
    /// results are bit-identical to this crate's without a conversion per element.
    pub fn to_montgomery_limbs(&self) -> [u64; N] {
        self.0
    }

    /// The element whose Montgomery form is `limbs` (the inverse of
    /// [`Fp::to_montgomery_limbs`]); None unless the limbs are below p.
    pub fn from_montgomery_limbs(limbs: &[u64; N]) -> CtOption<Fp> {
        let reduced = Choice::from(arith::lt(limbs, &params::P) as u8);
        CtOption::new(Fp(*limbs), reduced)
    }

    #[inline(always)]
    pub fn square(&self) -> Fp {
        Fp(arith::mont_square::<PMod>(&self.0))
    }

    #[inline(always)]
    pub fn double(&self) -> Fp {
        Fp(arith::add_mod::<PMod>(&self.0, &self.0))
    }

    pub fn is_zero(&self) -> Choice {
        self.ct_eq(&Fp::ZERO)
    }

    /// self^e for a public exponent (little-endian limbs), by a fixed 4-bit window. The
    /// running time depends only on e.
    pub fn pow_vartime(&self, e: &Limbs) -> Fp {
        let mut table = [Fp::ONE; 16];
        for i in 1..16 {
            table[i] = table[i - 1] * self;
        }
        let mut acc = Fp::ONE;
        let mut started = false;
        for limb in e.iter().rev() {
            for nibble in (0..16).rev() {
                let digit = ((limb >> (4 * nibble)) & 0xf) as usize;
                if started {
                    for _ in 0..4 {
                        acc = acc.square();
                    }
                }
                if digit != 0 {
                    acc *= table[digit];
                    started = true;
                }
            }
        }
        acc
    }

    /// Inverts every element with one field inversion (Montgomery's trick). Zeros stay zero.
    pub fn batch_invert(xs: &[Fp]) -> Vec<Fp> {
        let mut prefix = Vec::with_capacity(xs.len());
        let mut acc = Fp::ONE;
        for x in xs {
            prefix.push(acc);
            acc *= Fp::conditional_select(x, &Fp::ONE, x.is_zero());
        }
        let mut inv = acc.invert();
        let mut out = vec![Fp::ZERO; xs.len()];
        for (i, x) in xs.iter().enumerate().rev() {
            let zero = x.is_zero();
            let safe = Fp::conditional_select(x, &Fp::ONE, zero);
            out[i] = Fp::conditional_select(&(inv * prefix[i]), &Fp::ZERO, zero);
            inv *= safe;
        }
        out
    }

    /// The inverse, in constant time (safegcd); zero maps to zero.
    pub fn invert(&self) -> Fp {
        // self holds aR; safegcd inverts that integer, giving a^-1 R^-1, and one
        // multiplication by R^3 (with its 1/R) brings it to a^-1 R.
        const R3: Limbs = arith::pow2_mod(3072, &params::P);
        let p_inv62 = PMod::INV.wrapping_neg() & (u64::MAX >> 2);
        match crate::safegcd::invert::<{ arith::N }, 17>(&self.0, &params::P, p_inv62) {
            Some(inv) => Fp(arith::mont_mul::<PMod>(&inv, &R3)),
            None => self.invert_fermat(),
        }
    }

    /// The inverse by Fermat's little theorem, a^(p-2): the slow, obviously right way,
    /// kept as a second opinion for tests.
    pub fn invert_fermat(&self) -> Fp {
        self.pow_vartime(&params::P_MINUS_2)
    }
}

impl ConstantTimeEq for Fp {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for Fp {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl Eq for Fp {}

impl ConditionallySelectable for Fp {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        let mut r = [0u64; N];
        for (i, limb) in r.iter_mut().enumerate() {
            *limb = u64::conditional_select(&a.0[i], &b.0[i], choice);
        }
        Fp(r)
    }
}

impl<'a> Add<&'a Fp> for &Fp {
    type Output = Fp;
    #[inline(always)]
    fn add(self, rhs: &'a Fp) -> Fp {
        Fp(arith::add_mod::<PMod>(&self.0, &rhs.0))
    }
}

impl<'a> Sub<&'a Fp> for &Fp {
    type Output = Fp;
    #[inline(always)]
    fn sub(self, rhs: &'a Fp) -> Fp {
        Fp(arith::sub_mod::<PMod>(&self.0, &rhs.0))
    }
}

impl<'a> Mul<&'a Fp> for &Fp {
    type Output = Fp;
    #[inline(always)]
    fn mul(self, rhs: &'a Fp) -> Fp {
        Fp(arith::mont_mul::<PMod>(&self.0, &rhs.0))
    }
}

impl Neg for &Fp {
    type Output = Fp;
    #[inline(always)]
    fn neg(self) -> Fp {
        Fp(arith::neg_mod::<PMod>(&self.0))
    }
}

impl Neg for Fp {
    type Output = Fp;
    #[inline(always)]
    fn neg(self) -> Fp {
        -&self
    }
}

crate::macros::impl_binops!(Fp);
