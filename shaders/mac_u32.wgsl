// Word arithmetic for the u32 path: 32-bit limbs, and the 32x32 -> 64-bit product
// emulated from four 16x16 -> 32-bit products, since WGSL has no multiply-high.
// Every function here is straight-line code: no branch depends on a value.

// a * b + c + d as (low word, high word). The result fits: (2^32 - 1)^2 + 2 (2^32 - 1)
// = 2^64 - 1.
fn mac(a: u32, b: u32, c: u32, d: u32) -> vec2<u32> {
    let a0 = a & 0xffffu;
    let a1 = a >> 16u;
    let b0 = b & 0xffffu;
    let b1 = b >> 16u;
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    // The middle column: at most (2^16 - 1)^2 + 2 (2^16 - 1) = 2^32 - 1, no overflow.
    let mid = p01 + (p00 >> 16u) + (p10 & 0xffffu);
    var lo = (mid << 16u) | (p00 & 0xffffu);
    var hi = p11 + (mid >> 16u) + (p10 >> 16u);
    // Add c and d, carrying into the high word; the carries are 0/1 from comparisons,
    // which compile to set-on-less-than, not to branches.
    lo = lo + c;
    hi = hi + u32(lo < c);
    lo = lo + d;
    hi = hi + u32(lo < d);
    return vec2<u32>(lo, hi);
}
