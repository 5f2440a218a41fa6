//! Every way an I_MESSAGE is refused: each gives its own typed error, and an error
//! means no SSV or derived key is released.

mod common;

use std::time::Duration;

use common::provision::{self, Pair};
use common::streamwide;
use mikey::eccsi::rand_core::OsRng;
use mikey::{
    build_i_message, open_i_message, IdRole, Message, MikeyError, NextPayload, NtpTimestamp,
    OpenedIMessage, PartyId, Payload, PayloadKind, ReplayCache, Result, SignatureType, Timestamp,
    ECCSI_SIGNATURE_LEN,
};

fn open(pair: &Pair, bytes: &[u8]) -> Result<OpenedIMessage> {
    open_i_message(
        bytes,
        &pair.responder_params(),
        &mut ReplayCache::new(4),
        provision::now(),
    )
}

/// Re-encode and re-sign with Alice's key, so that only the structural change is wrong.
fn resign(pair: &Pair, m: &Message) -> Vec<u8> {
    let mut bytes = m
        .to_signed_bytes(SignatureType::Eccsi, ECCSI_SIGNATURE_LEN)
        .unwrap();
    let sig = pair.alice.signing_key.sign(&bytes, &mut OsRng);
    bytes.extend_from_slice(&sig.to_bytes());
    bytes
}

/// Start offset of every payload after the header, and of SIGN.
fn boundaries(m: &Message) -> Vec<(PayloadKind, usize)> {
    let mut out = Vec::new();
    for k in 1..=m.payloads.len() {
        let prefix = Message {
            hdr: m.hdr.clone(),
            payloads: m.payloads[..k].to_vec(),
            sign: None,
        };
        let end = prefix.to_bytes().unwrap().len();
        let kind = m.payloads.get(k).map_or(PayloadKind::Sign, Payload::kind);
        out.push((kind, end));
    }
    out.insert(0, (m.payloads[0].kind(), hdr_len(m)));
    out
}

/// Length of the encoded header: an HDR followed by an empty General Extension is
/// HDR + 4 bytes.
fn hdr_len(m: &Message) -> usize {
    let probe = Message {
        hdr: m.hdr.clone(),
        payloads: vec![Payload::GeneralExtension(mikey::GeneralExtension {
            ext_type: 0,
            data: vec![],
        })],
        sign: None,
    };
    probe.to_bytes().unwrap().len() - 4
}

#[test]
fn every_truncation_is_rejected_and_payload_boundaries_name_the_missing_payload() {
    let pair = Pair::new();
    let built = pair.build();
    let mut messages = vec![built.bytes.clone()];
    messages.extend(streamwide::vectors().into_iter().map(|v| v.message));
    for bytes in &messages {
        for len in 0..bytes.len() {
            match Message::parse(&bytes[..len]) {
                Err(MikeyError::Truncated { .. }) => {}
                other => panic!("prefix {len}: {other:?}"),
            }
        }
        let m = Message::parse(bytes).unwrap();
        for (kind, offset) in boundaries(&m) {
            let field = if kind == PayloadKind::Sign {
                "S type / signature len"
            } else {
                "next payload"
            };
            match Message::parse(&bytes[..offset]) {
                Err(MikeyError::Truncated { payload, field: f }) => {
                    assert_eq!((payload, f), (kind, field), "boundary {offset}")
                }
                other => panic!("boundary {offset}: {other:?}"),
            }
        }
    }
    // Through the responder API too: an error, so no key.
    for len in 0..built.bytes.len() {
        assert!(matches!(
            open(&pair, &built.bytes[..len]),
            Err(MikeyError::Truncated { .. })
        ));
    }
}

