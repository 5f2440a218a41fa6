//! The Streamwide documents (crates/cli/tests/data, built from the v5 vectors) and one
//! broken variant per error.

use crate::*;

const INIT: &str = include_str!("../../cli/tests/data/streamwide-kms-init.xml");
const ALICE: &str = include_str!("../../cli/tests/data/streamwide-keyprov-alice.xml");
const BOB: &str = include_str!("../../cli/tests/data/streamwide-keyprov-bob.xml");
const GMS: &str = include_str!("../../cli/tests/data/streamwide-keyprov-gms.xml");
const IWF: &str = include_str!("../../cli/tests/data/streamwide-keyprov-iwf.xml");

fn kms() -> KmsParams {
    certificate(INIT).validate().unwrap()
}

fn certificate(doc: &str) -> KmsCertificate {
    match parse_response(doc.as_bytes()).unwrap().message {
        KmsMessage::Init(i) => i.certificate,
        other => panic!("{}", other.name()),
    }
}

fn key_sets(doc: &str) -> Vec<KmsKeySet> {
    match parse_response(doc.as_bytes()).unwrap().message {
        KmsMessage::KeyProv(p) => p.key_sets,
        other => panic!("{}", other.name()),
    }
}

fn err(doc: &str) -> KmsXmlError {
    parse_response(doc.as_bytes()).unwrap_err()
}

/// The first key set of `doc`, validated.
fn validate(doc: &str) -> Result<UserKeySet> {
    let sets = match parse_response(doc.as_bytes())?.message {
        KmsMessage::KeyProv(p) => p.key_sets,
        other => panic!("{}", other.name()),
    };
    sets[0].validate(&kms())
}

#[test]
fn streamwide_init_parses_and_validates() {
    let r = parse_response(INIT.as_bytes()).unwrap();
    assert_eq!(r.user_uri, "sip:alice@streamwide.com");
    assert_eq!(r.kms_uri, "kms.mydev.streamwide.com");
    assert_eq!(r.time, "2025-10-02T23:47:52Z");
    let c = certificate(INIT);
    assert_eq!(c.user_id_format, "2");
    assert_eq!(c.user_key_period, 16_777_215);
    assert_eq!(c.user_key_offset, 0);
    assert_eq!(c.role, "Root");
    assert!(hex::encode(&c.pub_enc_key).starts_with("046fc2cf"));
    assert!(hex::encode(&c.pub_auth_key).ends_with("f28f"));
    let p = c.validate().unwrap();
    assert_eq!(p.periods.length(), 16_777_215);
    assert_eq!(p.z.to_bytes().to_vec(), c.pub_enc_key);
}

#[test]
fn the_four_streamwide_key_sets_validate() {
    let want = [
        (ALICE, "sip:alice@streamwide.com", "b5c45230"),
        (BOB, "sip:bob@streamwide.com", "780851cd"),
        (GMS, "gms@streamwide.com", "15a4d5b1"),
        (
            IWF,
            "sip:iwf_legacy_v1.1.x_format@streamwide.com",
            "edb3cd73",
        ),
    ];
    for (doc, uri, uid) in want {
        let k = validate(doc).unwrap();
        assert_eq!(k.user_uri, uri);
        assert_eq!(k.key_period_no, 236);
        assert!(hex::encode(k.uid).starts_with(uid), "{uri}");
    }
    // Bob's document is written the way Streamwide's own samples are: no xsi:type,
    // upper-case hex, a Time without zone.
    assert!(!BOB.contains("xsi:type") && BOB.contains("<Time>2025-10-02T23:47:52</Time>"));
}

#[test]
fn write_reproduces_the_documents_byte_for_byte() {
    for doc in [INIT, ALICE, GMS, IWF] {
        let r = parse_response(doc.as_bytes()).unwrap();
        assert_eq!(std::str::from_utf8(&write_response(&r)).unwrap(), doc);
    }
    // Bob's is normalised (lower-case hex, typed keys), and reads back the same.
    let bob = parse_response(BOB.as_bytes()).unwrap();
    let out = write_response(&bob);
    assert_ne!(&out[..], BOB.as_bytes());
    assert_eq!(parse_response(&out).unwrap(), bob);
}

