//! General Extension payload (RFC 3830 6.15). Re-emitted byte-exactly whatever its type:
//! 3GPP MCX puts SAKKE-to-self (type 6, read here) and key parameters (type 7, see
//! [`crate::KeyParameters`]) in it, both covered by the signature; other types pass
//! through untouched.

use crate::error::{PayloadKind, Result};
use crate::reader::{len_u16, Reader};
use crate::sakke_payload::SakkePayload;

/// General Extension type of SAKKE-to-self (TS 33.180 E.5, IANA value 6): the carried
/// key encapsulated a second time, to the initiator's own identifier.
pub const EXT_SAKKE_TO_SELF: u8 = 6;

const P: PayloadKind = PayloadKind::GeneralExtension;

/// The General Extension payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GeneralExtension {
    /// Extension type (0 vendor ID, 1 SDP IDs, 6 SAKKE-to-self, 7 MCX key parameters, ...).
    pub ext_type: u8,
    /// Data, uninterpreted (at most 65535 bytes).
    pub data: Vec<u8>,
}

impl GeneralExtension {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<(GeneralExtension, u8)> {
        let next = r.u8(P, "next payload")?;
        let ext_type = r.u8(P, "type")?;
        let len = r.u16(P, "length")?;
        let data = r.bytes(usize::from(len), P, "data")?.to_vec();
        Ok((GeneralExtension { ext_type, data }, next))
    }

    /// A SAKKE-to-self extension: a whole SAKKE payload, its next-payload octet 0.
    pub fn sakke_to_self(payload: &SakkePayload) -> Result<Self> {
        let mut data = Vec::new();
        payload.encode(0, &mut data)?;
        Ok(GeneralExtension {
            ext_type: EXT_SAKKE_TO_SELF,
            data,
        })
    }

    /// The SAKKE payload of a SAKKE-to-self extension (`None` for other types). Its
    /// next-payload octet is ignored, as E.5 says; nothing may follow the payload.
    pub fn to_sakke_payload(&self) -> Option<Result<SakkePayload>> {
        (self.ext_type == EXT_SAKKE_TO_SELF).then(|| {
            let mut r = Reader::new(&self.data);
            let (payload, _next) = SakkePayload::decode(&mut r)?;
            match r.remaining() {
                0 => Ok(payload),
                count => Err(crate::MikeyError::TrailingBytes { count }),
            }
        })
    }

    pub(crate) fn encode(&self, next: u8, out: &mut Vec<u8>) -> Result<()> {
        out.push(next);
        out.push(self.ext_type);
        out.extend_from_slice(&len_u16(self.data.len(), P, "length")?.to_be_bytes());
        out.extend_from_slice(&self.data);
        Ok(())
    }
}
