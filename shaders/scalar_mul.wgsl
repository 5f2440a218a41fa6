// [k]B for a batch of (B, k), as JacobianPoint::mul computes it: a table of [1..16]B,
// then signed 5-bit windows of k from the most significant, five doublings and one
// table addition each. Two small entry points do all of it, one step per dispatch with
// the running sum in the state buffer (the host records the fixed sequence of steps):
// double_step doubles the sum (once while the table is built, five times a window), and
// add_step adds a table entry to it. Small entry points keep lavapipe's compile time
// (which grows faster than the code) and every invocation's loop count low.
//
// The table is built with the same two steps: the host puts B in entry 0 and in the
// sum; a doubling makes [2]B (entry 1), then 14 additions of entry 0 make [3..16]B.
// It stays Jacobian (the device does not invert), so each addition is the full
// add-2007-bl. k is secret: the digit of window w is read at an index that depends only
// on w, every table entry is read at every look-up and selected by mask, and a negative
// digit negates by mask. A zero digit selects the identity, which the addition selects
// away.
//
// Declared by the host before this file: DIGITS, WINDOW_BITS, FP_ONE and TABLE_ADDS.

struct Params {
    // Elements in this dispatch.
    count: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

// Per element: the DIGITS signed digits of k, least significant first.
@group(0) @binding(0) var<storage, read> digits: array<i32>;
// Per element: [1..16]B, X, Y, Z each (entry 0 uploaded, the rest built here).
@group(0) @binding(1) var<storage, read_write> table: array<u32>;
// Per element: the running sum X, Y, Z, then the additions and the doubling steps done.
@group(0) @binding(2) var<storage, read_write> state: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP: u32 = 64u;
const POINT_WORDS: u32 = 3u * LIMBS;
const TABLE_WORDS: u32 = 16u * POINT_WORDS;
const STATE_WORDS: u32 = POINT_WORDS + 2u;
const ADDS_WORD: u32 = POINT_WORDS;
const DOUBLINGS_WORD: u32 = POINT_WORDS + 1u;

fn load_point_table(base: u32) -> Jacobian {
    return Jacobian(load_table(base), load_table(base + LIMBS), load_table(base + 2u * LIMBS));
}

fn store_point_table(base: u32, t: Jacobian) {
    store_table(base, t.x);
    store_table(base + LIMBS, t.y);
    store_table(base + 2u * LIMBS, t.z);
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

fn load_sum(s: u32) -> Jacobian {
    return Jacobian(load_state(s), load_state(s + LIMBS), load_state(s + 2u * LIMBS));
}

fn store_sum(s: u32, acc: Jacobian) {
    store_state(s, acc.x);
    store_state(s + LIMBS, acc.y);
    store_state(s + 2u * LIMBS, acc.z);
}

// The first doubling step makes [2]B from B and stores it as table entry 1; every later
// one is a window's five doublings (8 F_p products each).
@compute @workgroup_size(64)
fn double_step(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let e = (wg.y * groups.x + wg.x) * WORKGROUP + local;
    if e >= params.count {
        return;
    }
    let s = e * STATE_WORDS;
    let done = state[s + DOUBLINGS_WORD];
    let building = done == 0u;
    let times = select(WINDOW_BITS, 1u, building);
    var acc = load_sum(s);
    for (var i = 0u; i < times; i++) {
        acc = point_double(acc);
    }
    if building {
        store_point_table(e * TABLE_WORDS + POINT_WORDS, acc);
    }
    store_sum(s, acc);
    state[s + DOUBLINGS_WORD] = done + 1u;
}

// The first TABLE_ADDS addition steps add B (entry 0) to [j]B and store [j + 1]B as
// entry j; then the step of window w = adds - TABLE_ADDS adds the entry of the digit
// DIGITS - 1 - w, starting the top window from the identity (16 F_p products).
@compute @workgroup_size(64)
fn add_step(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let e = (wg.y * groups.x + wg.x) * WORKGROUP + local;
    if e >= params.count {
        return;
    }
    let s = e * STATE_WORDS;
    let t = e * TABLE_WORDS;
    let done = state[s + ADDS_WORD];
    let building = done < TABLE_ADDS;
    var acc = load_sum(s);
    var d = 1;
    if !building {
        let w = done - TABLE_ADDS;
        d = digits[e * DIGITS + DIGITS - 1u - w];
        if w == 0u {
            acc = Jacobian(FP_ONE, FP_ONE, fp_zero());
        }
    }
    acc = point_add(acc, lookup(t, d));
    if building {
        store_point_table(t + (done + 2u) * POINT_WORDS, acc);
    }
    store_sum(s, acc);
    state[s + ADDS_WORD] = done + 1u;
}
