//! Typed errors. Every parse failure names the payload and the field, so a rejected
//! message can be diagnosed from the error alone, and no failure path carries key material.

use core::fmt;

use eccsi::EccsiError;
use sakke::SakkeError;
use thiserror::Error;

use crate::idr::IdRole;
use crate::key_id::KeyPurpose;
use crate::sakke_payload::IdScheme;

/// MIKEY payload kinds, by their RFC 3830 / RFC 6043 / RFC 6509 "next payload" value
/// (the common header has none and is listed first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadKind {
    /// Common header (RFC 3830 6.1); always first, has no next-payload value.
    Hdr,
    /// KEMAC (1).
    Kemac,
    /// PKE (2).
    Pke,
    /// DH (3).
    Dh,
    /// SIGN (4); always last, carries no next-payload field.
    Sign,
    /// Timestamp T (5).
    Timestamp,
    /// ID (6).
    Id,
    /// CERT (7).
    Cert,
    /// CHASH (8).
    Chash,
    /// Verification message V (9).
    V,
    /// Security policy SP (10).
    Sp,
    /// RAND (11).
    Rand,
    /// Error ERR (12).
    Err,
    /// Timestamp with role TR (13, RFC 6043).
    Tr,
    /// ID with role IDR (14, RFC 6043).
    Idr,
    /// RAND with role RANDR (15, RFC 6043).
    Randr,
    /// Ticket policy TP (16, RFC 6043).
    Tp,
    /// TICKET (17, RFC 6043).
    Ticket,
    /// Key data sub-payload (20).
    KeyData,
    /// General extension (21).
    GeneralExtension,
    /// SAKKE (26, RFC 6509).
    Sakke,
}

impl PayloadKind {
    /// The kind named by a next-payload value; `None` for 0 (last payload) and for
    /// values no RFC assigns.
    pub fn from_next_payload(value: u8) -> Option<PayloadKind> {
        Some(match value {
            1 => PayloadKind::Kemac,
            2 => PayloadKind::Pke,
            3 => PayloadKind::Dh,
            4 => PayloadKind::Sign,
            5 => PayloadKind::Timestamp,
            6 => PayloadKind::Id,
            7 => PayloadKind::Cert,
            8 => PayloadKind::Chash,
            9 => PayloadKind::V,
            10 => PayloadKind::Sp,
            11 => PayloadKind::Rand,
            12 => PayloadKind::Err,
            13 => PayloadKind::Tr,
            14 => PayloadKind::Idr,
            15 => PayloadKind::Randr,
            16 => PayloadKind::Tp,
            17 => PayloadKind::Ticket,
            20 => PayloadKind::KeyData,
            21 => PayloadKind::GeneralExtension,
            26 => PayloadKind::Sakke,
            _ => return None,
        })
    }

    /// The next-payload value that announces this kind (`None` for the header).
    pub fn next_payload_value(self) -> Option<u8> {
        Some(match self {
            PayloadKind::Hdr => return None,
            PayloadKind::Kemac => 1,
            PayloadKind::Pke => 2,
            PayloadKind::Dh => 3,
            PayloadKind::Sign => 4,
            PayloadKind::Timestamp => 5,
            PayloadKind::Id => 6,
            PayloadKind::Cert => 7,
            PayloadKind::Chash => 8,
            PayloadKind::V => 9,
            PayloadKind::Sp => 10,
            PayloadKind::Rand => 11,
            PayloadKind::Err => 12,
            PayloadKind::Tr => 13,
            PayloadKind::Idr => 14,
            PayloadKind::Randr => 15,
            PayloadKind::Tp => 16,
            PayloadKind::Ticket => 17,
            PayloadKind::KeyData => 20,
            PayloadKind::GeneralExtension => 21,
            PayloadKind::Sakke => 26,
        })
    }

