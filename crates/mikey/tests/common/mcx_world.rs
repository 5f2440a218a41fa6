//! A 3GPP KMS (SAKKE and ECCSI, one key-period grid) and its users, for tests that
//! build and open MCX messages.

#![allow(dead_code)]

use std::time::{Duration, SystemTime};

use mikey::eccsi::rand_core::OsRng;
use mikey::eccsi::SigningKey;
use mikey::sakke::{Identifier, Rsk};
use mikey::{
    open_i_message, KeyPeriods, McxIdentity, MikeyError, PartyId, ReplayCache, ResponderParams,
};

/// One KMS for SAKKE and ECCSI with 3GPP key periods.
pub struct McxWorld {
    pub sakke: mikey::sakke::Kms,
    pub eccsi: mikey::eccsi::Kms,
    pub periods: KeyPeriods,
}

pub struct McxUser {
    pub id: PartyId,
    pub rsk: Rsk,
    pub signing_key: SigningKey,
}

impl McxWorld {
    pub fn new() -> Self {
        McxWorld {
            sakke: mikey::sakke::Kms::generate(),
            eccsi: mikey::eccsi::Kms::generate(&mut OsRng),
            // 30-day periods counted from 100 s after 1900-01-01.
            periods: KeyPeriods::new(2_592_000, 100).unwrap(),
        }
    }

    /// Keys for `uri` for key period `period_no`.
    pub fn user(&self, uri: &str, period_no: u64) -> McxUser {
        let identity = McxIdentity::new(uri, "kms.example.org", self.periods);
        let uid = identity.uid(period_no).unwrap();
        let rsk = self
            .sakke
            .issue_rsk(&Identifier::new(uid.to_vec()).unwrap())
            .unwrap();
        let keys = self.eccsi.issue(&uid, &mut OsRng).unwrap();
        let signing_key = SigningKey::new(&uid, keys.ssk, keys.pvt, self.eccsi.kpak()).unwrap();
        McxUser {
            id: PartyId::Mcx(identity),
            rsk,
            signing_key,
        }
    }

    pub fn open(
        &self,
        bytes: &[u8],
        me: &McxUser,
        them: Option<&PartyId>,
        now: SystemTime,
    ) -> Result<mikey::OpenedIMessage, MikeyError> {
        let z = self.sakke.public_key();
        let kpak = self.eccsi.kpak();
        let params = ResponderParams {
            responder: &me.id,
            expected_initiator: them,
            rsk: &me.rsk,
            responder_kms: &z,
            initiator_kpak: &kpak,
            max_skew: Duration::from_secs(300),
            verifiers: None,
        };
        open_i_message(bytes, &params, &mut ReplayCache::new(4), now)
    }
}
