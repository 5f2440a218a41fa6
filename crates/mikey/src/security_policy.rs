//! Security policy payload SP (RFC 3830 6.10): the SRTP parameters the initiator
//! proposes. 3GPP MCX I_MESSAGEs carry one, so it must round-trip byte-exactly.

use crate::error::{MikeyError, PayloadKind, Result};
use crate::reader::{len_u16, len_u8, Reader};

const P: PayloadKind = PayloadKind::Sp;

/// One policy parameter: type, and value (its length is implied).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyParam {
    /// Parameter type (for SRTP: RFC 3830 6.10.1 table; 3GPP adds e.g. 20 = AEAD tag length).
    pub param_type: u8,
    /// Value bytes (at most 255).
    pub value: Vec<u8>,
}

/// The SP payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecurityPolicy {
    /// Policy number, referenced from the CS ID map.
    pub policy_no: u8,
    /// Security protocol (0 = SRTP).
    pub prot_type: u8,
    /// Parameters, in wire order.
    pub params: Vec<PolicyParam>,
}

impl SecurityPolicy {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<(SecurityPolicy, u8)> {
        let next = r.u8(P, "next payload")?;
        let policy_no = r.u8(P, "policy no")?;
        let prot_type = r.u8(P, "prot type")?;
        let total = r.u16(P, "policy param length")?;
        let body = r.bytes(usize::from(total), P, "policy params")?;
        let mut inner = Reader::new(body);
        let mut params = Vec::new();
        while inner.remaining() > 0 {
            let param_type = inner.u8(P, "policy param type")?;
            let len = inner
                .u8(P, "policy param length")
                .map_err(|_| MikeyError::BadLength {
                    payload: P,
                    field: "policy param length",
                    len: usize::from(total),
                })?;
            let value = inner
                .bytes(usize::from(len), P, "policy param value")
                .map_err(|_| MikeyError::BadLength {
                    payload: P,
                    field: "policy param length",
                    len: usize::from(total),
                })?;
            params.push(PolicyParam {
                param_type,
                value: value.to_vec(),
            });
        }
        Ok((
            SecurityPolicy {
                policy_no,
                prot_type,
                params,
            },
            next,
        ))
    }

    pub(crate) fn encode(&self, next: u8, out: &mut Vec<u8>) -> Result<()> {
        let mut body = Vec::new();
        for p in &self.params {
            body.push(p.param_type);
            body.push(len_u8(p.value.len(), P, "policy param value")?);
            body.extend_from_slice(&p.value);
        }
        out.push(next);
        out.push(self.policy_no);
        out.push(self.prot_type);
        out.extend_from_slice(&len_u16(body.len(), P, "policy param length")?.to_be_bytes());
        out.extend_from_slice(&body);
        Ok(())
    }
}
