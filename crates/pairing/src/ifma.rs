//! One 1024-bit Montgomery product on AVX-512 IFMA: the operand's 20 digits of 52 bits
//! sit in the lanes of two 512-bit registers and a 256-bit one, and `vpmadd52luq` /
//! `vpmadd52huq` add the low and high halves of 20 digit products at once. This is the
//! word-by-word "almost Montgomery multiplication" of Gueron and Krasnov's IFMA work
//! (and of OpenSSL's `rsaz` AVX-512 code for 1024-bit moduli), for one item rather than
//! eight in lanes (`simd::fp8`).
//!
//! For each digit b_i of b: R += a b_i + m y_i, with y_i chosen so that the lowest digit
//! of R becomes divisible by 2^52; then R is shifted down one digit. Only that lowest
//! digit decides y_i, so it is tracked exactly in a general register (`low`), while the
//! vector lanes carry the rest: the vector's own lane 0 is never read and may be stale.
//! That keeps the serial chain between two y_i in scalar code (add, multiply, mask)
//! instead of a vector round trip. The a b_i and m y_i halves are kept in two
//! accumulators so that the first, which does not wait for y_i, runs ahead.
//!
//! R' is 2^1040 here (20 x 52 bits); b enters shifted left by 16 bits (an exact
//! 1040-bit integer, not reduced), so the result is a b 2^-1024 mod m, the Montgomery
//! product the rest of the crate uses. Every instruction runs whatever the values: the
//! steps are unrolled at fixed digit positions, and the final subtraction is the masked
//! one of `arith`.
//!
//! Measured against the alternatives (bench-results/2026-12-03-single-product.txt): on
//! this project's AMD EPYC VM the product is throughput-bound on the IFMA unit, so two
//! independent products interleaved in one pass ran no faster than two calls (and
//! spilled when unrolled); only the single form is kept.
#![allow(clippy::needless_range_loop)]

use core::arch::x86_64::*;
use core::marker::PhantomData;

use crate::arith::{final_sub, Limbs, Modulus, N};
use crate::cpu_path::Switch;

/// Digits per operand: 20 x 52 = 1040 bits.
const L: usize = 20;
/// Words in the digit tables; the four above [`L`] stay zero.
const LANES: usize = 24;
const MASK52: u64 = (1 << 52) - 1;

/// Where the 8 bytes holding digit j of a start, and the shift that aligns the digit.
const fn digit_start(j: usize) -> (usize, u64) {
    ((52 * j) / 8, ((52 * j) % 8) as u64)
}

/// Byte permutations gathering the digits of a 128-byte little-endian value into the
/// 24 lanes: register 0 from bytes 0..64, register 1 from bytes 0..128, register 2 from
/// bytes 64..128 and zeros (index 64 and up), as `vpermb` / `vpermt2b` index them.
const fn byte_indices(register: usize) -> [u8; 64] {
    let mut out = [0u8; 64];
    let mut lane = 0;
    while lane < 8 {
        let j = 8 * register + lane;
        let (start, _) = digit_start(j);
        let mut k = 0;
        while k < 8 {
            let byte = start + k;
            out[8 * lane + k] = match register {
                0 | 1 => byte as u8,
                // Bytes past the value, and the lanes above L, come from the zero half.
                _ if j >= L || byte >= 128 => 64,
                _ => (byte - 64) as u8,
            };
            k += 1;
        }
        lane += 1;
    }
    out
}

/// Per-lane right shifts that finish the alignment of [`byte_indices`].
const fn lane_shifts(register: usize) -> [u64; 8] {
    let mut out = [0u64; 8];
    let mut lane = 0;
    while lane < 8 {
        out[lane] = digit_start(8 * register + lane).1;
        lane += 1;
    }
    out
}

const INDICES: [[u8; 64]; 3] = [byte_indices(0), byte_indices(1), byte_indices(2)];
const SHIFTS: [[u64; 8]; 3] = [lane_shifts(0), lane_shifts(1), lane_shifts(2)];

