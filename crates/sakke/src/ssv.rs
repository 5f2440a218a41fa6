//! The shared secret value: n = 128 bits (RFC 6509 parameter set 1).

use core::fmt;

use rand_core::{CryptoRngCore, OsRng};
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::SakkeError;

/// SSV length in bytes.
pub const SSV_BYTES: usize = pairing::SSV_BITS / 8;

/// A shared secret value. Wiped on drop; never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Ssv([u8; SSV_BYTES]);

impl Ssv {
    /// A fresh SSV from the operating system's generator.
    pub fn random() -> Ssv {
        Ssv::random_from(&mut OsRng)
    }

    pub fn random_from(rng: &mut impl CryptoRngCore) -> Ssv {
        let mut bytes = [0u8; SSV_BYTES];
        rng.fill_bytes(&mut bytes);
        Ssv(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Ssv, SakkeError> {
        let arr: [u8; SSV_BYTES] = bytes.try_into().map_err(|_| SakkeError::WrongLength {
            what: "SSV",
            expected: SSV_BYTES,
            actual: bytes.len(),
        })?;
        Ok(Ssv(arr))
    }

    pub fn as_bytes(&self) -> &[u8; SSV_BYTES] {
        &self.0
    }
}

impl From<[u8; SSV_BYTES]> for Ssv {
    fn from(bytes: [u8; SSV_BYTES]) -> Ssv {
        Ssv(bytes)
    }
}

impl ConstantTimeEq for Ssv {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for Ssv {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl Eq for Ssv {}

impl fmt::Debug for Ssv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ssv(<redacted>)")
    }
}
