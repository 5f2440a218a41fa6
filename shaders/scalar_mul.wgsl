// [k]B for a batch of (B, k), as JacobianPoint::mul computes it: a table of [1..16]B,
// then signed 5-bit windows of k from the most significant, five doublings and one
// table addition each. The entry point build_table fills the table (one dispatch);
// windows then runs WINDOWS_PER_DISPATCH windows per dispatch with the running sum in
// the state buffer, so that every invocation stays far below lavapipe's loop cap.
//
// The table stays Jacobian (the device does not invert), so each window adds with the
// full add-2007-bl. k is secret: the digit of window w is read at an index that depends
// only on w, every table entry is read at every look-up and selected by mask, and a
// negative digit negates by mask. A zero digit selects the identity, which the addition
// selects away.
//
// Declared by the host before this file: DIGITS, WINDOW_BITS, FP_ONE and
// WINDOWS_PER_DISPATCH.

struct Params {
    // Elements in this dispatch.
    count: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

// Per element: B as X, Y, Z (Z = 0 for the identity).
@group(0) @binding(0) var<storage, read> bases: array<u32>;
// Per element: the DIGITS signed digits of k, least significant first.
@group(0) @binding(1) var<storage, read> digits: array<i32>;
// Per element: [1..16]B, X, Y, Z each.
@group(0) @binding(2) var<storage, read_write> table: array<u32>;
// Per element: the running sum X, Y, Z, then the number of windows done.
@group(0) @binding(3) var<storage, read_write> state: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

const WORKGROUP: u32 = 64u;
const POINT_WORDS: u32 = 3u * LIMBS;
const TABLE_WORDS: u32 = 16u * POINT_WORDS;
const STATE_WORDS: u32 = POINT_WORDS + 1u;
const DONE_WORD: u32 = POINT_WORDS;

fn load_point_table(base: u32) -> Jacobian {
    return Jacobian(load_table(base), load_table(base + LIMBS), load_table(base + 2u * LIMBS));
}

fn store_point_table(base: u32, t: Jacobian) {
    store_table(base, t.x);
    store_table(base + LIMBS, t.y);
    store_table(base + 2u * LIMBS, t.z);
}

// table[j] = [j + 1]B: B, [2]B by doubling, then one addition of B each (232 products).
// B of order q never meets itself in these additions; the identity gives identities.
@compute @workgroup_size(64)
fn build_table(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let e = (wg.y * groups.x + wg.x) * WORKGROUP + local;
    if e >= params.count {
        return;
    }
    let b = e * POINT_WORDS;
    let base = Jacobian(load_bases(b), load_bases(b + LIMBS), load_bases(b + 2u * LIMBS));
    let t = e * TABLE_WORDS;
    store_point_table(t, base);
    var multiple = point_double(base);
    store_point_table(t + POINT_WORDS, multiple);
    for (var j = 2u; j < 16u; j++) {
        multiple = point_add(multiple, base);
        store_point_table(t + j * POINT_WORDS, multiple);
    }
}

// table[|d| - 1], negated when d < 0, or the identity for d = 0: every entry is read and
// the choice is a mask.
fn lookup(t: u32, d: i32) -> Jacobian {
    let magnitude = u32(abs(d));
    var r = Jacobian(FP_ONE, FP_ONE, fp_zero());
    for (var j = 0u; j < 16u; j++) {
        let hit = 0u - u32(magnitude == j + 1u);
        r = point_select(hit, load_point_table(t + j * POINT_WORDS), r);
    }
    r.y = fp_negate_masked(0u - u32(d < 0), r.y);
    return r;
}

// Up to WINDOWS_PER_DISPATCH windows of one element, from the most significant digit
// (window w reads digit DIGITS - 1 - w): five doublings (none before the top window),
// then the addition of the looked-up multiple. An element with every window done is left
// as it is.
@compute @workgroup_size(64)
fn windows(
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
    let end = min(done + WINDOWS_PER_DISPATCH, DIGITS);
    let t = e * TABLE_WORDS;
    let k = e * DIGITS;
    var acc = Jacobian(load_state(s), load_state(s + LIMBS), load_state(s + 2u * LIMBS));
    for (var w = done; w < end; w++) {
        if w != 0u {
            for (var i = 0u; i < WINDOW_BITS; i++) {
                acc = point_double(acc);
            }
        }
        acc = point_add(acc, lookup(t, digits[k + DIGITS - 1u - w]));
    }
    store_state(s, acc.x);
    store_state(s + LIMBS, acc.y);
    store_state(s + 2u * LIMBS, acc.z);
    state[s + DONE_WORD] = end;
}