/// The word and bit offset of digit i of b 2^16, as bits of b 2^64 (b behind one zero
/// word, so that the 16 bits below b's first digit read as zeros).
const fn b_digit_position(i: usize) -> (usize, u32) {
    let bit = 52 * i + 48;
    (bit / 64, (bit % 64) as u32)
}

const B_POSITIONS: [(usize, u32); L] = {
    let mut out = [(0, 0); L];
    let mut i = 0;
    while i < L {
        out[i] = b_digit_position(i);
        assert!(out[i].0 + 1 < N + 2);
        i += 1;
    }
    out
};

/// 52-bit digits of a 1024-bit value, at compile time.
const fn digits(x: &Limbs) -> [u64; LANES] {
    let mut out = [0u64; LANES];
    let mut j = 0;
    while j < L {
        let bit = 52 * j;
        let (w, off) = (bit / 64, bit % 64);
        let high = if w + 1 < N { x[w + 1] } else { 0 };
        let pair = ((high as u128) << 64) | x[w] as u128;
        out[j] = (pair >> off) as u64 & MASK52;
        j += 1;
    }
    out
}

/// The constants of one modulus in digit form.
struct Digits<M>(PhantomData<M>);

impl<M: Modulus> Digits<M> {
    const M: [u64; LANES] = digits(&M::M);
    /// -m^-1 mod 2^52.
    const K0: u64 = M::INV & MASK52;
}

#[inline(always)]
fn load<T>(x: &[T]) -> __m512i {
    assert!(core::mem::size_of_val(x) >= 64);
    // SAFETY: at least 64 bytes, checked above; loadu needs no alignment.
    unsafe { _mm512_loadu_si512(x.as_ptr().cast()) }
}

/// 20 lanes of 64 bits: two 512-bit registers and a 256-bit one, so that no
/// multiplication is spent on lanes that are always zero.
#[derive(Clone, Copy)]
struct Lanes20 {
    low: [__m512i; 2],
    top: __m256i,
}

impl Lanes20 {
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn zero() -> Lanes20 {
        Lanes20 {
            low: [_mm512_setzero_si512(); 2],
            top: _mm256_setzero_si256(),
        }
    }

    /// From 24 words, the last four zero.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn load(x: &[u64; LANES]) -> Lanes20 {
        Lanes20 {
            low: [load(&x[..8]), load(&x[8..16])],
            top: _mm512_castsi512_si256(load(&x[16..])),
        }
    }

    /// The 20 digits of a, by byte permutation.
    #[inline]
    #[target_feature(enable = "avx512f,avx512vbmi")]
    fn spread(a: &Limbs) -> Lanes20 {
        let low = load(&a[..8]);
        let high = load(&a[8..]);
        let zero = _mm512_setzero_si512();
        let mask = _mm512_set1_epi64(MASK52 as i64);
        let bytes = [
            _mm512_permutexvar_epi8(load(&INDICES[0]), low),
            _mm512_permutex2var_epi8(low, load(&INDICES[1]), high),
            _mm512_permutex2var_epi8(high, load(&INDICES[2]), zero),
        ];
        let digits: [__m512i; 3] = core::array::from_fn(|k| {
            _mm512_and_si512(_mm512_srlv_epi64(bytes[k], load(&SHIFTS[k])), mask)
        });
        Lanes20 {
            low: [digits[0], digits[1]],
            top: _mm512_castsi512_si256(digits[2]),
        }
    }

    /// self += the low halves of x * v, lane by lane (v the same in every lane).
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma,avx512vl")]
    fn madd_low(&mut self, x: &Lanes20, v: __m512i) {
        for k in 0..2 {
            self.low[k] = _mm512_madd52lo_epu64(self.low[k], x.low[k], v);
        }
        self.top = _mm256_madd52lo_epu64(self.top, x.top, _mm512_castsi512_si256(v));
    }

    /// self += the high halves of x * v.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma,avx512vl")]
    fn madd_high(&mut self, x: &Lanes20, v: __m512i) {
        for k in 0..2 {
            self.low[k] = _mm512_madd52hi_epu64(self.low[k], x.low[k], v);
        }
        self.top = _mm256_madd52hi_epu64(self.top, x.top, _mm512_castsi512_si256(v));
    }

    /// Shifts the value down by one lane.
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    fn shift_down(&mut self) {
        let top = _mm512_zextsi256_si512(self.top);
        self.low[0] = _mm512_alignr_epi64::<1>(self.low[1], self.low[0]);
        self.low[1] = _mm512_alignr_epi64::<1>(top, self.low[1]);
        self.top = _mm256_alignr_epi64::<1>(_mm256_setzero_si256(), self.top);
    }

    /// Lane `index` (0 to 3).
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn lane(&self, index: usize) -> u64 {
        let pair = match index / 2 {
            0 => _mm512_castsi512_si128(self.low[0]),
            _ => _mm512_extracti32x4_epi32::<1>(self.low[0]),
        };
        match index % 2 {
            0 => _mm_cvtsi128_si64(pair) as u64,
            _ => _mm_extract_epi64::<1>(pair) as u64,
        }
    }

    /// The lane-by-lane sum of self and other, as 24 words.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn sum(&self, other: &Lanes20) -> [u64; LANES] {
        let mut out = [0u64; LANES];
        for k in 0..2 {
            let sum = _mm512_add_epi64(self.low[k], other.low[k]);
            // SAFETY: 8 words at 8 * k, within the 24.
            unsafe { _mm512_storeu_si512(out[8 * k..].as_mut_ptr().cast(), sum) };
        }
        let top = _mm256_add_epi64(self.top, other.top);
        // SAFETY: 4 words at 16, within the 24.
        unsafe { _mm256_storeu_si256(out[16..].as_mut_ptr().cast(), top) };
        out
    }
}

