//! Four-limb Montgomery arithmetic modulo P-256's field prime p and group order q, for the
//! signing path. p256 0.13's `Scalar` multiplies through a 512-bit product and a
//! Barrett-style reduction, and its `FieldElement` product measures about twice the time of
//! the product here; signing is one fixed-base multiplication (about 600 field products),
//! one field inversion and one scalar inversion (about 300 products each), so those costs
//! decided whether signing could beat the C reference. Inversion is the pairing crate's
//! constant-time safegcd, which costs a few dozen products instead of Fermat's ~300.
//!
//! Constant time: fixed loops, no data-dependent branch or index; every conditional
//! subtraction or addition is chosen by a mask behind a value barrier (LLVM turns a mask
//! it can see through back into a branch). Values are in Montgomery form (a R mod m,
//! R = 2^256) and always fully reduced below the modulus.

use core::marker::PhantomData;

use p256::elliptic_curve::ff::PrimeField;
use p256::{FieldBytes, Scalar};
use pairing::barrier;
use pairing::safegcd;
use zeroize::{Zeroize, Zeroizing};

/// Four little-endian 64-bit limbs.
pub(crate) type Limbs = [u64; 4];

/// A 256-bit odd modulus with its Montgomery constants.
pub(crate) trait Modulus: Copy {
    /// The modulus m.
    const M: Limbs;
    /// -m^-1 mod 2^64.
    const INV_NEG: u64;
    /// R^2 mod m: multiplying by it enters Montgomery form.
    const R2: Limbs;
    /// m - 2, the exponent of Fermat inversion.
    const M_MINUS_2: Limbs;
}

/// The field prime p = 2^256 - 2^224 + 2^192 + 2^96 - 1.
#[derive(Clone, Copy)]
pub(crate) struct FieldP;

impl Modulus for FieldP {
    const M: Limbs = [
        0xffff_ffff_ffff_ffff,
        0x0000_0000_ffff_ffff,
        0x0000_0000_0000_0000,
        0xffff_ffff_0000_0001,
    ];
    const INV_NEG: u64 = 1;
    const R2: Limbs = [
        0x0000_0000_0000_0003,
        0xffff_fffb_ffff_ffff,
        0xffff_ffff_ffff_fffe,
        0x0000_0004_ffff_fffd,
    ];
    const M_MINUS_2: Limbs = [
        0xffff_ffff_ffff_fffd,
        0x0000_0000_ffff_ffff,
        0x0000_0000_0000_0000,
        0xffff_ffff_0000_0001,
    ];
}

/// The group order q.
#[derive(Clone, Copy)]
pub(crate) struct OrderQ;

impl Modulus for OrderQ {
    const M: Limbs = [
        0xf3b9_cac2_fc63_2551,
        0xbce6_faad_a717_9e84,
        0xffff_ffff_ffff_ffff,
        0xffff_ffff_0000_0000,
    ];
    const INV_NEG: u64 = 0xccd1_c8aa_ee00_bc4f;
    const R2: Limbs = [
        0x8324_4c95_be79_eea2,
        0x4699_799c_49bd_6fa6,
        0x2845_b239_2b6b_ec59,
        0x66e1_2d94_f3d9_5620,
    ];
    const M_MINUS_2: Limbs = [
        0xf3b9_cac2_fc63_254f,
        0xbce6_faad_a717_9e84,
        0xffff_ffff_ffff_ffff,
        0xffff_ffff_0000_0000,
    ];
}

/// A residue mod M in Montgomery form, below M.
#[derive(Clone, Copy, Zeroize)]
pub(crate) struct Residue<M: Modulus> {
    limbs: Limbs,
    #[zeroize(skip)]
    modulus: PhantomData<M>,
}

/// Window of the sliding-window exponentiation: 16 odd powers precomputed.
const WINDOW: usize = 5;

/// a + b + carry as (low word, carry out).
#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let wide = a as u128 + b as u128 + carry as u128;
    (wide as u64, (wide >> 64) as u64)
}

/// a + b * c + carry as (low word, high word); never overflows 128 bits.
#[inline(always)]
fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let wide = a as u128 + (b as u128) * (c as u128) + carry as u128;
    (wide as u64, (wide >> 64) as u64)
}

/// a - b - borrow as (low word, borrow out in {0, 1}).
#[inline(always)]
fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let wide = (a as u128).wrapping_sub(b as u128 + borrow as u128);
    (wide as u64, (wide >> 127) as u64)
}