#[test]
fn wrong_next_payload_chain() {
    let pair = Pair::new();
    let built = pair.build();
    let m = Message::parse(&built.bytes).unwrap();
    let b = boundaries(&m);

    // HDR announcing nothing, or SIGN straight away.
    let mut bytes = built.bytes.clone();
    bytes[2] = 0;
    assert!(matches!(
        open(&pair, &bytes),
        Err(MikeyError::BadNextPayload {
            payload: PayloadKind::Hdr,
            next: NextPayload::Last
        })
    ));
    bytes[2] = 4;
    assert!(matches!(
        open(&pair, &bytes),
        Err(MikeyError::BadNextPayload {
            payload: PayloadKind::Hdr,
            next: NextPayload::Payload(PayloadKind::Sign)
        })
    ));

    // The payload before SIGN claiming to be last: SIGN becomes trailing bytes.
    let (_, sakke_at) = b[b.len() - 2];
    let mut bytes = built.bytes.clone();
    assert_eq!(bytes[sakke_at], 4);
    bytes[sakke_at] = 0;
    assert!(matches!(
        open(&pair, &bytes),
        Err(MikeyError::TrailingBytes { count: 131 })
    ));

    // T announcing IDR instead of RAND: the RAND bytes are misread; rejected.
    let (_, t_at) = b[0];
    let mut bytes = built.bytes.clone();
    assert_eq!(bytes[t_at], 11);
    bytes[t_at] = 14;
    assert!(open(&pair, &bytes).is_err());

    // A self-consistent, correctly signed chain in the wrong order (RAND before T).
    let mut swapped = m.clone();
    swapped.payloads.swap(0, 1);
    assert!(matches!(
        open(&pair, &resign(&pair, &swapped)),
        Err(MikeyError::BadNextPayload {
            payload: PayloadKind::Hdr,
            next: NextPayload::Payload(PayloadKind::Rand)
        })
    ));
    // SAKKE before the IDRs.
    let mut moved = m.clone();
    let sakke = moved.payloads.pop().unwrap();
    moved.payloads.insert(2, sakke);
    assert!(matches!(
        open(&pair, &resign(&pair, &moved)),
        Err(MikeyError::BadNextPayload {
            payload: PayloadKind::Sakke,
            next: NextPayload::Payload(PayloadKind::Idr)
        })
    ));
    // Missing, duplicated.
    let mut no_rand = m.clone();
    no_rand.payloads.remove(1);
    assert!(matches!(
        open(&pair, &resign(&pair, &no_rand)),
        Err(MikeyError::MissingPayload(PayloadKind::Rand))
    ));
    let mut two_t = m.clone();
    two_t.payloads.insert(0, m.payloads[0].clone());
    assert!(matches!(
        open(&pair, &resign(&pair, &two_t)),
        Err(MikeyError::DuplicatePayload(PayloadKind::Timestamp))
    ));
    let mut two_idrr = m.clone();
    two_idrr.payloads.insert(3, m.payloads[3].clone());
    assert!(matches!(
        open(&pair, &resign(&pair, &two_idrr)),
        Err(MikeyError::DuplicateIdentity(IdRole::Responder))
    ));
    let unsigned = Message {
        sign: None,
        ..m.clone()
    };
    assert!(matches!(
        open(&pair, &unsigned.to_bytes().unwrap()),
        Err(MikeyError::MissingPayload(PayloadKind::Sign))
    ));
}

#[test]
fn unknown_or_unsupported_mandatory_payload() {
    let pair = Pair::new();
    let built = pair.build();
    let b = boundaries(&Message::parse(&built.bytes).unwrap());
    let (_, rand_at) = b[1];
    for (value, expect_unknown) in [
        (19u8, true),
        (99, true),
        (255, true),
        (1, false),
        (7, false),
    ] {
        let mut bytes = built.bytes.clone();
        bytes[rand_at] = value; // RAND's next payload
        match open(&pair, &bytes) {
            Err(MikeyError::UnknownPayload { after, value: v }) if expect_unknown => {
                assert_eq!((after, v), (PayloadKind::Rand, value))
            }
            Err(MikeyError::UnsupportedPayload { after, payload }) if !expect_unknown => {
                assert_eq!(after, PayloadKind::Rand);
                assert_eq!(payload.next_payload_value(), Some(value));
            }
            other => panic!("value {value}: {other:?}"),
        }
    }
}

#[test]
fn bad_lengths() {
    let pair = Pair::new();
    let built = pair.build();
    let m = Message::parse(&built.bytes).unwrap();
    let b = boundaries(&m);
    let (_, sakke_at) = b[b.len() - 2];
    let (_, sign_at) = b[b.len() - 1];

    // SAKKE data length 272 / 274.
    for len in [272u16, 274] {
        let mut bytes = built.bytes.clone();
        bytes[sakke_at + 3..sakke_at + 5].copy_from_slice(&len.to_be_bytes());
        assert!(matches!(
            open(&pair, &bytes),
            Err(MikeyError::BadLength {
                payload: PayloadKind::Sakke,
                field: "SAKKE data length",
                len: l
            }) if l == usize::from(len)
        ));
    }
    // ECCSI signature len 128.
    let mut bytes = built.bytes.clone();
    bytes[sign_at + 1] = 128;
    assert!(matches!(
        open(&pair, &bytes),
        Err(MikeyError::BadLength {
            payload: PayloadKind::Sign,
            field: "signature len",
            len: 128
        })
    ));
    // IDR length running past the end.
    let (_, idr_at) = b[2];
    let mut bytes = built.bytes.clone();
    bytes[idr_at + 3..idr_at + 5].copy_from_slice(&0xffffu16.to_be_bytes());
    assert!(matches!(
        open(&pair, &bytes),
        Err(MikeyError::Truncated {
            payload: PayloadKind::Idr,
            field: "ID data"
        })
    ));
    // RAND shorter than 128 bits (re-signed).
    let mut short = m.clone();
    short.payloads[1] = Payload::Rand(mikey::RandPayload { rand: vec![7; 15] });
    assert!(matches!(
        open(&pair, &resign(&pair, &short)),
        Err(MikeyError::BadLength {
            payload: PayloadKind::Rand,
            field: "RAND len",
            len: 15
        })
    ));
}

