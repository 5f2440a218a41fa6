//! Property tests: the decoder never panics, whatever it is fed; whatever it accepts
//! re-encodes to the same bytes; whatever the encoder emits decodes to the same message;
//! and a mutated I_MESSAGE never yields a key.

mod common;

use std::sync::OnceLock;

use common::provision::{self, Pair};
use common::streamwide;
use mikey::{
    open_i_message, CsIdMap, GeneralExtension, GenericIdEntry, Hdr, IMessage, IdRole, IdScheme,
    IdType, Idr, Message, NtpTimestamp, Payload, PolicyParam, PrfFunc, RandPayload, ReplayCache,
    SakkePayload, SecurityPolicy, Sign, SignatureType, SrtpIdEntry, Timestamp, SAKKE_DATA_LEN,
};
use proptest::collection::vec;
use proptest::prelude::*;

/// Valid messages to mutate: the four interop messages and one of ours.
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut s: Vec<Vec<u8>> = streamwide::vectors()
            .into_iter()
            .map(|v| v.message)
            .collect();
        s.push(pair().build().bytes);
        s
    })
}

fn pair() -> &'static Pair {
    static PAIR: OnceLock<Pair> = OnceLock::new();
    PAIR.get_or_init(Pair::new)
}

/// Decoding must not panic; anything accepted must re-encode byte-exactly, and the
/// I_MESSAGE structure check must not panic either.
fn check_decoder(bytes: &[u8]) {
    if let Ok(m) = Message::parse(bytes) {
        assert_eq!(m.to_bytes().unwrap(), bytes);
        let _ = IMessage::new(&m);
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(i, x)| Mutation::Flip(i, x)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, x)| Mutation::Set(i, x)),
        (any::<usize>(), vec(any::<u8>(), 1..8)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<usize>(), 1..16usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len().max(1);
    match m {
        Mutation::Flip(i, x) => {
            if let Some(b) = bytes.get_mut(i % len) {
                *b ^= x
            }
        }
        Mutation::Set(i, x) => {
            if let Some(b) = bytes.get_mut(i % len) {
                *b = *x
            }
        }
        Mutation::Insert(i, b) => {
            let at = i % (bytes.len() + 1);
            bytes.splice(at..at, b.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let at = i % len;
            let end = (at + n).min(bytes.len());
            if at < end {
                bytes.drain(at..end);
            }
        }
        Mutation::Truncate(i) => bytes.truncate(i % len),
    }
}

fn bytes_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..64),
        vec(any::<u8>(), 0..2048),
        // A valid-looking header prefix, then noise.
        (vec(any::<u8>(), 0..512), 0..32u8).prop_map(|(tail, np)| {
            let mut b = vec![1, 26, np, 1, 0, 0, 0, 1, 0, 1];
            b.extend(tail);
            b
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in bytes_strategy()) {
        check_decoder(&bytes);
    }

    #[test]
    fn mutated_messages_never_panic(seed in 0..5usize, muts in vec(mutation(), 1..6)) {
        let mut bytes = seeds()[seed].clone();
        for m in &muts {
            apply(&mut bytes, m);
        }
        check_decoder(&bytes);
    }
}

proptest! {
    // Each case that parses runs the ECCSI verification; keep the count modest.
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn mutated_i_message_never_opens(muts in vec(mutation(), 1..4)) {
        let original = &seeds()[4];
        let mut bytes = original.clone();
        for m in &muts {
            apply(&mut bytes, m);
        }
        prop_assume!(&bytes != original);
        let p = pair();
        let result = open_i_message(
            &bytes,
            &p.responder_params(),
            &mut ReplayCache::new(4),
            provision::now(),
        );
        prop_assert!(result.is_err());
    }
}