/// The five-limb value (t, top) < 2m reduced below m: m is subtracted unless that borrows.
#[inline(always)]
fn subtract_if_above<M: Modulus>(t: &Limbs, top: u64) -> Limbs {
    let mut reduced = [0u64; 4];
    let mut borrow = 0;
    for j in 0..4 {
        (reduced[j], borrow) = sbb(t[j], M::M[j], borrow);
    }
    let (_, borrow) = sbb(top, 0, borrow);
    let keep = barrier::mask(borrow);
    core::array::from_fn(|j| (t[j] & keep) | (reduced[j] & !keep))
}

impl<M: Modulus> Residue<M> {
    const fn new(limbs: Limbs) -> Self {
        Self {
            limbs,
            modulus: PhantomData,
        }
    }

    /// Zero.
    pub(crate) const ZERO: Self = Self::new([0; 4]);

    /// The Montgomery-form limbs, for tables that store them packed.
    pub(crate) fn limbs(&self) -> &Limbs {
        &self.limbs
    }

    /// From Montgomery-form limbs that came from [`Self::limbs`] (so below m).
    pub(crate) fn from_limbs(limbs: Limbs) -> Self {
        Self::new(limbs)
    }

    /// a b R^-1 mod m (CIOS): the Montgomery form of the product.
    #[inline]
    pub(crate) fn mul(&self, other: &Self) -> Self {
        let (a, b) = (&self.limbs, &other.limbs);
        let mut t = [0u64; 6];
        for &bi in b {
            let mut carry = 0;
            for j in 0..4 {
                (t[j], carry) = mac(t[j], a[j], bi, carry);
            }
            (t[4], t[5]) = adc(t[4], carry, 0);
            let m = t[0].wrapping_mul(M::INV_NEG);
            let (_, mut carry) = mac(t[0], m, M::M[0], 0);
            for j in 1..4 {
                (t[j - 1], carry) = mac(t[j], m, M::M[j], carry);
            }
            (t[3], carry) = adc(t[4], carry, 0);
            t[4] = t[5] + carry;
        }
        let limbs = subtract_if_above::<M>(&[t[0], t[1], t[2], t[3]], t[4]);
        t.zeroize();
        Self::new(limbs)
    }

    /// self^2.
    #[inline]
    pub(crate) fn square(&self) -> Self {
        self.mul(self)
    }

    /// self + other mod m.
    #[inline]
    pub(crate) fn add(&self, other: &Self) -> Self {
        let mut sum = [0u64; 4];
        let mut carry = 0;
        for ((out, a), b) in sum.iter_mut().zip(&self.limbs).zip(&other.limbs) {
            (*out, carry) = adc(*a, *b, carry);
        }
        Self::new(subtract_if_above::<M>(&sum, carry))
    }

    /// self - other mod m: m is added back where the subtraction borrowed.
    #[inline]
    pub(crate) fn sub(&self, other: &Self) -> Self {
        let mut difference = [0u64; 4];
        let mut borrow = 0;
        for ((out, a), b) in difference.iter_mut().zip(&self.limbs).zip(&other.limbs) {
            (*out, borrow) = sbb(*a, *b, borrow);
        }
        let mask = barrier::mask(borrow);
        let mut carry = 0;
        for (out, m) in difference.iter_mut().zip(&M::M) {
            (*out, carry) = adc(*out, m & mask, carry);
        }
        Self::new(difference)
    }

    /// 2 self mod m.
    #[inline]
    pub(crate) fn double(&self) -> Self {
        self.add(self)
    }

    /// `other` where `choose` is all ones, `self` where it is zero.
    #[inline]
    pub(crate) fn select(&self, other: &Self, choose: u64) -> Self {
        let choose = barrier::opaque(choose);
        Self::new(core::array::from_fn(|j| {
            self.limbs[j] ^ ((self.limbs[j] ^ other.limbs[j]) & choose)
        }))
    }

    /// From a 32-byte big-endian integer; None when it is not below m. The verdict is
    /// declassified: callers pass public encodings or secrets already below m (a p256
    /// scalar), for which it is always the same.
    pub(crate) fn from_be_bytes(bytes: &[u8; 32]) -> Option<Self> {
        let limbs: Zeroizing<Limbs> = Zeroizing::new(core::array::from_fn(|i| {
            let mut word = [0u8; 8];
            word.copy_from_slice(&bytes[24 - 8 * i..32 - 8 * i]);
            u64::from_be_bytes(word)
        }));
        let mut borrow = 0;
        for j in 0..4 {
            (_, borrow) = sbb(limbs[j], M::M[j], borrow);
        }
        if ctgrind::declassified(borrow) == 0 {
            return None;
        }
        Some(Self::new(*limbs).mul(&Self::new(M::R2)))
    }

