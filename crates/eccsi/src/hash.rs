//! The two RFC 6507 hashes: HS binds an (ID, PVT) pair to the KMS, HE binds a message to
//! HS and r. Both are SHA-256 over canonical encodings, used as integers mod q.

use p256::Scalar;
use sha2::{Digest, Sha256};

use crate::point::{generator_bytes, Kpak, Pvt};
use crate::scalar::{self, SCALAR_LEN};

/// HS = hash(G || KPAK || ID || PVT): the raw 32-byte hash (hashed again into HE) and its
/// value mod q (used in key issue, SSK validation and verification). It is public.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Hs {
    bytes: [u8; SCALAR_LEN],
    scalar: Scalar,
}

impl Hs {
    /// Computes HS for an identifier (its raw bytes, as the community formats it), a PVT
    /// and the KPAK (RFC 6507 5.1.1 step 3, 5.1.2 step 2, 5.2.2 step 2).
    pub fn compute(id: &[u8], pvt: &Pvt, kpak: &Kpak) -> Self {
        let digest = Sha256::new()
            .chain_update(generator_bytes())
            .chain_update(kpak.as_bytes())
            .chain_update(id)
            .chain_update(pvt.as_bytes())
            .finalize();
        let bytes: [u8; SCALAR_LEN] = digest.into();
        Self {
            bytes,
            scalar: scalar::reduce(&bytes),
        }
    }

    /// The 32-byte hash output, as it enters HE.
    pub fn to_bytes(&self) -> [u8; SCALAR_LEN] {
        self.bytes
    }

    pub(crate) fn scalar(&self) -> &Scalar {
        &self.scalar
    }
}

/// HE = hash(HS || r || M) (RFC 6507 5.2.1 step 3, 5.2.2 step 3), as raw bytes.
pub(crate) fn he_bytes(hs: &Hs, r: &[u8; SCALAR_LEN], msg: &[u8]) -> [u8; SCALAR_LEN] {
    Sha256::new()
        .chain_update(hs.bytes)
        .chain_update(r)
        .chain_update(msg)
        .finalize()
        .into()
}

/// HE reduced mod q.
pub(crate) fn he(hs: &Hs, r: &[u8; SCALAR_LEN], msg: &[u8]) -> Scalar {
    scalar::reduce(&he_bytes(hs, r, msg))
}
