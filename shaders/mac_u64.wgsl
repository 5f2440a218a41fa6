// Word arithmetic for the SHADER_INT64 path: the same 32-bit limbs as the u32 path
// (buffers stay array<u32>, which every backend lays out alike), with the 32x32 -> 64-bit
// product done in native u64 arithmetic.

// a * b + c + d as (low word, high word). The result fits: (2^32 - 1)^2 + 2 (2^32 - 1)
// = 2^64 - 1.
fn mac(a: u32, b: u32, c: u32, d: u32) -> vec2<u32> {
    let t = u64(a) * u64(b) + u64(c) + u64(d);
    return vec2<u32>(u32(t & 0xfffffffflu), u32(t >> 32u));
}
