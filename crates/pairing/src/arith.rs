//! Constant-time multi-precision arithmetic on 16 x 64-bit limbs (little-endian), shared
//! by the base field F_p and the scalar field F_q.
//!
//! Every routine runs the same instruction sequence whatever the values: loops have fixed
//! bounds and conditional subtractions are done with masks, never branches, each mask
//! passed through a value barrier so that the compiler cannot turn it back into a branch.
//! Loops index limbs by position, as the textbook algorithms do.
#![allow(clippy::needless_range_loop)]

use crate::barrier;

/// Number of 64-bit limbs in a 1024-bit value.
pub(crate) const N: usize = 16;

/// A 1024-bit unsigned integer, least significant limb first.
pub(crate) type Limbs = [u64; N];

/// An odd modulus below 2^1024 with the constants Montgomery arithmetic needs.
/// Implemented by zero-sized marker types so that each field gets its own monomorphised,
/// fully inlined code.
pub(crate) trait Modulus: 'static {
    /// The modulus m.
    const M: Limbs;
    /// -m^-1 mod 2^64.
    const INV: u64 = neg_inv_u64(Self::M[0]);
    /// 2^1024 mod m: the Montgomery form of 1.
    const R: Limbs = pow2_mod(1024, &Self::M);
    /// 2^2048 mod m: converts into Montgomery form with one multiplication.
    const R2: Limbs = pow2_mod(2048, &Self::M);
}

/// a + b + carry, returning (sum, carry out).
#[inline(always)]
pub(crate) const fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) + (b as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

/// a - b - borrow (borrow is 0 or 1), returning (difference, borrow out as 0 or 1).
#[inline(always)]
pub(crate) const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub((b as u128) + (borrow as u128));
    (t as u64, ((t >> 64) as u64) & 1)
}

