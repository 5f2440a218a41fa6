//! Intermediate values of RFC 6507 (HE, J, Y), exposed so the Appendix A vectors can be
//! checked step by step, and the previous plain-multiplication sign and verify paths, kept
//! as references for tests and benchmarks. Normal use needs none of this.

use crate::error::Result;
use crate::generator;
use crate::hash::{self, Hs};
use crate::point::{CurvePoint, Kpak, Pvt, POINT_LEN};
use crate::scalar::{self, SCALAR_LEN};
use crate::sig::Signature;
use crate::sign::SigningKey;
use crate::verify;

/// HE = hash(HS || r || M), the raw 32-byte hash.
pub fn he(hs: &Hs, r: &[u8; SCALAR_LEN], msg: &[u8]) -> [u8; SCALAR_LEN] {
    hash::he_bytes(hs, r, msg)
}

/// The signer's J = \[j\]G for a 32-byte j in [1, q-1], encoded 0x04 || x || y.
pub fn signer_j(j: &[u8; SCALAR_LEN]) -> Result<[u8; POINT_LEN]> {
    let j = scalar::nonzero_from_bytes(j)?;
    CurvePoint::from_computed(generator::mul_g(&j)).map(|p| *p.as_bytes())
}

/// Y = \[HS\]PVT + KPAK, encoded; fails if it is the identity.
pub fn y(hs: &Hs, pvt: &Pvt, kpak: &Kpak) -> Result<[u8; POINT_LEN]> {
    verify::jacobian_to_point(&verify::signer_public_key(hs, pvt, kpak))
        .map_err(|_| crate::EccsiError::IdentityPoint)
        .map(|p| *p.as_bytes())
}

/// The verifier's J = \[s\](\[HE\]G + \[r\]Y) for a signature by `id`, encoded.
pub fn verifier_j(id: &[u8], kpak: &Kpak, msg: &[u8], sig: &Signature) -> Result<[u8; POINT_LEN]> {
    verify::jacobian_to_point(&verify::recover_j(id, kpak, msg, sig)).map(|p| *p.as_bytes())
}

/// The previous verification path (four plain p256 multiplications, as RFC 6507 5.2.2
/// writes it), kept as the reference for tests and same-run benchmark ratios.
pub fn verify_reference(id: &[u8], kpak: &Kpak, msg: &[u8], sig: &Signature) -> Result<()> {
    verify::check_x(&verify::recover_j_reference(id, kpak, msg, sig)?, sig)
}

/// The previous signing path (J = \[j\]G by p256's plain multiplication) for a 32-byte j;
/// the same signature as [`SigningKey::sign_with_j`], for tests and benchmarks.
pub fn sign_with_j_reference(
    key: &SigningKey,
    msg: &[u8],
    j: &[u8; SCALAR_LEN],
) -> Result<Signature> {
    key.sign_with_j_reference(msg, j)
}
