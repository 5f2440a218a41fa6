//! Identifiers: octet strings read as integers in [2, q-1] (RFC 6508 section 2.2).

use pairing::Scalar;
use subtle::ConstantTimeEq;

use crate::SakkeError;

/// A user's identifier, kept both as the octets hashed into r and as the integer used as a
/// multiplier. Public data.
#[derive(Clone)]
pub struct Identifier {
    bytes: Vec<u8>,
    value: Scalar,
}

impl core::fmt::Debug for Identifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Identifier({:?})", String::from_utf8_lossy(&self.bytes))
    }
}

/// Identifiers compare as octet strings: "a" and "\0a" are different users even though
/// their integer values agree.
impl PartialEq for Identifier {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for Identifier {}

impl core::hash::Hash for Identifier {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.bytes.hash(state)
    }
}

impl Identifier {
    /// Any octet string whose big-endian value lies in [2, q-1].
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Identifier, SakkeError> {
        let bytes = bytes.into();
        let out_of_range = SakkeError::IdentifierOutOfRange { len: bytes.len() };
        let value = Scalar::from_be_bytes(&bytes)
            .and_then(Option::<Scalar>::from)
            .ok_or(out_of_range.clone())?;
        if bool::from(value.ct_eq(&Scalar::ZERO) | value.ct_eq(&Scalar::from_u64(1))) {
            return Err(out_of_range);
        }
        Ok(Identifier { bytes, value })
    }

    /// The RFC 6509 identifier "YYYY-MM\0<uri>\0" for a key period given as "YYYY-MM".
    pub fn rfc6509(period: &str, uri: &str) -> Result<Identifier, SakkeError> {
        let mut bytes = Vec::with_capacity(period.len() + uri.len() + 2);
        bytes.extend_from_slice(period.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(uri.as_bytes());
        bytes.push(0);
        Identifier::new(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn value(&self) -> &Scalar {
        &self.value
    }
}
