//! Common header payload (RFC 3830 6.1 with the RFC 6043 6.1 and RFC 6509 4.1 additions):
//! version, data type, V flag, PRF func, CSB ID and the crypto-session map.

use crate::error::{MikeyError, PayloadKind, Result};
use crate::reader::{len_u16, len_u8, Reader};

const P: PayloadKind = PayloadKind::Hdr;

/// The only MIKEY version (RFC 3830 6.1).
pub const MIKEY_VERSION: u8 = 1;

/// HDR data type: what kind of message this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// 0: pre-shared key initiator message.
    PskInit,
    /// 1: pre-shared key verification message.
    PskResp,
    /// 2: public-key initiator message.
    PkInit,
    /// 3: public-key verification message.
    PkResp,
    /// 4: Diffie-Hellman initiator message.
    DhInit,
    /// 5: Diffie-Hellman responder message.
    DhResp,
    /// 6: error message.
    Error,
    /// 7: DHHMAC initiator message (RFC 4650).
    DhHmacInit,
    /// 8: DHHMAC responder message (RFC 4650).
    DhHmacResp,
    /// 9: RSA-R initiator message (RFC 4738).
    RsaRInit,
    /// 10: RSA-R responder message (RFC 4738).
    RsaRResp,
    /// 11: ticket request, PSK (RFC 6043).
    RequestInitPsk,
    /// 12: ticket request, PK (RFC 6043).
    RequestInitPk,
    /// 13: ticket request response (RFC 6043).
    RequestResp,
    /// 14: ticket transfer initiator message (RFC 6043).
    TransferInit,
    /// 15: ticket transfer response (RFC 6043).
    TransferResp,
    /// 16: ticket resolve, PSK (RFC 6043).
    ResolveInitPsk,
    /// 17: ticket resolve, PK (RFC 6043).
    ResolveInitPk,
    /// 18: ticket resolve response (RFC 6043).
    ResolveResp,
    /// 26: MIKEY-SAKKE I_MESSAGE (RFC 6509 4.1).
    SakkeMsg,
}

impl DataType {
    /// Decode a registered value.
    pub fn from_u8(value: u8) -> Option<Self> {
        use DataType::*;
        Some(match value {
            0 => PskInit,
            1 => PskResp,
            2 => PkInit,
            3 => PkResp,
            4 => DhInit,
            5 => DhResp,
            6 => Error,
            7 => DhHmacInit,
            8 => DhHmacResp,
            9 => RsaRInit,
            10 => RsaRResp,
            11 => RequestInitPsk,
            12 => RequestInitPk,
            13 => RequestResp,
            14 => TransferInit,
            15 => TransferResp,
            16 => ResolveInitPsk,
            17 => ResolveInitPk,
            18 => ResolveResp,
            26 => SakkeMsg,
            _ => return None,
        })
    }

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        use DataType::*;
        match self {
            PskInit => 0,
            PskResp => 1,
            PkInit => 2,
            PkResp => 3,
            DhInit => 4,
            DhResp => 5,
            Error => 6,
            DhHmacInit => 7,
            DhHmacResp => 8,
            RsaRInit => 9,
            RsaRResp => 10,
            RequestInitPsk => 11,
            RequestInitPk => 12,
            RequestResp => 13,
            TransferInit => 14,
            TransferResp => 15,
            ResolveInitPsk => 16,
            ResolveInitPk => 17,
            ResolveResp => 18,
            SakkeMsg => 26,
        }
    }
}

/// HDR PRF func: the pseudo-random function used for key derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrfFunc {
    /// 0: MIKEY-1, the RFC 3830 4.1.2 PRF on HMAC-SHA-1.
    MikeyHmacSha1,
    /// 1: PRF-HMAC-SHA-256 (RFC 6043 6.1), as 3GPP MCX uses.
    HmacSha256,
}

impl PrfFunc {
    /// Decode the 7-bit field.
    pub fn from_u8(value: u8) -> Option<Self> {
        match value {
            0 => Some(PrfFunc::MikeyHmacSha1),
            1 => Some(PrfFunc::HmacSha256),
            _ => None,
        }
    }

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            PrfFunc::MikeyHmacSha1 => 0,
            PrfFunc::HmacSha256 => 1,
        }
    }
}

