// The curve y^2 = x^3 - 3x over F_p in Jacobian coordinates, with the formulas of
// crates/pairing/src/miller.rs (doubling dbl-2001-b, mixed addition madd-2007-bl), each
// as `*_parts` for scalar multiplications (shaders/jacobian.wgsl) and `*_with_line` for
// the Miller loop, which also evaluates the line through the points at [i]Q =
// (-qx, i qy). Straight-line code: nothing here branches on a value.

fn fp_square(a: Fp) -> Fp {
    return fp_mul(a, a);
}

fn fp_double(a: Fp) -> Fp {
    return fp_add(a, a);
}

fn fp_zero() -> Fp {
    return Fp();
}

struct Jacobian {
    x: Fp,
    y: Fp,
    z: Fp,
}

// What a step hands back: the new running point and the line's value at [i]Q.
struct StepResult {
    t: Jacobian,
    line: Fp2,
}

// [2]t with the intermediate values its tangent needs.
struct Doubled {
    t: Jacobian,
    alpha: Fp,
    gamma: Fp,
    delta: Fp,
}

// [2]t for a = -3 (dbl-2001-b: 3M + 5S). The identity doubles to itself (Z3 = 2YZ = 0),
// as does a point of order two.
fn double_parts(t: Jacobian) -> Doubled {
    let delta = fp_square(t.z);
    let gamma = fp_square(t.y);
    let beta = fp_mul(t.x, gamma);
    let s = fp_mul(fp_sub(t.x, delta), fp_add(t.x, delta));
    let alpha = fp_add(fp_double(s), s);
    let beta4 = fp_double(fp_double(beta));
    let x3 = fp_sub(fp_square(alpha), fp_double(beta4));
    let z3 = fp_sub(fp_sub(fp_square(fp_add(t.y, t.z)), gamma), delta);
    let gamma2_8 = fp_double(fp_double(fp_double(fp_square(gamma))));
    let y3 = fp_sub(fp_mul(alpha, fp_sub(beta4, x3)), gamma2_8);
    return Doubled(Jacobian(x3, y3, z3), alpha, gamma, delta);
}

// Doubles t and evaluates its tangent at [i]Q = (-qx, i qy):
// alpha (delta qx + X) - 2 gamma  +  i (Z3 delta) qy.
fn double_with_line(t: Jacobian, qx: Fp, qy: Fp) -> StepResult {
    let d = double_parts(t);
    let c0 = fp_sub(fp_mul(d.alpha, fp_add(fp_mul(d.delta, qx), t.x)), fp_double(d.gamma));
    let c1 = fp_mul(fp_mul(d.t.z, d.delta), qy);
    return StepResult(d.t, Fp2(c0, c1));
}

// t + (rx, ry) with the value its chord needs.
struct Added {
    t: Jacobian,
    rr: Fp,
}

// t + (rx, ry) for an affine (rx, ry) (madd-2007-bl: 7M + 4S), for t neither the
// identity nor +-(rx, ry): callers select those cases in.
fn add_parts(t: Jacobian, rx: Fp, ry: Fp) -> Added {
    let z1z1 = fp_square(t.z);
    let u2 = fp_mul(rx, z1z1);
    let s2 = fp_mul(ry, fp_mul(t.z, z1z1));
    let h = fp_sub(u2, t.x);
    let hh = fp_square(h);
    let i4 = fp_double(fp_double(hh));
    let j = fp_mul(h, i4);
    let rr = fp_double(fp_sub(s2, t.y));
    let v = fp_mul(t.x, i4);
    let x3 = fp_sub(fp_sub(fp_square(rr), j), fp_double(v));
    let y3 = fp_sub(fp_mul(rr, fp_sub(v, x3)), fp_double(fp_mul(t.y, j)));
    let z3 = fp_sub(fp_sub(fp_square(fp_add(t.z, h)), z1z1), hh);
    return Added(Jacobian(x3, y3, z3), rr);
}

// Adds (rx, ry) to t and evaluates the chord at [i]Q: rr (qx + rx) - ry Z3  +  i Z3 qy.
fn add_with_line(t: Jacobian, rx: Fp, ry: Fp, qx: Fp, qy: Fp) -> StepResult {
    let a = add_parts(t, rx, ry);
    let c0 = fp_sub(fp_mul(a.rr, fp_add(qx, rx)), fp_mul(ry, a.t.z));
    let c1 = fp_mul(a.t.z, qy);
    return StepResult(a.t, Fp2(c0, c1));
}
