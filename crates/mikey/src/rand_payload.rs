//! RAND payload (RFC 3830 6.11): the initiator's fresh random value, an input to every
//! traffic-key derivation and to replay detection.

use crate::error::{PayloadKind, Result};
use crate::reader::{len_u8, Reader};

const P: PayloadKind = PayloadKind::Rand;

/// The RAND payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RandPayload {
    /// The random bytes (RFC 3830: SHOULD be at least 16; at most 255).
    pub rand: Vec<u8>,
}

impl RandPayload {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<(RandPayload, u8)> {
        let next = r.u8(P, "next payload")?;
        let len = r.u8(P, "RAND len")?;
        let rand = r.bytes(usize::from(len), P, "RAND")?.to_vec();
        Ok((RandPayload { rand }, next))
    }

    pub(crate) fn encode(&self, next: u8, out: &mut Vec<u8>) -> Result<()> {
        out.push(next);
        out.push(len_u8(self.rand.len(), P, "RAND len")?);
        out.extend_from_slice(&self.rand);
        Ok(())
    }
}
