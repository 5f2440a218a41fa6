//! 3GPP MCX identities (TS 33.180): a user's URI at a KMS, whose SAKKE / ECCSI
//! identifier is the UID for the key period of the message's T payload.

use crate::error::{MikeyError, Result};
use crate::identifier::UID_LEN;
use crate::idr::IdRole;
use crate::key_period::KeyPeriods;
use crate::timestamp::NtpTimestamp;
use crate::uid::mcx_uid;

/// What a 3GPP KMS publishes about itself that UIDs depend on (KmsCertificate KmsUri,
/// UserKeyPeriod, UserKeyOffset).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct McxKms {
    /// KmsUri, hashed into every UID and sent in IDRkmsi / IDRkmsr.
    pub uri: String,
    /// The key period grid.
    pub periods: KeyPeriods,
}

/// A 3GPP MCX user (MC service ID) provisioned by one KMS.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct McxIdentity {
    /// The MC service ID URI, exactly as the KMS provisioned it (UserUri).
    pub uri: String,
    /// The user's KMS.
    pub kms: McxKms,
}

impl McxIdentity {
    /// `uri` at the KMS `kms_uri` with key periods `periods`.
    pub fn new(uri: impl Into<String>, kms_uri: impl Into<String>, periods: KeyPeriods) -> Self {
        McxIdentity {
            uri: uri.into(),
            kms: McxKms {
                uri: kms_uri.into(),
                periods,
            },
        }
    }

    /// The key period number at `time`.
    pub fn period_number(&self, time: NtpTimestamp) -> Result<u64> {
        self.kms.periods.number_at(time)
    }

    /// The UID for key period `period_no`.
    pub fn uid(&self, period_no: u64) -> Result<[u8; UID_LEN]> {
        let p = self.kms.periods;
        mcx_uid(&self.uri, &self.kms.uri, p.length(), p.offset(), period_no)
    }

    /// The UID for the key period that contains `time`.
    pub fn uid_at(&self, time: NtpTimestamp) -> Result<[u8; UID_LEN]> {
        self.uid(self.period_number(time)?)
    }

    /// Checks that a message dated `time` names this party: `sent_kms` is the IDRkmsi /
    /// IDRkmsr data (if sent), `sent_uid` the IDRuidi / IDRuidr data (if sent), and
    /// `role` the UID's role. Returns the UID for the period of `time`.
    ///
    /// A mismatch is classified so the caller learns what went wrong:
    /// * the KMS IDR names another KMS: [`MikeyError::UidFromOtherKms`];
    /// * the UID is this party's for the period before or after that of `time`:
    ///   [`MikeyError::UidFromOtherKeyPeriod`]. Only the neighbours are tried: a peer
    ///   whose clock or keys are one period off (around a boundary) is the case to
    ///   diagnose; further periods cannot be told from another user's UID anyway;
    /// * anything else is another user ([`MikeyError::WrongResponder`] /
    ///   [`MikeyError::WrongInitiator`]). A UID derived under another KMS whose URI the
    ///   message does not state is indistinguishable from that, and reported so.
    pub(crate) fn check(
        &self,
        time: NtpTimestamp,
        role: IdRole,
        sent_uid: Option<&[u8]>,
        sent_kms: Option<&[u8]>,
    ) -> Result<[u8; UID_LEN]> {
        let kms_role = match role {
            IdRole::InitiatorUid | IdRole::Initiator => IdRole::KmsInitiator,
            _ => IdRole::KmsResponder,
        };
        if sent_kms.is_some_and(|k| k != self.kms.uri.as_bytes()) {
            return Err(MikeyError::UidFromOtherKms { role: kms_role });
        }
        let period = self.period_number(time)?;
        let uid = self.uid(period)?;
        let Some(sent) = sent_uid else {
            return Ok(uid);
        };
        if sent == uid {
            return Ok(uid);
        }
        let neighbours = [period.checked_sub(1), period.checked_add(1)];
        for other in neighbours.into_iter().flatten() {
            if sent == self.uid(other)? {
                return Err(MikeyError::UidFromOtherKeyPeriod {
                    role,
                    message_period: period,
                    uid_period: other,
                });
            }
        }
        Err(match kms_role {
            IdRole::KmsInitiator => MikeyError::WrongInitiator,
            _ => MikeyError::WrongResponder,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> McxIdentity {
        let periods = KeyPeriods::new(16_777_215, 0).unwrap();
        McxIdentity::new(
            "sip:alice@streamwide.com",
            "kms.mydev.streamwide.com",
            periods,
        )
    }

    const T: NtpTimestamp = NtpTimestamp(0xec89_8da8_0000_0000);

    #[test]
    fn uid_for_the_message_period() {
        let a = alice();
        assert_eq!(a.period_number(T).unwrap(), 236);
        assert_eq!(a.uid_at(T).unwrap(), a.uid(236).unwrap());
        assert_eq!(a.uid_at(T).unwrap()[..4], [0xb5, 0xc4, 0x52, 0x30]);
    }

    #[test]
    fn check_classifies_mismatches() {
        let a = alice();
        let kms = a.kms.uri.as_bytes();
        let r = IdRole::ResponderUid;
        let now = a.uid(236).unwrap();
        assert_eq!(a.check(T, r, Some(&now), Some(kms)).unwrap(), now);
        assert_eq!(a.check(T, r, None, None).unwrap(), now);
        for (other, n) in [(a.uid(235).unwrap(), 235), (a.uid(237).unwrap(), 237)] {
            assert!(matches!(
                a.check(T, r, Some(&other), Some(kms)),
                Err(MikeyError::UidFromOtherKeyPeriod {
                    role: IdRole::ResponderUid,
                    message_period: 236,
                    uid_period
                }) if uid_period == n
            ));
        }
        assert!(matches!(
            a.check(T, r, Some(&now), Some(b"kms.other.example")),
            Err(MikeyError::UidFromOtherKms {
                role: IdRole::KmsResponder
            })
        ));
        assert!(matches!(
            a.check(
                T,
                IdRole::InitiatorUid,
                Some(&now),
                Some(b"kms.other.example")
            ),
            Err(MikeyError::UidFromOtherKms {
                role: IdRole::KmsInitiator
            })
        ));
        let bob = McxIdentity::new("sip:bob@streamwide.com", a.kms.uri.clone(), a.kms.periods);
        let bobs = bob.uid(236).unwrap();
        assert!(matches!(
            a.check(T, r, Some(&bobs), Some(kms)),
            Err(MikeyError::WrongResponder)
        ));
        assert!(matches!(
            a.check(T, IdRole::InitiatorUid, Some(&bobs), None),
            Err(MikeyError::WrongInitiator)
        ));
        // Two periods away is not a neighbour: another user, as far as we can tell.
        assert!(matches!(
            a.check(T, r, Some(&a.uid(238).unwrap()), None),
            Err(MikeyError::WrongResponder)
        ));
        // Period 0 has only a following neighbour.
        let p0 = NtpTimestamp::from_unix(-2_208_988_800 + 2_147_483_648, 0).unwrap();
        let early = McxIdentity::new("sip:x", "kms", KeyPeriods::new(1 << 40, 0).unwrap());
        assert_eq!(early.period_number(p0).unwrap(), 0);
        assert!(matches!(
            early.check(p0, r, Some(&early.uid(1).unwrap()), None),
            Err(MikeyError::UidFromOtherKeyPeriod { uid_period: 1, .. })
        ));
    }
}