/// One SRTP-ID map entry (RFC 3830 6.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SrtpIdEntry {
    /// Security policy number (refers to an SP payload).
    pub policy_no: u8,
    /// SSRC of the stream (0: to be filled in by the responder).
    pub ssrc: u32,
    /// SRTP rollover counter.
    pub roc: u32,
}

/// One GENERIC-ID map entry (RFC 6043 6.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GenericIdEntry {
    /// Crypto session ID, the `cs_id` of key derivation.
    pub cs_id: u8,
    /// Security protocol (SP payload prot type; 0 = SRTP).
    pub prot_type: u8,
    /// S flag (for SRTP: ROC and SEQ present in the session data).
    pub s_flag: bool,
    /// Policy numbers (#P of them, at most 127).
    pub policies: Vec<u8>,
    /// Session data (for SRTP: SSRC, optional ROC and SEQ), kept opaque.
    pub session_data: Vec<u8>,
    /// SPI / MKI (3GPP MCX puts key identifiers here).
    pub spi: Vec<u8>,
}

/// How crypto sessions map onto security-protocol sessions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CsIdMap {
    /// Map type 0, SRTP-ID (RFC 3830 6.1.1): one entry per crypto session.
    SrtpId(Vec<SrtpIdEntry>),
    /// Map type 1, empty map (RFC 4738): no crypto sessions (#CS = 0).
    Empty,
    /// Map type 2, GENERIC-ID (RFC 6043 6.1.1).
    GenericId(Vec<GenericIdEntry>),
}

impl CsIdMap {
    /// Number of crypto sessions described (the #CS field).
    pub fn cs_count(&self) -> usize {
        match self {
            CsIdMap::SrtpId(entries) => entries.len(),
            CsIdMap::Empty => 0,
            CsIdMap::GenericId(entries) => entries.len(),
        }
    }

    /// The crypto session IDs in this map: GENERIC-ID carries them explicitly, SRTP-ID
    /// numbers them 1..=#CS (RFC 3830 6.1.1 note).
    pub fn cs_ids(&self) -> Vec<u8> {
        match self {
            CsIdMap::SrtpId(entries) => (1..=entries.len())
                .map(|i| u8::try_from(i).unwrap_or(u8::MAX))
                .collect(),
            CsIdMap::Empty => Vec::new(),
            CsIdMap::GenericId(entries) => entries.iter().map(|e| e.cs_id).collect(),
        }
    }

    fn type_value(&self) -> u8 {
        match self {
            CsIdMap::SrtpId(_) => 0,
            CsIdMap::Empty => 1,
            CsIdMap::GenericId(_) => 2,
        }
    }
}

/// The common header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hdr {
    /// Message type.
    pub data_type: DataType,
    /// V flag: a response is expected (MUST be 0 in a SAKKE I_MESSAGE and is ignored).
    pub v: bool,
    /// PRF for key derivation.
    pub prf: PrfFunc,
    /// Crypto session bundle ID.
    pub csb_id: u32,
    /// Crypto session map.
    pub cs_id_map: CsIdMap,
}

