//! The source lines allowed to hold a conditional jump in the lanes' machine code, each
//! with the reason its condition is public.

/// Why a jump on a given line cannot depend on a secret, and the shape that proves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// A loop over a constant range or a fixed-size array: its counter is compared with a
    /// constant, or stepped by one towards zero.
    CountedLoop,
    /// A loop over a table's rows: the count is the table's length (public).
    TableLength,
    /// A digit of the non-adjacent form of q - 1, a public constant of the curve.
    NafDigit,
    /// An index made of loop counters, checked against a table's length: the jump leads
    /// straight to the panic.
    BoundsCheck,
    /// The number of items in a batch, or whether a table has its vector form.
    BatchShape,
    /// Where a window's bits lie in the limbs: a function of the window's position only.
    BitPosition,
    /// A closing brace: freeing a vector, if it has a capacity, on the way out.
    Drop,
}

use Why::*;

/// The lines, relative to crates/pairing/src, that may hold a conditional jump, and why.
/// The lane arithmetic, select and look-up code (fp8.rs, ext8.rs, the row scans) has
/// counted loops only; ext8.rs has none at all.
pub const PUBLIC_LINES: &[(&str, &str, &[Why])] = &[
    // Lane arithmetic: Montgomery multiplication's 20 rounds, per-limb loops, the lane
    // loads and stores; from52's test of where a 52-bit limb straddles two words.
    ("simd/fp8.rs", "for bi in b.iter() {", &[CountedLoop]),
    ("simd/fp8.rs", "for j in 0..L {", &[CountedLoop]),
    (
        "simd/fp8.rs",
        "for (k, lane) in lanes.iter().enumerate() {",
        &[CountedLoop],
    ),
    ("simd/fp8.rs", "core::array::from_fn(|k| {", &[CountedLoop]),
    (
        "simd/fp8.rs",
        "for (j, &limb) in x.iter().enumerate() {",
        &[CountedLoop],
    ),
    ("simd/fp8.rs", "if off > 12 && w + 1 < N {", &[BitPosition]),
    // Miller loops over q - 1, and their line tables.
    (
        "simd/batch8.rs",
        "for i in (0..MILLER_DIGITS - 1).rev() {",
        &[CountedLoop],
    ),
    ("simd/batch8.rs", "if MILLER_NAF[i] == 0 {", &[NafDigit]),
    (
        "simd/batch8.rs",
        "let ry = match MILLER_NAF[i] {",
        &[NafDigit],
    ),
    (
        "simd/batch8.rs",
        "let a = Fp8::from_montgomery_lanes(tables.map(|t| &t[2 * s]));",
        &[BoundsCheck],
    ),
    (
        "simd/batch8.rs",
        "let b = Fp8::from_montgomery_lanes(tables.map(|t| &t[2 * s + 1]));",
        &[BoundsCheck],
    ),
    // Window loops and the signed-digit row scans: every entry read, in a fixed order.
    // (base_group has 206 windows; gt_group as many as the table has rows, also 206.)
    (
        "simd/batch8.rs",
        "for w in 0..windows {",
        &[CountedLoop, TableLength],
    ),
    (
        "simd/batch8.rs",
        "for w in (0..windows).rev() {",
        &[CountedLoop],
    ),
    ("simd/batch8.rs", "if w + 1 != windows {", &[CountedLoop]),
    ("simd/batch8.rs", "for j in 1..=16usize {", &[CountedLoop]),
    (
        "simd/batch8.rs",
        "for (j, entry) in table.iter().enumerate() {",
        &[CountedLoop],
    ),
    (
        "simd/batch8.rs",
        "let ex = Fp8::from_montgomery_lanes(rows.map(|r| &r[w * 16 + j - 1][0]));",
        &[BoundsCheck],
    ),
    (
        "simd/batch8.rs",
        "let e = &rows[w * 16 + j - 1];",
        &[BoundsCheck],
    ),
    // Eight scalars recoded into signed digits (the recoding itself: scalar.rs below).
    (
        "simd/batch8.rs",
        "let digits = scalars.map(|k| k.signed_digits());",
        &[CountedLoop],
    ),
    (
        "simd/batch8.rs",
        "let digits = exps.map(|k| k.mul(&half).signed_digits());",
        &[CountedLoop],
    ),
    (
        "scalar.rs",
        "for (i, digit) in d.iter_mut().enumerate() {",
        &[CountedLoop],
    ),
    (
        "scalar.rs",
        "if off + count > 64 && limb + 1 < N {",
        &[BitPosition],
    ),
    ("scalar.rs", "self.d.zeroize();", &[CountedLoop]),
    // Batch plumbing: groups of eight, the padded last group, tables with a vector form.
    (
        "simd/batch8.rs",
        "let rows: [&[[Limbs52; 2]]; 8] = tables.map(|t| t.vector_rows().unwrap_or(&[]));",
        &[BatchShape],
    ),
    (
        "simd/batch8.rs",
        "if jobs.iter().any(|(t, _)| t.vector_rows().is_none()) {",
        &[BatchShape],
    ),
    (
        "simd/batch8.rs",
        "let mut out = Vec::with_capacity(values.len() + 8);",
        &[BatchShape],
    ),
    (
        "simd/batch8.rs",
        "for group in super::lanes(values) {",
        &[BatchShape],
    ),
    (
        "simd/batch8.rs",
        "out.extend(Fp8::from_canonical(&group.map(|v| v.to_canonical())).to_montgomery_lanes());",
        &[BatchShape],
    ),
    (
        "simd/batch8.rs",
        "let mut out = Vec::with_capacity(jobs.len() + 8);",
        &[BatchShape],
    ),
    (
        "simd/batch8.rs",
        "for g in super::lanes(jobs) {",
        &[BatchShape],
    ),
    ("simd/batch8.rs", "out.extend(group(&g));", &[BatchShape]),
    ("simd/batch8.rs", "}", &[Drop]),
    (
        "simd/mod.rs",
        ".map(|c| core::array::from_fn(|k| c[k.min(c.len() - 1)]))",
        &[BatchShape],
    ),
];
