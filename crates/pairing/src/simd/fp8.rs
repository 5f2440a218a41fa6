//! Eight independent F_p elements in AVX-512 IFMA form: 20 limbs of 52 bits, limb j of
//! lane k in 64-bit lane k of vector j. Every operation works on all eight lanes at once,
//! and `vpmadd52luq`/`vpmadd52huq` give 52x52-bit products straight into 64-bit
//! accumulators, so a column can absorb dozens of products before a carry pass.
//!
//! Values are kept fully reduced (below p), in Montgomery form with R' = 2^1040.
//! Everything is constant time: no lane's value decides a branch or an address. Loops
//! index limbs by position, as in `arith.rs`.
#![allow(clippy::needless_range_loop)]

use core::arch::x86_64::*;

use crate::arith::{Limbs, N};
use crate::params;

/// Limbs per element: 20 x 52 = 1040 bits.
pub(crate) const L: usize = 20;
const MASK52: u64 = (1 << 52) - 1;

/// Splits a 1024-bit value into 52-bit limbs.
const fn to52(x: &Limbs) -> [u64; L] {
    let mut out = [0u64; L];
    let mut j = 0;
    while j < L {
        let bit = 52 * j;
        let (w, off) = (bit / 64, bit % 64);
        let mut v = x[w] >> off;
        if off > 12 && w + 1 < N {
            v |= x[w + 1] << (64 - off);
        }
        out[j] = v & MASK52;
        j += 1;
    }
    out
}

/// Joins 52-bit limbs (each below 2^52, value below 2^1024) into 64-bit limbs.
fn from52(x: &[u64; L]) -> Limbs {
    let mut out = [0u64; N];
    for (j, &limb) in x.iter().enumerate() {
        let bit = 52 * j;
        let (w, off) = (bit / 64, bit % 64);
        if w < N {
            out[w] |= limb << off;
        }
        if off > 12 && w + 1 < N {
            out[w + 1] |= limb >> (64 - off);
        }
    }
    out
}

const P52: [u64; L] = to52(&params::P);
const PINV52: u64 = crate::fp::P_INV & MASK52;
/// 2^2080 mod p: multiplying by it converts a canonical value into Montgomery form.
const R2_52: [u64; L] = to52(&crate::arith::pow2_mod(2080, &params::P));

/// Eight field elements.
#[derive(Clone, Copy)]
pub(crate) struct Fp8(pub(crate) [__m512i; L]);

#[inline]
#[target_feature(enable = "avx512f")]
fn splat(v: u64) -> __m512i {
    _mm512_set1_epi64(v as i64)
}

