//! Identifiers: the RFC 6509 3.2 form `"YYYY-MM\0<uri>\0"` (ID scheme 1), whose month
//! comes from the T payload, and the 3GPP UID (ID scheme 2), either supplied by the
//! caller or derived from a URI, a KMS and the key period of the T payload.
//! The same identifier is used for SAKKE (responder) and ECCSI (initiator).

use crate::error::{MikeyError, Result};
use crate::mcx::McxIdentity;
use crate::sakke_payload::IdScheme;
use crate::timestamp::NtpTimestamp;

/// Length of a 3GPP MCX UID (TS 33.180 F.2.1).
pub const UID_LEN: usize = 32;

/// The RFC 6509 identifier for `uri` in the month of `time` (UTC).
pub fn rfc6509_identifier(time: NtpTimestamp, uri: &str) -> Result<Vec<u8>> {
    let date = time.utc_date();
    rfc6509_identifier_for_month(date.year, date.month, uri)
}

/// The RFC 6509 identifier for `uri` in the given year and month.
///
/// The URI must be non-empty printable US-ASCII (RFC 6509 3.2: "represented by a
/// US-ASCII string and terminated by a null byte"), so no NUL can make two
/// different identities collide.
pub fn rfc6509_identifier_for_month(year: i64, month: u8, uri: &str) -> Result<Vec<u8>> {
    if !(0..=9999).contains(&year) || !(1..=12).contains(&month) {
        return Err(MikeyError::InvalidTimestamp);
    }
    if uri.is_empty() || !uri.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(MikeyError::InvalidUri);
    }
    let mut id = format!("{year:04}-{month:02}").into_bytes();
    id.push(0);
    id.extend_from_slice(uri.as_bytes());
    id.push(0);
    Ok(id)
}

/// How a party (initiator or responder) is identified.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PartyId {
    /// ID scheme 1: a URI (for RFC 6509, a constrained "tel" URI); the identifier is
    /// `"YYYY-MM\0<uri>\0"` with the month of the T payload.
    Uri(String),
    /// ID scheme 2: the 32-byte 3GPP UID the KMS issued keys for, derived by the caller
    /// (TS 33.180 F.2.1), plus the party's URI if known (it is then sent in, and
    /// checked against, the IDRi / IDRr payload).
    Uid {
        /// The UID, used as the SAKKE / ECCSI identifier.
        uid: [u8; UID_LEN],
        /// The MC service URI the UID was derived from.
        uri: Option<String>,
    },
    /// ID scheme 2 with the UID derived (TS 33.180 F.2.1) from the URI, the KMS and the
    /// key period of the T payload. Sent as UID IDRs only (roles 8 / 9, the identity
    /// hiding of TS 33.180 E.7, as the Streamwide messages do); checked on receipt
    /// against the UID for the message's period, with the mismatch classified.
    Mcx(McxIdentity),
}

impl PartyId {
    /// The SAKKE ID scheme this identity belongs to.
    pub fn scheme(&self) -> IdScheme {
        match self {
            PartyId::Uri(_) => IdScheme::TelUriMonthly,
            PartyId::Uid { .. } | PartyId::Mcx(_) => IdScheme::ThreeGppUid,
        }
    }

    /// The party's URI, if known.
    pub fn uri(&self) -> Option<&str> {
        match self {
            PartyId::Uri(uri) => Some(uri),
            PartyId::Uid { uri, .. } => uri.as_deref(),
            PartyId::Mcx(m) => Some(&m.uri),
        }
    }

    /// The fixed UID of a [`PartyId::Uid`]; an [`PartyId::Mcx`] UID depends on the time,
    /// see [`uid_at`](Self::uid_at).
    pub fn uid(&self) -> Option<&[u8; UID_LEN]> {
        match self {
            PartyId::Uri(_) | PartyId::Mcx(_) => None,
            PartyId::Uid { uid, .. } => Some(uid),
        }
    }

    /// The UID used in a message dated `time`, for scheme 2 (`None` for scheme 1).
    pub fn uid_at(&self, time: NtpTimestamp) -> Result<Option<[u8; UID_LEN]>> {
        match self {
            PartyId::Uri(_) => Ok(None),
            PartyId::Uid { uid, .. } => Ok(Some(*uid)),
            PartyId::Mcx(m) => m.uid_at(time).map(Some),
        }
    }

    /// The KMS URI of an [`PartyId::Mcx`] party.
    pub fn kms_uri(&self) -> Option<&str> {
        match self {
            PartyId::Mcx(m) => Some(&m.kms.uri),
            _ => None,
        }
    }

    /// The identifier used for SAKKE and ECCSI at time `time`.
    pub fn identifier(&self, time: NtpTimestamp) -> Result<Vec<u8>> {
        match self {
            PartyId::Uri(uri) => rfc6509_identifier(time, uri),
            PartyId::Uid { uid, .. } => Ok(uid.to_vec()),
            PartyId::Mcx(m) => Ok(m.uid_at(time)?.to_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6509_example() {
        // RFC 6509 3.2: "2011-02\0tel:+447700900123\0".
        let id = rfc6509_identifier_for_month(2011, 2, "tel:+447700900123").unwrap();
        assert_eq!(id, b"2011-02\0tel:+447700900123\0");
        // Any second of February 2011 gives the same identifier.
        for unix in [1_296_518_400, 1_297_000_000, 1_298_937_599] {
            let t = NtpTimestamp::from_unix(unix, 0).unwrap();
            assert_eq!(rfc6509_identifier(t, "tel:+447700900123").unwrap(), id);
        }
        // ... and the next second is March.
        let march = NtpTimestamp::from_unix(1_298_937_600, 0).unwrap();
        assert_eq!(
            rfc6509_identifier(march, "tel:+447700900123").unwrap(),
            b"2011-03\0tel:+447700900123\0"
        );
    }

    #[test]
    fn rejects_bad_uris_and_months() {
        for uri in ["", "tel:+44\0", "tel:+44 77", "tel:\u{e9}"] {
            assert!(matches!(
                rfc6509_identifier_for_month(2011, 2, uri),
                Err(MikeyError::InvalidUri)
            ));
        }
        assert!(matches!(
            rfc6509_identifier_for_month(2011, 13, "tel:+1"),
            Err(MikeyError::InvalidTimestamp)
        ));
    }
}
