// One step of the RFC 6508 Miller loop per dispatch, for a batch of (R, Q) pairs, with
// the loop state kept in a storage buffer between dispatches. The host records one
// dispatch per digit of the loop; each invocation advances its own element by one digit.
// This keeps every invocation short (about 34 F_p products, far from lavapipe's loop
// cap) and lets a whole loop go to the device in one submission.
//
// The formulas are those of crates/pairing/src/miller.rs, step for step (Jacobian
// doubling dbl-2001-b, mixed addition madd-2007-bl, lines scaled by the same F_p
// factors), so that the state after every step equals the CPU's bit for bit.
//
// The control flow depends only on the digits of q - 1, which are public and the same
// for every invocation; R and Q are only ever operands.

struct Params {
    // Elements in this dispatch.
    count: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

// Per element: rx, ry, qx, qy (32 words each).
@group(0) @binding(0) var<storage, read> points: array<u32>;
// The non-adjacent form of q - 1, least significant digit first (-1, 0 or 1).
@group(0) @binding(1) var<storage, read> digits: array<i32>;
// Per element: T = (X, Y, Z) in Jacobian coordinates, f = f.c0 + i f.c1, then the
// number of steps done (STATE_WORDS words).
@group(0) @binding(2) var<storage, read_write> state: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP: u32 = 64u;
const POINT_WORDS: u32 = 4u * LIMBS;
const STATE_WORDS: u32 = 5u * LIMBS + 1u;
const STEP_WORD: u32 = 5u * LIMBS;

fn load_point_word(base: u32) -> Fp {
    var x: Fp;
    for (var k = 0u; k < LIMBS; k++) {
        x[k] = points[base + k];
    }
    return x;
}

fn load_state(base: u32) -> Fp {
    var x: Fp;
    for (var k = 0u; k < LIMBS; k++) {
        x[k] = state[base + k];
    }
    return x;
}

fn store_state(base: u32, x: Fp) {
    for (var k = 0u; k < LIMBS; k++) {
        state[base + k] = x[k];
    }
}

// Advances one element by one digit: T = 2T and f = f^2 * tangent, then, for a non-zero
// digit d, T = T + d R and f = f * chord. The loop runs over digits MILLER_DIGITS - 2
// down to 0; an element that has done them all is left as it is.
@compute @workgroup_size(64)
fn miller_step(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let e = (wg.y * groups.x + wg.x) * WORKGROUP + local;
    if e >= params.count {
        return;
    }
    let s = e * STATE_WORDS;
    let step = state[s + STEP_WORD];
    let total = arrayLength(&digits) - 1u;
    if step >= total {
        return;
    }
    let p = e * POINT_WORDS;
    let rx = load_point_word(p);
    let ry = load_point_word(p + LIMBS);
    let qx = load_point_word(p + 2u * LIMBS);
    let qy = load_point_word(p + 3u * LIMBS);
    var t = Jacobian(load_state(s), load_state(s + LIMBS), load_state(s + 2u * LIMBS));
    var f = Fp2(load_state(s + 3u * LIMBS), load_state(s + 4u * LIMBS));

    let dbl = double_with_line(t, qx, qy);
    t = dbl.t;
    f = fp2_mul(fp2_square(f), dbl.line);

    let digit = digits[total - 1u - step];
    if digit != 0 {
        // -ry for a digit of -1, by mask (the digit is public, ry is not).
        let negate = 0u - u32(digit < 0);
        let ry_signed = fp_select(negate, fp_sub(fp_zero(), ry), ry);
        let add = add_with_line(t, rx, ry_signed, qx, qy);
        t = add.t;
        f = fp2_mul(f, add.line);
    }

    store_state(s, t.x);
    store_state(s + LIMBS, t.y);
    store_state(s + 2u * LIMBS, t.z);
    store_state(s + 3u * LIMBS, f.c0);
    store_state(s + 4u * LIMBS, f.c1);
    state[s + STEP_WORD] = step + 1u;
}
