//! Signing (RFC 6507 5.2.1) with a validated (ID, SSK, PVT, KPAK), plus the RustCrypto
//! `signature` traits so ECCSI plugs into generic code.

use core::fmt;

use p256::{AffinePoint, ProjectivePoint, Scalar};
use rand_core::{CryptoRngCore, OsRng};
use zeroize::Zeroizing;

use crate::error::{EccsiError, Result};
use crate::generator;
use crate::hash::{self, Hs};
use crate::keys::{validate_ssk, Ssk};
use crate::mont256;
use crate::point::{CurvePoint, Kpak, Pvt};
use crate::scalar::{self, SCALAR_LEN};
use crate::sig::Signature;
use crate::verify::VerifyingKey;

/// How many fresh j a fallible signing attempt tries: a retry follows an event of
/// probability about 2^-256, so reaching this bound means the RNG is broken.
const MAX_SIGN_ATTEMPTS: usize = 8;

/// A signer's key material, validated once at construction; HS is kept for every signature.
#[derive(Clone)]
pub struct SigningKey {
    id: Vec<u8>,
    ssk: Ssk,
    pvt: Pvt,
    kpak: Kpak,
    hs: Hs,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .field("ssk", &self.ssk)
            .field("pvt", &self.pvt)
            .field("kpak", &self.kpak)
            .finish()
    }
}

impl SigningKey {
    /// Builds a signing key, running SSK validation (RFC 6507 5.1.2) so that an SSK that
    /// does not belong to `id` under `kpak` is never used.
    pub fn new(id: &[u8], ssk: Ssk, pvt: Pvt, kpak: Kpak) -> Result<SigningKey> {
        let hs = validate_ssk(id, &ssk, &pvt, &kpak)?;
        Ok(SigningKey {
            id: id.to_vec(),
            ssk,
            pvt,
            kpak,
            hs,
        })
    }

    /// The signer's identifier.
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// The signer's PVT.
    pub fn pvt(&self) -> &Pvt {
        &self.pvt
    }

    /// The KMS root of trust this key was validated against.
    pub fn kpak(&self) -> &Kpak {
        &self.kpak
    }

    /// HS = hash(G || KPAK || ID || PVT), computed during validation.
    pub fn hs(&self) -> &Hs {
        &self.hs
    }

    /// The matching verifier (ID and KPAK).
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey::new(&self.id, self.kpak)
    }

    /// Signs `msg` with a fresh j from `rng`, drawing again in the cases where the RFC says
    /// to restart.
    pub fn sign(&self, msg: &[u8], rng: &mut impl CryptoRngCore) -> Signature {
        loop {
            let j = scalar::random_nonzero(rng);
            if let Ok(sig) = self.sign_with_scalar(msg, &j) {
                return sig;
            }
        }
    }

    /// Signs `msg` with a fresh j from `rng`, reporting RNG failure instead of panicking.
    pub fn try_sign(&self, msg: &[u8], rng: &mut impl CryptoRngCore) -> Result<Signature> {
        let mut last = EccsiError::Rng;
        for _ in 0..MAX_SIGN_ATTEMPTS {
            let j = scalar::try_random_nonzero(rng)?;
            match self.sign_with_scalar(msg, &j) {
                Ok(sig) => return Ok(sig),
                Err(err) => last = err,
            }
        }
        Err(last)
    }

    /// Signs `msg` with the given 32-byte big-endian ephemeral j in [1, q-1] (for test
    /// vectors). Never reuse a j: two signatures with one j reveal the SSK.
    pub fn sign_with_j(&self, msg: &[u8], j: &[u8; SCALAR_LEN]) -> Result<Signature> {
        let j = scalar::nonzero_from_bytes(j)?;
        self.sign_with_scalar(msg, &j)
    }

    /// RFC 6507 5.2.1 steps 2-7 for a non-zero j, with J = \[j\]G from the generator table
    /// (constant time).
    fn sign_with_scalar(&self, msg: &[u8], j: &Scalar) -> Result<Signature> {
        self.sign_with_point(msg, j, generator::mul_g(j), mont256::invert_scalar)
    }

    /// The previous path, J = \[j\]G by p256's plain multiplication and p256's inversion
    /// mod q: the reference for tests and benchmarks.
    pub(crate) fn sign_with_j_reference(
        &self,
        msg: &[u8],
        j: &[u8; SCALAR_LEN],
    ) -> Result<Signature> {
        let j = scalar::nonzero_from_bytes(j)?;
        let p256_invert = |d: &Scalar| Zeroizing::new(d.invert().unwrap_or(Scalar::ZERO));
        self.sign_with_point(
            msg,
            &j,
            (ProjectivePoint::GENERATOR * *j).to_affine(),
            p256_invert,
        )
    }

    /// Steps 2-7 given j, J = \[j\]G and a constant-time inversion mod q.
    fn sign_with_point(
        &self,
        msg: &[u8],
        j: &Scalar,
        big_j: AffinePoint,
        invert: impl Fn(&Scalar) -> Zeroizing<Scalar>,
    ) -> Result<Signature> {
        // Step 2: J = [j]G, r = Jx as an N-octet integer (not reduced mod q).
        let big_j = CurvePoint::from_computed(big_j)?;
        let r = big_j.x_bytes();
        if r == [0u8; SCALAR_LEN] {
            // The verifier rejects Jx = 0 (5.2.2 step 6), so such a j cannot give a signature.
            return Err(EccsiError::SignatureRZero);
        }
        // Step 3: HE = hash(HS || r || M).
        let he = hash::he(&self.hs, &r, msg);
        // Step 4: HE + r * SSK must be non-zero mod q.
        let denominator = Zeroizing::new(he + scalar::reduce(&r) * self.ssk.0);
        // Declassified: a zero denominator makes the signer draw a new j, visibly.
        if scalar::is_zero(&denominator) {
            return Err(EccsiError::DegenerateSignature);
        }
        let inverse = invert(&denominator);
        // Step 5: s' = (HE + r * SSK)^-1 * j mod q, non-zero as both factors are.
        let s = *inverse * j;
        // Declassified: s is published in the signature.
        ctgrind::declassify(&s);
        // Step 6: s' < q < 2^256 always fits in N = 32 octets on P-256, so s = s'.
        // Step 7: Signature = r || s || PVT.
        Ok(Signature::from_parts(r, s, self.pvt))
    }
}

impl signature::Signer<Signature> for SigningKey {
    /// Signs with a j from the operating system's RNG.
    fn try_sign(&self, msg: &[u8]) -> core::result::Result<Signature, signature::Error> {
        SigningKey::try_sign(self, msg, &mut OsRng).map_err(signature::Error::from)
    }
}

impl signature::RandomizedSigner<Signature> for SigningKey {
    fn try_sign_with_rng(
        &self,
        rng: &mut impl CryptoRngCore,
        msg: &[u8],
    ) -> core::result::Result<Signature, signature::Error> {
        SigningKey::try_sign(self, msg, rng).map_err(signature::Error::from)
    }
}

impl signature::Keypair for SigningKey {
    type VerifyingKey = VerifyingKey;

    fn verifying_key(&self) -> VerifyingKey {
        SigningKey::verifying_key(self)
    }
}