/// Runs `$body` once for each listed value of `$j`, a constant in each copy: the
/// compiler then folds every position and shift, leaving straight-line code.
macro_rules! unrolled {
    ($j:ident in [$($n:literal)*] $body:block) => {
        $( { const $j: usize = $n; $body } )*
    };
}

/// a * b * 2^-1024 mod M, fully reduced, for a, b < M.
///
/// The 20 steps are unrolled, so every digit position is a constant. Out of line, so
/// that the machine-code audit (crates/ct-check, tests/ifma_branches.rs) finds every
/// instruction of this path under one name.
///
/// # Safety
/// The processor must support AVX-512F, VL, IFMA and VBMI ([`available`]).
#[inline(never)]
#[target_feature(enable = "avx512f,avx512ifma,avx512vbmi,avx512vl")]
pub(crate) unsafe fn mont_mul_reduced<M: Modulus>(a: &Limbs, b: &Limbs) -> Limbs {
    let vm = Lanes20::load(&Digits::<M>::M);
    let mut product = Product::new(a, b);
    unrolled!(I in [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19] {
        const POSITION: (usize, u32) = B_POSITIONS[I];
        product.step::<M>(&vm, POSITION.0, POSITION.1);
    });
    product.finish::<M>()
}

/// One product in progress: R = a (b mod 2^(52 i)) + m (y mod 2^(52 i)), divided by
/// 2^(52 i), after i steps.
struct Product {
    /// a's digits in lanes, and its two lowest digits in scalars.
    va: Lanes20,
    a0: u64,
    a1: u64,
    /// b 2^64: b's words behind one zero word and before another.
    bw: [u64; N + 2],
    /// The a b_i and m y_i parts of R, kept apart so that the first, which does not
    /// wait for y_i, runs ahead. Their lane 0 is stale (see `low`).
    ra: Lanes20,
    rm: Lanes20,
    /// The exact lowest digit of R.
    low: u64,
    /// The previous step's y, m1 y, and lane 2 of `rm` before that step.
    y_prev: u64,
    q1_prev: u128,
    rm2_prev: u64,
}

