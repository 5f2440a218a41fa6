//! Freshly provisioned users under one SAKKE KMS and one ECCSI KMS (RFC 6509 scheme 1).

#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mikey::eccsi::rand_core::OsRng;
use mikey::eccsi::{Kpak, SigningKey};
use mikey::sakke::{Identifier, KmsPublicKey, Rsk};
use mikey::{
    build_i_message, BuiltIMessage, IMessageParams, NtpTimestamp, PartyId, ResponderParams,
};

/// 2011-02-15T12:00:00Z: the identifiers are "2011-02\0<uri>\0".
pub const T_UNIX: u64 = 1_297_771_200;

pub fn time() -> NtpTimestamp {
    NtpTimestamp::from_unix(T_UNIX as i64, 0).unwrap()
}

/// The responder's clock: five seconds after the initiator's.
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(T_UNIX + 5)
}

pub struct World {
    pub sakke: mikey::sakke::Kms,
    pub eccsi: mikey::eccsi::Kms,
}

pub struct User {
    pub id: PartyId,
    pub rsk: Rsk,
    pub signing_key: SigningKey,
}

impl World {
    pub fn new() -> Self {
        World {
            sakke: mikey::sakke::Kms::generate(),
            eccsi: mikey::eccsi::Kms::generate(&mut OsRng),
        }
    }

    pub fn z(&self) -> KmsPublicKey {
        self.sakke.public_key()
    }

    pub fn kpak(&self) -> Kpak {
        self.eccsi.kpak()
    }

    /// Keys for `uri` in the month of [`time`].
    pub fn user(&self, uri: &str) -> User {
        let id = PartyId::Uri(uri.to_string());
        let identifier = id.identifier(time()).unwrap();
        let rsk = self
            .sakke
            .issue_rsk(&Identifier::new(identifier.clone()).unwrap())
            .unwrap();
        let keys = self.eccsi.issue(&identifier, &mut OsRng).unwrap();
        let signing_key = SigningKey::new(&identifier, keys.ssk, keys.pvt, self.kpak()).unwrap();
        User {
            id,
            rsk,
            signing_key,
        }
    }
}

/// Alice (initiator) and Bob (responder).
pub struct Pair {
    pub world: World,
    pub alice: User,
    pub bob: User,
    pub z: KmsPublicKey,
    pub kpak: Kpak,
}

impl Pair {
    pub fn new() -> Self {
        let world = World::new();
        let alice = world.user("tel:+447700900123");
        let bob = world.user("tel:+447700900456");
        let z = world.z();
        let kpak = world.kpak();
        Pair {
            world,
            alice,
            bob,
            z,
            kpak,
        }
    }

    pub fn params(&self) -> IMessageParams<'_> {
        let mut p = IMessageParams::new(
            &self.alice.id,
            &self.bob.id,
            &self.alice.signing_key,
            &self.z,
        );
        p.time = Some(time());
        p.kms_initiator_uri = Some("kms.example.org");
        p.kms_responder_uri = Some("kms.example.org");
        p
    }

    pub fn build(&self) -> BuiltIMessage {
        build_i_message(&self.params(), &mut OsRng).unwrap()
    }

    pub fn responder_params(&self) -> ResponderParams<'_> {
        ResponderParams {
            responder: &self.bob.id,
            expected_initiator: Some(&self.alice.id),
            rsk: &self.bob.rsk,
            responder_kms: &self.z,
            initiator_kpak: &self.kpak,
            max_skew: Duration::from_secs(300),
            verifiers: None,
        }
    }
}
