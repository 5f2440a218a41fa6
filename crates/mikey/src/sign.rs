//! Signature payload SIGN (RFC 3830 6.5, ECCSI type from RFC 6509 4.3). It is always
//! last and has no next-payload field; the signature covers every byte before the
//! signature field, including this payload's own type/length header (RFC 3830 5.2).

use crate::error::{MikeyError, PayloadKind, Result};
use crate::reader::Reader;

const P: PayloadKind = PayloadKind::Sign;

/// Length of an ECCSI signature r || s || PVT (RFC 6507 3.3).
pub const ECCSI_SIGNATURE_LEN: usize = 129;

/// Length of the S type / signature len header.
pub const SIGN_HEADER_LEN: usize = 2;

/// Largest length the 12-bit signature len field holds.
const MAX_SIGNATURE_LEN: usize = 0x0fff;

/// The signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureType {
    /// 0: RSA PKCS#1 v1.5.
    RsaPkcs1,
    /// 1: RSASSA-PSS.
    RsaPss,
    /// 2: ECCSI (RFC 6507).
    Eccsi,
}

impl SignatureType {
    /// Decode the 4-bit S type.
    pub fn from_u8(value: u8) -> Option<Self> {
        match value {
            0 => Some(SignatureType::RsaPkcs1),
            1 => Some(SignatureType::RsaPss),
            2 => Some(SignatureType::Eccsi),
            _ => None,
        }
    }

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            SignatureType::RsaPkcs1 => 0,
            SignatureType::RsaPss => 1,
            SignatureType::Eccsi => 2,
        }
    }
}

/// The SIGN payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sign {
    /// Algorithm.
    pub s_type: SignatureType,
    /// Signature bytes (129 for ECCSI; at most 4095).
    pub signature: Vec<u8>,
}

impl Sign {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Sign> {
        let head = r.u16(P, "S type / signature len")?;
        let type_value = (head >> 12) as u8;
        let s_type = SignatureType::from_u8(type_value)
            .ok_or(MikeyError::UnsupportedSignatureType(type_value))?;
        let len = usize::from(head & 0x0fff);
        if s_type == SignatureType::Eccsi && len != ECCSI_SIGNATURE_LEN {
            return Err(MikeyError::BadLength {
                payload: P,
                field: "signature len",
                len,
            });
        }
        let signature = r.bytes(len, P, "signature")?.to_vec();
        Ok(Sign { s_type, signature })
    }

    /// The two header bytes for a signature of `len` bytes.
    pub(crate) fn header(s_type: SignatureType, len: usize) -> Result<[u8; SIGN_HEADER_LEN]> {
        if len > MAX_SIGNATURE_LEN || (s_type == SignatureType::Eccsi && len != ECCSI_SIGNATURE_LEN)
        {
            return Err(MikeyError::BadLength {
                payload: P,
                field: "signature len",
                len,
            });
        }
        let head = u16::from(s_type.to_u8()) << 12 | len as u16;
        Ok(head.to_be_bytes())
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&Self::header(self.s_type, self.signature.len())?);
        out.extend_from_slice(&self.signature);
        Ok(())
    }
}
