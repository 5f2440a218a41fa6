//! Constant-time multi-precision arithmetic on 16 x 64-bit limbs (little-endian), shared
//! by the base field F_p and the scalar field F_q.
//!
//! Every routine runs the same instruction sequence whatever the values: loops have fixed
//! bounds and conditional subtractions are done with masks, never branches.

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

/// a + b * c + carry, returning (low word, high word). Cannot overflow u128.
#[inline(always)]
pub(crate) const fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) + (b as u128) * (c as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
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
const fn pow2_mod(k: usize, m: &Limbs) -> Limbs {
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
fn final_sub<M: Modulus>(t: &Limbs, hi: u64) -> Limbs {
    let (d, borrow) = sub_limbs(t, &M::M);
    // Keep the difference when t + hi*2^1024 >= m: a carry word, or no borrow.
    let keep_diff = (hi | (borrow ^ 1)).wrapping_neg();
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
    let mask = borrow.wrapping_neg();
    let mut masked = [0u64; N];
    for i in 0..N {
        masked[i] = M::M[i] & mask;
    }
    add_limbs(&d, &masked).0
}

/// Montgomery multiplication a * b * 2^-1024 mod m (CIOS), for a, b < m.
#[inline(always)]
pub(crate) fn mont_mul<M: Modulus>(a: &Limbs, b: &Limbs) -> Limbs {
    let mut t = [0u64; N];
    let mut t_hi = 0u64; // word N of the running sum; at most 1 after each round
    for i in 0..N {
        // t += a * b[i]
        let mut carry = 0;
        for j in 0..N {
            (t[j], carry) = mac(t[j], a[j], b[i], carry);
        }
        let (top, top_carry) = adc(t_hi, carry, 0);
        // t = (t + m * u) / 2^64 with u chosen to clear the low word.
        let u = t[0].wrapping_mul(M::INV);
        let (_, mut carry) = mac(t[0], u, M::M[0], 0);
        for j in 1..N {
            (t[j - 1], carry) = mac(t[j], u, M::M[j], carry);
        }
        let (w, c) = adc(top, carry, 0);
        t[N - 1] = w;
        t_hi = top_carry + c;
    }
    final_sub::<M>(&t, t_hi)
}

/// Montgomery squaring a^2 * 2^-1024 mod m: the full square with each cross product
/// computed once, then one Montgomery reduction.
#[inline(always)]
pub(crate) fn mont_square<M: Modulus>(a: &Limbs) -> Limbs {
    let mut t = [0u64; 2 * N];
    // Cross products a[i] * a[j], i < j.
    for i in 0..N - 1 {
        let mut carry = 0;
        for j in i + 1..N {
            (t[i + j], carry) = mac(t[i + j], a[i], a[j], carry);
        }
        t[i + N] = carry;
    }
    // Double them.
    let mut top = 0;
    for limb in t.iter_mut() {
        let next = *limb >> 63;
        *limb = (*limb << 1) | top;
        top = next;
    }
    // Add the squares a[i]^2.
    let mut carry = 0;
    for i in 0..N {
        let (lo, hi) = mac(t[2 * i], a[i], a[i], carry);
        t[2 * i] = lo;
        let (w, c) = adc(t[2 * i + 1], hi, 0);
        t[2 * i + 1] = w;
        carry = c;
    }
    redc::<M>(&t)
}

/// Montgomery reduction of a 2048-bit value below m * 2^1024.
#[inline(always)]
pub(crate) fn redc<M: Modulus>(t: &[u64; 2 * N]) -> Limbs {
    let mut t = *t;
    let mut carry2 = 0;
    for i in 0..N {
        let u = t[i].wrapping_mul(M::INV);
        let mut carry = 0;
        for j in 0..N {
            (t[i + j], carry) = mac(t[i + j], u, M::M[j], carry);
        }
        (t[i + N], carry2) = adc(t[i + N], carry, carry2);
    }
    let mut r = [0u64; N];
    r.copy_from_slice(&t[N..]);
    final_sub::<M>(&r, carry2)
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
    let mask = ((nonzero | nonzero.wrapping_neg()) >> 63).wrapping_neg();
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
