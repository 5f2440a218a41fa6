//! Constant-time modular inversion by Bernstein and Yang's safegcd ("Fast constant-time
//! gcd computation and modular inversion", 2019), in the form libsecp256k1 uses
//! (half-delta divsteps, 59 per batch, signed 62-bit limbs), for any odd modulus of N
//! 64-bit limbs: the 1024-bit p here, and P-256's p and q in the `eccsi` crate.
//!
//! Fermat's a^(p-2) costs about 1,200 multiplications at 1024 bits (about 300 at 256);
//! this costs the equivalent of a few dozen. The number of steps is fixed, every step runs the same instructions, and the
//! masks replace branches (each behind a value barrier, or the compiler brings the
//! branches back): the time says nothing about the input.

use crate::barrier::{self, sign_mask};

const M62: u64 = u64::MAX >> 2;

/// Batches of 59 divsteps for N-limb inputs: enough steps for the paper's bound for plain
/// divsteps, (49 d + 80) / 17 for d = 64 N bits (half-delta steps converge faster). 51
/// batches (3009 steps) for 1024 bits, 13 (767) for 256.
const fn batches(n: usize) -> usize {
    ((49 * 64 * n + 80) / 17 + 1).div_ceil(59)
}

/// A signed integer in L limbs of 62 bits, least significant first; the top limb carries
/// the sign. L x 62 must exceed the N x 64 bits of the modulus by two (17 for N = 16,
/// 5 for N = 4).
#[derive(Clone, Copy)]
struct Signed62<const L: usize>([i64; L]);

/// The 2x2 transition matrix of a batch, scaled by 2^62.
struct Trans {
    u: i64,
    v: i64,
    q: i64,
    r: i64,
}

fn to_signed62<const N: usize, const L: usize>(x: &[u64; N]) -> Signed62<L> {
    let mut out = [0i64; L];
    for (j, limb) in out.iter_mut().enumerate() {
        let bit = 62 * j;
        let (w, off) = (bit / 64, bit % 64);
        let mut v = if w < N { x[w] >> off } else { 0 };
        if off > 2 && w + 1 < N {
            v |= x[w + 1] << (64 - off);
        }
        *limb = (v & M62) as i64;
    }
    Signed62(out)
}

fn from_signed62<const N: usize, const L: usize>(x: &Signed62<L>) -> [u64; N] {
    let mut out = [0u64; N];
    for (j, &limb) in x.0.iter().enumerate() {
        let limb = limb as u64;
        let bit = 62 * j;
        let (w, off) = (bit / 64, bit % 64);
        if w < N {
            out[w] |= limb << off;
        }
        if off > 2 && w + 1 < N {
            out[w + 1] |= limb >> (64 - off);
        }
    }
    out
}

/// 59 half-delta divsteps on the low 64 bits of f and g, in constant time (the
/// libsecp256k1 formulation; the matrix starts at 8 = 2^3, so after 59 steps it is scaled
/// by 2^62).
fn divsteps_59(mut zeta: i64, f0: u64, g0: u64) -> (i64, Trans) {
    let (mut u, mut v, mut q, mut r) = (8u64, 0u64, 0u64, 8u64);
    let (mut f, mut g) = (f0, g0);
    for _ in 3..62 {
        let mut mask1 = sign_mask(zeta) as u64; // zeta < 0
        let mask2 = barrier::mask(g & 1); // g odd
        let x = (f ^ mask1).wrapping_sub(mask1);
        let y = (u ^ mask1).wrapping_sub(mask1);
        let z = (v ^ mask1).wrapping_sub(mask1);
        g = g.wrapping_add(x & mask2);
        q = q.wrapping_add(y & mask2);
        r = r.wrapping_add(z & mask2);
        mask1 &= mask2;
        zeta = (zeta ^ mask1 as i64) - 1;
        f = f.wrapping_add(g & mask1);
        u = u.wrapping_add(q & mask1);
        v = v.wrapping_add(r & mask1);
        g >>= 1;
        u <<= 1;
        v <<= 1;
    }
    (
        zeta,
        Trans {
            u: u as i64,
            v: v as i64,
            q: q as i64,
            r: r as i64,
        },
    )
}

/// [d, e] <- t [d, e] / 2^62 mod p, keeping both in (-2p, p).
fn update_de<const L: usize>(
    d: &mut Signed62<L>,
    e: &mut Signed62<L>,
    t: &Trans,
    p: &Signed62<L>,
    p_inv62: u64,
) {
    let (u, v, q, r) = (t.u as i128, t.v as i128, t.q as i128, t.r as i128);
    let sd = sign_mask(d.0[L - 1]);
    let se = sign_mask(e.0[L - 1]);
    // Add [u, q] times p if d < 0 and [v, r] times p if e < 0, then whatever clears the
    // low 62 bits.
    let mut md = (t.u & sd) + (t.v & se);
    let mut me = (t.q & sd) + (t.r & se);
    let mut cd = u * d.0[0] as i128 + v * e.0[0] as i128;
    let mut ce = q * d.0[0] as i128 + r * e.0[0] as i128;
    md -= (p_inv62.wrapping_mul(cd as u64).wrapping_add(md as u64) & M62) as i64;
    me -= (p_inv62.wrapping_mul(ce as u64).wrapping_add(me as u64) & M62) as i64;
    cd += p.0[0] as i128 * md as i128;
    ce += p.0[0] as i128 * me as i128;
    cd >>= 62;
    ce >>= 62;
    for j in 1..L {
        cd += u * d.0[j] as i128 + v * e.0[j] as i128 + p.0[j] as i128 * md as i128;
        ce += q * d.0[j] as i128 + r * e.0[j] as i128 + p.0[j] as i128 * me as i128;
        d.0[j - 1] = (cd as u64 & M62) as i64;
        e.0[j - 1] = (ce as u64 & M62) as i64;
        cd >>= 62;
        ce >>= 62;
    }
    d.0[L - 1] = cd as i64;
    e.0[L - 1] = ce as i64;
}

