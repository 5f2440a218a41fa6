//! AVX-512 IFMA arithmetic: eight items per instruction stream. Used by the CPU backend
//! when the processor has it (checked at run time); the portable 64-bit code is the
//! fallback and the reference it is tested against. One product at a time on the same
//! unit is `crate::ifma`.

pub(crate) mod batch8;
mod ext8;
mod fp8;

use crate::fp::Fp;
use fp8::Fp8;

/// Whether this processor runs the vector path.
pub fn ifma_available() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512ifma")
}

/// Groups a slice into lanes of eight, padding the last group with its first element.
pub(crate) fn lanes<T: Copy>(items: &[T]) -> impl Iterator<Item = [T; 8]> + '_ {
    items
        .chunks(8)
        .map(|c| core::array::from_fn(|k| c[k.min(c.len() - 1)]))
}

/// a[i] * b[i] on the vector unit; None when the processor lacks IFMA.
pub fn modmul_batch(a: &[Fp], b: &[Fp]) -> Option<Vec<Fp>> {
    if !ifma_available() || a.len() != b.len() {
        return None;
    }
    // SAFETY: the features were detected above.
    Some(unsafe { modmul_batch_ifma(a, b) })
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn modmul_batch_ifma(a: &[Fp], b: &[Fp]) -> Vec<Fp> {
    let mut out = Vec::with_capacity(a.len());
    for (la, lb) in lanes(a).zip(lanes(b)) {
        let x = Fp8::from_canonical(&la.map(|v| v.to_canonical()));
        let y = Fp8::from_canonical(&lb.map(|v| v.to_canonical()));
        for v in x.mul(&y).to_canonical() {
            if out.len() < a.len() {
                out.push(Fp::from_canonical(&v));
            }
        }
    }
    out.truncate(a.len());
    out
}

/// Runs `rounds` dependent multiplications on eight lanes: a throughput probe for the
/// benchmarks (returns the lanes so the work cannot be optimised away).
pub fn mul_chain(x: &[Fp; 8], rounds: usize) -> Option<[Fp; 8]> {
    if !ifma_available() {
        return None;
    }
    // SAFETY: the features were detected above.
    Some(unsafe { mul_chain_ifma(x, rounds) })
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn mul_chain_ifma(x: &[Fp; 8], rounds: usize) -> [Fp; 8] {
    let v = Fp8::from_canonical(&x.map(|v| v.to_canonical()));
    let mut acc = v;
    for _ in 0..rounds {
        acc = acc.mul(&v);
    }
    acc.to_canonical().map(|l| Fp::from_canonical(&l))
}
