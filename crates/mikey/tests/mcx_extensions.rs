//! 3GPP General Extensions: the key parameters (type 7) of the Streamwide messages read
//! and authenticated, built ones round-tripping for every key purpose, and SAKKE-to-self
//! (type 6) letting the initiator open its own message while nobody else can.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::mcx_world::McxWorld;
use common::streamwide;
use mikey::eccsi::rand_core::OsRng;
use mikey::eccsi::Kpak;
use mikey::sakke::{KmsPublicKey, Rsk, Ssv};
use mikey::{
    build_i_message, guk_id, open_i_message, open_own_i_message, IMessageParams, KeyParameters,
    KeyParametersForm, KeyPeriods, KeyPurpose, McxIdentity, Message, MikeyError, OwnParams,
    PartyId, Payload, ReplayCache, ResponderParams, EXT_KEY_PARAMETERS, EXT_SAKKE_TO_SELF,
};

fn streamwide_open(v: &streamwide::Vector) -> mikey::OpenedIMessage {
    let periods = KeyPeriods::new(16_777_215, 0).unwrap();
    let kms = "kms.mydev.streamwide.com";
    let me = PartyId::Mcx(McxIdentity::new(&v.responder, kms, periods));
    let z = KmsPublicKey::from_bytes(&streamwide::pub_enc_key()).unwrap();
    let kpak = Kpak::from_bytes(&streamwide::pub_auth_key()).unwrap();
    let rsk = Rsk::from_bytes(&streamwide::user(&v.responder).rsk).unwrap();
    let params = ResponderParams {
        responder: &me,
        expected_initiator: None,
        rsk: &rsk,
        responder_kms: &z,
        initiator_kpak: &kpak,
        max_skew: Duration::from_secs(60),
        verifiers: None,
    };
    let now = UNIX_EPOCH + Duration::from_secs(1_759_448_872 + 30);
    open_i_message(&v.message, &params, &mut ReplayCache::new(4), now).unwrap()
}

#[test]
fn streamwide_key_parameters_authenticate_and_decode() {
    let vectors = streamwide::vectors();
    let expected = [
        (KeyPurpose::Gmk, KeyParametersForm::Protected, Some(vec![0])),
        (KeyPurpose::Csk, KeyParametersForm::Protected, None),
        (KeyPurpose::Pck, KeyParametersForm::Protected, None),
        // The IWF's message is in the older, bare form (key types counted from 1).
        (KeyPurpose::Gmk, KeyParametersForm::Legacy, None),
    ];
    for (v, (purpose, form, groups)) in vectors.iter().zip(expected) {
        let opened = streamwide_open(v);
        let (params, got_form) = opened.key_parameters.expect("type 7 extension");
        assert_eq!(got_form, form, "{}", v.name);
        assert_eq!(params.key_type, purpose, "{}", v.name);
        assert_eq!(params.status, 1, "{}", v.name);
        assert!(params.in_force());
        assert_eq!(params.activation_time, [0; 5]);
        assert_eq!(params.expiry_time, [0; 5]);
        assert!(params.text.is_empty());
        assert_eq!(params.group_ids, groups, "{}", v.name);
    }
}

#[test]
fn streamwide_key_parameters_under_another_key_are_refused() {
    let v = &streamwide::vectors()[0];
    let message = Message::parse(&v.message).unwrap();
    let ext = message
        .payloads
        .iter()
        .find_map(|p| match p {
            Payload::GeneralExtension(e) if e.ext_type == EXT_KEY_PARAMETERS => Some(e),
            _ => None,
        })
        .unwrap();
    let csb_id = message.hdr.csb_id;
    assert!(KeyParameters::open(ext, &v.key, csb_id).is_ok());
    let mut other_key = v.key.clone();
    other_key[0] ^= 1;
    assert!(matches!(
        KeyParameters::open(ext, &other_key, csb_id),
        Err(MikeyError::KeyParametersTag)
    ));
    assert!(matches!(
        KeyParameters::open(ext, &v.key, csb_id ^ 1),
        Err(MikeyError::KeyParametersIdMismatch { .. })
    ));
}