#[test]
fn sakke_params_other_than_1() {
    let pair = Pair::new();
    let built = pair.build();
    let b = boundaries(&Message::parse(&built.bytes).unwrap());
    let (_, sakke_at) = b[b.len() - 2];
    for params in [0u8, 2, 240, 255] {
        let mut bytes = built.bytes.clone();
        assert_eq!(bytes[sakke_at + 1], 1);
        bytes[sakke_at + 1] = params;
        assert!(matches!(
            open(&pair, &bytes),
            Err(MikeyError::UnsupportedSakkeParams(p)) if p == params
        ));
    }
    let mut bytes = built.bytes.clone();
    bytes[sakke_at + 2] = 3; // ID scheme
    assert!(matches!(
        open(&pair, &bytes),
        Err(MikeyError::UnsupportedIdScheme(3))
    ));
}

#[test]
fn signature_over_altered_bytes() {
    let pair = Pair::new();
    let built = pair.build();
    assert!(open(&pair, &built.bytes).is_ok());
    let mut bad_signature = 0;
    for i in 0..built.bytes.len() {
        let mut bytes = built.bytes.clone();
        bytes[i] ^= 0x01;
        match open(&pair, &bytes) {
            Ok(_) => panic!("flipped byte {i} accepted"),
            Err(MikeyError::BadSignature(_)) => bad_signature += 1,
            Err(_) => {}
        }
    }
    // Every byte whose change still parses (RAND, URIs, SAKKE data, signature, ...) is
    // caught by the signature.
    assert!(bad_signature > built.bytes.len() / 2, "{bad_signature}");
    let mut bytes = built.bytes.clone();
    let n = bytes.len();
    bytes[n - 100] ^= 0x80; // inside s
    assert!(matches!(
        open(&pair, &bytes),
        Err(MikeyError::BadSignature(_))
    ));
}

#[test]
fn timestamp_out_of_window() {
    let pair = Pair::new();
    let built = pair.build();
    let params = pair.responder_params(); // 300 s window
    let t = provision::T_UNIX;
    for (offset, ok) in [
        (300i64, true),
        (-300, true),
        (301, false),
        (-301, false),
        (86_400, false),
    ] {
        let now = std::time::UNIX_EPOCH + Duration::from_secs((t as i64 + offset) as u64);
        let result = open_i_message(&built.bytes, &params, &mut ReplayCache::new(4), now);
        if ok {
            assert!(result.is_ok(), "offset {offset}");
        } else {
            match result {
                Err(MikeyError::TimestampOutOfWindow { skew_seconds }) => {
                    assert_eq!(skew_seconds, -offset)
                }
                other => panic!("offset {offset}: {other:?}"),
            }
        }
    }
}

#[test]
fn replayed_message() {
    let pair = Pair::new();
    let built = pair.build();
    let mut cache = ReplayCache::new(4);
    let params = pair.responder_params();
    assert!(open_i_message(&built.bytes, &params, &mut cache, provision::now()).is_ok());
    assert!(matches!(
        open_i_message(&built.bytes, &params, &mut cache, provision::now()),
        Err(MikeyError::Replay)
    ));
    // A different message is still accepted by the same cache.
    let other = pair.build();
    assert!(open_i_message(&other.bytes, &params, &mut cache, provision::now()).is_ok());
    assert_eq!(cache.len(), 2);
}