    /// The 32-byte big-endian encoding of the value (out of Montgomery form).
    pub(crate) fn to_be_bytes(self) -> Zeroizing<[u8; 32]> {
        let plain = Zeroizing::new(self.mul(&Self::new([1, 0, 0, 0])));
        let mut out = Zeroizing::new([0u8; 32]);
        for (i, limb) in plain.limbs.iter().enumerate() {
            out[24 - 8 * i..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
        }
        out
    }

    /// One, R mod m in Montgomery form.
    pub(crate) fn one() -> Self {
        Self::new(M::R2).mul(&Self::new([1, 0, 0, 0]))
    }

    /// self^-1 mod m (zero for zero) in constant time: safegcd on the plain value, with
    /// Fermat as the fallback should it ever not converge (the step bound rules that out).
    pub(crate) fn invert(&self) -> Self {
        let plain = Zeroizing::new(self.mul(&Self::new([1, 0, 0, 0])));
        let m_inv62 = M::INV_NEG.wrapping_neg() & (u64::MAX >> 2);
        match safegcd::invert::<4, 5>(&plain.limbs, &M::M, m_inv62) {
            Some(inverse) => {
                let inverse = Zeroizing::new(Self::new(inverse));
                inverse.mul(&Self::new(M::R2))
            }
            None => self.invert_fermat(),
        }
    }

    /// self^(m-2) by a sliding window over the fixed, public exponent: the sequence of
    /// squarings, products and table indices depends only on m (about 255 squarings and
    /// 52 products), never on the value. The second opinion for tests, and the fallback.
    pub(crate) fn invert_fermat(&self) -> Self {
        let square = Zeroizing::new(self.square());
        let mut odd = Zeroizing::new([*self; 1 << (WINDOW - 1)]);
        for i in 1..odd.len() {
            odd[i] = odd[i - 1].mul(&square);
        }
        let bit = |i: usize| (M::M_MINUS_2[i / 64] >> (i % 64)) & 1;
        let mut acc = Zeroizing::new(Self::one());
        let mut i = 256usize;
        while i > 0 {
            if bit(i - 1) == 0 {
                *acc = acc.square();
                i -= 1;
                continue;
            }
            // The longest window [low, i) of at most WINDOW bits ending in a set bit.
            let mut low = i.saturating_sub(WINDOW);
            while bit(low) == 0 {
                low += 1;
            }
            let mut value = 0usize;
            for j in (low..i).rev() {
                *acc = acc.square();
                value = (value << 1) | bit(j) as usize;
            }
            *acc = acc.mul(&odd[value >> 1]);
            i = low;
        }
        *acc
    }
}

/// a^-1 mod q for a secret scalar a (zero for zero), constant time; the one inversion of
/// every signature.
pub(crate) fn invert_scalar(a: &Scalar) -> Zeroizing<Scalar> {
    let bytes = Zeroizing::new(<[u8; 32]>::from(a.to_repr()));
    // A p256 scalar is always below q.
    let residue = Zeroizing::new(Residue::<OrderQ>::from_be_bytes(&bytes).unwrap_or(Residue::ZERO));
    let inverse = residue.invert().to_be_bytes();
    // Fully reduced below q, so from_repr always succeeds.
    let repr = Zeroizing::new(FieldBytes::from(*inverse));
    Zeroizing::new(Scalar::from_repr(*repr).unwrap_or(Scalar::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Field;
    use p256::FieldElement;
    use rand_core::OsRng;

    /// Values next to 0, 2^64 boundaries and the modulus, where carries, borrows and the
    /// final subtractions are exercised.
    fn edge_scalars() -> Vec<Scalar> {
        let max = Scalar::from(u64::MAX);
        let mut out = vec![Scalar::ZERO, Scalar::ONE, Scalar::from(2u64), -Scalar::ONE];
        out.extend([-Scalar::from(2u64), max, max * max, -max, -(max * max)]);
        out
    }

    fn scalar_residue(a: &Scalar) -> Residue<OrderQ> {
        Residue::from_be_bytes(&a.to_repr().into()).unwrap()
    }

    fn scalar_of(a: &Residue<OrderQ>) -> Scalar {
        Scalar::from_repr(FieldBytes::from(*a.to_be_bytes())).unwrap()
    }

    #[test]
    fn order_arithmetic_matches_p256() {
        let randoms = (0..150).map(|_| Scalar::random(&mut OsRng));
        let values: Vec<Scalar> = edge_scalars().into_iter().chain(randoms).collect();
        for a in &values {
            let ra = scalar_residue(a);
            assert_eq!(scalar_of(&ra), *a);
            for b in values.iter().take(24) {
                let rb = scalar_residue(b);
                assert_eq!(scalar_of(&ra.mul(&rb)), *a * *b);
                assert_eq!(scalar_of(&ra.add(&rb)), *a + *b);
                assert_eq!(scalar_of(&ra.sub(&rb)), *a - *b);
            }
        }
    }

    fn field_values() -> Vec<FieldElement> {
        let max = FieldElement::from_u64(u64::MAX);
        let mut out = vec![FieldElement::ZERO, FieldElement::ONE, -FieldElement::ONE];
        out.extend([
            -FieldElement::from_u64(2),
            max,
            max * max,
            -max,
            -(max * max),
        ]);
        out.extend((0..150).map(|_| FieldElement::random(&mut OsRng)));
        out
    }

    #[test]
    fn field_arithmetic_matches_p256() {
        let values = field_values();
        let residue = |a: &FieldElement| Residue::<FieldP>::from_be_bytes(&a.to_bytes().into());
        let element = |a: &Residue<FieldP>| {
            FieldElement::from_bytes(&FieldBytes::from(*a.to_be_bytes())).unwrap()
        };
        for a in &values {
            let ra = residue(a).unwrap();
            assert_eq!(element(&ra), *a);
            for b in values.iter().take(24) {
                let rb = residue(b).unwrap();
                assert_eq!(element(&ra.mul(&rb)), *a * *b);
                assert_eq!(element(&ra.add(&rb)), *a + *b);
                assert_eq!(element(&ra.sub(&rb)), *a - *b);
                assert_eq!(element(&ra.select(&rb, u64::MAX)), *b);
                assert_eq!(element(&ra.select(&rb, 0)), *a);
            }
            if *a != FieldElement::ZERO {
                assert_eq!(element(&ra.invert()), a.invert().unwrap());
                assert_eq!(element(&ra.invert_fermat()), a.invert().unwrap());
            }
        }
        assert!(Residue::<FieldP>::from_be_bytes(&[0xff; 32]).is_none());
        assert!(Residue::<FieldP>::ZERO.invert().to_be_bytes() == Zeroizing::new([0; 32]));
    }

    /// safegcd itself converges for 256-bit moduli (no silent Fermat fallback): on random
    /// values and those next to the moduli.
    #[test]
    fn safegcd_converges_on_both_moduli() {
        fn check<M: Modulus>(values: impl Iterator<Item = Limbs>) {
            let m_inv62 = M::INV_NEG.wrapping_neg() & (u64::MAX >> 2);
            for x in values {
                assert!(safegcd::invert::<4, 5>(&x, &M::M, m_inv62).is_some());
            }
        }
        let near = |m: Limbs| [m[0] - 1, m[1], m[2], m[3]];
        let edges = |m: Limbs| [[1, 0, 0, 0], [2, 0, 0, 0], near(m), [0, 0, 0, 1 << 63]];
        check::<OrderQ>(
            edges(OrderQ::M)
                .into_iter()
                .chain((0..200).map(|_| *scalar_residue(&Scalar::random(&mut OsRng)).limbs())),
        );
        check::<FieldP>(edges(FieldP::M).into_iter());
    }

    #[test]
    fn scalar_inversion_matches_p256() {
        for a in edge_scalars()
            .into_iter()
            .skip(1)
            .chain((0..150).map(|_| Scalar::random(&mut OsRng)))
        {
            assert_eq!(*invert_scalar(&a), a.invert().unwrap());
            assert_eq!(*invert_scalar(&a) * a, Scalar::ONE);
            let residue = scalar_residue(&a);
            assert_eq!(scalar_of(&residue.invert_fermat()), a.invert().unwrap());
        }
        assert_eq!(*invert_scalar(&Scalar::ZERO), Scalar::ZERO);
    }
}