/// A period of the test KMS, and a time in its middle.
const PERIOD: u64 = 1200;

fn mid_period(world: &McxWorld) -> mikey::NtpTimestamp {
    let start = world.periods.start_ntp_seconds(PERIOD).unwrap() as i64;
    mikey::NtpTimestamp::from_unix(start + 1_000_000 - mikey::NTP_UNIX_OFFSET, 0).unwrap()
}

fn now_of(t: mikey::NtpTimestamp) -> SystemTime {
    t.to_system_time().unwrap()
}

#[test]
fn every_key_purpose_carries_its_parameters_and_a_copy_to_self() {
    let world = McxWorld::new();
    let gms = world.user("sip:gms@example.org", PERIOD);
    let bob = world.user("sip:bob@example.org", PERIOD);
    let z = world.sakke.public_key();
    let kpak = world.eccsi.kpak();
    let t = mid_period(&world);
    for tag in 0..7u8 {
        let purpose = KeyPurpose::from_tag(tag).unwrap();
        let key = Ssv::random();
        let key_id = purpose.key_id(0x0abc_def0);
        let csb_id = match purpose {
            KeyPurpose::Gmk => guk_id(key_id, key.as_bytes(), "sip:bob@example.org").unwrap(),
            _ => key_id,
        };
        let mut key_parameters = KeyParameters::new(purpose);
        key_parameters.text = format!("{purpose} for the incident").into_bytes();
        key_parameters.expiry_time = [0, 0, 0, 1, 2];
        let mut params = IMessageParams::new(&gms.id, &bob.id, &gms.signing_key, &z);
        params.time = Some(t);
        params.ssv = Some(&key);
        params.csb_id = Some(csb_id);
        params.sakke_to_self = Some(&z);
        params.key_parameters = Some(key_parameters.clone());
        let built = build_i_message(&params, &mut OsRng).unwrap();

        // The responder gets the key and its parameters.
        let opened = world
            .open(&built.bytes, &bob, Some(&gms.id), now_of(t))
            .unwrap();
        assert_eq!(opened.ssv.as_bytes(), key.as_bytes(), "{purpose}");
        assert_eq!(
            opened.key_parameters,
            Some((key_parameters.clone(), KeyParametersForm::Protected))
        );
        // Extensions in the order built: SAKKE-to-self, then key parameters, then SIGN.
        let kinds: Vec<u8> = opened
            .message
            .payloads
            .iter()
            .filter_map(|p| match p {
                Payload::GeneralExtension(e) => Some(e.ext_type),
                _ => None,
            })
            .collect();
        assert_eq!(kinds, [EXT_SAKKE_TO_SELF, EXT_KEY_PARAMETERS]);
        assert_eq!(opened.message.to_bytes().unwrap(), built.bytes);

        // The initiator opens its own message through SAKKE-to-self.
        let own = OwnParams {
            initiator: &gms.id,
            rsk: &gms.rsk,
            kms: &z,
            kpak: &kpak,
            max_skew: Duration::from_secs(300),
            verifiers: None,
        };
        let mut cache = ReplayCache::new(4);
        let mine = open_own_i_message(&built.bytes, &own, &mut cache, now_of(t)).unwrap();
        assert_eq!(mine.ssv.as_bytes(), key.as_bytes(), "{purpose}");
        assert_eq!(mine.initiator, gms.id);
        assert_eq!(mine.key_parameters, opened.key_parameters);
        assert_eq!(
            mine.keys.traffic_keys(0, Default::default()),
            opened.keys.traffic_keys(0, Default::default())
        );
        // Once.
        assert!(matches!(
            open_own_i_message(&built.bytes, &own, &mut cache, now_of(t)),
            Err(MikeyError::Replay)
        ));
    }
}

