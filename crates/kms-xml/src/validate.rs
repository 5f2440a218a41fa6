//! The cryptographic checks that make a parsed document safe to store: the KMS's keys
//! are points of the right groups, and each key set is the one the KMS meant for that
//! user, key period and KMS (UID derivation, RFC 6508 RSK check, RFC 6507 SSK check).

use eccsi::{Kpak, Pvt, Ssk};
use mikey::{mcx_uid, KeyPeriods};
use sakke::{Identifier, KmsPublicKey, ReceiverKey, Rsk};

use crate::document::{KmsCertificate, KmsKeySet, USER_ID_LEN};
use crate::error::{KmsXmlError, Result};

/// A KMS certificate's contents, checked: what a user needs from the KMS.
#[derive(Clone)]
pub struct KmsParams {
    pub kms_uri: String,
    /// PubEncKey, checked as a SAKKE public key Z (on the curve, in the subgroup).
    pub z: KmsPublicKey,
    /// PubAuthKey, checked as an ECCSI KPAK (on P-256, not the identity).
    pub kpak: Kpak,
    /// UserKeyPeriod and UserKeyOffset.
    pub periods: KeyPeriods,
}

/// One user's keys for one key period, checked against the KMS.
pub struct UserKeySet {
    pub user_uri: String,
    pub key_period_no: u64,
    /// The UID (= UserID), the SAKKE and ECCSI identifier of these keys.
    pub uid: [u8; USER_ID_LEN],
    pub rsk: Rsk,
    pub ssk: Ssk,
    pub pvt: Pvt,
}

impl KmsCertificate {
    /// Checks UserIdFormat (2 only), Revoked, the key period and both public keys.
    pub fn validate(&self) -> Result<KmsParams> {
        if self.user_id_format != "2" {
            return Err(KmsXmlError::UserIdFormat(self.user_id_format.clone()));
        }
        if self.revoked == Some(true) {
            return Err(KmsXmlError::Revoked {
                what: format!("the KMS certificate of {}", self.kms_uri),
            });
        }
        let periods = KeyPeriods::new(self.user_key_period, self.user_key_offset)
            .map_err(|_| KmsXmlError::ZeroKeyPeriod)?;
        let z = KmsPublicKey::from_bytes(&self.pub_enc_key).map_err(|e| KmsXmlError::BadKey {
            field: "PubEncKey",
            what: "SAKKE public key Z",
            reason: e.to_string(),
        })?;
        let kpak = Kpak::from_bytes(&self.pub_auth_key).map_err(|e| KmsXmlError::BadKey {
            field: "PubAuthKey",
            what: "ECCSI KPAK",
            reason: e.to_string(),
        })?;
        Ok(KmsParams {
            kms_uri: self.kms_uri.clone(),
            z,
            kpak,
            periods,
        })
    }
}

impl KmsKeySet {
    /// Checks the key set against its KMS: same KmsUri, not revoked, UserID the UID of
    /// (UserUri, KmsUri, UserKeyPeriod, UserKeyOffset, KeyPeriodNo), the RSK valid for
    /// that UID under Z (RFC 6508 6.1.2), and SSK + PVT valid for it under the KPAK
    /// (RFC 6507 5.1.2).
    pub fn validate(&self, kms: &KmsParams) -> Result<UserKeySet> {
        let uri = &self.user_uri;
        let no = self.key_period_no;
        if self.kms_uri != kms.kms_uri {
            return Err(KmsXmlError::OtherKms {
                what: format!("the key set of {uri}"),
                found: self.kms_uri.clone(),
                expected: kms.kms_uri.clone(),
            });
        }
        if self.revoked == Some(true) {
            return Err(KmsXmlError::Revoked {
                what: format!("the key set of {uri} for key period {no}"),
            });
        }
        if kms.periods.start_ntp_seconds(no).is_none() {
            return Err(KmsXmlError::KeyPeriodOutOfRange {
                uri: uri.clone(),
                key_period_no: no,
            });
        }
        let uid_of = |n: u64| {
            mcx_uid(
                uri,
                &kms.kms_uri,
                kms.periods.length(),
                kms.periods.offset(),
                n,
            )
            .map_err(|_| KmsXmlError::Empty { field: "UserUri" })
        };
        let uid = uid_of(no)?;
        if uid != self.user_id {
            for other in [no.checked_sub(1), no.checked_add(1)].into_iter().flatten() {
                if uid_of(other)? == self.user_id {
                    return Err(KmsXmlError::KeyPeriodMismatch {
                        uri: uri.clone(),
                        key_period_no: no,
                        uid_period: other,
                    });
                }
            }
            return Err(KmsXmlError::WrongUserId {
                uri: uri.clone(),
                key_period_no: no,
                found: hex::encode(self.user_id),
                derived: hex::encode(uid),
            });
        }
        let bad = |field, what, reason: String| KmsXmlError::BadKey {
            field,
            what,
            reason,
        };
        let rsk = Rsk::from_bytes(&self.user_decrypt_key)
            .map_err(|e| bad("UserDecryptKey", "SAKKE RSK", e.to_string()))?;
        let id = Identifier::new(uid.to_vec())
            .map_err(|e| bad("UserID", "SAKKE identifier", e.to_string()))?;
        ReceiverKey::new(&id, &kms.z, rsk.clone()).map_err(|e| {
            bad(
                "UserDecryptKey",
                "SAKKE RSK",
                format!("not the RSK of this UserID under PubEncKey: {e}"),
            )
        })?;
        let ssk = Ssk::from_bytes(&self.user_signing_key_ssk)
            .map_err(|e| bad("UserSigningKeySSK", "ECCSI SSK", e.to_string()))?;
        let pvt = Pvt::from_bytes(&self.user_pub_token_pvt)
            .map_err(|e| bad("UserPubTokenPVT", "ECCSI PVT", e.to_string()))?;
        eccsi::validate_ssk(&uid, &ssk, &pvt, &kms.kpak).map_err(|e| {
            bad(
                "UserSigningKeySSK",
                "ECCSI SSK",
                format!("SSK and PVT do not validate for this UserID under PubAuthKey: {e}"),
            )
        })?;
        Ok(UserKeySet {
            user_uri: uri.clone(),
            key_period_no: no,
            uid,
            rsk,
            ssk,
            pvt,
        })
    }
}
