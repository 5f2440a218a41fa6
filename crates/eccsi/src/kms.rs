//! The KMS side of ECCSI: the master secret KSAK, the root of trust KPAK = \[KSAK\]G, and
//! issuing (SSK, PVT) pairs to identifiers (RFC 6507 4.2 and 5.1.1).

use core::fmt;

use p256::Scalar;
use rand_core::CryptoRngCore;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{EccsiError, Result};
use crate::generator;
use crate::hash::Hs;
use crate::keys::Ssk;
use crate::point::{CurvePoint, Kpak, Pvt};
use crate::scalar::{self, SCALAR_LEN};

/// How many fresh v a random issue tries before giving up: each retry follows an event of
/// probability about 2^-256, so reaching this bound means the RNG is broken.
const MAX_ISSUE_ATTEMPTS: usize = 8;

/// KMS Secret Authentication Key: a non-zero integer mod q, wiped on drop, never printed.
pub struct Ksak(Scalar);

impl Drop for Ksak {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for Ksak {}

impl fmt::Debug for Ksak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ksak(<redacted>)")
    }
}

/// A user's key material as issued by the KMS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserKeys {
    /// Secret Signing Key, to be delivered confidentially.
    pub ssk: Ssk,
    /// Public Validation Token, delivered with the SSK and carried in signatures.
    pub pvt: Pvt,
}

/// A Key Management Service: holds the KSAK and issues user keys under its KPAK.
pub struct Kms {
    ksak: Ksak,
    kpak: Kpak,
}

impl fmt::Debug for Kms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kms")
            .field("ksak", &self.ksak)
            .field("kpak", &self.kpak)
            .finish()
    }
}

impl Kms {
    /// Creates a KMS with a fresh KSAK drawn uniformly from [1, q-1].
    pub fn generate(rng: &mut impl CryptoRngCore) -> Kms {
        loop {
            // [k]G is never the identity for k in [1, q-1], so the first draw is kept.
            if let Ok(kms) = Self::from_scalar(&scalar::random_nonzero(rng)) {
                return kms;
            }
        }
    }

    /// Restores a KMS from its 32-byte big-endian KSAK, which must lie in [1, q-1].
    pub fn from_ksak_bytes(bytes: &[u8; SCALAR_LEN]) -> Result<Kms> {
        let ksak = scalar::nonzero_from_bytes(bytes)?;
        Self::from_scalar(&ksak)
    }

    fn from_scalar(ksak: &Scalar) -> Result<Kms> {
        let kpak = CurvePoint::from_computed(generator::mul_g(ksak))?;
        Ok(Kms {
            ksak: Ksak(*ksak),
            kpak: Kpak(kpak),
        })
    }

    /// The KSAK as 32 big-endian bytes, in a buffer wiped on drop (for secure storage).
    pub fn ksak_bytes(&self) -> Zeroizing<[u8; SCALAR_LEN]> {
        Zeroizing::new(scalar::to_bytes(&self.ksak.0))
    }

    /// The community root of trust, KPAK = \[KSAK\]G.
    pub fn kpak(&self) -> Kpak {
        self.kpak
    }

    /// Issues an (SSK, PVT) pair for `id` with fresh random v, restarting with a new v when
    /// HS or SSK is zero mod q (RFC 6507 5.1.1 step 5).
    pub fn issue(&self, id: &[u8], rng: &mut impl CryptoRngCore) -> Result<UserKeys> {
        let mut last = EccsiError::Rng;
        for _ in 0..MAX_ISSUE_ATTEMPTS {
            let v = scalar::try_random_nonzero(rng)?;
            match self.issue_with_scalar(id, &v) {
                Ok(keys) => return Ok(keys),
                Err(err) => last = err,
            }
        }
        Err(last)
    }

    /// Issues an (SSK, PVT) pair for `id` with the given 32-byte big-endian v in [1, q-1]
    /// (for test vectors and deterministic provisioning). Fails with [`EccsiError::HsZero`]
    /// or [`EccsiError::SskZero`] where the RFC says to abort.
    pub fn issue_with_v(&self, id: &[u8], v: &[u8; SCALAR_LEN]) -> Result<UserKeys> {
        let v = scalar::nonzero_from_bytes(v)?;
        self.issue_with_scalar(id, &v)
    }

    fn issue_with_scalar(&self, id: &[u8], v: &Scalar) -> Result<UserKeys> {
        let pvt = Pvt(CurvePoint::from_computed(generator::mul_g(v))?);
        let hs = Hs::compute(id, &pvt, &self.kpak);
        if scalar::is_zero(hs.scalar()) {
            return Err(EccsiError::HsZero);
        }
        let ssk = Ssk(self.ksak.0 + hs.scalar() * v);
        if scalar::is_zero(&ssk.0) {
            return Err(EccsiError::SskZero);
        }
        Ok(UserKeys { ssk, pvt })
    }
}