impl Product {
    #[inline]
    #[target_feature(enable = "avx512f,avx512vbmi,avx512vl")]
    fn new(a: &Limbs, b: &Limbs) -> Product {
        let mut bw = [0u64; N + 2];
        bw[1..N + 1].copy_from_slice(b);
        Product {
            va: Lanes20::spread(a),
            a0: a[0] & MASK52,
            a1: ((a[0] >> 52) | (a[1] << 12)) & MASK52,
            bw,
            ra: Lanes20::zero(),
            rm: Lanes20::zero(),
            low: 0,
            y_prev: 0,
            q1_prev: 0,
            rm2_prev: 0,
        }
    }

    /// One digit of b, the one at bit `off` of word `w` of `bw`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma,avx512vl")]
    fn step<M: Modulus>(&mut self, vm: &Lanes20, w: usize, off: u32) {
        let md = &Digits::<M>::M;
        let pair = ((self.bw[w + 1] as u128) << 64) | self.bw[w] as u128;
        let bi = (pair >> off) as u64 & MASK52;
        // Lane 1 of R before this step (the next lowest digit, less what this step adds
        // to it). Its m y part is rebuilt from lane 2 one step earlier and the previous
        // y, so the vector-to-scalar round trip has two steps to complete.
        let next = self
            .ra
            .lane(1)
            .wrapping_add(self.rm2_prev)
            .wrapping_add(md[2].wrapping_mul(self.y_prev) & MASK52)
            .wrapping_add((self.q1_prev >> 52) as u64);
        self.rm2_prev = self.rm.lane(2);
        let p0 = self.a0 as u128 * bi as u128;
        let p1 = self.a1 as u128 * bi as u128;
        let t = self.low + (p0 as u64 & MASK52);
        let y = t.wrapping_mul(Digits::<M>::K0) & MASK52;
        let q0 = md[0] as u128 * y as u128;
        let q1 = md[1] as u128 * y as u128;
        // t + (m0 y mod 2^52) is a multiple of 2^52: it carries t's high bits, plus one
        // unless t's low 52 bits are zero.
        let low_bits = t & MASK52;
        let carry = (t >> 52) + ((low_bits | low_bits.wrapping_neg()) >> 63);
        self.low = next
            + (p1 as u64 & MASK52)
            + (q1 as u64 & MASK52)
            + (p0 >> 52) as u64
            + (q0 >> 52) as u64
            + carry;
        (self.y_prev, self.q1_prev) = (y, q1);

        let vb = _mm512_set1_epi64(bi as i64);
        let vy = _mm512_set1_epi64(y as i64);
        self.ra.madd_low(&self.va, vb);
        self.rm.madd_low(vm, vy);
        self.ra.shift_down();
        self.rm.shift_down();
        self.ra.madd_high(&self.va, vb);
        self.rm.madd_high(vm, vy);
    }

    /// R (below 2m) as words, reduced below m.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn finish<M: Modulus>(self) -> Limbs {
        let mut lanes = self.ra.sum(&self.rm);
        lanes[0] = self.low;
        let (t, hi) = pack(&lanes);
        final_sub::<M>(&t, hi)
    }
}

/// Whether lane j is the last to start in its word.
const WORD_ENDS: [bool; L] = {
    let mut out = [false; L];
    let mut j = 0;
    while j < L {
        out[j] = 52 * (j + 1) / 64 > 52 * j / 64;
        j += 1;
    }
    out
};

/// Joins the lanes (each below 2^63, lane j of weight 2^(52 j)) into words: the low
/// 1024 bits and the bits above. One 128-bit accumulator runs up the words, so the
/// carries between lanes need no pass of their own.
#[inline(always)]
fn pack(lanes: &[u64; LANES]) -> (Limbs, u64) {
    let mut out = [0u64; N];
    // Bits from word J * 52 / 64 upward.
    let mut acc: u128 = 0;
    unrolled!(J in [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19] {
        const WORD: usize = 52 * J / 64;
        acc += (lanes[J] as u128) << (52 * J - 64 * WORD);
        // The word is complete when the next lane starts in the next one.
        if WORD_ENDS[J] {
            out[WORD] = acc as u64;
            acc >>= 64;
        }
    });
    (out, acc as u64)
}

