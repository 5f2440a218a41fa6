// The curve y^2 = x^3 - 3x over F_p in Jacobian coordinates, with the formulas of
// crates/pairing/src/miller.rs (doubling dbl-2001-b, mixed addition madd-2007-bl), each
// returning the line through the points evaluated at [i]Q = (-qx, i qy) as the Miller
// loop needs it; scalar multiplications use the points and leave the lines, which the
// compiler drops. Straight-line code: nothing here branches on a value.

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

// Doubles t (a = -3, dbl-2001-b) and evaluates its tangent at [i]Q = (-qx, i qy):
// alpha (delta qx + X) - 2 gamma  +  i (Z3 delta) qy.
fn double_with_line(t: Jacobian, qx: Fp, qy: Fp) -> StepResult {
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
    let c0 = fp_sub(fp_mul(alpha, fp_add(fp_mul(delta, qx), t.x)), fp_double(gamma));
    let c1 = fp_mul(fp_mul(z3, delta), qy);
    return StepResult(Jacobian(x3, y3, z3), Fp2(c0, c1));
}

// Adds the affine point (rx, ry) to t (madd-2007-bl) and evaluates the chord at [i]Q:
// rr (qx + rx) - ry Z3  +  i Z3 qy.
fn add_with_line(t: Jacobian, rx: Fp, ry: Fp, qx: Fp, qy: Fp) -> StepResult {
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
    let c0 = fp_sub(fp_mul(rr, fp_add(qx, rx)), fp_mul(ry, z3));
    let c1 = fp_mul(z3, qy);
    return StepResult(Jacobian(x3, y3, z3), Fp2(c0, c1));
}