    /// The name the RFCs use.
    pub fn name(self) -> &'static str {
        match self {
            PayloadKind::Hdr => "HDR",
            PayloadKind::Kemac => "KEMAC",
            PayloadKind::Pke => "PKE",
            PayloadKind::Dh => "DH",
            PayloadKind::Sign => "SIGN",
            PayloadKind::Timestamp => "T",
            PayloadKind::Id => "ID",
            PayloadKind::Cert => "CERT",
            PayloadKind::Chash => "CHASH",
            PayloadKind::V => "V",
            PayloadKind::Sp => "SP",
            PayloadKind::Rand => "RAND",
            PayloadKind::Err => "ERR",
            PayloadKind::Tr => "TR",
            PayloadKind::Idr => "IDR",
            PayloadKind::Randr => "RANDR",
            PayloadKind::Tp => "TP",
            PayloadKind::Ticket => "TICKET",
            PayloadKind::KeyData => "Key data",
            PayloadKind::GeneralExtension => "General Extension",
            PayloadKind::Sakke => "SAKKE",
        }
    }
}

impl fmt::Display for PayloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that can go wrong while decoding, encoding, building or opening a MIKEY
/// message.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum MikeyError {
    /// The input ended inside a payload.
    #[error("{payload} payload truncated in field `{field}`")]
    Truncated {
        /// Payload being read.
        payload: PayloadKind,
        /// Field that did not fit.
        field: &'static str,
    },
    /// HDR version is not 1.
    #[error("unsupported MIKEY version {0}")]
    UnsupportedVersion(u8),
    /// HDR data type is not a registered value.
    #[error("unknown HDR data type {0}")]
    UnknownDataType(u8),
    /// HDR PRF func is neither MIKEY-1 (0) nor PRF-HMAC-SHA-256 (1).
    #[error("unsupported PRF func {0}")]
    UnsupportedPrf(u8),
    /// HDR CS ID map type is not SRTP-ID (0), empty (1) or GENERIC-ID (2).
    #[error("unsupported CS ID map type {0}")]
    UnsupportedCsIdMapType(u8),
    /// T payload TS type is not NTP-UTC, NTP, COUNTER or NTP-UTC-32.
    #[error("unsupported timestamp type {0}")]
    UnsupportedTimestampType(u8),
    /// A next-payload field holds a value that no RFC assigns.
    #[error("{after} payload names unknown next payload {value}")]
    UnknownPayload {
        /// Payload whose next-payload field was read.
        after: PayloadKind,
        /// The unassigned value.
        value: u8,
    },
    /// A next-payload field names a registered payload this implementation does not
    /// process (KEMAC, PKE, DH, CERT, ...); MIKEY has no "ignore if unknown" bit, so it is
    /// fatal.
    #[error("{after} payload is followed by unsupported {payload} payload")]
    UnsupportedPayload {
        /// Payload whose next-payload field was read.
        after: PayloadKind,
        /// The unsupported payload.
        payload: PayloadKind,
    },
    /// A next-payload field names a payload that may not follow here (for example the
    /// header announcing no payload at all, or an I_MESSAGE payload out of RFC 6509 order).
    #[error("{payload} payload may not be followed by {next}")]
    BadNextPayload {
        /// Payload whose next-payload field is wrong.
        payload: PayloadKind,
        /// What it announced (`None`: last payload).
        next: NextPayload,
    },
    /// Bytes remain after the last payload.
    #[error("{count} trailing bytes after the last payload")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// A length field is inconsistent with the payload (or a field is too long to encode).
    #[error("{payload} payload: bad length {len} in field `{field}`")]
    BadLength {
        /// Payload.
        payload: PayloadKind,
        /// Field.
        field: &'static str,
        /// Offending length.
        len: usize,
    },
    /// A field holds a value the RFCs do not allow.
    #[error("{payload} payload: bad value {value} in field `{field}`")]
    BadValue {
        /// Payload.
        payload: PayloadKind,
        /// Field.
        field: &'static str,
        /// Offending value.
        value: u32,
    },
    /// SAKKE params other than parameter set 1 (RFC 6509 Appendix A).
    #[error("unsupported SAKKE params {0}")]
    UnsupportedSakkeParams(u8),
    /// SAKKE ID scheme other than 1 (RFC 6509 tel URI) or 2 (3GPP UID).
    #[error("unsupported SAKKE ID scheme {0}")]
    UnsupportedIdScheme(u8),
    /// SIGN S type is not RSA (0, 1) or ECCSI (2), or is not ECCSI where ECCSI is required.
    #[error("unsupported signature type {0}")]
    UnsupportedSignatureType(u8),
    /// The message is not a MIKEY-SAKKE I_MESSAGE (data type 26).
    #[error("HDR data type {0} is not a SAKKE I_MESSAGE (26)")]
    NotSakkeMessage(u8),
    /// A payload the I_MESSAGE requires is absent.
    #[error("missing {0} payload")]
    MissingPayload(PayloadKind),
    /// A payload that may occur once occurs twice.
    #[error("duplicate {0} payload")]
    DuplicatePayload(PayloadKind),
    /// Two IDR payloads with the same role.
    #[error("duplicate IDR payload with role {0:?}")]
    DuplicateIdentity(IdRole),
    /// An IDR payload has an ID type that cannot carry the identity it must carry.
    #[error("IDR payload with role {role:?} has ID type {id_type}")]
    BadIdType {
        /// Role of the IDR.
        role: IdRole,
        /// Its ID type value.
        id_type: u8,
    },
    /// A URI cannot form an RFC 6509 identifier (empty, non-ASCII or contains NUL).
    #[error("URI cannot be used in an RFC 6509 identifier")]
    InvalidUri,
    /// A timestamp outside the years an RFC 6509 identifier can name (or outside NTP).
    #[error("timestamp cannot be represented")]
    InvalidTimestamp,
    /// The T payload is further from the responder's clock than the allowed skew.
    #[error("timestamp {skew_seconds} s from local clock, outside the allowed window")]
    TimestampOutOfWindow {
        /// Message time minus local time, in whole seconds (saturating).
        skew_seconds: i64,
    },
    /// The message was accepted before (RFC 3830 5.4).
    #[error("replayed message")]
    Replay,
    /// The message is older than what the bounded replay cache still remembers, so a
    /// replay could not be detected.
    #[error("message older than the replay cache horizon")]
    BeyondReplayHorizon,
    /// The IDRr payload names a different responder.
    #[error("I_MESSAGE is addressed to another responder")]
    WrongResponder,
    /// The IDRi payload names a different initiator than the caller expects.
    #[error("I_MESSAGE comes from an unexpected initiator")]
    WrongInitiator,
    /// The identity needed for this ID scheme was not supplied (e.g. a URI for scheme 1,
    /// a UID for scheme 2).
    #[error("no {0} identity suitable for the SAKKE ID scheme")]
    MissingIdentity(&'static str),
    /// The initiator and responder identities belong to different SAKKE ID schemes, or
    /// the SAKKE payload's scheme differs from the caller's identity.
    #[error("identity does not belong to SAKKE ID scheme {0:?}")]
    IdSchemeMismatch(IdScheme),
    /// The ECCSI signing key was issued for a different identifier than the initiator's
    /// identifier for the message's key period.
    #[error("signing key identifier does not match the initiator identifier for this month")]
    SigningKeyMismatch,
    /// The validated receiver key was issued for another identifier than the
    /// responder's for the message's key period (another month, UID or user).
    #[error("receiver key identifier does not match the responder identifier for this message")]
    ReceiverKeyMismatch,
    /// A KMS URI that cannot enter a 3GPP UID (empty, or longer than 65535 bytes).
    #[error("KMS URI cannot be used in a 3GPP UID")]
    InvalidKmsUri,
    /// A key period length (UserKeyPeriod) of zero seconds.
    #[error("key period length is zero")]
    ZeroKeyPeriod,
    /// A time before the KMS's first key period (UserKeyOffset), which has no period.
    #[error("NTP time {ntp_seconds} s is before the key period offset {offset} s")]
    BeforeKeyPeriodOffset {
        /// The time, in seconds since 1900-01-01 UTC.
        ntp_seconds: i64,
        /// UserKeyOffset.
        offset: u64,
    },
    /// A UID in the message is the party's UID for a neighbouring key period, not for
    /// the period of the T payload.
    #[error("{role:?} UID is for key period {uid_period}, the message time is in period {message_period}")]
    UidFromOtherKeyPeriod {
        /// Role of the IDR carrying the UID.
        role: IdRole,
        /// Period number of the T payload.
        message_period: u64,
        /// Period number the UID was derived for.
        uid_period: u64,
    },
    /// An IDRkmsi / IDRkmsr payload names another KMS than the one the party's keys
    /// (and UID) come from.
    #[error("{role:?} payload names another KMS than the party's")]
    UidFromOtherKms {
        /// IdRole::KmsInitiator or IdRole::KmsResponder.
        role: IdRole,
    },
    /// A 3GPP key ID whose purpose tag (top 4 bits) TS 33.180 does not assign.
    #[error("unknown key purpose tag {0}")]
    UnknownKeyPurpose(u8),
    /// The 3GPP key parameters (General Extension type 7) do not authenticate under the
    /// key the message carries.
    #[error("3GPP key parameters do not authenticate under the carried key")]
    KeyParametersTag,
    /// The key parameters are sealed for another key (their DPPK-ID is not the CSB ID).
    #[error(
        "3GPP key parameters are for key {dppk_id:#010x}, the message's CSB ID is {csb_id:#010x}"
    )]
    KeyParametersIdMismatch {
        /// DPPK-ID in the protected payload.
        dppk_id: u32,
        /// HDR CSB ID.
        csb_id: u32,
    },
    /// The key parameters give another key type than the purpose the CSB ID tags.
    #[error("3GPP key parameters describe a {key_type} but the key ID tags a {tagged}")]
    KeyParametersPurposeMismatch {
        /// Key type in the parameters.
        key_type: KeyPurpose,
        /// Purpose tagged in the CSB ID.
        tagged: KeyPurpose,
    },
    /// The I_MESSAGE has no SAKKE-to-self extension (General Extension type 6), so its
    /// initiator cannot open it.
    #[error("no SAKKE-to-self extension: the initiator cannot open this I_MESSAGE")]
    NoSakkeToSelf,
    /// An identifier SAKKE cannot use (RFC 6508: an integer in [2, q-1]).
    #[error("identifier not usable by SAKKE: {0}")]
    SakkeIdentifier(#[source] SakkeError),
    /// The ECCSI signature is malformed or does not verify.
    #[error("signature rejected: {0}")]
    BadSignature(#[source] EccsiError),
    /// ECCSI signing failed (RNG failure).
    #[error("signing failed: {0}")]
    Signing(#[source] EccsiError),
    /// The SAKKE Encapsulated Data could not be processed (bad point, RSK not valid for
    /// this identifier, TEST failed, ...). No SSV is released.
    #[error("SAKKE decapsulation failed: {0}")]
    Decapsulation(#[source] SakkeError),
    /// SAKKE encapsulation failed while building.
    #[error("SAKKE encapsulation failed: {0}")]
    Encapsulation(#[source] SakkeError),
}

/// A next-payload field's meaning: either "last payload" (0) or a payload kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextPayload {
    /// Value 0.
    Last,
    /// A registered payload.
    Payload(PayloadKind),
}

impl fmt::Display for NextPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NextPayload::Last => f.write_str("end of message"),
            NextPayload::Payload(kind) => write!(f, "{kind}"),
        }
    }
}

/// Result alias for this crate.
pub type Result<T> = core::result::Result<T, MikeyError>;