#[test]
fn base64_keys_and_user_ids_are_accepted() {
    use base64::Engine;
    let k = &key_sets(ALICE)[0];
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let doc = ALICE
        .replace(&hex::encode(k.user_id), &b64(&k.user_id))
        .replace(
            &hex::encode(&k.user_decrypt_key[..]),
            &b64(&k.user_decrypt_key),
        )
        .replace(
            &hex::encode(&k.user_signing_key_ssk[..]),
            &b64(&k.user_signing_key_ssk),
        );
    assert_ne!(doc, ALICE);
    assert_eq!(&key_sets(&doc)[0], k);
    validate(&doc).unwrap();
}

#[test]
fn debug_never_shows_secret_keys() {
    let k = &key_sets(ALICE)[0];
    let shown = format!("{k:?}");
    assert!(shown.contains("<redacted>"));
    for secret in [&k.user_decrypt_key[..], &k.user_signing_key_ssk[..]] {
        assert!(!shown.contains(&hex::encode(&secret[..8])));
    }
}

#[test]
fn malformed_documents() {
    // Truncated at every length: never accepted, never a panic.
    for cut in [10, 200, 400, ALICE.len() / 2, ALICE.len() - 20] {
        let e = parse_response(&ALICE.as_bytes()[..cut]).unwrap_err();
        assert!(
            matches!(e, KmsXmlError::Truncated { .. } | KmsXmlError::Malformed(_)),
            "{cut}: {e}"
        );
    }
    assert!(matches!(
        err(&ALICE[..ALICE.len() - 15]),
        KmsXmlError::Truncated { open } if open == "KmsResponse"
    ));
    let laughs = INIT
        .replace(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE KmsResponse [<!ENTITY a \"aaaaaaaa\">\
         <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n",
        )
        .replace("<UserIdFormat>2<", "<UserIdFormat>&c;<");
    assert!(matches!(err(&laughs), KmsXmlError::Doctype));
    assert!(matches!(
        err(&INIT.replace(">2<", ">&two;<")),
        KmsXmlError::UnknownEntity(e) if e == "two"
    ));
}

#[test]
fn wrong_namespace_or_root() {
    assert!(matches!(
        err(&INIT.replace("urn:3gpp:ns:mcsecKMSInterface:1.0", "urn:3gpp:ns:other:1.0")),
        KmsXmlError::WrongNamespace { element, .. } if element == "KmsResponse"
    ));
    assert!(matches!(
        err(&INIT.replace(" xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\"", "")),
        KmsXmlError::WrongNamespace { found: None, .. }
    ));
    assert!(matches!(
        err("<KmsRequest xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\"/>"),
        KmsXmlError::WrongRoot { found } if found == "KmsRequest"
    ));
}

#[test]
fn fields_missing_repeated_out_of_order_or_bad() {
    let missing = INIT.replace("        <UserKeyOffset>0</UserKeyOffset>\n", "");
    assert!(matches!(
        err(&missing),
        KmsXmlError::Missing {
            parent: "KmsCertificate",
            field: "UserKeyOffset"
        }
    ));
    let repeated = INIT.replace(
        "<UserKeyOffset>0</UserKeyOffset>",
        "<UserKeyOffset>0</UserKeyOffset><UserKeyOffset>0</UserKeyOffset>",
    );
    assert!(matches!(
        err(&repeated),
        KmsXmlError::Repeated {
            field: "UserKeyOffset",
            ..
        }
    ));
    let swapped = INIT.replace(
        "<UserKeyPeriod>16777215</UserKeyPeriod>\n        <UserKeyOffset>0</UserKeyOffset>",
        "<UserKeyOffset>0</UserKeyOffset>\n        <UserKeyPeriod>16777215</UserKeyPeriod>",
    );
    assert!(matches!(
        err(&swapped),
        KmsXmlError::OutOfOrder {
            element: "UserKeyPeriod",
            before: "UserKeyOffset",
            ..
        }
    ));
    assert!(matches!(
        err(&INIT.replace(">16777215<", ">-5<")),
        KmsXmlError::BadNumber {
            field: "UserKeyPeriod",
            ..
        }
    ));
    assert!(matches!(
        err(&INIT.replace("<PubAuthKey>04", "<PubAuthKey>zz")),
        KmsXmlError::BadEncoding {
            field: "PubAuthKey"
        }
    ));
    assert!(matches!(
        err(&INIT.replace("<PubAuthKey>04", "<PubAuthKey>")),
        KmsXmlError::WrongLength {
            field: "PubAuthKey",
            expected: 65,
            ..
        }
    ));
    assert!(matches!(
        err(&ALICE.replace("<KeyPeriodNo>236", "<KeyPeriodNo>x236")),
        KmsXmlError::BadNumber {
            field: "KeyPeriodNo",
            ..
        }
    ));
    // A foreign-namespace extension element is skipped (the schema's ##other).
    let ext = INIT.replace(
        "</KmsCertificate>",
        "  <x:Extra xmlns:x=\"urn:example\">1</x:Extra>\n      </KmsCertificate>",
    );
    certificate(&ext).validate().unwrap();
    let unknown = INIT.replace("<UserIdFormat>", "<Surprise/><UserIdFormat>");
    assert!(
        matches!(err(&unknown), KmsXmlError::Unexpected { element, .. } if element == "Surprise")
    );
}

#[test]
fn signed_and_encrypted_documents_are_refused() {
    let sig = "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo/></ds:Signature>";
    let signed_cert = INIT
        .replace("<KmsCertificate ", "<SignedKmsCertificate><KmsCertificate ")
        .replace(
            "</KmsCertificate>",
            &format!("</KmsCertificate>{sig}</SignedKmsCertificate>"),
        );
    assert!(
        matches!(err(&signed_cert), KmsXmlError::Signed { element } if element == "SignedKmsCertificate")
    );
    let signed_response = format!(
        "<SignedKmsResponse xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\">{}{sig}</SignedKmsResponse>",
        INIT.split_once("?>\n").unwrap().1
    );
    assert!(
        matches!(err(&signed_response), KmsXmlError::Signed { element } if element == "SignedKmsResponse")
    );
    let bare_signature = INIT.replace("</KmsResponse>", &format!("{sig}</KmsResponse>"));
    assert!(
        matches!(err(&bare_signature), KmsXmlError::Signed { element } if element == "ds:Signature")
    );

    let enc = ALICE.replace(
        "xsi:type=\"KeyContentType\">0428",
        "xsi:type=\"EncKeyContentType\">0428",
    );
    assert!(
        matches!(err(&enc), KmsXmlError::EncryptedKey { element } if element == "UserDecryptKey")
    );
    let wrapped = INIT.replace("</KmsCertificate>", "</KmsCertificate><NewTransportKey/>");
    assert!(
        matches!(err(&wrapped), KmsXmlError::EncryptedKey { element } if element == "NewTransportKey")
    );
}

#[test]
fn keys_off_the_curve_or_for_another_uid_are_refused() {
    let c = certificate(INIT);
    // Z with its last byte changed: not on the curve.
    let mut z = c.pub_enc_key.clone();
    z[256] ^= 1;
    let off = INIT.replace(&hex::encode(&c.pub_enc_key), &hex::encode(&z));
    assert!(matches!(
        certificate(&off).validate(),
        Err(KmsXmlError::BadKey {
            field: "PubEncKey",
            ..
        })
    ));
    let mut kpak = c.pub_auth_key.clone();
    kpak[64] ^= 1;
    let off = INIT.replace(&hex::encode(&c.pub_auth_key), &hex::encode(&kpak));
    assert!(matches!(
        certificate(&off).validate(),
        Err(KmsXmlError::BadKey {
            field: "PubAuthKey",
            ..
        })
    ));
    assert!(matches!(
        certificate(&INIT.replace("<UserIdFormat>2<", "<UserIdFormat>1<")).validate(),
        Err(KmsXmlError::UserIdFormat(f)) if f == "1"
    ));
    assert!(matches!(
        certificate(&INIT.replace(">16777215<", ">0<")).validate(),
        Err(KmsXmlError::ZeroKeyPeriod)
    ));

    let k = &key_sets(ALICE)[0];
    let mut rsk = k.user_decrypt_key.to_vec();
    rsk[256] ^= 1;
    let bad_rsk = ALICE.replace(&hex::encode(&k.user_decrypt_key[..]), &hex::encode(&rsk));
    assert!(matches!(
        validate(&bad_rsk),
        Err(KmsXmlError::BadKey {
            field: "UserDecryptKey",
            ..
        })
    ));
    // Bob's SSK under Alice's UserID.
    let bob = &key_sets(BOB)[0];
    let swapped = ALICE.replace(
        &hex::encode(&k.user_signing_key_ssk[..]),
        &hex::encode(&bob.user_signing_key_ssk[..]),
    );
    assert!(matches!(
        validate(&swapped),
        Err(KmsXmlError::BadKey {
            field: "UserSigningKeySSK",
            ..
        })
    ));
    // Bob's UserID on Alice's key set; and Alice's for the next period.
    let wrong_uid = ALICE.replace(&hex::encode(k.user_id), &hex::encode(bob.user_id));
    assert!(matches!(
        validate(&wrong_uid),
        Err(KmsXmlError::WrongUserId { .. })
    ));
    let next = ALICE.replace("<KeyPeriodNo>236<", "<KeyPeriodNo>237<");
    assert!(matches!(
        validate(&next),
        Err(KmsXmlError::KeyPeriodMismatch {
            key_period_no: 237,
            uid_period: 236,
            ..
        })
    ));
    let other_kms = ALICE.replace(
        "<KmsUri>kms.mydev.streamwide.com</KmsUri>\n        <UserUri>",
        "<KmsUri>kms.other.example</KmsUri>\n        <UserUri>",
    );
    assert!(matches!(
        validate(&other_kms),
        Err(KmsXmlError::OtherKms { .. })
    ));
    let revoked = ALICE.replace("</KeyPeriodNo>", "</KeyPeriodNo><Revoked>true</Revoked>");
    assert!(matches!(
        validate(&revoked),
        Err(KmsXmlError::Revoked { .. })
    ));
}

#[test]
fn kms_errors_and_cert_cache_are_reported() {
    let e = INIT
        .split_once("  <KmsMessage>")
        .unwrap()
        .0
        .to_string()
        + "  <KmsError><ErrorCode>403</ErrorCode><ErrorMsg>no</ErrorMsg></KmsError>\n</KmsResponse>\n";
    assert!(matches!(err(&e), KmsXmlError::KmsError { code, .. } if code == "403"));
    let cache = INIT.split_once("  <KmsMessage>").unwrap().0.to_string()
        + "  <KmsMessage><KmsCertCache Version=\"1.0.0\" CacheNum=\"1\"/></KmsMessage>\n</KmsResponse>\n";
    assert!(matches!(
        err(&cache),
        KmsXmlError::WrongMessage {
            found: "KmsCertCache",
            ..
        }
    ));
}

#[test]
fn no_truncation_or_byte_change_panics_or_slips_through() {
    let kms = kms();
    let original = &key_sets(ALICE)[0];
    for doc in [INIT.as_bytes(), ALICE.as_bytes()] {
        for cut in 0..doc.trim_ascii_end().len() {
            // Every prefix short of the closing tag is refused.
            if let Ok(r) = parse_response(&doc[..cut]) {
                panic!("prefix of {cut} bytes parsed: {r:?}");
            }
        }
    }
    let doc = ALICE.as_bytes();
    for i in 0..doc.len() {
        for flip in [0x01u8, 0x20, 0x80] {
            let mut bad = doc.to_vec();
            bad[i] ^= flip;
            let Ok(r) = parse_response(&bad) else {
                continue;
            };
            let KmsMessage::KeyProv(p) = r.message else {
                continue;
            };
            let set = &p.key_sets[0];
            // A change in the keys or identity must not validate as the same keys for the
            // same user (changes in case, whitespace or attributes may parse to the same).
            if set != original && i % 7 == 0 {
                if let Ok(v) = set.validate(&kms) {
                    assert_ne!(
                        (v.user_uri.as_str(), v.key_period_no),
                        (original.user_uri.as_str(), original.key_period_no),
                        "byte {i} ^ {flip:#x}"
                    );
                }
            }
        }
    }
}