/// -m0^-1 mod 2^64 by Newton iteration (m0 odd).
const fn neg_inv_u64(m0: u64) -> u64 {
    let mut inv: u64 = 1;
    let mut i = 0;
    while i < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(m0.wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg()
}

/// 2^k mod m by repeated doubling: evaluated at compile time only.
pub(crate) const fn pow2_mod(k: usize, m: &Limbs) -> Limbs {
    let mut r = [0u64; N];
    r[0] = 1;
    let mut i = 0;
    while i < k {
        // r = 2r mod m (r < m < 2^1024, so 2r < 2^1025).
        let mut doubled = [0u64; N];
        let mut carry = 0;
        let mut j = 0;
        while j < N {
            doubled[j] = (r[j] << 1) | carry;
            carry = r[j] >> 63;
            j += 1;
        }
        let (diff, borrow) = sub_limbs(&doubled, m);
        r = if carry == 1 || borrow == 0 {
            diff
        } else {
            doubled
        };
        i += 1;
    }
    r
}

/// a - b over the full width, returning (difference, borrow 0 or 1).
#[inline(always)]
pub(crate) const fn sub_limbs(a: &Limbs, b: &Limbs) -> (Limbs, u64) {
    let mut r = [0u64; N];
    let mut borrow = 0;
    let mut i = 0;
    while i < N {
        let (d, b2) = sbb(a[i], b[i], borrow);
        r[i] = d;
        borrow = b2;
        i += 1;
    }
    (r, borrow)
}

/// a + b over the full width, returning (sum, carry 0 or 1).
#[inline(always)]
pub(crate) const fn add_limbs(a: &Limbs, b: &Limbs) -> (Limbs, u64) {
    let mut r = [0u64; N];
    let mut carry = 0;
    let mut i = 0;
    while i < N {
        let (s, c) = adc(a[i], b[i], carry);
        r[i] = s;
        carry = c;
        i += 1;
    }
    (r, carry)
}

/// Picks `a` where mask is all ones and `b` where it is zero.
#[inline(always)]
fn select(mask: u64, a: &Limbs, b: &Limbs) -> Limbs {
    let mut r = [0u64; N];
    for i in 0..N {
        r[i] = (a[i] & mask) | (b[i] & !mask);
    }
    r
}

/// Reduces t + hi * 2^1024 (known to be < 2m) to [0, m).
#[inline(always)]
pub(crate) fn final_sub<M: Modulus>(t: &Limbs, hi: u64) -> Limbs {
    let (d, borrow) = sub_limbs(t, &M::M);
    // Keep the difference when t + hi*2^1024 >= m: a carry word, or no borrow.
    let keep_diff = barrier::mask(hi | (borrow ^ 1));
    select(keep_diff, &d, t)
}

/// (a + b) mod m for a, b < m.
#[inline(always)]
pub(crate) fn add_mod<M: Modulus>(a: &Limbs, b: &Limbs) -> Limbs {
    let (s, carry) = add_limbs(a, b);
    final_sub::<M>(&s, carry)
}

/// (a - b) mod m for a, b < m.
#[inline(always)]
pub(crate) fn sub_mod<M: Modulus>(a: &Limbs, b: &Limbs) -> Limbs {
    let (d, borrow) = sub_limbs(a, b);
    let mask = barrier::mask(borrow);
    let mut masked = [0u64; N];
    for i in 0..N {
        masked[i] = M::M[i] & mask;
    }
    add_limbs(&d, &masked).0
}

/// A 192-bit column accumulator for product scanning: (lo, hi) as one u128, plus a
/// top word that counts its overflows.
#[derive(Clone, Copy)]
struct Acc {
    low: u128,
    top: u64,
}

impl Acc {
    const ZERO: Acc = Acc { low: 0, top: 0 };

    /// acc += a * b
    #[inline(always)]
    fn mac(&mut self, a: u64, b: u64) {
        let (s, c) = self.low.overflowing_add((a as u128) * (b as u128));
        self.low = s;
        self.top += c as u64;
    }

    /// acc += 2 * other (a column's cross products, summed once and doubled once)
    #[inline(always)]
    fn add_doubled(&mut self, other: &Acc) {
        let top = (other.top << 1) | (other.low >> 127) as u64;
        let (s, c) = self.low.overflowing_add(other.low << 1);
        self.low = s;
        self.top += top + c as u64;
    }

    #[inline(always)]
    fn lo(&self) -> u64 {
        self.low as u64
    }

    /// Emits the low word and shifts the accumulator down by 64 bits.
    #[inline(always)]
    fn shift(&mut self) -> u64 {
        let out = self.low as u64;
        self.low = (self.low >> 64) | ((self.top as u128) << 64);
        self.top = 0;
        out
    }
}

/// Montgomery multiplication a * b * 2^-1024 mod m, for a, b < m: on AVX-512 IFMA
/// processors the vector product of [`crate::ifma`], else on BMI2 + ADX ones the
/// two-carry-chain assembly of [`crate::adx`], elsewhere (or with those turned off) the
/// portable [`mont_mul_portable`]. Same result on every path.
///
/// Not inlined: the choice of path (on the processor's features, public) then stays in
/// this one function instead of branching inside every caller, where the machine-code
/// audit of the vector lanes (crates/ct-check, tests/ifma_branches) would have to vet it.
#[inline(never)]
pub(crate) fn mont_mul<M: Modulus>(a: &Limbs, b: &Limbs) -> Limbs {
    #[cfg(target_arch = "x86_64")]
    {
        if crate::ifma::available() {
            // SAFETY: `available` checked the processor's support.
            return unsafe { crate::ifma::mont_mul_reduced::<M>(a, b) };
        }
        if crate::adx::available() {
            // SAFETY: `available` checked the processor's support.
            return unsafe { crate::adx::mont_mul_reduced::<M>(a, b) };
        }
    }
    mont_mul_portable::<M>(a, b)
}

/// Montgomery multiplication a * b * 2^-1024 mod m, for a, b < m, by finely integrated
/// product scanning: column by column, the product and the reduction share one
/// accumulator kept in registers, and each output word is written once.
///
/// Not inlined: unrolled it is over a thousand instructions, and a Miller-loop step holds
/// about twenty of them; kept out of line the loop body fits the instruction cache
/// (measured: the pairing 20% faster, the multiplication itself unchanged).
#[inline(never)]
pub(crate) fn mont_mul_portable<M: Modulus>(a: &Limbs, b: &Limbs) -> Limbs {
    let mut u = [0u64; N];
    let mut acc = Acc::ZERO;
    for i in 0..N {
        for j in 0..i {
            acc.mac(a[j], b[i - j]);
            acc.mac(u[j], M::M[i - j]);
        }
        acc.mac(a[i], b[0]);
        u[i] = acc.lo().wrapping_mul(M::INV);
        acc.mac(u[i], M::M[0]);
        acc.shift();
    }
    let mut t = [0u64; N];
    for i in N..2 * N {
        for j in i - N + 1..N {
            acc.mac(a[j], b[i - j]);
            acc.mac(u[j], M::M[i - j]);
        }
        t[i - N] = acc.shift();
    }
    final_sub::<M>(&t, acc.lo())
}

/// Montgomery squaring a^2 * 2^-1024 mod m: the product a * a on the IFMA or ADX path
/// where the processor has one (measured: both faster than the portable squaring below,
/// ADX 332 against 447 ns), else [`mont_square_portable`]. Not inlined, as [`mont_mul`].
#[inline(never)]
pub(crate) fn mont_square<M: Modulus>(a: &Limbs) -> Limbs {
    #[cfg(target_arch = "x86_64")]
    {
        if crate::ifma::available() {
            // SAFETY: `available` checked the processor's support.
            return unsafe { crate::ifma::mont_mul_reduced::<M>(a, a) };
        }
        if crate::adx::available() {
            // SAFETY: `available` checked the processor's support.
            return unsafe { crate::adx::mont_mul_reduced::<M>(a, a) };
        }
    }
    mont_square_portable::<M>(a)
}

/// Montgomery squaring a^2 * 2^-1024 mod m: the same column scan as
/// [`mont_mul_portable`], with each cross product a[j] a[i-j] (j < i - j) computed once,
/// summed per column and doubled. Not inlined, as [`mont_mul_portable`].
#[inline(never)]
pub(crate) fn mont_square_portable<M: Modulus>(a: &Limbs) -> Limbs {
    let mut u = [0u64; N];
    let mut acc = Acc::ZERO;
    for i in 0..N {
        let mut cross = Acc::ZERO;
        for j in 0..i.div_ceil(2) {
            cross.mac(a[j], a[i - j]);
        }
        acc.add_doubled(&cross);
        if i % 2 == 0 {
            acc.mac(a[i / 2], a[i / 2]);
        }
        for j in 0..i {
            acc.mac(u[j], M::M[i - j]);
        }
        u[i] = acc.lo().wrapping_mul(M::INV);
        acc.mac(u[i], M::M[0]);
        acc.shift();
    }
    let mut t = [0u64; N];
    for i in N..2 * N {
        let lo = i - N + 1;
        let hi = i.div_ceil(2); // j < i - j
        let mut cross = Acc::ZERO;
        for j in lo..hi {
            cross.mac(a[j], a[i - j]);
        }
        acc.add_doubled(&cross);
        if i % 2 == 0 {
            acc.mac(a[i / 2], a[i / 2]);
        }
        for j in lo..N {
            acc.mac(u[j], M::M[i - j]);
        }
        t[i - N] = acc.shift();
    }
    final_sub::<M>(&t, acc.lo())
}

/// 0 - a mod m for a < m: zero stays zero.
#[inline(always)]
pub(crate) fn neg_mod<M: Modulus>(a: &Limbs) -> Limbs {
    let (d, _) = sub_limbs(&M::M, a);
    let mut nonzero = 0u64;
    for limb in a {
        nonzero |= limb;
    }
    // mask is all ones when a != 0.
    let mask = barrier::mask((nonzero | nonzero.wrapping_neg()) >> 63);
    let mut r = [0u64; N];
    for i in 0..N {
        r[i] = d[i] & mask;
    }
    r
}

/// Parses a big-endian hexadecimal constant (spaces allowed) at compile time.
pub(crate) const fn hex_limbs(s: &str) -> Limbs {
    let bytes = s.as_bytes();
    let mut r = [0u64; N];
    let mut nibble = 0usize;
    let mut i = bytes.len();
    while i > 0 {
        i -= 1;
        let c = bytes[i];
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            b' ' | b'\n' => continue,
            _ => panic!("bad hex digit in constant"),
        };
        assert!(nibble < 16 * N, "constant wider than 1024 bits");
        r[nibble / 16] |= (v as u64) << (4 * (nibble % 16));
        nibble += 1;
    }
    r
}

