//! 3GPP MCX (TS 33.180) identities: the Streamwide messages opened from the URIs and the
//! KMS data alone, and messages of every key purpose built and opened with UIDs derived
//! per key period, with each kind of UID mismatch rejected by its own error.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::mcx_world::{McxUser, McxWorld};
use common::streamwide;
use mikey::eccsi::rand_core::OsRng;
use mikey::eccsi::Kpak;
use mikey::sakke::{KmsPublicKey, Rsk, Ssv};
use mikey::{
    build_i_message, guk_id, open_i_message, received_key_id, IMessageParams, IdRole, KeyPeriods,
    KeyPurpose, McxIdentity, MikeyError, NtpTimestamp, PartyId, ReplayCache, ResponderParams,
    NTP_UNIX_OFFSET,
};

const KMS_URI: &str = "kms.mydev.streamwide.com";

/// The Streamwide KMS: UserKeyPeriod 16777215, UserKeyOffset 0.
fn streamwide_periods() -> KeyPeriods {
    KeyPeriods::new(16_777_215, 0).unwrap()
}

fn streamwide_id(uri: &str) -> McxIdentity {
    McxIdentity::new(uri, KMS_URI, streamwide_periods())
}

/// The messages' T (2025-10-02T23:47:52Z) plus 30 s.
fn streamwide_now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_759_448_872 + 30)
}

#[test]
fn the_four_users_uids_come_from_their_uris() {
    let users = streamwide::users();
    assert_eq!(users.len(), 4);
    for u in users {
        assert_eq!(streamwide_id(&u.uri).uid(236).unwrap(), u.uid, "{}", u.uri);
        // The messages' T is in KeyPeriodNo 236.
        let t = NtpTimestamp(0xec89_8da8_0000_0000);
        assert_eq!(streamwide_id(&u.uri).uid_at(t).unwrap(), u.uid, "{}", u.uri);
    }
}

/// The acceptance test: no UID supplied anywhere, only URIs, the KMS URI and its key
/// period data, and the responder's RSK.
#[test]
fn streamwide_messages_open_from_uris_and_kms_data_alone() {
    let z = KmsPublicKey::from_bytes(&streamwide::pub_enc_key()).unwrap();
    let kpak = Kpak::from_bytes(&streamwide::pub_auth_key()).unwrap();
    let purposes = [
        KeyPurpose::Gmk,
        KeyPurpose::Csk,
        KeyPurpose::Pck,
        KeyPurpose::Gmk,
    ];
    let vectors = streamwide::vectors();
    assert_eq!(vectors.len(), 4);
    for (v, purpose) in vectors.iter().zip(purposes) {
        let me = PartyId::Mcx(streamwide_id(&v.responder));
        let them = PartyId::Mcx(streamwide_id(&v.initiator));
        let rsk = Rsk::from_bytes(&streamwide::user(&v.responder).rsk).unwrap();
        for expected in [Some(&them), None] {
            let params = ResponderParams {
                responder: &me,
                expected_initiator: expected,
                rsk: &rsk,
                responder_kms: &z,
                initiator_kpak: &kpak,
                max_skew: Duration::from_secs(60),
                verifiers: None,
            };
            let mut cache = ReplayCache::new(4);
            let opened = open_i_message(&v.message, &params, &mut cache, streamwide_now())
                .unwrap_or_else(|e| panic!("{}: {e}", v.name));
            assert_eq!(opened.ssv.as_bytes()[..], v.key[..], "{}", v.name);
            let (got_purpose, id) =
                received_key_id(opened.message.hdr.csb_id, &v.key, &v.responder).unwrap();
            assert_eq!((got_purpose, id), (purpose, v.key_id), "{}", v.name);
            assert_eq!(opened.message.to_bytes().unwrap(), v.message, "{}", v.name);
            match expected {
                // The signer is the initiator named by URI.
                Some(_) => assert_eq!(opened.initiator, them),
                // Without it, the signer is known by the UID the signature proves.
                None => assert_eq!(
                    opened.initiator.uid(),
                    Some(&streamwide::user(&v.initiator).uid)
                ),
            }
        }
    }
}

fn open_streamwide(
    v: &streamwide::Vector,
    me: &PartyId,
    them: Option<&PartyId>,
) -> Result<(), MikeyError> {
    let z = KmsPublicKey::from_bytes(&streamwide::pub_enc_key()).unwrap();
    let kpak = Kpak::from_bytes(&streamwide::pub_auth_key()).unwrap();
    let rsk = Rsk::from_bytes(&streamwide::user(&v.responder).rsk).unwrap();
    let params = ResponderParams {
        responder: me,
        expected_initiator: them,
        rsk: &rsk,
        responder_kms: &z,
        initiator_kpak: &kpak,
        max_skew: Duration::from_secs(60),
        verifiers: None,
    };
    open_i_message(
        &v.message,
        &params,
        &mut ReplayCache::new(4),
        streamwide_now(),
    )
    .map(|_| ())
}

