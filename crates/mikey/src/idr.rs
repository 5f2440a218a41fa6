//! ID payload with role indicator, IDR (RFC 6043 6.6, roles 6 and 7 from RFC 6509 4.4):
//! names the initiator, the responder and their KMSs.

use crate::error::{MikeyError, PayloadKind, Result};
use crate::reader::{len_u16, Reader};

const P: PayloadKind = PayloadKind::Idr;

/// What the identity in an IDR payload is the identity of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdRole {
    /// 1: the initiator (IDRi).
    Initiator,
    /// 2: the responder (IDRr).
    Responder,
    /// 3: the KMS (IDRkms, RFC 6043).
    Kms,
    /// 4: a pre-shared key (IDRpsk, RFC 6043).
    Psk,
    /// 5: an application (IDRapp, RFC 6043).
    App,
    /// 6: the initiator's KMS (IDRkmsi, RFC 6509).
    KmsInitiator,
    /// 7: the responder's KMS (IDRkmsr, RFC 6509).
    KmsResponder,
    /// 8: used by 3GPP MCX (TS 33.180) implementations for the initiator's 32-byte UID;
    /// seen in the Streamwide interop messages.
    InitiatorUid,
    /// 9: as 8, for the responder's UID.
    ResponderUid,
}

impl IdRole {
    /// Decode a role value.
    pub fn from_u8(value: u8) -> Option<Self> {
        use IdRole::*;
        Some(match value {
            1 => Initiator,
            2 => Responder,
            3 => Kms,
            4 => Psk,
            5 => App,
            6 => KmsInitiator,
            7 => KmsResponder,
            8 => InitiatorUid,
            9 => ResponderUid,
            _ => return None,
        })
    }

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        use IdRole::*;
        match self {
            Initiator => 1,
            Responder => 2,
            Kms => 3,
            Psk => 4,
            App => 5,
            KmsInitiator => 6,
            KmsResponder => 7,
            InitiatorUid => 8,
            ResponderUid => 9,
        }
    }
}

/// How the ID data is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdType {
    /// 0: network access identifier (RFC 3830).
    Nai,
    /// 1: URI (RFC 3830).
    Uri,
    /// 2: byte string without encoding rules (RFC 6043 6.5).
    ByteString,
}

impl IdType {
    /// Decode an ID type value.
    pub fn from_u8(value: u8) -> Option<Self> {
        match value {
            0 => Some(IdType::Nai),
            1 => Some(IdType::Uri),
            2 => Some(IdType::ByteString),
            _ => None,
        }
    }

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            IdType::Nai => 0,
            IdType::Uri => 1,
            IdType::ByteString => 2,
        }
    }
}

/// The IDR payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Idr {
    /// Whose identity.
    pub role: IdRole,
    /// Encoding of `data`.
    pub id_type: IdType,
    /// The identity (at most 65535 bytes).
    pub data: Vec<u8>,
}

impl Idr {
    /// A URI identity with the given role.
    pub fn uri(role: IdRole, uri: &str) -> Self {
        Idr {
            role,
            id_type: IdType::Uri,
            data: uri.as_bytes().to_vec(),
        }
    }

    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<(Idr, u8)> {
        let next = r.u8(P, "next payload")?;
        let role_value = r.u8(P, "ID role")?;
        let role = IdRole::from_u8(role_value).ok_or(MikeyError::BadValue {
            payload: P,
            field: "ID role",
            value: u32::from(role_value),
        })?;
        let type_value = r.u8(P, "ID type")?;
        let id_type = IdType::from_u8(type_value).ok_or(MikeyError::BadValue {
            payload: P,
            field: "ID type",
            value: u32::from(type_value),
        })?;
        let len = r.u16(P, "ID len")?;
        let data = r.bytes(usize::from(len), P, "ID data")?.to_vec();
        Ok((
            Idr {
                role,
                id_type,
                data,
            },
            next,
        ))
    }

    pub(crate) fn encode(&self, next: u8, out: &mut Vec<u8>) -> Result<()> {
        out.push(next);
        out.push(self.role.to_u8());
        out.push(self.id_type.to_u8());
        out.extend_from_slice(&len_u16(self.data.len(), P, "ID len")?.to_be_bytes());
        out.extend_from_slice(&self.data);
        Ok(())
    }
}
