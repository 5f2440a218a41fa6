//! HashToIntegerRange (RFC 6508 section 5.1) with SHA-256, for the two ranges SAKKE uses.

use pairing::{PfValue, Scalar};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::wiped_sha256::sha256;

/// v' = v_1 || ... || v_l with h_0 = 0^256, h_i = H(h_(i-1)), v_i = H(h_i || H(s)),
/// for l = BYTES / 32: the integer that HashToIntegerRange reduces. H(s) and the v_i
/// are secrets (s is w, or SSV || b) and are hashed and held in wiped memory; the h_i
/// are the same for every s.
pub fn blocks<const BYTES: usize>(s: &[u8]) -> Zeroizing<[u8; BYTES]> {
    let a = sha256(&[s]);
    let mut h = [0u8; 32];
    let mut out = Zeroizing::new([0u8; BYTES]);
    for chunk in out.chunks_mut(32) {
        h = Sha256::digest(h).into();
        chunk.copy_from_slice(&sha256(&[&h, &a[..]])[..]);
    }
    out
}

/// HashToIntegerRange(s, q, SHA-256): l = ceil(lg(q)/256) = 4 blocks, reduced mod q in
/// constant time.
pub fn hash_to_scalar(s: &[u8]) -> Scalar {
    Scalar::reduce_be_bytes(&blocks::<128>(s))
}

/// HashToIntegerRange(s, 2^128, SHA-256): one block, keep its low 128 bits.
pub fn hash_to_mask(s: &[u8]) -> Zeroizing<[u8; 16]> {
    let v = blocks::<32>(s);
    let mut mask = Zeroizing::new([0u8; 16]);
    mask.copy_from_slice(&v[16..]);
    mask
}

/// The mask for a pairing value: its 128-byte encoding is hashed whatever its leading
/// bytes (an implementation that strips leading zeros disagrees about once in 128).
pub fn pairing_mask(w: &PfValue) -> Zeroizing<[u8; 16]> {
    hash_to_mask(&Zeroizing::new(w.to_bytes())[..])
}
