//! Structure of a MIKEY-SAKKE I_MESSAGE (RFC 6509 2.1 Figure 1 and 2.2.1):
//!
//! ```text
//! HDR, T, RAND, [IDRi], [IDRr], [IDRkmsi], [IDRkmsr], {SP}, SAKKE, SIGN
//! ```
//!
//! checked on a decoded [`Message`] so the responder works on a message of known shape.
//! General Extension payloads may appear anywhere after T (3GPP SAKKE-to-self and key
//! parameters at most once each, a SAKKE-to-self checked as a SAKKE payload); CERT is not
//! accepted because ECCSI forbids it (RFC 6509 2.2.1).

use crate::error::{MikeyError, NextPayload, PayloadKind, Result};
use crate::general_extension::{GeneralExtension, EXT_SAKKE_TO_SELF};
use crate::hdr::DataType;
use crate::idr::{IdRole, Idr};
use crate::key_parameters::EXT_KEY_PARAMETERS;
use crate::message::{Message, Payload};
use crate::sakke_payload::SakkePayload;
use crate::sign::{Sign, SignatureType};
use crate::timestamp::{NtpTimestamp, Timestamp};

/// Minimum RAND length (RFC 3830 6.11: at least 128 bits).
pub const MIN_RAND_LEN: usize = 16;

/// A decoded message that has the shape of a MIKEY-SAKKE I_MESSAGE.
#[derive(Debug, Clone, Copy)]
pub struct IMessage<'m> {
    /// The whole message.
    pub message: &'m Message,
    /// T payload value (NTP-UTC or NTP).
    pub time: NtpTimestamp,
    /// RAND.
    pub rand: &'m [u8],
    /// SAKKE payload.
    pub sakke: &'m SakkePayload,
    /// SIGN payload (ECCSI).
    pub sign: &'m Sign,
}

/// General Extension types an I_MESSAGE carries at most once, and whose contents are
/// checked here: SAKKE-to-self and the 3GPP key parameters.
const KNOWN_ONCE: [u8; 2] = [EXT_SAKKE_TO_SELF, EXT_KEY_PARAMETERS];

/// Position in RFC 6509 order; `None` for payloads allowed anywhere.
fn rank(kind: PayloadKind) -> Option<u8> {
    match kind {
        PayloadKind::Timestamp => Some(1),
        PayloadKind::Rand => Some(2),
        PayloadKind::Idr => Some(3),
        PayloadKind::Sp => Some(4),
        PayloadKind::Sakke => Some(5),
        _ => None,
    }
}

impl<'m> IMessage<'m> {
    /// Check the I_MESSAGE structure.
    pub fn new(message: &'m Message) -> Result<Self> {
        if message.hdr.data_type != DataType::SakkeMsg {
            return Err(MikeyError::NotSakkeMessage(message.hdr.data_type.to_u8()));
        }
        let mut previous = PayloadKind::Hdr;
        let mut highest = 0u8;
        let mut timestamp = None;
        let mut rand = None;
        let mut sakke = None;
        let mut roles: Vec<IdRole> = Vec::new();
        let mut extension_types: Vec<u8> = Vec::new();
        for payload in &message.payloads {
            let kind = payload.kind();
            // T comes first (replay handling reads it first); the rest in rank order.
            let first_not_t = previous == PayloadKind::Hdr && kind != PayloadKind::Timestamp;
            if first_not_t || rank(kind).is_some_and(|r| r < highest) {
                return Err(MikeyError::BadNextPayload {
                    payload: previous,
                    next: NextPayload::Payload(kind),
                });
            }
            highest = rank(kind).unwrap_or(0).max(highest);
            match payload {
                Payload::Timestamp(t) => set_once(&mut timestamp, t, kind)?,
                Payload::Rand(r) => set_once(&mut rand, r, kind)?,
                Payload::Sakke(s) => set_once(&mut sakke, s, kind)?,
                Payload::Idr(idr) => {
                    if roles.contains(&idr.role) {
                        return Err(MikeyError::DuplicateIdentity(idr.role));
                    }
                    roles.push(idr.role);
                }
                Payload::GeneralExtension(ext) if KNOWN_ONCE.contains(&ext.ext_type) => {
                    if extension_types.contains(&ext.ext_type) {
                        return Err(MikeyError::DuplicatePayload(kind));
                    }
                    extension_types.push(ext.ext_type);
                    if let Some(self_sakke) = ext.to_sakke_payload() {
                        self_sakke?;
                    }
                }
                Payload::SecurityPolicy(_) | Payload::GeneralExtension(_) => {}
            }
            previous = kind;
        }
        let timestamp = timestamp.ok_or(MikeyError::MissingPayload(PayloadKind::Timestamp))?;
        let rand = rand.ok_or(MikeyError::MissingPayload(PayloadKind::Rand))?;
        let sakke = sakke.ok_or(MikeyError::MissingPayload(PayloadKind::Sakke))?;
        let sign = message
            .sign
            .as_ref()
            .ok_or(MikeyError::MissingPayload(PayloadKind::Sign))?;
        let time = match timestamp {
            Timestamp::NtpUtc(t) | Timestamp::Ntp(t) => *t,
            other => return Err(MikeyError::UnsupportedTimestampType(other.ts_type())),
        };
        if rand.rand.len() < MIN_RAND_LEN {
            return Err(MikeyError::BadLength {
                payload: PayloadKind::Rand,
                field: "RAND len",
                len: rand.rand.len(),
            });
        }
        if sign.s_type != SignatureType::Eccsi {
            return Err(MikeyError::UnsupportedSignatureType(sign.s_type.to_u8()));
        }
        Ok(IMessage {
            message,
            time,
            rand: &rand.rand,
            sakke,
            sign,
        })
    }

    /// The General Extension of this type, if present (types 6 and 7 occur at most once;
    /// for others, the first).
    pub fn extension(&self, ext_type: u8) -> Option<&'m GeneralExtension> {
        self.message.payloads.iter().find_map(|p| match p {
            Payload::GeneralExtension(ext) if ext.ext_type == ext_type => Some(ext),
            _ => None,
        })
    }

    /// The SAKKE-to-self payload (TS 33.180 E.5), if the message carries one.
    pub fn sakke_to_self(&self) -> Result<Option<SakkePayload>> {
        self.extension(EXT_SAKKE_TO_SELF)
            .and_then(GeneralExtension::to_sakke_payload)
            .transpose()
    }

    /// The IDR payload with this role, if present (there is at most one).
    pub fn idr(&self, role: IdRole) -> Option<&'m Idr> {
        self.message.payloads.iter().find_map(|p| match p {
            Payload::Idr(idr) if idr.role == role => Some(idr),
            _ => None,
        })
    }
}

fn set_once<'m, T>(slot: &mut Option<&'m T>, value: &'m T, kind: PayloadKind) -> Result<()> {
    if slot.is_some() {
        return Err(MikeyError::DuplicatePayload(kind));
    }
    *slot = Some(value);
    Ok(())
}
