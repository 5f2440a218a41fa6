//! SAKKE payload (RFC 6509 4.2): the SAKKE Encapsulated Data that carries the SSV.

use crate::error::{MikeyError, PayloadKind, Result};
use crate::reader::Reader;

const P: PayloadKind = PayloadKind::Sakke;

/// Length of parameter set 1 Encapsulated Data: R_(b,S) as an uncompressed point over a
/// 1024-bit prime (1 + 2 * 128 bytes) followed by the 16-byte H (RFC 6508 4).
pub const SAKKE_DATA_LEN: usize = 273;

/// SAKKE params value for RFC 6509 Appendix A parameter set 1, the only one defined.
pub const SAKKE_PARAMS_1: u8 = 1;

/// How the SAKKE identifier of the responder is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdScheme {
    /// 1: "tel URI with monthly keys", the RFC 6509 3.2 identifier `"YYYY-MM\0<uri>\0"`.
    TelUriMonthly,
    /// 2: 3GPP MCX hashed UID (TS 33.180 F.2.1): a 32-byte SHA-256-based identifier.
    ThreeGppUid,
}

impl IdScheme {
    /// Decode an ID scheme value.
    pub fn from_u8(value: u8) -> Option<Self> {
        match value {
            1 => Some(IdScheme::TelUriMonthly),
            2 => Some(IdScheme::ThreeGppUid),
            _ => None,
        }
    }

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            IdScheme::TelUriMonthly => 1,
            IdScheme::ThreeGppUid => 2,
        }
    }
}

/// The SAKKE payload (parameter set 1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SakkePayload {
    /// Identifier scheme used to encapsulate.
    pub id_scheme: IdScheme,
    /// Encapsulated Data, exactly [`SAKKE_DATA_LEN`] bytes.
    pub data: Vec<u8>,
}

impl SakkePayload {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<(SakkePayload, u8)> {
        let next = r.u8(P, "next payload")?;
        let params = r.u8(P, "SAKKE params")?;
        if params != SAKKE_PARAMS_1 {
            return Err(MikeyError::UnsupportedSakkeParams(params));
        }
        let scheme = r.u8(P, "ID scheme")?;
        let id_scheme = IdScheme::from_u8(scheme).ok_or(MikeyError::UnsupportedIdScheme(scheme))?;
        let len = usize::from(r.u16(P, "SAKKE data length")?);
        if len != SAKKE_DATA_LEN {
            return Err(MikeyError::BadLength {
                payload: P,
                field: "SAKKE data length",
                len,
            });
        }
        let data = r.bytes(len, P, "SAKKE data")?.to_vec();
        Ok((SakkePayload { id_scheme, data }, next))
    }

    pub(crate) fn encode(&self, next: u8, out: &mut Vec<u8>) -> Result<()> {
        if self.data.len() != SAKKE_DATA_LEN {
            return Err(MikeyError::BadLength {
                payload: P,
                field: "SAKKE data length",
                len: self.data.len(),
            });
        }
        out.push(next);
        out.push(SAKKE_PARAMS_1);
        out.push(self.id_scheme.to_u8());
        out.extend_from_slice(&(SAKKE_DATA_LEN as u16).to_be_bytes());
        out.extend_from_slice(&self.data);
        Ok(())
    }
}
