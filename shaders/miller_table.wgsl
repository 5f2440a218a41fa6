// The Miller loop against a resident line table (crates/pairing/src/precomp.rs): the
// loop runs over the fixed point K (an RSK), whose lines were computed once and
// normalised to a x + b + i y, and is evaluated at each element's own point Q. Each
// dispatch advances every element by `params.steps` steps of the loop, from
// `params.first`; the accumulated value f stays in `state` between dispatches.
//
// Per step: f = f^2, then f times the doubling line, or times the product of the
// doubling and addition lines where the digit of q - 1 is non-zero, with the CPU's
// formulas, so f equals LineTable::miller_loop bit for bit. The schedule (which steps
// add) is public and the same for every element; K's lines and Q are only operands.

struct Params {
    // Elements in this dispatch.
    count: u32,
    // The first step of this dispatch and how many it runs.
    first: u32,
    steps: u32,
    pad0: u32,
}

// Slot s holds table s: (a, b) of every line in loop order, at word s * SLOT_WORDS.
@group(0) @binding(0) var<storage, read> lines: array<u32>;
// Per element: qx, qy, then the slot of its table (JOB_WORDS words).
@group(0) @binding(1) var<storage, read> jobs: array<u32>;
// Per step: the index of its first line, with bit 31 set when the step also adds.
@group(0) @binding(2) var<storage, read> schedule: array<u32>;
// Per element: f = c0 + i c1.
@group(0) @binding(3) var<storage, read_write> state: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

const WORKGROUP: u32 = 64u;
const JOB_WORDS: u32 = 2u * LIMBS + 1u;
const LINE_WORDS: u32 = 2u * LIMBS;
const ADDS: u32 = 0x80000000u;

// a x + b for the line at `index` of the table at word `table`.
fn line_at(table: u32, index: u32, x: Fp) -> Fp {
    let base = table + index * LINE_WORDS;
    return fp_add(fp_mul(load_lines(base), x), load_lines(base + LIMBS));
}

// f (u + i y), Karatsuba: three products.
fn mul_by_line(f: Fp2, u: Fp, y: Fp) -> Fp2 {
    let t0 = fp_mul(f.c0, u);
    let t1 = fp_mul(f.c1, y);
    let t2 = fp_mul(fp_add(f.c0, f.c1), fp_add(u, y));
    return Fp2(fp_sub(t0, t1), fp_sub(fp_sub(t2, t0), t1));
}

@compute @workgroup_size(64)
fn miller_table_steps(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let e = (wg.y * groups.x + wg.x) * WORKGROUP + local;
    if e >= params.count {
        return;
    }
    let job = e * JOB_WORDS;
    let qx = load_jobs(job);
    let qy = load_jobs(job + LIMBS);
    let table = jobs[job + 2u * LIMBS] * SLOT_WORDS;
    let qy2 = fp_mul(qy, qy);
    let s = e * 2u * LIMBS;
    var f = Fp2(load_state(s), load_state(s + LIMBS));
    for (var k = 0u; k < params.steps; k++) {
        let entry = schedule[params.first + k];
        let index = entry & ~ADDS;
        let u = line_at(table, index, qx);
        f = fp2_square(f);
        if (entry & ADDS) == 0u {
            f = mul_by_line(f, u, qy);
        } else {
            // Two lines at once: (u + i y)(v + i y) = (uv - y^2) + i y (u + v).
            let v = line_at(table, index + 1u, qx);
            f = fp2_mul(f, Fp2(fp_sub(fp_mul(u, v), qy2), fp_mul(qy, fp_add(u, v))));
        }
    }
    store_state(s, f.c0);
    store_state(s + LIMBS, f.c1);
}
