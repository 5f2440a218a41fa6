//! Verification (RFC 6507 5.2.2): the verifier derives the signer's public key
//! Y = \[HS\]PVT + KPAK from the ID, then checks an ECDSA-style equation.
//!
//! J = \[s\](\[HE\]G + \[r\]Y) is computed as the linear combination
//! \[s HE\]G + \[s r HS\]PVT + \[s r\]KPAK: the G term from the shared fixed-base table, the
//! other two by one Straus pass with shared doublings. Everything here is public (the
//! signature, the ID, PVT and KPAK), so these multiplications are variable time.

use p256::{FieldBytes, FieldElement, ProjectivePoint, Scalar};

use crate::error::{EccsiError, Result};
use crate::generator;
use crate::hash::{self, Hs};
use crate::jacobian::Jacobian;
use crate::point::{CurvePoint, Kpak, Pvt};
use crate::prepared::PreparedVerifier;
use crate::scalar;
use crate::sig::Signature;
use crate::straus;

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
        check_j(&recover_j(&self.id, &self.kpak, msg, sig), sig)
    }

    /// Precomputes what is fixed for this signer and `pvt` (HS, Y and a table for Y), for
    /// signers whose messages arrive repeatedly within one key period.
    pub fn prepare(&self, pvt: &Pvt) -> PreparedVerifier {
        PreparedVerifier::new(&self.id, *pvt, self.kpak)
    }
}

impl signature::Verifier<Signature> for VerifyingKey {
    fn verify(&self, msg: &[u8], sig: &Signature) -> core::result::Result<(), signature::Error> {
        VerifyingKey::verify(self, msg, sig).map_err(signature::Error::from)
    }
}

/// The final check on J: r is in [1, p-1] (checked on decoding) and Jx in [0, p-1], so
/// "Jx = r mod p" is equality of field elements, tested as X = r Z^2 without inverting Z;
/// Jx is then non-zero. Public data: no constant time needed.
pub(crate) fn check_j(j: &Jacobian, sig: &Signature) -> Result<()> {
    if j.is_identity() {
        return Err(EccsiError::VerificationIdentity);
    }
    let r = Option::<FieldElement>::from(FieldElement::from_bytes(&FieldBytes::from(*sig.r())))
        .ok_or(EccsiError::SignatureROutOfRange)?;
    if j.has_x(&r) {
        Ok(())
    } else {
        Err(EccsiError::VerificationFailed)
    }
}

/// The final check on an affine J, for the reference path.
pub(crate) fn check_x(j: &CurvePoint, sig: &Signature) -> Result<()> {
    if j.x_bytes() == *sig.r() {
        Ok(())
    } else {
        Err(EccsiError::VerificationFailed)
    }
}

/// The two public scalars of J = \[u1\]G + \[u2\]Y: u1 = s HE, u2 = s r.
pub(crate) fn verify_scalars(hs: &Hs, msg: &[u8], sig: &Signature) -> (Scalar, Scalar) {
    let he = hash::he(hs, sig.r(), msg);
    (he * sig.s(), scalar::reduce(sig.r()) * sig.s())
}

/// Wraps a computed J, naming the identity as a verification failure of its own.
pub(crate) fn finish_j(j: ProjectivePoint) -> Result<CurvePoint> {
    CurvePoint::from_projective(j).map_err(|_| EccsiError::VerificationIdentity)
}

/// An affine J from the Jacobian paths (for [`crate::hazmat`]).
pub(crate) fn jacobian_to_point(j: &Jacobian) -> Result<CurvePoint> {
    let affine = j
        .to_affine()
        .and_then(|a| a.to_point())
        .ok_or(EccsiError::VerificationIdentity)?;
    CurvePoint::from_affine(affine).map_err(|_| EccsiError::VerificationIdentity)
}

/// Y = \[HS\]PVT + KPAK (RFC 6507 5.2.2 step 4): the signer's ECDSA-style public key.
/// Variable time: HS, PVT and KPAK are public.
pub(crate) fn signer_public_key(hs: &Hs, pvt: &Pvt, kpak: &Kpak) -> Jacobian {
    straus::double_mul_vartime(
        hs.scalar(),
        &pvt.0.coordinates(),
        &Scalar::ONE,
        &kpak.0.coordinates(),
    )
}

/// J = \[s\](\[HE\]G + \[r\]Y) (RFC 6507 5.2.2 steps 2-5) without any per-signer cache;
/// the PVT was checked on decoding.
pub(crate) fn recover_j(id: &[u8], kpak: &Kpak, msg: &[u8], sig: &Signature) -> Jacobian {
    let hs = Hs::compute(id, sig.pvt(), kpak);
    let (u1, u2) = verify_scalars(&hs, msg, sig);
    let j = straus::double_mul_vartime(
        &(u2 * hs.scalar()),
        &sig.pvt().0.coordinates(),
        &u2,
        &kpak.0.coordinates(),
    );
    generator::add_mul_g_vartime(&j, &u1)
}

/// The previous path, step by step as RFC 6507 writes it, with p256's plain constant-time
/// multiplications: four of them. Kept as the reference the fast paths are tested and
/// benchmarked against.
pub(crate) fn recover_j_reference(
    id: &[u8],
    kpak: &Kpak,
    msg: &[u8],
    sig: &Signature,
) -> Result<CurvePoint> {
    let hs = Hs::compute(id, sig.pvt(), kpak);
    let he = hash::he(&hs, sig.r(), msg);
    let y = sig.pvt().0.projective() * hs.scalar() + kpak.0.projective();
    let r = scalar::reduce(sig.r());
    finish_j((ProjectivePoint::GENERATOR * he + y * r) * sig.s())
}