#[test]
fn only_the_initiator_opens_the_copy_to_self() {
    let world = McxWorld::new();
    let gms = world.user("sip:gms@example.org", PERIOD);
    let bob = world.user("sip:bob@example.org", PERIOD);
    let z = world.sakke.public_key();
    let kpak = world.eccsi.kpak();
    let t = mid_period(&world);
    let mut params = IMessageParams::new(&gms.id, &bob.id, &gms.signing_key, &z);
    params.time = Some(t);
    params.sakke_to_self = Some(&z);
    let built = build_i_message(&params, &mut OsRng).unwrap();
    let own_params = |who: &'_ mikey::PartyId, rsk: &'_ Rsk| -> Result<(), MikeyError> {
        let own = OwnParams {
            initiator: who,
            rsk,
            kms: &z,
            kpak: &kpak,
            max_skew: Duration::from_secs(300),
            verifiers: None,
        };
        open_own_i_message(&built.bytes, &own, &mut ReplayCache::new(4), now_of(t)).map(|_| ())
    };
    assert!(own_params(&gms.id, &gms.rsk).is_ok());
    // The responder is not the initiator: its IDRs do not name it.
    assert!(matches!(
        own_params(&bob.id, &bob.rsk),
        Err(MikeyError::WrongInitiator)
    ));
    // The initiator's name with another user's RSK: decapsulation fails, no key.
    assert!(matches!(
        own_params(&gms.id, &bob.rsk),
        Err(MikeyError::Decapsulation(_))
    ));

    // Without the extension there is nothing for the initiator to open.
    params.sakke_to_self = None;
    let plain = build_i_message(&params, &mut OsRng).unwrap();
    let own = OwnParams {
        initiator: &gms.id,
        rsk: &gms.rsk,
        kms: &z,
        kpak: &kpak,
        max_skew: Duration::from_secs(300),
        verifiers: None,
    };
    assert!(matches!(
        open_own_i_message(&plain.bytes, &own, &mut ReplayCache::new(4), now_of(t)),
        Err(MikeyError::NoSakkeToSelf)
    ));
}

#[test]
fn parameters_that_do_not_authenticate_reject_the_message() {
    let world = McxWorld::new();
    let gms = world.user("sip:gms@example.org", PERIOD);
    let bob = world.user("sip:bob@example.org", PERIOD);
    let z = world.sakke.public_key();
    let t = mid_period(&world);
    // Signed, but sealed under a key other than the one carried (a broken sender).
    let wrong = KeyParameters::new(KeyPurpose::Pck)
        .seal(&[0x55; 16], 0x1000_0001, [3; 16])
        .unwrap();
    let mut params = IMessageParams::new(&gms.id, &bob.id, &gms.signing_key, &z);
    params.time = Some(t);
    params.csb_id = Some(0x1000_0001);
    params.extensions = vec![wrong.clone()];
    let built = build_i_message(&params, &mut OsRng).unwrap();
    let z = world.sakke.public_key();
    let kpak = world.eccsi.kpak();
    let responder = ResponderParams {
        responder: &bob.id,
        expected_initiator: Some(&gms.id),
        rsk: &bob.rsk,
        responder_kms: &z,
        initiator_kpak: &kpak,
        max_skew: Duration::from_secs(300),
        verifiers: None,
    };
    let mut cache = ReplayCache::new(4);
    assert!(matches!(
        open_i_message(&built.bytes, &responder, &mut cache, now_of(t)),
        Err(MikeyError::KeyParametersTag)
    ));
    // Nothing entered the replay cache: the same bytes fail the same way, not as a replay.
    assert!(matches!(
        open_i_message(&built.bytes, &responder, &mut cache, now_of(t)),
        Err(MikeyError::KeyParametersTag)
    ));
    // Two key-parameter extensions are a malformed message.
    params.extensions = vec![wrong.clone(), wrong];
    let built = build_i_message(&params, &mut OsRng).unwrap();
    assert!(matches!(
        open_i_message(&built.bytes, &responder, &mut cache, now_of(t)),
        Err(MikeyError::DuplicatePayload(
            mikey::PayloadKind::GeneralExtension
        ))
    ));
}