#[test]
fn message_for_another_responder() {
    let pair = Pair::new();
    let carol = pair.world.user("tel:+447700900789");
    let built = pair.build(); // for Bob
    let mut params = pair.responder_params();
    params.responder = &carol.id;
    params.rsk = &carol.rsk;
    assert!(matches!(
        open_i_message(
            &built.bytes,
            &params,
            &mut ReplayCache::new(4),
            provision::now()
        ),
        Err(MikeyError::WrongResponder)
    ));
    // Without IDRr, SAKKE's TEST catches it.
    let mut m = Message::parse(&built.bytes).unwrap();
    m.payloads
        .retain(|p| !matches!(p, Payload::Idr(i) if i.role == IdRole::Responder));
    let bytes = resign(&pair, &m);
    assert!(matches!(
        open_i_message(&bytes, &params, &mut ReplayCache::new(4), provision::now()),
        Err(MikeyError::Decapsulation(_))
    ));
    // Bob still opens that one.
    assert!(open(&pair, &bytes).is_ok());
}

#[test]
fn identity_and_header_errors() {
    let pair = Pair::new();
    let built = pair.build();

    // Someone other than the expected initiator.
    let mallory = PartyId::Uri("tel:+15555550100".into());
    let mut params = pair.responder_params();
    params.expected_initiator = Some(&mallory);
    assert!(matches!(
        open_i_message(
            &built.bytes,
            &params,
            &mut ReplayCache::new(4),
            provision::now()
        ),
        Err(MikeyError::WrongInitiator)
    ));
    // No IDRi and no expectation: nobody to verify against.
    let mut m = Message::parse(&built.bytes).unwrap();
    m.payloads
        .retain(|p| !matches!(p, Payload::Idr(i) if i.role == IdRole::Initiator));
    let mut params = pair.responder_params();
    params.expected_initiator = None;
    assert!(matches!(
        open_i_message(
            &resign(&pair, &m),
            &params,
            &mut ReplayCache::new(4),
            provision::now()
        ),
        Err(MikeyError::MissingIdentity("initiator URI"))
    ));

    let mut bytes = built.bytes.clone();
    bytes[0] = 2;
    assert!(matches!(
        open(&pair, &bytes),
        Err(MikeyError::UnsupportedVersion(2))
    ));
    bytes = built.bytes.clone();
    bytes[1] = 6; // error message
    assert!(matches!(
        open(&pair, &bytes),
        Err(MikeyError::NotSakkeMessage(6))
    ));
    bytes[1] = 200;
    assert!(matches!(
        open(&pair, &bytes),
        Err(MikeyError::UnknownDataType(200))
    ));
    bytes = built.bytes.clone();
    bytes[3] = 5;
    assert!(matches!(
        open(&pair, &bytes),
        Err(MikeyError::UnsupportedPrf(5))
    ));
    bytes = built.bytes.clone();
    bytes[9] = 3;
    assert!(matches!(
        open(&pair, &bytes),
        Err(MikeyError::UnsupportedCsIdMapType(3))
    ));

    // A COUNTER timestamp names no month.
    let mut m = Message::parse(&built.bytes).unwrap();
    m.payloads[0] = Payload::Timestamp(Timestamp::Counter(1));
    assert!(matches!(
        open(&pair, &resign(&pair, &m)),
        Err(MikeyError::UnsupportedTimestampType(2))
    ));
}

#[test]
fn key_period_is_bound_to_the_timestamp() {
    let pair = Pair::new();
    // Alice's key is for 2011-02: she cannot sign a March message with it.
    let mut params = pair.params();
    let march = NtpTimestamp::from_unix(1_298_937_600, 0).unwrap();
    params.time = Some(march);
    assert!(matches!(
        build_i_message(&params, &mut OsRng),
        Err(MikeyError::SigningKeyMismatch)
    ));
    // A February message with T moved to March (re-signed by Alice's February key) fails
    // the signature: the responder verifies against the March identifier.
    let built = pair.build();
    let mut m = Message::parse(&built.bytes).unwrap();
    m.payloads[0] = Payload::Timestamp(Timestamp::NtpUtc(march));
    let now = march.to_system_time().unwrap();
    assert!(matches!(
        open_i_message(
            &resign(&pair, &m),
            &pair.responder_params(),
            &mut ReplayCache::new(4),
            now
        ),
        Err(MikeyError::BadSignature(_))
    ));
    // Mixed schemes are refused.
    let uid = PartyId::Uid {
        uid: [7; 32],
        uri: None,
    };
    let mut params = pair.params();
    params.responder = &uid;
    assert!(matches!(
        build_i_message(&params, &mut OsRng),
        Err(MikeyError::IdSchemeMismatch(_))
    ));
}
