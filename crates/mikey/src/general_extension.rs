//! General Extension payload (RFC 3830 6.15). Kept opaque and re-emitted byte-exactly:
//! 3GPP MCX puts key parameters (type 7) and SAKKE-to-self (type 6) here, and they are
//! covered by the signature.

use crate::error::{PayloadKind, Result};
use crate::reader::{len_u16, Reader};

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

    pub(crate) fn encode(&self, next: u8, out: &mut Vec<u8>) -> Result<()> {
        out.push(next);
        out.push(self.ext_type);
        out.extend_from_slice(&len_u16(self.data.len(), P, "length")?.to_be_bytes());
        out.extend_from_slice(&self.data);
        Ok(())
    }
}
