//! Byte layouts of individual payloads against the RFC figures, and the typed errors for
//! malformed fields.

use mikey::{
    CsIdMap, DataType, GeneralExtension, GenericIdEntry, Hdr, IdRole, IdScheme, IdType, Idr,
    Message, MikeyError, NtpTimestamp, Payload, PayloadKind, PrfFunc, RandPayload, SakkePayload,
    SecurityPolicy, Sign, SignatureType, SrtpIdEntry, Timestamp, SAKKE_DATA_LEN,
};

fn hdr(map: CsIdMap) -> Hdr {
    Hdr {
        data_type: DataType::SakkeMsg,
        v: false,
        prf: PrfFunc::MikeyHmacSha1,
        csb_id: 0x0102_0304,
        cs_id_map: map,
    }
}

fn rand_only(map: CsIdMap) -> Message {
    Message {
        hdr: hdr(map),
        payloads: vec![Payload::Rand(RandPayload {
            rand: vec![0xaa; 2],
        })],
        sign: None,
    }
}

#[test]
fn header_layouts() {
    // Empty map, V set, PRF 1.
    let mut m = rand_only(CsIdMap::Empty);
    m.hdr.v = true;
    m.hdr.prf = PrfFunc::HmacSha256;
    let bytes = m.to_bytes().unwrap();
    assert_eq!(
        hex::encode(&bytes),
        // ver, type 26, next RAND(11), V|PRF, CSB ID, #CS 0, map type 1 | RAND: last, len 2
        concat!("011a0b8101020304", "0001", "0002aaaa")
    );
    assert_eq!(Message::parse(&bytes).unwrap(), m);

    // SRTP-ID: policy, SSRC, ROC per crypto session.
    let m = rand_only(CsIdMap::SrtpId(vec![
        SrtpIdEntry {
            policy_no: 1,
            ssrc: 0xcafebabe,
            roc: 2,
        },
        SrtpIdEntry {
            policy_no: 0,
            ssrc: 0,
            roc: 0,
        },
    ]));
    let bytes = m.to_bytes().unwrap();
    assert_eq!(
        hex::encode(&bytes[8..]),
        concat!(
            "0200",
            "01cafebabe00000002",
            "000000000000000000",
            "0002aaaa"
        )
    );
    assert_eq!(m.hdr.cs_id_map.cs_ids(), [1, 2]);
    assert_eq!(Message::parse(&bytes).unwrap(), m);

    // GENERIC-ID: CS ID, prot type, S|#P, Ps, session data length, data, SPI length, SPI.
    let m = rand_only(CsIdMap::GenericId(vec![GenericIdEntry {
        cs_id: 4,
        prot_type: 0,
        s_flag: true,
        policies: vec![0, 1],
        session_data: vec![9, 9, 9],
        spi: vec![0x0d, 0xf9],
    }]));
    let bytes = m.to_bytes().unwrap();
    assert_eq!(
        hex::encode(&bytes[8..]),
        concat!("0102", "0400820001", "0003090909", "020df9", "0002aaaa")
    );
    assert_eq!(m.hdr.cs_id_map.cs_ids(), [4]);
    assert_eq!(Message::parse(&bytes).unwrap(), m);
}

#[test]
fn payload_layouts() {
    let mut sakke = vec![0x04];
    sakke.resize(SAKKE_DATA_LEN, 0x11);
    let m = Message {
        hdr: hdr(CsIdMap::Empty),
        payloads: vec![
            Payload::Timestamp(Timestamp::NtpUtc(NtpTimestamp(0x0102030405060708))),
            Payload::Timestamp(Timestamp::Counter(0x0a0b0c0d)),
            Payload::Idr(Idr {
                role: IdRole::KmsResponder,
                id_type: IdType::ByteString,
                data: vec![1, 2],
            }),
            Payload::SecurityPolicy(SecurityPolicy {
                policy_no: 3,
                prot_type: 0,
                params: vec![
                    mikey::PolicyParam {
                        param_type: 0,
                        value: vec![6],
                    },
                    mikey::PolicyParam {
                        param_type: 20,
                        value: vec![],
                    },
                ],
            }),
            Payload::Sakke(SakkePayload {
                id_scheme: IdScheme::ThreeGppUid,
                data: sakke.clone(),
            }),
            Payload::GeneralExtension(GeneralExtension {
                ext_type: 7,
                data: vec![0x43],
            }),
        ],
        sign: Some(Sign {
            s_type: SignatureType::Eccsi,
            signature: vec![0x55; 129],
        }),
    };
    let bytes = m.to_bytes().unwrap();
    let mut expected = hex::decode("011a0500010203040001").unwrap();
    expected.extend(hex::decode("0500_0102030405060708".replace('_', "")).unwrap()); // T -> T
    expected.extend(hex::decode("0e02_0a0b0c0d".replace('_', "")).unwrap()); // T -> IDR
    expected.extend(hex::decode("0a0702_0002_0102".replace('_', "")).unwrap()); // IDR -> SP
    expected.extend(hex::decode("1a0300_0005_000106_1400".replace('_', "")).unwrap()); // SP -> SAKKE
    expected.extend(hex::decode("150102_0111".replace('_', "")).unwrap()); // SAKKE -> GEXT
    expected.extend(&sakke);
    expected.extend(hex::decode("0407_0001_43".replace('_', "")).unwrap()); // GEXT -> SIGN
    expected.extend(hex::decode("2081").unwrap()); // S type 2, len 129
    expected.extend([0x55; 129]);
    assert_eq!(hex::encode(&bytes), hex::encode(&expected));
    assert_eq!(Message::parse(&bytes).unwrap(), m);
    // The signed part is everything but the signature field.
    let signed = m.to_signed_bytes(SignatureType::Eccsi, 129).unwrap();
    assert_eq!(signed, bytes[..bytes.len() - 129]);
}