#[test]
fn streamwide_messages_for_another_user_or_kms_are_rejected() {
    let v = &streamwide::vectors()[0]; // GMK, gms -> alice
    let gms = PartyId::Mcx(streamwide_id(&v.initiator));
    // Bob opening alice's message.
    let bob = PartyId::Mcx(streamwide_id("sip:bob@streamwide.com"));
    assert!(matches!(
        open_streamwide(v, &bob, None),
        Err(MikeyError::WrongResponder)
    ));
    // Alice, but provisioned by another KMS: the IDRkmsr says which one it was for.
    let other_kms = PartyId::Mcx(McxIdentity::new(
        &v.responder,
        "kms.other.example",
        streamwide_periods(),
    ));
    assert!(matches!(
        open_streamwide(v, &other_kms, None),
        Err(MikeyError::UidFromOtherKms {
            role: IdRole::KmsResponder
        })
    ));
    // The expected signer at another KMS, or another signer altogether.
    let gms_elsewhere = PartyId::Mcx(McxIdentity::new(
        &v.initiator,
        "kms.other.example",
        streamwide_periods(),
    ));
    let alice = PartyId::Mcx(streamwide_id(&v.responder));
    assert!(matches!(
        open_streamwide(v, &alice, Some(&gms_elsewhere)),
        Err(MikeyError::UidFromOtherKms {
            role: IdRole::KmsInitiator
        })
    ));
    assert!(matches!(
        open_streamwide(v, &alice, Some(&bob)),
        Err(MikeyError::WrongInitiator)
    ));
    assert!(open_streamwide(v, &alice, Some(&gms)).is_ok());
    // A KMS whose periods are shorter puts T in another period than 236: the UIDs are
    // not this user's for a neighbouring period either.
    let short = PartyId::Mcx(McxIdentity::new(
        &v.responder,
        KMS_URI,
        KeyPeriods::new(2_592_000, 0).unwrap(),
    ));
    assert!(matches!(
        open_streamwide(v, &short, None),
        Err(MikeyError::WrongResponder)
    ));
}

/// A period of the test KMS (1998-06 to 1998-07).
const PERIOD: u64 = 1200;

fn time_in_period(world: &McxWorld, seconds_in: u64) -> NtpTimestamp {
    let start = world.periods.start_ntp_seconds(PERIOD).unwrap() as i64;
    NtpTimestamp::from_unix(start + seconds_in as i64 - NTP_UNIX_OFFSET, 0).unwrap()
}

#[test]
fn every_key_purpose_round_trips_with_derived_uids() {
    let world = McxWorld::new();
    let alice = world.user("sip:alice@example.org", PERIOD);
    let bob = world.user("sip:bob@example.org", PERIOD);
    let z = world.sakke.public_key();
    // The last second of the period: the UID is still this period's.
    let t = time_in_period(&world, 2_592_000 - 1);
    for tag in 0..7u8 {
        let purpose = KeyPurpose::from_tag(tag).unwrap();
        let key_id = purpose.key_id(0x0123_4567);
        let key = Ssv::random();
        // A GMK travels under the receiver's GUK-ID; every other key under its ID.
        let csb_id = match purpose {
            KeyPurpose::Gmk => guk_id(key_id, key.as_bytes(), "sip:bob@example.org").unwrap(),
            _ => key_id,
        };
        let mut params = IMessageParams::new(&alice.id, &bob.id, &alice.signing_key, &z);
        params.time = Some(t);
        params.ssv = Some(&key);
        params.csb_id = Some(csb_id);
        let built = build_i_message(&params, &mut OsRng).unwrap();
        let now = t.to_system_time().unwrap();
        let opened = world
            .open(&built.bytes, &bob, Some(&alice.id), now)
            .unwrap();
        assert_eq!(opened.ssv.as_bytes(), key.as_bytes(), "{purpose}");
        assert_eq!(
            received_key_id(
                opened.message.hdr.csb_id,
                key.as_bytes(),
                "sip:bob@example.org"
            )
            .unwrap(),
            (purpose, key_id)
        );
        // Only UIDs and KMS URIs name the parties (identity hiding).
        let roles: Vec<IdRole> = opened
            .message
            .payloads
            .iter()
            .filter_map(|p| match p {
                mikey::Payload::Idr(i) => Some(i.role),
                _ => None,
            })
            .collect();
        assert_eq!(
            roles,
            [
                IdRole::InitiatorUid,
                IdRole::ResponderUid,
                IdRole::KmsInitiator,
                IdRole::KmsResponder
            ]
        );
    }
}