static SWITCH: Switch = Switch::new(detect);

fn detect() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512ifma")
        && std::arch::is_x86_feature_detected!("avx512vbmi")
        && std::arch::is_x86_feature_detected!("avx512vl")
}

/// Whether single products run on [`mont_mul_reduced`]: the processor has AVX-512 IFMA,
/// VL and VBMI, and [`set_enabled`] has not turned the path off.
#[inline]
pub fn available() -> bool {
    SWITCH.available()
}

/// Whether the processor has AVX-512 IFMA and VBMI, whatever [`set_enabled`] said.
pub fn supported() -> bool {
    SWITCH.supported()
}

/// Turns the IFMA single product off (`false`) or back on for the whole process: for
/// comparing paths in benchmarks and tests. Every path gives the same results.
pub fn set_enabled(enabled: bool) {
    SWITCH.set_enabled(enabled);
}

#[cfg(test)]
mod tests {
    use num_bigint::BigUint;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    use super::*;
    use crate::arith::mont_mul_portable;
    use crate::arith::oracle::{big, limbs};
    use crate::fp::PMod;
    use crate::scalar::QMod;

    /// Values at the edges: 0, 1, 2, m-1, m-2, digit and word boundaries, all ones below m.
    fn edges(m: &BigUint) -> Vec<Limbs> {
        let one = BigUint::from(1u8);
        let mut values = vec![
            BigUint::from(0u8),
            one.clone(),
            BigUint::from(2u8),
            m - &one,
            m - BigUint::from(2u8),
            (&one << 1023) % m,
            ((&one << 1024) - &one) % m,
            m >> 1,
        ];
        for bit in [51, 52, 53, 63, 64, 103, 104, 987, 988, 1000] {
            values.push(&one << bit);
            values.push((&one << bit) - &one);
        }
        values.iter().map(|v| limbs(&(v % m))).collect()
    }

    fn check<M: Modulus>(seed: u64) {
        let m = big(&M::M);
        let r_inv = (BigUint::from(1u8) << 1024u32).modinv(&m).unwrap();
        let expect = |a: &Limbs, b: &Limbs| limbs(&(big(a) * big(b) * &r_inv % &m));
        let mut values = edges(&m);
        let mut rng = StdRng::seed_from_u64(seed);
        for _ in 0..2_000 {
            let x: Limbs = core::array::from_fn(|_| rng.gen());
            values.push(limbs(&(big(&x) % &m)));
        }
        for (i, a) in values.iter().enumerate() {
            // Every edge pair, then each random value with its neighbour and itself.
            let partners: Vec<&Limbs> = if i < 28 {
                values[..28].iter().collect()
            } else {
                vec![&values[i - 1], a]
            };
            for b in partners {
                // SAFETY: the test returns early where the processor lacks IFMA.
                let got = unsafe { mont_mul_reduced::<M>(a, b) };
                assert_eq!(got, expect(a, b));
                assert_eq!(got, mont_mul_portable::<M>(a, b));
            }
        }
    }

    #[test]
    fn single_product_matches_num_bigint_and_the_portable_scan() {
        if !supported() {
            assert!(
                std::env::var_os("SAKKE_REQUIRE_IFMA").is_none(),
                "SAKKE_REQUIRE_IFMA is set but this processor has no AVX-512 IFMA"
            );
            return;
        }
        check::<PMod>(1);
        check::<QMod>(2);
    }

    #[test]
    fn pack_carries_across_every_digit() {
        // All lanes 2^52 - 1 plus a carry into lane 0: the sum ripples through all 20.
        let mut lanes = [MASK52; LANES];
        for lane in &mut lanes[L..] {
            *lane = 0;
        }
        lanes[0] += 1;
        let (t, hi) = pack(&lanes);
        assert_eq!(t, [0; N]);
        assert_eq!(hi, 1 << 16);
    }
}
