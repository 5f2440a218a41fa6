//! Field elements to device words and back. The device works on the CPU's Montgomery
//! form, split into 32-bit words: no conversion arithmetic on either side.

use pairing::{Fp, Fp2};

use crate::error::GpuError;
use crate::wgsl::LIMBS;

/// Appends the 32 little-endian words of x's Montgomery form.
pub(crate) fn push_fp(words: &mut Vec<u32>, x: &Fp) {
    for limb in x.to_montgomery_limbs() {
        words.push(limb as u32);
        words.push((limb >> 32) as u32);
    }
}

/// The words of a slice of F_p elements.
pub(crate) fn fp_words(xs: &[Fp]) -> Vec<u32> {
    let mut words = Vec::with_capacity(xs.len() * LIMBS);
    for x in xs {
        push_fp(&mut words, x);
    }
    words
}

/// The words of a slice of F_p2 elements: c0, then c1.
pub(crate) fn fp2_words(xs: &[Fp2]) -> Vec<u32> {
    let mut words = Vec::with_capacity(xs.len() * 2 * LIMBS);
    for x in xs {
        push_fp(&mut words, &x.c0);
        push_fp(&mut words, &x.c1);
    }
    words
}

/// The F_p element in 32 words; Err (a device fault) unless it is below p. `index`
/// names the element in the error.
fn fp_from(words: &[u32], index: usize) -> Result<Fp, GpuError> {
    let mut limbs = [0u64; LIMBS / 2];
    for (i, limb) in limbs.iter_mut().enumerate() {
        *limb = u64::from(words[2 * i]) | (u64::from(words[2 * i + 1]) << 32);
    }
    Option::from(Fp::from_montgomery_limbs(&limbs)).ok_or(GpuError::BadResult { index })
}

/// F_p elements from device words.
pub(crate) fn fp_from_words(words: &[u32]) -> Result<Vec<Fp>, GpuError> {
    words
        .chunks_exact(LIMBS)
        .enumerate()
        .map(|(i, w)| fp_from(w, i))
        .collect()
}

/// F_p2 elements from device words.
pub(crate) fn fp2_from_words(words: &[u32]) -> Result<Vec<Fp2>, GpuError> {
    words
        .chunks_exact(2 * LIMBS)
        .enumerate()
        .map(|(i, w)| Ok(Fp2::new(fp_from(&w[..LIMBS], i)?, fp_from(&w[LIMBS..], i)?)))
        .collect()
}