#[test]
fn uids_of_another_key_period_are_rejected() {
    let world = McxWorld::new();
    let alice = world.user("sip:alice@example.org", PERIOD);
    let alice_next = world.user("sip:alice@example.org", PERIOD + 1);
    let bob = world.user("sip:bob@example.org", PERIOD);
    let bob_next = world.user("sip:bob@example.org", PERIOD + 1);
    let z = world.sakke.public_key();
    let uid_of = |user: &McxUser, n: u64| match &user.id {
        PartyId::Mcx(m) => PartyId::Uid {
            uid: m.uid(n).unwrap(),
            uri: None,
        },
        other => other.clone(),
    };
    // Sent in the first second of the next period, as a sender still holding last
    // period's directory or keys would.
    let t = time_in_period(&world, 2_592_000);
    let now = t.to_system_time().unwrap();

    // To bob's UID of the period before: bob learns which period it was for.
    let stale_bob = uid_of(&bob, PERIOD);
    let mut params = IMessageParams::new(&alice_next.id, &stale_bob, &alice_next.signing_key, &z);
    params.time = Some(t);
    let built = build_i_message(&params, &mut OsRng).unwrap();
    assert!(matches!(
        world.open(&built.bytes, &bob_next, Some(&alice.id), now),
        Err(MikeyError::UidFromOtherKeyPeriod {
            role: IdRole::ResponderUid,
            message_period: 1201,
            uid_period: 1200
        })
    ));

    // Signed with alice's keys of the period before.
    let stale_alice = uid_of(&alice, PERIOD);
    let mut params = IMessageParams::new(&stale_alice, &bob_next.id, &alice.signing_key, &z);
    params.time = Some(t);
    let built = build_i_message(&params, &mut OsRng).unwrap();
    assert!(matches!(
        world.open(&built.bytes, &bob_next, Some(&alice.id), now),
        Err(MikeyError::UidFromOtherKeyPeriod {
            role: IdRole::InitiatorUid,
            message_period: 1201,
            uid_period: 1200
        })
    ));
    // Without an expected initiator the signature is checked against the UID sent,
    // which is valid: the caller sees who signed it (a UID without a URI).
    let opened = world.open(&built.bytes, &bob_next, None, now).unwrap();
    assert_eq!(opened.initiator, stale_alice);

    // And a well-dated message of the last second of the period opens with either
    // side's keys for that period, not the next one's.
    let t_last = time_in_period(&world, 2_592_000 - 1);
    let mut params = IMessageParams::new(&alice.id, &bob.id, &alice.signing_key, &z);
    params.time = Some(t_last);
    let built = build_i_message(&params, &mut OsRng).unwrap();
    let now = t_last.to_system_time().unwrap();
    assert!(world.open(&built.bytes, &bob, Some(&alice.id), now).is_ok());
    // An expected initiator on a grid shifted by one period is another user, not
    // another period: UserKeyOffset is hashed into the UID.
    let regrid = PartyId::Mcx(McxIdentity::new(
        "sip:alice@example.org",
        "kms.example.org",
        KeyPeriods::new(2_592_000, 100 + 2_592_000).unwrap(),
    ));
    assert!(matches!(
        world.open(&built.bytes, &bob, Some(&regrid), now),
        Err(MikeyError::WrongInitiator)
    ));
    // Signing with period 1200's key but building for period 1201's time is refused
    // by the builder: the UID for T is not the key's.
    let mut params = IMessageParams::new(&alice.id, &bob_next.id, &alice.signing_key, &z);
    params.time = Some(t);
    assert!(matches!(
        build_i_message(&params, &mut OsRng),
        Err(MikeyError::SigningKeyMismatch)
    ));
}

#[test]
fn building_for_a_time_before_the_offset_fails() {
    let world = McxWorld::new();
    let alice = world.user("sip:alice@example.org", 0);
    let bob = world.user("sip:bob@example.org", 0);
    let z = world.sakke.public_key();
    // A KMS whose first period starts on 2100-01-01: a message of 2025 has no period.
    let late = KeyPeriods::new(2_592_000, 4_102_444_800 + NTP_UNIX_OFFSET as u64).unwrap();
    let early_alice = PartyId::Mcx(McxIdentity::new(
        "sip:alice@example.org",
        "kms.example.org",
        late,
    ));
    let mut params = IMessageParams::new(&early_alice, &bob.id, &alice.signing_key, &z);
    params.time = Some(NtpTimestamp::from_unix(1_759_448_872, 0).unwrap());
    assert!(matches!(
        build_i_message(&params, &mut OsRng),
        Err(MikeyError::BeforeKeyPeriodOffset { .. })
    ));
}
