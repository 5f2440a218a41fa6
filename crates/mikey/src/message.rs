//! A whole MIKEY message: the header, the next-payload chain of payloads, and the
//! optional final SIGN. Next-payload values are not stored: they are recomputed from
//! payload order on encoding, so a decoded message re-encodes byte-exactly and a built
//! one can never carry an inconsistent chain.

use crate::error::{MikeyError, NextPayload, PayloadKind, Result};
use crate::general_extension::GeneralExtension;
use crate::hdr::Hdr;
use crate::idr::Idr;
use crate::rand_payload::RandPayload;
use crate::reader::Reader;
use crate::sakke_payload::SakkePayload;
use crate::security_policy::SecurityPolicy;
use crate::sign::{Sign, SignatureType};
use crate::timestamp::Timestamp;

/// Next-payload value of SIGN.
const SIGN_NEXT_PAYLOAD: u8 = 4;

/// A payload between the header and the SIGN payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Payload {
    /// T.
    Timestamp(Timestamp),
    /// RAND.
    Rand(RandPayload),
    /// IDR.
    Idr(Idr),
    /// SP.
    SecurityPolicy(SecurityPolicy),
    /// SAKKE.
    Sakke(SakkePayload),
    /// General Extension.
    GeneralExtension(GeneralExtension),
}

impl Payload {
    /// Which kind of payload this is.
    pub fn kind(&self) -> PayloadKind {
        match self {
            Payload::Timestamp(_) => PayloadKind::Timestamp,
            Payload::Rand(_) => PayloadKind::Rand,
            Payload::Idr(_) => PayloadKind::Idr,
            Payload::SecurityPolicy(_) => PayloadKind::Sp,
            Payload::Sakke(_) => PayloadKind::Sakke,
            Payload::GeneralExtension(_) => PayloadKind::GeneralExtension,
        }
    }

    fn encode(&self, next: u8, out: &mut Vec<u8>) -> Result<()> {
        match self {
            Payload::Timestamp(p) => {
                p.encode(next, out);
                Ok(())
            }
            Payload::Rand(p) => p.encode(next, out),
            Payload::Idr(p) => p.encode(next, out),
            Payload::SecurityPolicy(p) => p.encode(next, out),
            Payload::Sakke(p) => p.encode(next, out),
            Payload::GeneralExtension(p) => p.encode(next, out),
        }
    }
}

/// A decoded MIKEY message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message {
    /// Common header.
    pub hdr: Hdr,
    /// Payloads in wire order (not the header, not SIGN).
    pub payloads: Vec<Payload>,
    /// The final signature payload, if any.
    pub sign: Option<Sign>,
}

impl Message {
    /// Decode a message. Strict: every payload must be complete, every next-payload
    /// value must name a payload this crate handles, and nothing may follow the last
    /// payload.
    pub fn parse(bytes: &[u8]) -> Result<Message> {
        let mut r = Reader::new(bytes);
        let (hdr, mut next) = Hdr::decode(&mut r)?;
        if next == 0 {
            return Err(MikeyError::BadNextPayload {
                payload: PayloadKind::Hdr,
                next: NextPayload::Last,
            });
        }
        let mut after = PayloadKind::Hdr;
        let mut payloads = Vec::new();
        let mut sign = None;
        while next != 0 {
            let kind = PayloadKind::from_next_payload(next)
                .ok_or(MikeyError::UnknownPayload { after, value: next })?;
            let (payload, following) = match kind {
                PayloadKind::Sign => {
                    if after == PayloadKind::Hdr {
                        return Err(MikeyError::BadNextPayload {
                            payload: after,
                            next: NextPayload::Payload(kind),
                        });
                    }
                    sign = Some(Sign::decode(&mut r)?);
                    break;
                }
                PayloadKind::Timestamp => {
                    let (p, n) = Timestamp::decode(&mut r)?;
                    (Payload::Timestamp(p), n)
                }
                PayloadKind::Rand => {
                    let (p, n) = RandPayload::decode(&mut r)?;
                    (Payload::Rand(p), n)
                }
                PayloadKind::Idr => {
                    let (p, n) = Idr::decode(&mut r)?;
                    (Payload::Idr(p), n)
                }
                PayloadKind::Sp => {
                    let (p, n) = SecurityPolicy::decode(&mut r)?;
                    (Payload::SecurityPolicy(p), n)
                }
                PayloadKind::Sakke => {
                    let (p, n) = SakkePayload::decode(&mut r)?;
                    (Payload::Sakke(p), n)
                }
                PayloadKind::GeneralExtension => {
                    let (p, n) = GeneralExtension::decode(&mut r)?;
                    (Payload::GeneralExtension(p), n)
                }
                unsupported => {
                    return Err(MikeyError::UnsupportedPayload {
                        after,
                        payload: unsupported,
                    })
                }
            };
            after = kind;
            payloads.push(payload);
            next = following;
        }
        if r.remaining() != 0 {
            return Err(MikeyError::TrailingBytes {
                count: r.remaining(),
            });
        }
        Ok(Message {
            hdr,
            payloads,
            sign,
        })
    }

    /// Encode the message.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = self.encode_chain(self.sign.is_some())?;
        if let Some(sign) = &self.sign {
            sign.encode(&mut out)?;
        }
        Ok(out)
    }

    /// The bytes a signature of `s_type` and `len` bytes is computed over: the whole
    /// message up to and including the SIGN header, i.e. everything except the
    /// signature field itself (RFC 3830 5.2). `self.sign` is ignored.
    pub fn to_signed_bytes(&self, s_type: SignatureType, len: usize) -> Result<Vec<u8>> {
        let mut out = self.encode_chain(true)?;
        out.extend_from_slice(&Sign::header(s_type, len)?);
        Ok(out)
    }

    /// Header and payloads with their next-payload chain; the last payload names SIGN
    /// when `signed`.
    fn encode_chain(&self, signed: bool) -> Result<Vec<u8>> {
        if self.payloads.is_empty() {
            // The parser rejects a header followed by nothing or directly by SIGN.
            return Err(MikeyError::BadNextPayload {
                payload: PayloadKind::Hdr,
                next: if signed {
                    NextPayload::Payload(PayloadKind::Sign)
                } else {
                    NextPayload::Last
                },
            });
        }
        let tail = if signed { SIGN_NEXT_PAYLOAD } else { 0 };
        let next_of = |i: usize| -> u8 {
            self.payloads
                .get(i)
                .and_then(|p| p.kind().next_payload_value())
                .unwrap_or(tail)
        };
        let mut out = Vec::with_capacity(1024);
        let first = next_of(0);
        self.hdr.encode(first, &mut out)?;
        for (i, payload) in self.payloads.iter().enumerate() {
            payload.encode(next_of(i + 1), &mut out)?;
        }
        Ok(out)
    }

    /// Payloads of one kind, in order.
    pub fn payloads_of(&self, kind: PayloadKind) -> impl Iterator<Item = &Payload> {
        self.payloads.iter().filter(move |p| p.kind() == kind)
    }
}
