//! Streamwide sw_mikey_sakke interop vectors: four real 3GPP MCX MIKEY-SAKKE
//! I_MESSAGEs (GMK, CSK, PCK, legacy GMK).

mod common;

use common::streamwide::{self, Vector};
use mikey::{
    CsIdMap, DataType, IMessage, IdRole, IdScheme, IdType, Message, NtpTimestamp, Payload,
    PayloadKind, PrfFunc, SignatureType, Timestamp, ECCSI_SIGNATURE_LEN, SAKKE_DATA_LEN,
};

fn kinds(m: &Message) -> Vec<PayloadKind> {
    m.payloads.iter().map(Payload::kind).collect()
}

#[test]
fn all_four_parse_and_reencode_byte_exactly() {
    let vectors = streamwide::vectors();
    assert_eq!(vectors.len(), 4);
    for v in &vectors {
        let m = Message::parse(&v.message).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(m.to_bytes().unwrap(), v.message, "{}", v.name);
        // The structure is that of an I_MESSAGE.
        let im = IMessage::new(&m).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(im.rand, &v.rand[..], "{}", v.name);
        assert_eq!(im.sakke.id_scheme, IdScheme::ThreeGppUid);
        assert_eq!(im.sakke.data.len(), SAKKE_DATA_LEN);
        assert_eq!(im.sign.s_type, SignatureType::Eccsi);
        assert_eq!(im.sign.signature.len(), ECCSI_SIGNATURE_LEN);
    }
}

#[test]
fn header_and_payload_fields() {
    let vectors = streamwide::vectors();
    let expected_maps = [(2, 1), (2, 1), (1, 0), (0, 2)]; // (map type, #CS)
    for (v, (map_type, cs)) in vectors.iter().zip(expected_maps) {
        let m = Message::parse(&v.message).unwrap();
        assert_eq!(m.hdr.data_type, DataType::SakkeMsg);
        assert_eq!(m.hdr.prf, PrfFunc::HmacSha256);
        assert!(!m.hdr.v);
        assert_eq!(m.hdr.cs_id_map.cs_count(), cs, "{}", v.name);
        let got_type = match &m.hdr.cs_id_map {
            CsIdMap::SrtpId(_) => 0,
            CsIdMap::Empty => 1,
            CsIdMap::GenericId(_) => 2,
        };
        assert_eq!(got_type, map_type, "{}", v.name);
        assert_eq!(
            kinds(&m),
            [
                PayloadKind::Timestamp,
                PayloadKind::Rand,
                PayloadKind::Idr,
                PayloadKind::Idr,
                PayloadKind::Idr,
                PayloadKind::Idr,
                PayloadKind::Sp,
                PayloadKind::Sakke,
                PayloadKind::GeneralExtension,
            ],
            "{}",
            v.name
        );
        // All four were made at 2025-10-02T23:47:52Z.
        assert_eq!(
            m.payloads[0],
            Payload::Timestamp(Timestamp::NtpUtc(NtpTimestamp(0xec89_8da8_0000_0000)))
        );
        let initiator = streamwide::user(&v.initiator);
        let responder = streamwide::user(&v.responder);
        let idrs: Vec<_> = m
            .payloads
            .iter()
            .filter_map(|p| match p {
                Payload::Idr(i) => Some((i.role, i.id_type, i.data.clone())),
                _ => None,
            })
            .collect();
        let kms = b"kms.mydev.streamwide.com".to_vec();
        assert_eq!(
            idrs,
            [
                (IdRole::InitiatorUid, IdType::Uri, initiator.uid.to_vec()),
                (IdRole::ResponderUid, IdType::Uri, responder.uid.to_vec()),
                (IdRole::KmsInitiator, IdType::Uri, kms.clone()),
                (IdRole::KmsResponder, IdType::Uri, kms),
            ],
            "{}",
            v.name
        );
        // The signature's trailing PVT is the initiator's.
        assert_eq!(
            &m.sign.as_ref().unwrap().signature[64..],
            &initiator.pvt[..],
            "{}",
            v.name
        );
    }
}

#[test]
fn csb_id_and_generic_id_carry_the_key_ids() {
    let vectors = streamwide::vectors();
    let find = |name: &str| -> &Vector { vectors.iter().find(|v| v.name.contains(name)).unwrap() };
    // GMK: CSB ID = GUK-ID, GENERIC-ID SPI = GMK-ID || GUK-ID, CS ID 4.
    let gmk = Message::parse(&find("1: GMK").message).unwrap();
    assert_eq!(gmk.hdr.csb_id, 0x06a1_2aea);
    let CsIdMap::GenericId(entries) = &gmk.hdr.cs_id_map else {
        panic!("GENERIC-ID expected")
    };
    assert_eq!(entries[0].cs_id, 4);
    assert_eq!(entries[0].spi, hex::decode("0df9bc3906a12aea").unwrap());
    // CSK: CSB ID = CSK-ID.
    let csk = find("CSK");
    assert_eq!(Message::parse(&csk.message).unwrap().hdr.csb_id, csk.key_id);
    // PCK: CSB ID = PCK-ID, empty map.
    let pck = find("PCK");
    let m = Message::parse(&pck.message).unwrap();
    assert_eq!(m.hdr.csb_id, pck.key_id);
    assert_eq!(m.hdr.cs_id_map, CsIdMap::Empty);
}