fn parse_err(hexstr: &str) -> MikeyError {
    Message::parse(&hex::decode(hexstr.replace(['_', ' '], "")).unwrap()).unwrap_err()
}

#[test]
fn field_errors_are_typed() {
    const H: &str = "011a0b0001020304_0001"; // header announcing RAND, empty map
    assert!(matches!(
        parse_err("011a0b00010203040101_0002aaaa"),
        MikeyError::BadValue {
            payload: PayloadKind::Hdr,
            field: "#CS",
            value: 1
        }
    ));
    assert!(matches!(
        parse_err(&format!("{H}_0005aaaa")),
        MikeyError::Truncated {
            payload: PayloadKind::Rand,
            field: "RAND"
        }
    ));
    // T with TS type 9.
    assert!(matches!(
        parse_err("011a050001020304_0001_0009"),
        MikeyError::UnsupportedTimestampType(9)
    ));
    // IDR role 0, role 10, ID type 3.
    for (body, field, value) in [
        ("0000010000", "ID role", 0),
        ("000a010000", "ID role", 10),
        ("0001030000", "ID type", 3),
    ] {
        match parse_err(&format!("011a0e0001020304_0001_{body}")) {
            MikeyError::BadValue {
                payload: PayloadKind::Idr,
                field: f,
                value: v,
            } => {
                assert_eq!((f, v), (field, value))
            }
            other => panic!("{other:?}"),
        }
    }
    // SP whose parameter overruns the declared length.
    assert!(matches!(
        parse_err("011a0a0001020304_0001_00000000030005aa"),
        MikeyError::BadLength {
            payload: PayloadKind::Sp,
            field: "policy param length",
            ..
        }
    ));
    // SIGN with S type 5.
    assert!(matches!(
        parse_err(&format!("{H}_0402aaaa_5000")),
        MikeyError::UnsupportedSignatureType(5)
    ));
    // Trailing byte after the last payload.
    assert!(matches!(
        parse_err(&format!("{H}_0002aaaa_ff")),
        MikeyError::TrailingBytes { count: 1 }
    ));
}

#[test]
fn encoder_refuses_what_cannot_be_encoded() {
    let mut m = rand_only(CsIdMap::Empty);
    m.payloads = vec![Payload::Rand(RandPayload { rand: vec![0; 256] })];
    assert!(matches!(
        m.to_bytes(),
        Err(MikeyError::BadLength {
            payload: PayloadKind::Rand,
            field: "RAND len",
            len: 256
        })
    ));
    m.payloads = vec![Payload::Sakke(SakkePayload {
        id_scheme: IdScheme::TelUriMonthly,
        data: vec![4; 10],
    })];
    assert!(matches!(
        m.to_bytes(),
        Err(MikeyError::BadLength {
            payload: PayloadKind::Sakke,
            ..
        })
    ));
    m.payloads = vec![Payload::Idr(Idr::uri(
        IdRole::Initiator,
        &"x".repeat(70_000),
    ))];
    assert!(matches!(
        m.to_bytes(),
        Err(MikeyError::BadLength {
            payload: PayloadKind::Idr,
            ..
        })
    ));
    m.payloads = vec![];
    assert!(matches!(
        m.to_bytes(),
        Err(MikeyError::BadNextPayload {
            payload: PayloadKind::Hdr,
            ..
        })
    ));
    let mut m = rand_only(CsIdMap::GenericId(vec![GenericIdEntry {
        cs_id: 1,
        prot_type: 0,
        s_flag: false,
        policies: vec![0; 128],
        session_data: vec![],
        spi: vec![],
    }]));
    assert!(matches!(
        m.to_bytes(),
        Err(MikeyError::BadLength {
            field: "GENERIC-ID #P",
            ..
        })
    ));
    m.hdr.cs_id_map = CsIdMap::Empty;
    m.sign = Some(Sign {
        s_type: SignatureType::Eccsi,
        signature: vec![0; 128],
    });
    assert!(matches!(
        m.to_bytes(),
        Err(MikeyError::BadLength {
            payload: PayloadKind::Sign,
            ..
        })
    ));
    m.sign = Some(Sign {
        s_type: SignatureType::RsaPkcs1,
        signature: vec![0; 4096],
    });
    assert!(matches!(
        m.to_bytes(),
        Err(MikeyError::BadLength {
            payload: PayloadKind::Sign,
            ..
        })
    ));
}

#[test]
fn payload_kind_values_round_trip() {
    for v in 0..=255u8 {
        if let Some(kind) = PayloadKind::from_next_payload(v) {
            assert_eq!(kind.next_payload_value(), Some(v));
        }
    }
    assert_eq!(PayloadKind::Hdr.next_payload_value(), None);
    for v in 0..=255u8 {
        if let Some(dt) = DataType::from_u8(v) {
            assert_eq!(dt.to_u8(), v);
        }
        if let Some(r) = IdRole::from_u8(v) {
            assert_eq!(r.to_u8(), v);
        }
    }
}