/// Big-endian bytes of a limb array.
pub(crate) fn limbs_to_be_bytes(a: &Limbs) -> [u8; 8 * N] {
    let mut out = [0u8; 8 * N];
    for (i, limb) in a.iter().enumerate() {
        let start = 8 * (N - 1 - i);
        out[start..start + 8].copy_from_slice(&limb.to_be_bytes());
    }
    out
}

/// Limbs from exactly 128 big-endian bytes.
pub(crate) fn limbs_from_be_bytes(bytes: &[u8; 8 * N]) -> Limbs {
    let mut r = [0u64; N];
    for (i, limb) in r.iter_mut().enumerate() {
        let start = 8 * (N - 1 - i);
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[start..start + 8]);
        *limb = u64::from_be_bytes(word);
    }
    r
}

/// Constant-time a < b, as a 0/1 word.
#[inline(always)]
pub(crate) fn lt(a: &Limbs, b: &Limbs) -> u64 {
    sub_limbs(a, b).1
}

/// Conversions to and from num-bigint, the oracle the product paths are tested against.
#[cfg(test)]
pub(crate) mod oracle {
    use num_bigint::BigUint;

    use super::{Limbs, N};

    pub(crate) fn big(a: &Limbs) -> BigUint {
        BigUint::from_slice(
            &a.iter()
                .flat_map(|w| [*w as u32, (*w >> 32) as u32])
                .collect::<Vec<_>>(),
        )
    }

    /// A value below 2^1024 as limbs.
    pub(crate) fn limbs(v: &BigUint) -> Limbs {
        let mut out = [0u64; N];
        for (o, d) in out.iter_mut().zip(v.to_u64_digits()) {
            *o = d;
        }
        out
    }
}