impl Fp8 {
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) fn zero() -> Fp8 {
        Fp8([_mm512_setzero_si512(); L])
    }

    /// The same constant (given canonically) in every lane.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn constant(limbs: &Limbs) -> Fp8 {
        let raw = to52(limbs);
        let mut v = [_mm512_setzero_si512(); L];
        for j in 0..L {
            v[j] = splat(raw[j]);
        }
        Fp8(v).mul(&Fp8::splat52(&R2_52))
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn splat52(raw: &[u64; L]) -> Fp8 {
        let mut v = [_mm512_setzero_si512(); L];
        for j in 0..L {
            v[j] = splat(raw[j]);
        }
        Fp8(v)
    }

    /// Loads eight canonical values (lane k from `lanes[k]`) into Montgomery form.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn from_canonical(lanes: &[Limbs; 8]) -> Fp8 {
        let mut cols = [[0u64; 8]; L];
        for (k, lane) in lanes.iter().enumerate() {
            let raw = to52(lane);
            for j in 0..L {
                cols[j][k] = raw[j];
            }
        }
        let mut v = [_mm512_setzero_si512(); L];
        for j in 0..L {
            // SAFETY: cols[j] is 8 u64 = 64 bytes; loadu has no alignment requirement.
            v[j] = unsafe { _mm512_loadu_si512(cols[j].as_ptr().cast()) };
        }
        Fp8(v).mul(&Fp8::splat52(&R2_52))
    }

    /// Loads eight values already in this type's Montgomery form, lane k from `lanes[k]`
    /// (as stored by [`Fp8::to_montgomery_lanes`]).
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) fn from_montgomery_lanes(lanes: [&[u64; L]; 8]) -> Fp8 {
        let mut v = [_mm512_setzero_si512(); L];
        for j in 0..L {
            v[j] = _mm512_set_epi64(
                lanes[7][j] as i64,
                lanes[6][j] as i64,
                lanes[5][j] as i64,
                lanes[4][j] as i64,
                lanes[3][j] as i64,
                lanes[2][j] as i64,
                lanes[1][j] as i64,
                lanes[0][j] as i64,
            );
        }
        Fp8(v)
    }

    /// The lanes' limbs in Montgomery form, for tables that are loaded many times.
    #[target_feature(enable = "avx512f")]
    pub(crate) fn to_montgomery_lanes(self) -> [[u64; L]; 8] {
        let mut cols = [[0u64; 8]; L];
        for j in 0..L {
            // SAFETY: cols[j] is 64 writable bytes.
            unsafe { _mm512_storeu_si512(cols[j].as_mut_ptr().cast(), self.0[j]) };
        }
        core::array::from_fn(|k| core::array::from_fn(|j| cols[j][k]))
    }

    /// The eight canonical values.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn to_canonical(self) -> [Limbs; 8] {
        let mut one = [0u64; L];
        one[0] = 1;
        let plain = self.mul(&Fp8::splat52(&one));
        let mut cols = [[0u64; 8]; L];
        for j in 0..L {
            // SAFETY: cols[j] is 64 writable bytes.
            unsafe { _mm512_storeu_si512(cols[j].as_mut_ptr().cast(), plain.0[j]) };
        }
        core::array::from_fn(|k| {
            let mut raw = [0u64; L];
            for j in 0..L {
                raw[j] = cols[j][k];
            }
            from52(&raw)
        })
    }

    /// Propagates carries so every limb is below 2^52; returns the carry out of the top.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn normalise(t: &mut [__m512i; L]) -> __m512i {
        let mask = splat(MASK52);
        let mut carry = _mm512_setzero_si512();
        for limb in t.iter_mut() {
            let v = _mm512_add_epi64(*limb, carry);
            carry = _mm512_srli_epi64::<52>(v);
            *limb = _mm512_and_si512(v, mask);
        }
        carry
    }

    /// t - p where that does not go below zero, else t (t normalised, below 2p).
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn reduce_once(t: [__m512i; L], top: __m512i) -> Fp8 {
        let mask = splat(MASK52);
        let mut d = [_mm512_setzero_si512(); L];
        let mut borrow = _mm512_setzero_si512();
        for j in 0..L {
            let v = _mm512_sub_epi64(_mm512_sub_epi64(t[j], splat(P52[j])), borrow);
            borrow = _mm512_srli_epi64::<63>(v);
            d[j] = _mm512_and_si512(v, mask);
        }
        // Keep t where the subtraction borrowed past the top (t < p) and no carry is set.
        let top_borrow = _mm512_sub_epi64(borrow, top);
        let keep_t = _mm512_cmpgt_epi64_mask(top_borrow, _mm512_setzero_si512());
        let mut out = [_mm512_setzero_si512(); L];
        for j in 0..L {
            out[j] = _mm512_mask_blend_epi64(keep_t, d[j], t[j]);
        }
        Fp8(out)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) fn add(&self, other: &Fp8) -> Fp8 {
        let mut t = [_mm512_setzero_si512(); L];
        for j in 0..L {
            t[j] = _mm512_add_epi64(self.0[j], other.0[j]);
        }
        let top = Fp8::normalise(&mut t);
        Fp8::reduce_once(t, top)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) fn double(&self) -> Fp8 {
        self.add(self)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) fn sub(&self, other: &Fp8) -> Fp8 {
        let mask = splat(MASK52);
        let mut d = [_mm512_setzero_si512(); L];
        let mut borrow = _mm512_setzero_si512();
        for j in 0..L {
            let v = _mm512_sub_epi64(_mm512_sub_epi64(self.0[j], other.0[j]), borrow);
            borrow = _mm512_srli_epi64::<63>(v);
            d[j] = _mm512_and_si512(v, mask);
        }
        // Add p back in the lanes that went negative.
        let negative = _mm512_cmpneq_epi64_mask(borrow, _mm512_setzero_si512());
        for j in 0..L {
            d[j] = _mm512_mask_add_epi64(d[j], negative, d[j], splat(P52[j]));
        }
        Fp8::normalise(&mut d);
        Fp8(d)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) fn neg(&self) -> Fp8 {
        Fp8::zero().sub(self)
    }

    /// Montgomery multiplication a b / 2^1040 mod p, lane by lane, operand scanning: each
    /// round adds a * b[i] and m * p (m clearing the low limb), then drops that limb.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn mul(&self, other: &Fp8) -> Fp8 {
        let a = &self.0;
        let b = &other.0;
        let zero = _mm512_setzero_si512();
        let pinv = splat(PINV52);
        let mut t = [zero; L + 1];
        for bi in b.iter() {
            for j in 0..L {
                t[j] = _mm512_madd52lo_epu64(t[j], a[j], *bi);
                t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], a[j], *bi);
            }
            let m = _mm512_madd52lo_epu64(zero, t[0], pinv);
            for j in 0..L {
                let pj = splat(P52[j]);
                t[j] = _mm512_madd52lo_epu64(t[j], m, pj);
                t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], m, pj);
            }
            // The low 52 bits of t[0] are now zero; carry the rest and shift down a limb.
            let carry = _mm512_srli_epi64::<52>(t[0]);
            for j in 0..L {
                t[j] = t[j + 1];
            }
            t[0] = _mm512_add_epi64(t[0], carry);
            t[L] = zero;
        }
        let mut out = [zero; L];
        out.copy_from_slice(&t[..L]);
        let top = Fp8::normalise(&mut out);
        Fp8::reduce_once(out, top)
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub(crate) fn square(&self) -> Fp8 {
        self.mul(self)
    }

    /// Lanes where `mask` is set take `b`, the others keep `a`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) fn select(a: &Fp8, b: &Fp8, mask: __mmask8) -> Fp8 {
        let mut out = a.0;
        for j in 0..L {
            out[j] = _mm512_mask_blend_epi64(mask, a.0[j], b.0[j]);
        }
        Fp8(out)
    }

    /// Lanes whose value is zero.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) fn is_zero(&self) -> __mmask8 {
        let mut acc = _mm512_setzero_si512();
        for j in 0..L {
            acc = _mm512_or_si512(acc, self.0[j]);
        }
        _mm512_cmpeq_epi64_mask(acc, _mm512_setzero_si512())
    }
}
