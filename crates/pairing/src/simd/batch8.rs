//! The hot paths on eight lanes: pairings against line tables, fixed-base scalar
//! multiplications and powers of g. Each takes any number of items, runs them in groups
//! of eight (padding the last group), and hands back per-item results in the scalar
//! types, unnormalised, for the caller's batched normalisation.
#![allow(clippy::needless_range_loop)]

use core::arch::x86_64::*;

use super::ext8::{Aff8, Fp2x8, Jac8};
use super::fp8::{Fp8, L};
use crate::fixed_base::{BaseTable, GtTable};
use crate::fp::Fp;
use crate::fp2::Fp2;
use crate::params::{HALF_MOD_Q, MILLER_DIGITS, MILLER_NAF};
use crate::point::{AffinePoint, JacobianPoint};
use crate::precomp::LineTable;
use crate::scalar::Scalar;

/// One F_p element in the vector unit's Montgomery form (52-bit limbs, R = 2^1040).
pub(crate) type Limbs52 = [u64; L];
/// Limbs in a [`Limbs52`].
pub(crate) const LIMBS52: usize = L;

/// Converts values for storage in a table read by the vector unit.
pub(crate) fn vector_form(values: &[Fp]) -> Vec<Limbs52> {
    // SAFETY: only called when `super::ifma_available()` holds (tables check it).
    unsafe { vector_form_ifma(values) }
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn vector_form_ifma(values: &[Fp]) -> Vec<Limbs52> {
    let mut out = Vec::with_capacity(values.len() + 8);
    for group in super::lanes(values) {
        out.extend(Fp8::from_canonical(&group.map(|v| v.to_canonical())).to_montgomery_lanes());
    }
    out.truncate(values.len());
    out
}

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn load(lanes: &[Fp; 8]) -> Fp8 {
    Fp8::from_canonical(&lanes.map(|v| v.to_canonical()))
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn unload(v: &Fp8) -> [Fp; 8] {
    v.to_canonical().map(|l| Fp::from_canonical(&l))
}

/// The eight lanes as scalar F_p2 values.
#[target_feature(enable = "avx512f,avx512ifma")]
fn unload_fp2(v: &Fp2x8) -> [Fp2; 8] {
    let (c0, c1) = (unload(&v.c0), unload(&v.c1));
    core::array::from_fn(|k| Fp2::new(c0[k], c1[k]))
}

/// The eight lanes as scalar Jacobian points.
#[target_feature(enable = "avx512f,avx512ifma")]
fn unload_jacobian(p: &Jac8) -> [JacobianPoint; 8] {
    let (xs, ys, zs) = (unload(&p.x), unload(&p.y), unload(&p.z));
    core::array::from_fn(|k| JacobianPoint {
        x: xs[k],
        y: ys[k],
        z: zs[k],
    })
}

/// Runs `group` over the jobs eight at a time (the last group padded by repeating its
/// first job) and returns one result per job, in order.
fn in_groups<J: Copy, T>(jobs: &[J], group: impl Fn(&[J; 8]) -> [T; 8]) -> Vec<T> {
    let mut out = Vec::with_capacity(jobs.len() + 8);
    for g in super::lanes(jobs) {
        out.extend(group(&g));
    }
    out.truncate(jobs.len());
    out
}

/// a x + b for line `s` of each lane's table; lines are stored as (a, b) pairs.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn line_value(tables: &[&[Limbs52]; 8], s: usize, x: &Fp8) -> Fp8 {
    let a = Fp8::from_montgomery_lanes(tables.map(|t| &t[2 * s]));
    let b = Fp8::from_montgomery_lanes(tables.map(|t| &t[2 * s + 1]));
    a.mul(x).add(&b)
}

/// f^4 for eight pairings <K_k, R_k>, K_k given by its line table (vector form).
#[target_feature(enable = "avx512f,avx512ifma")]
fn tabled_group(tables: [&[Limbs52]; 8], at: &[AffinePoint; 8]) -> [Fp2; 8] {
    let qx = load(&at.map(|p| p.x));
    let qy = load(&at.map(|p| p.y));
    let qy2 = qy.square();
    let mut f = Fp2x8::one();
    let mut s = 0;
    for i in (0..MILLER_DIGITS - 1).rev() {
        let u = line_value(&tables, s, &qx);
        s += 1;
        f = f.square();
        if MILLER_NAF[i] == 0 {
            f = f.mul_by_line(&u, &qy);
        } else {
            let v = line_value(&tables, s, &qx);
            s += 1;
            let both = Fp2x8 {
                c0: u.mul(&v).sub(&qy2),
                c1: qy.mul(&u.add(&v)),
            };
            f = f.mul(&both);
        }
    }
    let f4 = f.square().square();
    unload_fp2(&f4)
}

/// f^4 of <K, R> for every (table of K, R); None for tables built without a vector form.
pub(crate) fn tabled_pairings(jobs: &[(&LineTable, AffinePoint)]) -> Option<Vec<Fp2>> {
    let vectors: Option<Vec<(&[Limbs52], AffinePoint)>> = jobs
        .iter()
        .map(|(t, at)| t.vector_lines().map(|v| (v, *at)))
        .collect();
    // SAFETY: vector forms exist only when the features were detected.
    Some(in_groups(&vectors?, |g| unsafe {
        tabled_group(g.map(|j| j.0), &g.map(|j| j.1))
    }))
}

/// Per-lane digit vectors and sign masks for one window.
#[inline]
#[target_feature(enable = "avx512f")]
fn digit_masks(digits: [i8; 8]) -> (__m512i, __mmask8) {
    let abs = digits.map(|d| (d as i16).unsigned_abs() as i64);
    let mut neg: __mmask8 = 0;
    for (k, d) in digits.iter().enumerate() {
        neg |= (((*d as u8) >> 7) & 1) << k;
    }
    let v = _mm512_set_epi64(
        abs[7], abs[6], abs[5], abs[4], abs[3], abs[2], abs[1], abs[0],
    );
    (v, neg)
}

/// [k_l]B_l for eight (table, scalar) pairs: one row per window, scanned in full.
#[target_feature(enable = "avx512f,avx512ifma")]
fn base_group(tables: [&BaseTable; 8], scalars: &[Scalar; 8]) -> [JacobianPoint; 8] {
    let digits = scalars.map(|k| k.signed_digits());
    let rows: [&[[Limbs52; 2]]; 8] = tables.map(|t| t.vector_rows().unwrap_or(&[]));
    let mut acc = Jac8::identity();
    let windows = digits[0].len();
    for w in 0..windows {
        let (abs, neg) = digit_masks(core::array::from_fn(|k| digits[k].as_slice()[w]));
        let mut x = Fp8::zero();
        let mut y = Fp8::zero();
        for j in 1..=16usize {
            let pick = _mm512_cmpeq_epi64_mask(abs, _mm512_set1_epi64(j as i64));
            let ex = Fp8::from_montgomery_lanes(rows.map(|r| &r[w * 16 + j - 1][0]));
            let ey = Fp8::from_montgomery_lanes(rows.map(|r| &r[w * 16 + j - 1][1]));
            x = Fp8::select(&x, &ex, pick);
            y = Fp8::select(&y, &ey, pick);
        }
        y = Fp8::select(&y, &y.neg(), neg);
        let infinity = _mm512_cmpeq_epi64_mask(abs, _mm512_setzero_si512());
        acc = acc.add_mixed_distinct(&Aff8 { x, y, infinity });
    }
    unload_jacobian(&acc)
}

/// [k]B for every (table of B, k); None for tables built without a vector form.
pub(crate) fn base_muls(jobs: &[(&BaseTable, Scalar)]) -> Option<Vec<JacobianPoint>> {
    if jobs.iter().any(|(t, _)| t.vector_rows().is_none()) {
        return None;
    }
    // SAFETY: vector forms exist only when the features were detected.
    Some(in_groups(jobs, |g| unsafe {
        base_group(g.map(|j| j.0), &g.map(|j| j.1))
    }))
}

/// g^k for eight exponents from the shared table (entries broadcast, chosen per lane).
#[target_feature(enable = "avx512f,avx512ifma")]
fn gt_group(table: &GtTable, rows: &[[Limbs52; 2]], exps: &[Scalar; 8]) -> [Fp2; 8] {
    let half = Scalar(HALF_MOD_Q);
    let digits = exps.map(|k| k.mul(&half).signed_digits());
    let mut acc = Fp2x8::one();
    let one = acc;
    let windows = digits[0].len().min(table.rows_len());
    for w in 0..windows {
        let (abs, neg) = digit_masks(core::array::from_fn(|k| digits[k].as_slice()[w]));
        let mut pick = one;
        for j in 1..=16usize {
            let m = _mm512_cmpeq_epi64_mask(abs, _mm512_set1_epi64(j as i64));
            let e = &rows[w * 16 + j - 1];
            let entry = Fp2x8 {
                c0: Fp8::from_montgomery_lanes([&e[0]; 8]),
                c1: Fp8::from_montgomery_lanes([&e[1]; 8]),
            };
            pick = Fp2x8::select(&pick, &entry, m);
        }
        pick = Fp2x8::select(&pick, &pick.conjugate(), neg);
        acc = acc.mul(&pick);
    }
    unload_fp2(&acc)
}

/// g^k (unnormalised) for every exponent; None without a vector form of the table.
pub(crate) fn gt_pows(table: &GtTable, exps: &[Scalar]) -> Option<Vec<Fp2>> {
    let rows = table.vector_rows()?;
    // SAFETY: vector forms exist only when the features were detected.
    Some(in_groups(exps, |g| unsafe { gt_group(table, rows, g) }))
}

/// f^4 for eight plain pairings <K_k, R_k>: the projective Miller loop of `miller.rs`
/// over K, lines evaluated at [i]R, on eight lanes.
#[target_feature(enable = "avx512f,avx512ifma")]
fn plain_group(fixed: &[AffinePoint; 8], at: &[AffinePoint; 8]) -> [Fp2; 8] {
    let kx = load(&fixed.map(|p| p.x));
    let ky = load(&fixed.map(|p| p.y));
    let neg_ky = ky.neg();
    let qx = load(&at.map(|p| p.x));
    let qy = load(&at.map(|p| p.y));
    let qx_plus_kx = qx.add(&kx);
    let mut t = Jac8 {
        x: kx,
        y: ky,
        z: Fp2x8::one().c0,
    };
    let mut f = Fp2x8::one();
    for i in (0..MILLER_DIGITS - 1).rev() {
        let (next, [alpha, delta, x, gamma, z3]) = t.double_with_line();
        t = next;
        let c0 = alpha.mul(&delta.mul(&qx).add(&x)).sub(&gamma.double());
        let c1 = z3.mul(&delta).mul(&qy);
        f = f.square().mul(&Fp2x8 { c0, c1 });
        let ry = match MILLER_NAF[i] {
            1 => ky,
            -1 => neg_ky,
            _ => continue,
        };
        let (next, rr, z3) = t.add_with_line(&kx, &ry);
        t = next;
        let c0 = rr.mul(&qx_plus_kx).sub(&ry.mul(&z3));
        f = f.mul(&Fp2x8 {
            c0,
            c1: z3.mul(&qy),
        });
    }
    let f4 = f.square().square();
    unload_fp2(&f4)
}

/// f^4 of <K, R> for every (K, R), without tables; None without the vector unit.
pub(crate) fn plain_pairings(jobs: &[(AffinePoint, AffinePoint)]) -> Option<Vec<Fp2>> {
    if !super::ifma_available() {
        return None;
    }
    // SAFETY: the features were detected above.
    Some(in_groups(jobs, |g| unsafe {
        plain_group(&g.map(|j| j.0), &g.map(|j| j.1))
    }))
}

/// [k_l]B_l for eight bases without tables: signed 5-bit windows over [1..16]B per
/// lane, as `JacobianPoint::mul`.
#[target_feature(enable = "avx512f,avx512ifma")]
fn window_group(bases: &[AffinePoint; 8], scalars: &[Scalar; 8]) -> [JacobianPoint; 8] {
    let one = Fp2x8::one().c0;
    let b = Jac8 {
        x: load(&bases.map(|p| p.x)),
        y: load(&bases.map(|p| p.y)),
        z: one,
    };
    let mut table = [b; 16];
    table[1] = b.double();
    for j in 2..16 {
        table[j] = table[j - 1].add_distinct(&b);
    }
    let digits = scalars.map(|k| k.signed_digits());
    let windows = digits[0].len();
    let mut acc = Jac8::identity();
    for w in (0..windows).rev() {
        if w + 1 != windows {
            for _ in 0..crate::scalar::WINDOW {
                acc = acc.double();
            }
        }
        let (abs, neg) = digit_masks(core::array::from_fn(|k| digits[k].as_slice()[w]));
        let mut pick = Jac8::identity();
        for (j, entry) in table.iter().enumerate() {
            let m = _mm512_cmpeq_epi64_mask(abs, _mm512_set1_epi64(j as i64 + 1));
            pick = Jac8::select(&pick, entry, m);
        }
        pick.y = Fp8::select(&pick.y, &pick.y.neg(), neg);
        acc = acc.add_distinct(&pick);
    }
    unload_jacobian(&acc)
}

/// [k]B for every (B, k) without tables; None without the vector unit.
pub(crate) fn window_muls(jobs: &[(AffinePoint, Scalar)]) -> Option<Vec<JacobianPoint>> {
    if !super::ifma_available() {
        return None;
    }
    // SAFETY: the features were detected above.
    Some(in_groups(jobs, |g| unsafe {
        window_group(&g.map(|j| j.0), &g.map(|j| j.1))
    }))
}
