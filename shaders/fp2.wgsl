// F_p2 = F_p[i] with i^2 = -1, on the generated F_p functions, with the CPU's formulas
// (crates/pairing/src/fp2.rs). Every result is fully reduced, so it matches the CPU's
// bit for bit whatever the formula; the formulas are the CPU's to keep the cost alike.

struct Fp2 {
    c0: Fp,
    c1: Fp,
}

// Karatsuba: three F_p products.
fn fp2_mul(a: Fp2, b: Fp2) -> Fp2 {
    let aa = fp_mul(a.c0, b.c0);
    let bb = fp_mul(a.c1, b.c1);
    let cross = fp_mul(fp_add(a.c0, a.c1), fp_add(b.c0, b.c1));
    return Fp2(fp_sub(aa, bb), fp_sub(fp_sub(cross, aa), bb));
}

// (a + ib)^2 = (a + b)(a - b) + i 2ab: two F_p products.
fn fp2_square(a: Fp2) -> Fp2 {
    let prod = fp_mul(a.c0, a.c1);
    return Fp2(fp_mul(fp_add(a.c0, a.c1), fp_sub(a.c0, a.c1)), fp_add(prod, prod));
}

