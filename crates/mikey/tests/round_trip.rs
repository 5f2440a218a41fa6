//! I_MESSAGE round trip between two freshly provisioned users (RFC 6509 scheme 1).

mod common;

use common::provision::{self, Pair};
use mikey::eccsi::rand_core::OsRng;
use mikey::sakke::Ssv;
use mikey::{
    build_i_message, open_i_message, CsIdMap, GeneralExtension, GenericIdEntry, IMessage, IdRole,
    IdScheme, KeyLengths, Message, Payload, PayloadKind, PolicyParam, PrfFunc, ReplayCache,
    SecurityPolicy, TgkKeyKind,
};

#[test]
fn responder_recovers_the_initiators_ssv_and_keys() {
    let pair = Pair::new();
    for prf in [PrfFunc::MikeyHmacSha1, PrfFunc::HmacSha256] {
        let mut params = pair.params();
        params.prf = prf;
        params.cs_id_map = CsIdMap::GenericId(vec![GenericIdEntry {
            cs_id: 1,
            prot_type: 0,
            s_flag: false,
            policies: vec![0],
            session_data: vec![],
            spi: vec![1, 2, 3, 4],
        }]);
        let built = build_i_message(&params, &mut OsRng).unwrap();
        let mut cache = ReplayCache::new(16);
        let opened = open_i_message(
            &built.bytes,
            &pair.responder_params(),
            &mut cache,
            provision::now(),
        )
        .unwrap();

        // TGK = SSV on both sides.
        assert_eq!(opened.ssv, built.ssv);
        assert_eq!(opened.keys.tgk(), built.ssv.as_bytes());
        assert_eq!(opened.initiator, pair.alice.id);
        assert_eq!(opened.time, provision::time());
        // TEK, auth key and salt agree.
        for cs_id in [0, 1] {
            let a = built.keys.traffic_keys(cs_id, KeyLengths::default());
            let b = opened.keys.traffic_keys(cs_id, KeyLengths::default());
            assert_eq!(a, b);
            assert_eq!(a.tek.len(), 16);
            assert_eq!(a.salt.len(), 14);
            assert_ne!(a.tek, a.salt);
        }
        assert_eq!(
            built.keys.derive(TgkKeyKind::Encr, 1, 32),
            opened.keys.derive(TgkKeyKind::Encr, 1, 32)
        );
        assert_eq!(opened.keys.prf(), prf);
    }
}

#[test]
fn message_layout_follows_rfc_6509() {
    let pair = Pair::new();
    let built = pair.build();
    let m = Message::parse(&built.bytes).unwrap();
    assert_eq!(m.to_bytes().unwrap(), built.bytes);
    let kinds: Vec<_> = m.payloads.iter().map(Payload::kind).collect();
    assert_eq!(
        kinds,
        [
            PayloadKind::Timestamp,
            PayloadKind::Rand,
            PayloadKind::Idr,
            PayloadKind::Idr,
            PayloadKind::Idr,
            PayloadKind::Idr,
            PayloadKind::Sakke,
        ]
    );
    let im = IMessage::new(&m).unwrap();
    assert_eq!(im.sakke.id_scheme, IdScheme::TelUriMonthly);
    assert_eq!(im.rand.len(), 16);
    assert_eq!(
        im.idr(IdRole::Initiator).unwrap().data,
        b"tel:+447700900123"
    );
    assert_eq!(
        im.idr(IdRole::Responder).unwrap().data,
        b"tel:+447700900456"
    );
    assert_eq!(
        im.idr(IdRole::KmsInitiator).unwrap().data,
        b"kms.example.org"
    );
    assert!(!m.hdr.v);
}

#[test]
fn given_ssv_policies_and_extensions_are_carried() {
    let pair = Pair::new();
    let gmk = Ssv::from_bytes(&[0x42; 16]).unwrap();
    let mut params = pair.params();
    params.ssv = Some(&gmk);
    params.csb_id = Some(0x2000_0001);
    params.security_policies = vec![SecurityPolicy {
        policy_no: 0,
        prot_type: 0,
        params: vec![PolicyParam {
            param_type: 0,
            value: vec![6],
        }],
    }];
    // A type nobody assigned: carried and handed back byte for byte.
    params.extensions = vec![GeneralExtension {
        ext_type: 0xfe,
        data: vec![1, 2, 3],
    }];
    let built = build_i_message(&params, &mut OsRng).unwrap();
    assert_eq!(built.ssv, gmk);
    let opened = open_i_message(
        &built.bytes,
        &pair.responder_params(),
        &mut ReplayCache::new(4),
        provision::now(),
    )
    .unwrap();
    assert_eq!(opened.ssv, gmk);
    assert_eq!(opened.message.hdr.csb_id, 0x2000_0001);
    assert!(opened
        .message
        .payloads
        .contains(&Payload::GeneralExtension(params.extensions[0].clone())));
}

#[test]
fn initiator_need_not_be_known_in_advance() {
    let pair = Pair::new();
    let built = pair.build();
    let mut params = pair.responder_params();
    params.expected_initiator = None;
    let opened = open_i_message(
        &built.bytes,
        &params,
        &mut ReplayCache::new(4),
        provision::now(),
    )
    .unwrap();
    assert_eq!(opened.initiator, pair.alice.id);
}