impl Hdr {
    /// Decode the header; returns it and its next-payload value.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<(Hdr, u8)> {
        let version = r.u8(P, "version")?;
        if version != MIKEY_VERSION {
            return Err(MikeyError::UnsupportedVersion(version));
        }
        let dt = r.u8(P, "data type")?;
        let data_type = DataType::from_u8(dt).ok_or(MikeyError::UnknownDataType(dt))?;
        let next = r.u8(P, "next payload")?;
        let v_prf = r.u8(P, "V / PRF func")?;
        let prf = PrfFunc::from_u8(v_prf & 0x7f).ok_or(MikeyError::UnsupportedPrf(v_prf & 0x7f))?;
        let csb_id = r.u32(P, "CSB ID")?;
        let cs_count = r.u8(P, "#CS")?;
        let map_type = r.u8(P, "CS ID map type")?;
        let cs_id_map = match map_type {
            0 => {
                let mut entries = Vec::with_capacity(usize::from(cs_count));
                for _ in 0..cs_count {
                    entries.push(SrtpIdEntry {
                        policy_no: r.u8(P, "SRTP-ID policy no")?,
                        ssrc: r.u32(P, "SRTP-ID SSRC")?,
                        roc: r.u32(P, "SRTP-ID ROC")?,
                    });
                }
                CsIdMap::SrtpId(entries)
            }
            1 => {
                if cs_count != 0 {
                    return Err(MikeyError::BadValue {
                        payload: P,
                        field: "#CS",
                        value: u32::from(cs_count),
                    });
                }
                CsIdMap::Empty
            }
            2 => {
                let mut entries = Vec::with_capacity(usize::from(cs_count));
                for _ in 0..cs_count {
                    let cs_id = r.u8(P, "GENERIC-ID CS ID")?;
                    let prot_type = r.u8(P, "GENERIC-ID prot type")?;
                    let s_p = r.u8(P, "GENERIC-ID S / #P")?;
                    let policies = r.bytes(usize::from(s_p & 0x7f), P, "GENERIC-ID Ps")?;
                    let sd_len = r.u16(P, "GENERIC-ID session data length")?;
                    let session_data =
                        r.bytes(usize::from(sd_len), P, "GENERIC-ID session data")?;
                    let spi_len = r.u8(P, "GENERIC-ID SPI length")?;
                    let spi = r.bytes(usize::from(spi_len), P, "GENERIC-ID SPI")?;
                    entries.push(GenericIdEntry {
                        cs_id,
                        prot_type,
                        s_flag: s_p & 0x80 != 0,
                        policies: policies.to_vec(),
                        session_data: session_data.to_vec(),
                        spi: spi.to_vec(),
                    });
                }
                CsIdMap::GenericId(entries)
            }
            other => return Err(MikeyError::UnsupportedCsIdMapType(other)),
        };
        Ok((
            Hdr {
                data_type,
                v: v_prf & 0x80 != 0,
                prf,
                csb_id,
                cs_id_map,
            },
            next,
        ))
    }

    /// Encode with the given next-payload value.
    pub(crate) fn encode(&self, next: u8, out: &mut Vec<u8>) -> Result<()> {
        out.push(MIKEY_VERSION);
        out.push(self.data_type.to_u8());
        out.push(next);
        out.push(u8::from(self.v) << 7 | self.prf.to_u8());
        out.extend_from_slice(&self.csb_id.to_be_bytes());
        out.push(len_u8(self.cs_id_map.cs_count(), P, "#CS")?);
        out.push(self.cs_id_map.type_value());
        match &self.cs_id_map {
            CsIdMap::SrtpId(entries) => {
                for e in entries {
                    out.push(e.policy_no);
                    out.extend_from_slice(&e.ssrc.to_be_bytes());
                    out.extend_from_slice(&e.roc.to_be_bytes());
                }
            }
            CsIdMap::Empty => {}
            CsIdMap::GenericId(entries) => {
                for e in entries {
                    out.push(e.cs_id);
                    out.push(e.prot_type);
                    let np = len_u8(e.policies.len(), P, "GENERIC-ID #P")?;
                    if np > 0x7f {
                        return Err(MikeyError::BadLength {
                            payload: P,
                            field: "GENERIC-ID #P",
                            len: e.policies.len(),
                        });
                    }
                    out.push(u8::from(e.s_flag) << 7 | np);
                    out.extend_from_slice(&e.policies);
                    let sd_len =
                        len_u16(e.session_data.len(), P, "GENERIC-ID session data length")?;
                    out.extend_from_slice(&sd_len.to_be_bytes());
                    out.extend_from_slice(&e.session_data);
                    out.push(len_u8(e.spi.len(), P, "GENERIC-ID SPI length")?);
                    out.extend_from_slice(&e.spi);
                }
            }
        }
        Ok(())
    }
}
