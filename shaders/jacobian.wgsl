// Points of y^2 = x^3 - 3x in Jacobian coordinates for scalar multiplication, as
// crates/pairing/src/point.rs has them: doubling and mixed addition from the formulas
// of shaders/curve.wgsl, and the full addition add-2007-bl, with identities on either
// side selected in by masks. The identity has Z = 0. Straight-line code: nothing
// here branches on a value, and no function loops except through fp_mul.

// All ones where a = 0, else zero (the OR of the words, unrolled).
fn fp_is_zero_mask(a: Fp) -> u32 {
    let o = a[0] | a[1] | a[2] | a[3] | a[4] | a[5] | a[6] | a[7] | a[8] | a[9] | a[10]
        | a[11] | a[12] | a[13] | a[14] | a[15] | a[16] | a[17] | a[18] | a[19] | a[20]
        | a[21] | a[22] | a[23] | a[24] | a[25] | a[26] | a[27] | a[28] | a[29] | a[30]
        | a[31];
    return 0u - u32(o == 0u);
}

// a where mask is all ones, b where it is zero.
fn point_select(mask: u32, a: Jacobian, b: Jacobian) -> Jacobian {
    return Jacobian(fp_select(mask, a.x, b.x), fp_select(mask, a.y, b.y), fp_select(mask, a.z, b.z));
}

// -y where mask is all ones, y where it is zero: how a negative digit negates a point.
fn fp_negate_masked(mask: u32, y: Fp) -> Fp {
    return fp_select(mask, fp_sub(fp_zero(), y), y);
}

// [2]t (dbl-2001-b, shaders/curve.wgsl). The identity doubles to itself.
fn point_double(t: Jacobian) -> Jacobian {
    return double_parts(t).t;
}

// a + b (add-2007-bl: 11M + 5S) for a != b unless one is the identity, which is selected
// in on either side (JacobianPoint::add_distinct).
fn point_add(a: Jacobian, b: Jacobian) -> Jacobian {
    let z1z1 = fp_square(a.z);
    let z2z2 = fp_square(b.z);
    let u1 = fp_mul(a.x, z2z2);
    let u2 = fp_mul(b.x, z1z1);
    let s1 = fp_mul(fp_mul(a.y, b.z), z2z2);
    let s2 = fp_mul(fp_mul(b.y, a.z), z1z1);
    let h = fp_sub(u2, u1);
    let i = fp_square(fp_double(h));
    let j = fp_mul(h, i);
    let r = fp_double(fp_sub(s2, s1));
    let v = fp_mul(u1, i);
    let x3 = fp_sub(fp_sub(fp_square(r), j), fp_double(v));
    let y3 = fp_sub(fp_mul(r, fp_sub(v, x3)), fp_double(fp_mul(s1, j)));
    let z3 = fp_mul(fp_sub(fp_sub(fp_square(fp_add(a.z, b.z)), z1z1), z2z2), h);
    let sum = Jacobian(x3, y3, z3);
    let out = point_select(fp_is_zero_mask(a.z), b, sum);
    return point_select(fp_is_zero_mask(b.z), a, out);
}

// t + (x, y) for an affine point, the identity where `infinity` is all ones
// (madd-2007-bl: 7M + 4S), for t != (x, y) unless one is the identity, which is selected
// in on either side (JacobianPoint::add_mixed_distinct).
fn point_add_affine(t: Jacobian, x: Fp, y: Fp, infinity: u32) -> Jacobian {
    let sum = add_parts(t, x, y).t;
    let out = point_select(fp_is_zero_mask(t.z), Jacobian(x, y, FP_ONE), sum);
    return point_select(infinity, t, out);
}