/// [f, g] <- t [f, g] / 2^62 (exact).
fn update_fg<const L: usize>(f: &mut Signed62<L>, g: &mut Signed62<L>, t: &Trans) {
    let (u, v, q, r) = (t.u as i128, t.v as i128, t.q as i128, t.r as i128);
    let mut cf = u * f.0[0] as i128 + v * g.0[0] as i128;
    let mut cg = q * f.0[0] as i128 + r * g.0[0] as i128;
    cf >>= 62;
    cg >>= 62;
    for j in 1..L {
        cf += u * f.0[j] as i128 + v * g.0[j] as i128;
        cg += q * f.0[j] as i128 + r * g.0[j] as i128;
        f.0[j - 1] = (cf as u64 & M62) as i64;
        g.0[j - 1] = (cg as u64 & M62) as i64;
        cf >>= 62;
        cg >>= 62;
    }
    f.0[L - 1] = cf as i64;
    g.0[L - 1] = cg as i64;
}

/// x mod p for x in (-2p, p), negated first when `negate` is all ones (f ended at -1).
fn normalise<const L: usize>(x: &mut Signed62<L>, negate: i64, p: &Signed62<L>) {
    // Add p where x < 0.
    let add_p = |x: &mut Signed62<L>| {
        let mask = sign_mask(x.0[L - 1]);
        let mut carry = 0i64;
        for j in 0..L {
            let v = x.0[j] + (p.0[j] & mask) + carry;
            carry = v >> 62;
            x.0[j] = v & M62 as i64;
        }
        x.0[L - 1] += carry << 62;
    };
    add_p(x);
    // Conditionally negate: x in [0, p) becomes (-p, 0].
    let mut carry = 0i64;
    for j in 0..L {
        let v = (x.0[j] ^ negate) - negate + carry;
        carry = v >> 62;
        x.0[j] = v & M62 as i64;
    }
    x.0[L - 1] += carry << 62;
    add_p(x);
}

/// x^-1 mod m for the odd modulus m and x < m, as plain integers (0 maps to 0), with L
/// limbs of 62 bits, 62 L >= 64 N + 2 (checked at compile time); `m_inv62` = m^-1 mod
/// 2^62. None if g did not reach zero within the fixed number of steps, which the bound
/// rules out; the caller then falls back to Fermat rather than trust a wrong value.
pub fn invert<const N: usize, const L: usize>(
    x: &[u64; N],
    m: &[u64; N],
    m_inv62: u64,
) -> Option<[u64; N]> {
    const { assert!(62 * L >= 64 * N + 2) };
    let p = to_signed62::<N, L>(m);
    let mut f = p;
    let mut g = to_signed62::<N, L>(x);
    let mut d = Signed62([0; L]);
    let mut e = Signed62([0; L]);
    e.0[0] = 1;
    let mut zeta = -1i64;
    for _ in 0..batches(N) {
        let (z, t) = divsteps_59(zeta, f.0[0] as u64, g.0[0] as u64);
        zeta = z;
        update_de(&mut d, &mut e, &t, &p, m_inv62);
        update_fg(&mut f, &mut g, &t);
    }
    let converged = g.0.iter().fold(0i64, |acc, &limb| acc | limb) == 0;
    // Declassified: g reaches zero within batches(N) for every input below m, so the flag
    // is always true and says nothing about x; it only guards against a wrong bound.
    let converged = ctgrind::declassified(converged);
    // f is now +-1 (or +-m when x = 0, where d = 0 anyway).
    normalise(&mut d, sign_mask(f.0[L - 1]), &p);
    converged.then(|| from_signed62::<N, L>(&d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arith::{mont_mul, Limbs, Modulus, N};
    use crate::fp::PMod;
    use crate::params::P;

    /// x * invert(x) = 1 with safegcd converging (not the Fermat fallback), for small,
    /// large and structured x; and 0 for 0.
    #[test]
    fn converges_and_inverts() {
        let p_inv62 = PMod::INV.wrapping_neg() & M62;
        let mut cases: Vec<Limbs> = vec![[0; N]; 6];
        cases[0][0] = 1;
        cases[1][0] = 3;
        cases[2] = crate::arith::sub_limbs(&P, &{
            let mut one = [0u64; N];
            one[0] = 1;
            one
        })
        .0;
        cases[3] = [u64::MAX >> 1; N];
        cases[3][N - 1] = 0x1234;
        cases[4][N - 1] = 1 << 62;
        cases[5] = PMod::R2;
        let mut one = [0u64; N];
        one[0] = 1;
        for x in cases {
            let inv = invert::<N, 17>(&x, &P, p_inv62).expect("converges");
            // mont_mul(mont_mul(x, inv), R^2) = x * inv mod p.
            let product = mont_mul::<PMod>(&mont_mul::<PMod>(&x, &inv), &PMod::R2);
            assert_eq!(product, one);
        }
        assert_eq!(invert::<N, 17>(&[0; N], &P, p_inv62), Some([0; N]));
        assert_eq!(batches(N), 51);
    }
}
