// [k]B from a fixed-base table, as BaseTable::mul computes it: row i of the table holds
// [j * 32^i]B for j = 1..=16 (affine, with an identity flag), and [k]B is the sum over
// the rows of the entry for k's digit i: no doublings, one mixed addition a row. The
// tables live in the slots of a TableArena, and each element names its own slot, so one
// dispatch serves jobs with different bases. ROWS_PER_DISPATCH rows per dispatch, with
// the running sum in the state buffer.
//
// k is secret: the digit of row i is read at an index that depends only on i, every entry
// of the row is read and selected by mask, a negative digit negates by mask, and a zero
// digit selects the identity, which the addition selects away. The slot is public.
//
// Declared by the host before this file: DIGITS, FP_ONE, ROWS_PER_DISPATCH, ENTRY_WORDS
// and SLOT_WORDS.

struct Params {
    // Elements in this dispatch.
    count: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

// The arena: slot s at word s * SLOT_WORDS; entry j of row i at (16 i + j) * ENTRY_WORDS
// in it, as x, y, then an identity flag (all ones for the identity).
@group(0) @binding(0) var<storage, read> tables: array<u32>;
// Per element: its slot.
@group(0) @binding(1) var<storage, read> slots: array<u32>;
// Per element: the DIGITS signed digits of k, least significant first.
@group(0) @binding(2) var<storage, read> digits: array<i32>;
// Per element: the running sum X, Y, Z, then the number of rows done.
@group(0) @binding(3) var<storage, read_write> state: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

const WORKGROUP: u32 = 64u;
const STATE_WORDS: u32 = 3u * LIMBS + 1u;
const DONE_WORD: u32 = 3u * LIMBS;
const FLAG_WORD: u32 = 2u * LIMBS;

@compute @workgroup_size(64)
fn base_table_rows(
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
    let slot = slots[e] * SLOT_WORDS;
    let k = e * DIGITS;
    var acc = Jacobian(load_state(s), load_state(s + LIMBS), load_state(s + 2u * LIMBS));
    for (var i = done; i < end; i++) {
        let d = digits[k + i];
        let magnitude = u32(abs(d));
        var x = fp_zero();
        var y = fp_zero();
        var infinity = 0xffffffffu;
        for (var j = 0u; j < 16u; j++) {
            let hit = 0u - u32(magnitude == j + 1u);
            let entry = slot + (16u * i + j) * ENTRY_WORDS;
            x = fp_select(hit, load_tables(entry), x);
            y = fp_select(hit, load_tables(entry + LIMBS), y);
            infinity = (tables[entry + FLAG_WORD] & hit) | (infinity & ~hit);
        }
        y = fp_negate_masked(0u - u32(d < 0), y);
        acc = point_add_affine(acc, x, y, infinity);
    }
    store_state(s, acc.x);
    store_state(s + LIMBS, acc.y);
    store_state(s + 2u * LIMBS, acc.z);
    state[s + DONE_WORD] = end;
}
