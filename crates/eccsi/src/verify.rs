//! Verification (RFC 6507 5.2.2): the verifier derives the signer's public key
//! Y = \[HS\]PVT + KPAK from the ID, then checks an ECDSA-style equation.

use p256::ProjectivePoint;

use crate::error::{EccsiError, Result};
use crate::hash::{self, Hs};
use crate::point::{CurvePoint, Kpak, Pvt};
use crate::scalar;
use crate::sig::Signature;

/// A verifier for one signer identifier under one KMS root of trust.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyingKey {
    id: Vec<u8>,
    kpak: Kpak,
}

impl VerifyingKey {
    /// A verifier for signatures by `id`; `kpak` was checked on the curve when decoded.
    pub fn new(id: &[u8], kpak: Kpak) -> VerifyingKey {
        VerifyingKey {
            id: id.to_vec(),
            kpak,
        }
    }

    /// The signer identifier this key verifies.
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// The KMS root of trust.
    pub fn kpak(&self) -> &Kpak {
        &self.kpak
    }

    /// Verifies `sig` over `msg`: Ok only if Jx = r (mod p) and Jx is non-zero.
    pub fn verify(&self, msg: &[u8], sig: &Signature) -> Result<()> {
        let j = recover_j(&self.id, &self.kpak, msg, sig)?;
        // r is in [1, p-1] (checked on decoding) and Jx in [0, p-1], so "Jx = r mod p" is
        // byte equality, and Jx is then non-zero. Both are public: no constant time needed.
        if j.x_bytes() == *sig.r() {
            Ok(())
        } else {
            Err(EccsiError::VerificationFailed)
        }
    }
}

impl signature::Verifier<Signature> for VerifyingKey {
    fn verify(&self, msg: &[u8], sig: &Signature) -> core::result::Result<(), signature::Error> {
        VerifyingKey::verify(self, msg, sig).map_err(signature::Error::from)
    }
}

/// Y = \[HS\]PVT + KPAK (RFC 6507 5.2.2 step 4): the signer's ECDSA-style public key.
pub(crate) fn signer_public_key(hs: &Hs, pvt: &Pvt, kpak: &Kpak) -> ProjectivePoint {
    pvt.0.projective() * hs.scalar() + kpak.0.projective()
}

/// J = \[s\](\[HE\]G + \[r\]Y) (RFC 6507 5.2.2 steps 2-5); the PVT was checked on decoding.
pub(crate) fn recover_j(id: &[u8], kpak: &Kpak, msg: &[u8], sig: &Signature) -> Result<CurvePoint> {
    let hs = Hs::compute(id, sig.pvt(), kpak);
    let he = hash::he(&hs, sig.r(), msg);
    let y = signer_public_key(&hs, sig.pvt(), kpak);
    let r = scalar::reduce(sig.r());
    let j = (ProjectivePoint::GENERATOR * he + y * r) * sig.s();
    CurvePoint::from_projective(j).map_err(|_| EccsiError::VerificationIdentity)
}
