// Batch kernels over F_p and F_p2, one element per invocation. The field functions
// (fp_mul, fp_add, fp_sub, the Fp type and the constants of p, then fp2.wgsl) come from
// the prelude that the host puts in front of this file.
//
// Elements are stored as 32 little-endian u32 limbs of the Montgomery form a * 2^1024
// mod p, the CPU's representation, so results compare bit for bit. An F_p2 element
// c0 + i c1 is c0's 32 words, then c1's.
//
// Invocations are laid out on a 2-D grid of workgroups (the host splits large batches
// so that neither dimension passes the 65,535 limit); those past `count` do nothing.

struct Params {
    // Elements in this dispatch.
    count: u32,
    // Products per invocation, for fp_mul_chain only.
    steps: u32,
    pad0: u32,
    pad1: u32,
}

@group(0) @binding(0) var<storage, read> in_a: array<u32>;
@group(0) @binding(1) var<storage, read> in_b: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

const WORKGROUP: u32 = 64u;

// The element this invocation computes (its bound check is on the public count only).
fn element_index(wg: vec3<u32>, groups: vec3<u32>, local: u32) -> u32 {
    return (wg.y * groups.x + wg.x) * WORKGROUP + local;
}

fn load_a(element: u32, offset: u32, stride: u32) -> Fp {
    var x: Fp;
    let base = element * stride + offset;
    for (var k = 0u; k < LIMBS; k++) {
        x[k] = in_a[base + k];
    }
    return x;
}

fn load_b(element: u32, offset: u32, stride: u32) -> Fp {
    var x: Fp;
    let base = element * stride + offset;
    for (var k = 0u; k < LIMBS; k++) {
        x[k] = in_b[base + k];
    }
    return x;
}

fn store(element: u32, offset: u32, stride: u32, x: Fp) {
    let base = element * stride + offset;
    for (var k = 0u; k < LIMBS; k++) {
        out[base + k] = x[k];
    }
}

fn load2_a(element: u32) -> Fp2 {
    return Fp2(load_a(element, 0u, 2u * LIMBS), load_a(element, LIMBS, 2u * LIMBS));
}

fn load2_b(element: u32) -> Fp2 {
    return Fp2(load_b(element, 0u, 2u * LIMBS), load_b(element, LIMBS, 2u * LIMBS));
}

fn store2(element: u32, x: Fp2) {
    store(element, 0u, 2u * LIMBS, x.c0);
    store(element, LIMBS, 2u * LIMBS, x.c1);
}

// ---- Entry points ----

// out = a * b (Montgomery: a b 2^-1024 mod p).
@compute @workgroup_size(64)
fn fp_mul_batch(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let e = element_index(wg, groups, local);
    if e >= params.count {
        return;
    }
    store(e, 0u, LIMBS, fp_mul(load_a(e, 0u, LIMBS), load_b(e, 0u, LIMBS)));
}

// out = a + b mod p.
@compute @workgroup_size(64)
fn fp_add_batch(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let e = element_index(wg, groups, local);
    if e >= params.count {
        return;
    }
    store(e, 0u, LIMBS, fp_add(load_a(e, 0u, LIMBS), load_b(e, 0u, LIMBS)));
}

// out = a - b mod p.
@compute @workgroup_size(64)
fn fp_sub_batch(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let e = element_index(wg, groups, local);
    if e >= params.count {
        return;
    }
    store(e, 0u, LIMBS, fp_sub(load_a(e, 0u, LIMBS), load_b(e, 0u, LIMBS)));
}

// out = a * b in F_p2.
@compute @workgroup_size(64)
fn fp2_mul_batch(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let e = element_index(wg, groups, local);
    if e >= params.count {
        return;
    }
    store2(e, fp2_mul(load2_a(e), load2_b(e)));
}

// out = a^2 in F_p2 (b is not read).
@compute @workgroup_size(64)
fn fp2_square_batch(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let e = element_index(wg, groups, local);
    if e >= params.count {
        return;
    }
    store2(e, fp2_square(load2_a(e)));
}

// out = a * b^steps (Montgomery products, left to right), all in one invocation: the
// probe for drivers that cap the loop iterations of an invocation (lavapipe stops every
// loop silently after 65,535 iterations in total), run by the tests at the largest
// per-invocation product count any kernel of this crate may use.
@compute @workgroup_size(64)
fn fp_mul_chain(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let e = element_index(wg, groups, local);
    if e >= params.count {
        return;
    }
    let b = load_b(e, 0u, LIMBS);
    var x = load_a(e, 0u, LIMBS);
    for (var s = 0u; s < params.steps; s++) {
        x = fp_mul(x, b);
    }
    store(e, 0u, LIMBS, x);
}