fn idr() -> impl Strategy<Value = Idr> {
    (1..=9u8, 0..=2u8, vec(any::<u8>(), 0..40)).prop_map(|(role, t, data)| Idr {
        role: IdRole::from_u8(role).unwrap(),
        id_type: IdType::from_u8(t).unwrap(),
        data,
    })
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        any::<u64>().prop_map(|t| Timestamp::NtpUtc(NtpTimestamp(t))),
        any::<u64>().prop_map(|t| Timestamp::Ntp(NtpTimestamp(t))),
        any::<u32>().prop_map(Timestamp::Counter),
        any::<u32>().prop_map(Timestamp::NtpUtc32),
    ]
}

fn payload() -> impl Strategy<Value = Payload> {
    prop_oneof![
        timestamp().prop_map(Payload::Timestamp),
        vec(any::<u8>(), 0..40).prop_map(|rand| Payload::Rand(RandPayload { rand })),
        idr().prop_map(Payload::Idr),
        (
            any::<u8>(),
            any::<u8>(),
            vec((any::<u8>(), vec(any::<u8>(), 0..6)), 0..5)
        )
            .prop_map(|(policy_no, prot_type, params)| Payload::SecurityPolicy(
                SecurityPolicy {
                    policy_no,
                    prot_type,
                    params: params
                        .into_iter()
                        .map(|(param_type, value)| PolicyParam { param_type, value })
                        .collect(),
                }
            )),
        (any::<bool>(), vec(any::<u8>(), SAKKE_DATA_LEN)).prop_map(|(uid, data)| {
            Payload::Sakke(SakkePayload {
                id_scheme: if uid {
                    IdScheme::ThreeGppUid
                } else {
                    IdScheme::TelUriMonthly
                },
                data,
            })
        }),
        (any::<u8>(), vec(any::<u8>(), 0..40)).prop_map(|(ext_type, data)| {
            Payload::GeneralExtension(GeneralExtension { ext_type, data })
        }),
    ]
}

fn cs_id_map() -> impl Strategy<Value = CsIdMap> {
    prop_oneof![
        Just(CsIdMap::Empty),
        vec((any::<u8>(), any::<u32>(), any::<u32>()), 0..4).prop_map(|e| CsIdMap::SrtpId(
            e.into_iter()
                .map(|(policy_no, ssrc, roc)| SrtpIdEntry {
                    policy_no,
                    ssrc,
                    roc
                })
                .collect()
        )),
        vec(
            (
                any::<u8>(),
                any::<u8>(),
                any::<bool>(),
                vec(any::<u8>(), 0..4),
                vec(any::<u8>(), 0..10),
                vec(any::<u8>(), 0..9),
            ),
            0..3
        )
        .prop_map(|e| CsIdMap::GenericId(
            e.into_iter()
                .map(
                    |(cs_id, prot_type, s_flag, policies, session_data, spi)| GenericIdEntry {
                        cs_id,
                        prot_type,
                        s_flag,
                        policies,
                        session_data,
                        spi,
                    }
                )
                .collect()
        )),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    (
        prop_oneof![Just(26u8), 0..=18u8],
        any::<bool>(),
        any::<bool>(),
        any::<u32>(),
        cs_id_map(),
        vec(payload(), 1..8),
        prop_oneof![
            Just(None),
            vec(any::<u8>(), 129).prop_map(|s| Some(Sign {
                s_type: SignatureType::Eccsi,
                signature: s
            })),
            vec(any::<u8>(), 0..300).prop_map(|s| Some(Sign {
                s_type: SignatureType::RsaPss,
                signature: s
            })),
        ],
    )
        .prop_map(
            |(dt, v, sha256, csb_id, cs_id_map, payloads, sign)| Message {
                hdr: Hdr {
                    data_type: mikey::DataType::from_u8(dt).unwrap(),
                    v,
                    prf: if sha256 {
                        PrfFunc::HmacSha256
                    } else {
                        PrfFunc::MikeyHmacSha1
                    },
                    csb_id,
                    cs_id_map,
                },
                payloads,
                sign,
            },
        )
}

proptest! {
    #[test]
    fn encoded_messages_decode_to_themselves(m in message()) {
        let bytes = m.to_bytes().unwrap();
        prop_assert_eq!(Message::parse(&bytes).unwrap(), m);
    }
}