mod crypto {
    use std::time::{Duration, UNIX_EPOCH};

    use mikey::eccsi::{Kpak, Signature, VerifyingKey};
    use mikey::sakke::{EncapsulatedData, Identifier, KmsPublicKey, Rsk};
    use mikey::{
        open_i_message, IMessage, Message, PartyId, ReplayCache, ResponderParams,
        ECCSI_SIGNATURE_LEN,
    };

    use super::streamwide;

    /// Decapsulate each SAKKE payload with the responder's RSK, Z and UID: the SSV is the
    /// listed GMK / CSK / PCK.
    #[test]
    fn sakke_payloads_decapsulate_to_the_listed_keys() {
        let z = KmsPublicKey::from_bytes(&streamwide::pub_enc_key()).unwrap();
        for v in streamwide::vectors() {
            let m = Message::parse(&v.message).unwrap();
            let im = IMessage::new(&m).unwrap();
            let responder = streamwide::user(&v.responder);
            let ed = EncapsulatedData::from_bytes(&im.sakke.data).unwrap();
            let id = Identifier::new(responder.uid.to_vec()).unwrap();
            let rsk = Rsk::from_bytes(&responder.rsk).unwrap();
            let ssv = mikey::sakke::decapsulate(&ed, &id, &z, &rsk)
                .unwrap_or_else(|e| panic!("{}: {e}", v.name));
            assert_eq!(ssv.as_bytes()[..], v.key[..], "{}", v.name);
        }
    }

    /// The ECCSI signature verifies with the initiator's UID and the KPAK over the
    /// message minus the 129-byte signature field (the SIGN header is signed), and does
    /// not verify over the message minus the whole SIGN payload.
    #[test]
    fn signatures_verify_over_all_but_the_signature_field() {
        let kpak = Kpak::from_bytes(&streamwide::pub_auth_key()).unwrap();
        for v in streamwide::vectors() {
            let initiator = streamwide::user(&v.initiator);
            let vk = VerifyingKey::new(&initiator.uid, kpak);
            let (signed, sig) = v.message.split_at(v.message.len() - ECCSI_SIGNATURE_LEN);
            let sig = Signature::from_bytes(sig).unwrap();
            vk.verify(signed, &sig)
                .unwrap_or_else(|e| panic!("{}: {e}", v.name));
            assert!(vk.verify(&signed[..signed.len() - 2], &sig).is_err());
        }
    }

    /// The whole responder path on the real messages: scheme 2 with caller-supplied
    /// UIDs, clock at the message time.
    #[test]
    fn open_i_message_accepts_all_four() {
        let z = KmsPublicKey::from_bytes(&streamwide::pub_enc_key()).unwrap();
        let kpak = Kpak::from_bytes(&streamwide::pub_auth_key()).unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(1_759_448_872 + 30);
        for v in streamwide::vectors() {
            let responder = streamwide::user(&v.responder);
            let initiator = streamwide::user(&v.initiator);
            let me = PartyId::Uid {
                uid: responder.uid,
                uri: None,
            };
            let them = PartyId::Uid {
                uid: initiator.uid,
                uri: None,
            };
            let rsk = Rsk::from_bytes(&responder.rsk).unwrap();
            let mut cache = ReplayCache::new(8);
            for expected in [None, Some(&them)] {
                let params = ResponderParams {
                    responder: &me,
                    expected_initiator: expected,
                    rsk: &rsk,
                    responder_kms: &z,
                    initiator_kpak: &kpak,
                    max_skew: Duration::from_secs(60),
                    verifiers: None,
                };
                let mut fresh = ReplayCache::new(8);
                let cache = if expected.is_none() {
                    &mut cache
                } else {
                    &mut fresh
                };
                let opened = open_i_message(&v.message, &params, cache, now)
                    .unwrap_or_else(|e| panic!("{}: {e}", v.name));
                assert_eq!(opened.ssv.as_bytes()[..], v.key[..], "{}", v.name);
                assert_eq!(opened.initiator, them);
                assert_eq!(opened.keys.csb_id(), opened.message.hdr.csb_id);
            }
            // Same cache again: replay.
            let params = ResponderParams {
                responder: &me,
                expected_initiator: None,
                rsk: &rsk,
                responder_kms: &z,
                initiator_kpak: &kpak,
                max_skew: Duration::from_secs(60),
                verifiers: None,
            };
            assert!(matches!(
                open_i_message(&v.message, &params, &mut cache, now),
                Err(mikey::MikeyError::Replay)
            ));
        }
    }
}
