// g^k for a batch of exponents from the fixed table of pairing::gt_table(), as
// GtTable::pow_unnormalised computes it: row i holds v^(j * 32^i) for j = 1..=16 (norm
// one, so inverses are conjugates), and the result is the product over the rows of the
// entry for digit i of the table exponent, one F_p2 product a row, unnormalised.
// ROWS_PER_DISPATCH rows per dispatch, with the running product in the state buffer.
//
// The exponent is secret: the digit of row i is read at an index that depends only on i,
// every entry of the row is read and selected by mask, a negative digit conjugates by
// mask, and a zero digit selects one.
//
// Declared by the host before this file: DIGITS, FP_ONE and ROWS_PER_DISPATCH.

struct Params {
    // Elements in this dispatch.
    count: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

// The table: entry j of row i at (16 i + j) * 2 LIMBS, as c0, c1.
@group(0) @binding(0) var<storage, read> gt: array<u32>;
// Per element: the DIGITS signed digits of the table exponent, least significant first.
@group(0) @binding(1) var<storage, read> digits: array<i32>;
// Per element: the running product c0, c1, then the number of rows done.
@group(0) @binding(2) var<storage, read_write> state: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP: u32 = 64u;
const ENTRY_WORDS: u32 = 2u * LIMBS;
const STATE_WORDS: u32 = 2u * LIMBS + 1u;
const DONE_WORD: u32 = 2u * LIMBS;

@compute @workgroup_size(64)
fn gt_rows(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let e = (wg.y * groups.x + wg.x) * WORKGROUP + local;
    if e >= params.count {
        return;
    }
    let s = e * STATE_WORDS;
    let done = state[s + DONE_WORD];
    if done >= DIGITS {
        return;
    }
    let end = min(done + ROWS_PER_DISPATCH, DIGITS);
    let k = e * DIGITS;
    var acc = Fp2(load_state(s), load_state(s + LIMBS));
    for (var i = done; i < end; i++) {
        let d = digits[k + i];
        let magnitude = u32(abs(d));
        var c0 = FP_ONE;
        var c1 = fp_zero();
        for (var j = 0u; j < 16u; j++) {
            let hit = 0u - u32(magnitude == j + 1u);
            let entry = (16u * i + j) * ENTRY_WORDS;
            c0 = fp_select(hit, load_gt(entry), c0);
            c1 = fp_select(hit, load_gt(entry + LIMBS), c1);
        }
        let conjugate = 0u - u32(d < 0);
        c1 = fp_select(conjugate, fp_sub(fp_zero(), c1), c1);
        acc = fp2_mul(acc, Fp2(c0, c1));
    }
    store_state(s, acc.c0);
    store_state(s + LIMBS, acc.c1);
    state[s + DONE_WORD] = end;
}
