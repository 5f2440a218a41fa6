//! `sakke imessage create` / `open` between two provisioned users.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::*;

const ALICE: &str = "tel:+447700900123";
const BOB: &str = "tel:+447700900456";
const CAROL: &str = "tel:+447700900789";
const PERIOD: &str = "2026-11";
const AT: &str = "2026-11-15T12:00:00Z";

struct World {
    s: Scratch,
    store: String,
    public: String,
}

fn world(name: &str) -> World {
    let s = Scratch::new(name);
    let store = store_with_users(&s, &[ALICE, BOB, CAROL], PERIOD);
    let public = s.arg("kms-public.json");
    sakke_ok(&["kms", "export-public", "--store", &store, "--out", &public]);
    World { s, store, public }
}

fn create(w: &World, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "--json", "imessage", "create", "--store", &w.store, "--from", ALICE, "--to", BOB, "--at",
        AT,
    ];
    args.extend_from_slice(extra);
    stdout_json(&sakke_ok(&args))
}

/// `sakke --json imessage open` as `user`, with the clock at `now`.
fn open_at<'a>(w: &'a World, user: &'a str, now: &'a str) -> Vec<&'a str> {
    vec![
        "--json",
        "imessage",
        "open",
        "--user",
        user,
        "--kms-public",
        &w.public,
        "--now",
        now,
    ]
}

fn open_args<'a>(w: &'a World, user: &'a str) -> Vec<&'a str> {
    open_at(w, user, AT)
}

fn same_keys(a: &serde_json::Value, b: &serde_json::Value) {
    for field in [
        "tgk", "tek", "salt", "csb_id", "cs_id", "time", "from", "to",
    ] {
        assert_eq!(a[field], b[field], "{field}");
    }
}

#[test]
fn create_then_open_agree_on_tgk_tek_and_salt() {
    let w = world("imessage-roundtrip");
    let raw = w.s.arg("message.bin");
    let sent = create(&w, &["--raw", &raw]);
    let text = sent["i_message"].as_str().unwrap();
    assert!(text.starts_with("mikey "), "{text}");
    assert_eq!(sent["tgk"].as_str().unwrap().len(), 32);
    assert_eq!(sent["tek"].as_str().unwrap().len(), 32);
    assert_eq!(sent["salt"].as_str().unwrap().len(), 28);
    let bytes = std::fs::read(&raw).unwrap();
    assert_eq!(STANDARD.encode(&bytes), text["mikey ".len()..]);
    assert_eq!(sent["bytes"], bytes.len());

    let bob = user_file(&w.store, BOB, PERIOD);
    // "mikey <base64>" on stdin, with the expected initiator.
    let mut args = open_args(&w, &bob);
    args.extend(["--from", ALICE]);
    let got = stdout_json(&sakke_with_stdin(&args, format!("{text}\n").as_bytes()));
    same_keys(&sent, &got);
    // Plain base64 on the command line, initiator taken from the message.
    let mut args = open_args(&w, &bob);
    args.push(&text["mikey ".len()..]);
    same_keys(&sent, &stdout_json(&sakke_ok(&args)));
    // Raw bytes from a file.
    let mut args = open_args(&w, &bob);
    args.extend(["--in", &raw]);
    same_keys(&sent, &stdout_json(&sakke_ok(&args)));

    // The initiator side can also come from exported files instead of the store.
    let alice = user_file(&w.store, ALICE, PERIOD);
    let out = sakke_ok(&[
        "--json",
        "imessage",
        "create",
        "--kms-public",
        &w.public,
        "--user",
        &alice,
        "--to",
        BOB,
        "--at",
        AT,
        "--prf",
        "hmac-sha1",
        "--cs-id",
        "3",
    ]);
    let sent = stdout_json(&out);
    let mut args = open_args(&w, &bob);
    args.extend(["--cs-id", "3", sent["i_message"].as_str().unwrap()]);
    same_keys(&sent, &stdout_json(&sakke_ok(&args)));

    // Human output is the "mikey ..." line alone on stdout.
    let out = sakke_ok(&[
        "imessage", "create", "--store", &w.store, "--from", ALICE, "--to", BOB, "--at", AT,
    ]);
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(line.starts_with("mikey ") && line.trim_end().lines().count() == 1);
}

#[test]
fn tampered_and_misdirected_messages_are_rejected() {
    let w = world("imessage-reject");
    let raw = w.s.arg("message.bin");
    create(&w, &["--raw", &raw]);
    let bytes = std::fs::read(&raw).unwrap();
    let bob = user_file(&w.store, BOB, PERIOD);
    let open_fails = |message: &[u8], user: &str, extra: &[&str]| -> String {
        let mut args = if extra.contains(&"--now") {
            vec![
                "imessage",
                "open",
                "--user",
                user,
                "--kms-public",
                &w.public,
            ]
        } else {
            open_args(&w, user)
        };
        args.extend_from_slice(extra);
        let out = sakke_with_stdin(&args, message);
        assert!(
            !out.status.success(),
            "opened: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(out.stdout.is_empty(), "no keys may be printed on failure");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };

    // A flipped bit in the SAKKE payload, sent as "mikey <base64>".
    let mut tampered = bytes.clone();
    let sakke_h = bytes.len() - 129 - 1 - 5;
    tampered[sakke_h] ^= 0x01;
    let text = format!("mikey {}", STANDARD.encode(&tampered));
    let err = open_fails(text.as_bytes(), &bob, &[]);
    assert!(
        err.contains("rejected") && err.contains("signature"),
        "{err}"
    );

    let err = open_fails(&bytes[..bytes.len() - 10], &bob, &[]);
    assert!(err.contains("not a MIKEY message"), "{err}");
    let err = open_fails(b"mikey !!!", &bob, &[]);
    assert!(err.contains("base64"), "{err}");
    let err = open_fails(b"", &bob, &[]);
    assert!(err.contains("empty"), "{err}");
    let err = open_fails(&bytes, &user_file(&w.store, CAROL, PERIOD), &[]);
    assert!(err.contains("another responder"), "{err}");
    let err = open_fails(&bytes, &bob, &["--from", CAROL]);
    assert!(err.contains("unexpected initiator"), "{err}");
    let err = open_fails(&bytes, &bob, &["--now", "2026-11-15T13:00:00Z"]);
    assert!(err.contains("window"), "{err}");

    // Keys of another KMS: the signature does not verify under its KPAK.
    let other = Scratch::new("imessage-other-kms");
    let other_store = store_with_users(&other, &[BOB], PERIOD);
    let mut args = open_args(&w, &bob);
    let other_public = format!("{other_store}/kms-public.json");
    args.extend(["--initiator-kms-public", &other_public]);
    let out = sakke_with_stdin(&args, &bytes);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("signature"), "{err}");
}

#[test]
fn the_message_time_must_match_the_key_period() {
    let w = world("imessage-period");
    let err = sakke_err(&[
        "imessage",
        "create",
        "--store",
        &w.store,
        "--from",
        ALICE,
        "--to",
        BOB,
        "--at",
        "2026-12-01T00:00:00Z",
        "--period",
        PERIOD,
    ]);
    assert!(err.contains("pass --at"), "{err}");
    // No keys for December in the store.
    let err = sakke_err(&[
        "imessage",
        "create",
        "--store",
        &w.store,
        "--from",
        ALICE,
        "--to",
        BOB,
        "--at",
        "2026-12-01T00:00:00Z",
    ]);
    assert!(err.contains("kms issue"), "{err}");
}

/// 3GPP mode on the Streamwide sw_mikey_sakke messages: the key comes out of the URIs,
/// the KMS data and the responder's RSK alone.
mod three_gpp {
    use super::common::streamwide::{field, line_of, messages};
    use super::*;

    const KMS_URI: &str = "kms.mydev.streamwide.com";
    const NOW: &str = "2025-10-02T23:48:00Z";

    /// kms-public.json for the Streamwide KMS, and a 0600 hex file with each user's RSK.
    fn setup(s: &Scratch) -> String {
        let public = s.arg("kms-public.json");
        let json = serde_json::json!({
            "format": "sakke-engine/kms-public",
            "version": 1,
            "kms_uri": KMS_URI,
            "sakke_public_key": field(0, "PubEncKey"),
            "eccsi_kpak": field(0, "PubAuthKey"),
        });
        std::fs::write(&public, json.to_string()).unwrap();
        public
    }

    fn rsk_file(s: &Scratch, uri: &str) -> String {
        secret_file(s, uri, "UserDecryptKey")
    }

    /// A 0600 file with one of the user's provisioned secrets, as hex.
    fn secret_file(s: &Scratch, uri: &str, name: &str) -> String {
        use std::os::unix::fs::PermissionsExt;
        let at = line_of(&format!("UserUri           : {uri}"));
        let path = s.path(&format!("{}-{name}.hex", uri.replace([':', '@'], "_")));
        std::fs::write(&path, format!("{}\n", field(at, name))).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path.to_str().unwrap().to_string()
    }

    fn pvt(uri: &str) -> String {
        field(
            line_of(&format!("UserUri           : {uri}")),
            "UserPubTokenPVT",
        )
    }

    fn open_args<'a>(public: &'a str, to: &'a str, rsk: &'a str) -> Vec<&'a str> {
        vec![
            "--json",
            "imessage",
            "open",
            "--to",
            to,
            "--rsk",
            rsk,
            "--kms-public",
            public,
            "--key-period",
            "16777215",
            "--now",
            NOW,
        ]
    }

    #[test]
    fn opens_the_four_streamwide_messages_from_uris_and_kms_data() {
        let s = Scratch::new("imessage-3gpp");
        let public = setup(&s);
        for m in messages() {
            let rsk = rsk_file(&s, &m.responder);
            // Detected from the message's ID scheme; --key-offset 0 is the default.
            let mut args = open_args(&public, &m.responder, &rsk);
            args.extend(["--from", &m.initiator, &m.text]);
            let got = stdout_json(&sakke_ok(&args));
            assert_eq!(got["scheme"], "3gpp");
            assert_eq!(got["tgk"], m.key.as_str(), "{}", m.kind);
            assert_eq!(got["purpose"], m.kind);
            assert_eq!(got["key_id"], m.key_id.as_str());
            assert_eq!(got["key_period_no"], 236);
            assert_eq!(got["from"], m.initiator.as_str());
            assert_eq!(got["to"], m.responder.as_str());
            let at = line_of(&format!("UserUri           : {}", m.responder));
            assert_eq!(got["to_uid"], field(at, "UserID").as_str());
            assert_eq!(got["time"], "2025-10-02T23:47:52Z");

            // Named explicitly, with the offset given, and without --from: the signer
            // is then known by its UID only.
            let mut args = open_args(&public, &m.responder, &rsk);
            args.extend(["--scheme", "3gpp", "--key-offset", "0", &m.text]);
            let got = stdout_json(&sakke_ok(&args));
            assert_eq!(got["tgk"], m.key.as_str());
            assert_eq!(got["from"], serde_json::Value::Null);
            let at = line_of(&format!("UserUri           : {}", m.initiator));
            assert_eq!(got["from_uid"], field(at, "UserID").as_str());
        }
    }

    #[test]
    fn gmk_srtp_keys_and_plain_output() {
        let s = Scratch::new("imessage-3gpp-srtp");
        let public = setup(&s);
        let m = &messages()[0];
        let rsk = rsk_file(&s, &m.responder);
        // Group call, MCPTT: crypto session 4. The TEK and salt agree with the ones an
        // independent script derived from the same message (PRF-HMAC-SHA-256 on the GMK,
        // the GUK-ID and the RAND); there is no published value.
        let mut args = open_args(&public, &m.responder, &rsk);
        args.extend(["--cs-id", "4", &m.text]);
        let got = stdout_json(&sakke_ok(&args));
        assert_eq!(got["csb_id"], 0x06a1_2aea);
        assert_eq!(got["tek"], "acb1b4e2b2dca12291e1794a8ef84947");
        assert!(got["salt"]
            .as_str()
            .unwrap()
            .starts_with("ee2f78e5ef16939d4a938327"));
        let out = sakke_ok(&args[1..]);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("key     GMK 0x0df9bc39 (CSB ID is its GUK-ID)"),
            "{text}"
        );
        assert!(
            text.contains("key period 236 at kms.mydev.streamwide.com"),
            "{text}"
        );
    }

    #[test]
    fn wrong_user_kms_period_or_initiator_is_an_error() {
        let s = Scratch::new("imessage-3gpp-reject");
        let public = setup(&s);
        let m = &messages()[0]; // gms -> alice
        let alice_rsk = rsk_file(&s, &m.responder);
        let bob = "sip:bob@streamwide.com";
        let bob_rsk = rsk_file(&s, bob);
        let run = |to: &str, rsk: &str, extra: &[&str]| {
            let mut args = open_args(&public, to, rsk);
            args.extend_from_slice(extra);
            args.push(&m.text);
            sakke_err(&args)
        };
        // Alice's RSK under another name, KMS URI or key period grid.
        for (to, extra) in [
            (bob, &[][..]),
            (
                m.responder.as_str(),
                &["--kms-uri", "kms.other.example"][..],
            ),
            (m.responder.as_str(), &["--key-offset", "100"][..]),
        ] {
            let err = run(to, &alice_rsk, extra);
            assert!(err.contains("is not the RSK of"), "{err}");
        }
        // Bob, with his own keys, is not the addressee.
        let err = run(bob, &bob_rsk, &[]);
        assert!(err.contains("another responder"), "{err}");
        // A signer other than the one expected, or the expected one at another KMS.
        let err = run(&m.responder, &alice_rsk, &["--from", bob]);
        assert!(err.contains("unexpected initiator"), "{err}");
        let err = run(
            &m.responder,
            &alice_rsk,
            &[
                "--from",
                &m.initiator,
                "--initiator-kms-uri",
                "kms.other.example",
            ],
        );
        assert!(err.contains("another KMS"), "{err}");
        // Missing 3GPP inputs, or an RFC 6509 key file for a 3GPP message.
        let err = sakke_err(&["imessage", "open", "--kms-public", &public, &m.text]);
        assert!(err.contains("--key-period"), "{err}");
        let err = sakke_err(&[
            "imessage",
            "open",
            "--kms-public",
            &public,
            "--user",
            &alice_rsk,
            &m.text,
        ]);
        assert!(err.contains("not --user"), "{err}");
        let mut args = open_args(&public, &m.responder, &alice_rsk);
        let period = args.iter().position(|a| *a == "16777215").unwrap();
        args[period] = "0";
        args.push(&m.text);
        let err = sakke_err(&args);
        assert!(err.contains("at least 1 second"), "{err}");
        // An RSK file others can read is refused before it is read.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&alice_rsk, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = run(&m.responder, &alice_rsk, &[]);
        assert!(err.contains("alice"), "{err}");
    }

    const GMS: &str = "gms@streamwide.com";
    const ALICE_SW: &str = "sip:alice@streamwide.com";
    const AT_SW: &str = "2025-10-02T23:47:30Z";

    /// `sakke --json imessage create --scheme 3gpp` from `from` (Streamwide keys) to `to`.
    fn create_3gpp(s: &Scratch, public: &str, from: &str, to: &str, extra: &[&str]) -> String {
        let ssk = secret_file(s, from, "UserSigningKeySSK");
        let pvt = pvt(from);
        let mut args = vec![
            "--json",
            "imessage",
            "create",
            "--scheme",
            "3gpp",
            "--from",
            from,
            "--to",
            to,
            "--ssk",
            &ssk,
            "--pvt",
            &pvt,
            "--kms-public",
            public,
            "--key-period",
            "16777215",
            "--at",
            AT_SW,
        ];
        args.extend_from_slice(extra);
        let out = sakke_ok(&args);
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn create_opens_for_the_responder_and_for_the_initiator_through_sakke_to_self() {
        let s = Scratch::new("imessage-3gpp-create");
        let public = setup(&s);
        let gmk = s.path("gmk.hex");
        std::fs::write(&gmk, "07d1a1677ac36d8e816204846 89b3c2d\n".replace(' ', "")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&gmk, std::fs::Permissions::from_mode(0o600)).unwrap();
        let gmk = gmk.to_str().unwrap();
        let created: serde_json::Value = serde_json::from_str(&create_3gpp(
            &s,
            &public,
            GMS,
            ALICE_SW,
            &[
                "--purpose",
                "gmk",
                "--key-id",
                "0df9bc39",
                "--key",
                gmk,
                "--to-self",
            ],
        ))
        .unwrap();
        assert_eq!(created["purpose"], "GMK");
        assert_eq!(created["key_period_no"], 236);
        assert_eq!(created["to_self"], true);
        // The same GMK to the same member travels under the same GUK-ID as Test 1.
        assert_eq!(created["csb_id"], 0x06a1_2aea);
        assert_eq!(created["tgk"], "07d1a1677ac36d8e81620484689b3c2d");
        let message = created["i_message"].as_str().unwrap();

        // Alice opens it: the key, its ID and its authenticated parameters.
        let rsk = rsk_file(&s, ALICE_SW);
        let mut args = open_args(&public, ALICE_SW, &rsk);
        args.extend(["--from", GMS, message]);
        let got = stdout_json(&sakke_ok(&args));
        assert_eq!(got["tgk"], created["tgk"]);
        assert_eq!(got["tek"], created["tek"]);
        assert_eq!(got["key_id"], "0df9bc39");
        let params = &got["key_parameters"];
        assert_eq!(params["key_type"], "GMK");
        assert_eq!(params["form"], "protected");
        assert_eq!(params["in_force"], true);
        assert_eq!(params["group_ids"], "00");

        // The GMS opens its own message from the copy to self.
        let gms_rsk = rsk_file(&s, GMS);
        let mut args = open_args(&public, ALICE_SW, &gms_rsk);
        args.retain(|a| *a != "--to" && *a != ALICE_SW);
        args.extend(["--own", "--from", GMS, message]);
        let mine = stdout_json(&sakke_ok(&args));
        assert_eq!(mine["own"], true);
        assert_eq!(mine["tgk"], created["tgk"]);
        assert_eq!(mine["to"], serde_json::Value::Null);
        assert_eq!(mine["to_uid"], got["to_uid"]);
        // Without the member's URI only the GUK-ID is known; with it, the GMK-ID.
        assert_eq!(mine["key_id"], "06a12aea");
        args.splice(args.len() - 1..args.len() - 1, ["--to", ALICE_SW]);
        let mine = stdout_json(&sakke_ok(&args));
        assert_eq!(mine["key_id"], "0df9bc39");

        // Alice cannot open it as her own, nor the GMS without the copy to self.
        let mut args = open_args(&public, ALICE_SW, &rsk);
        args.retain(|a| *a != "--to" && *a != ALICE_SW);
        args.extend(["--own", "--from", ALICE_SW, message]);
        let err = sakke_err(&args);
        assert!(err.contains("unexpected initiator"), "{err}");
        let plain: serde_json::Value =
            serde_json::from_str(&create_3gpp(&s, &public, GMS, ALICE_SW, &[])).unwrap();
        let mut args = open_args(&public, ALICE_SW, &gms_rsk);
        args.retain(|a| *a != "--to" && *a != ALICE_SW);
        args.extend(["--own", "--from", GMS, plain["i_message"].as_str().unwrap()]);
        let err = sakke_err(&args);
        assert!(err.contains("no SAKKE-to-self"), "{err}");
    }

    #[test]
    fn create_carries_each_purpose() {
        let s = Scratch::new("imessage-3gpp-purposes");
        let public = setup(&s);
        let rsk = rsk_file(&s, ALICE_SW);
        for (purpose, name) in [
            ("pck", "PCK"),
            ("csk", "CSK"),
            ("spk", "SPK"),
            ("musik", "MuSiK"),
        ] {
            let created: serde_json::Value = serde_json::from_str(&create_3gpp(
                &s,
                &public,
                GMS,
                ALICE_SW,
                &["--purpose", purpose],
            ))
            .unwrap();
            let mut args = open_args(&public, ALICE_SW, &rsk);
            args.push(created["i_message"].as_str().unwrap());
            let got = stdout_json(&sakke_ok(&args));
            assert_eq!(got["purpose"], name);
            assert_eq!(got["key_parameters"]["key_type"], name);
            assert_eq!(got["key_id"], created["key_id"]);
            assert_eq!(got["tgk"], created["tgk"]);
        }
    }

    #[test]
    fn create_refuses_wrong_keys_and_misplaced_options() {
        let s = Scratch::new("imessage-3gpp-create-reject");
        let public = setup(&s);
        let ssk = secret_file(&s, GMS, "UserSigningKeySSK");
        let base = |from: &str| -> Vec<String> {
            [
                "imessage",
                "create",
                "--scheme",
                "3gpp",
                "--from",
                from,
                "--to",
                ALICE_SW,
                "--ssk",
                &ssk,
                "--pvt",
                &pvt(GMS),
                "--kms-public",
                &public,
                "--key-period",
                "16777215",
                "--at",
                AT_SW,
            ]
            .map(String::from)
            .to_vec()
        };
        let run = |args: Vec<String>| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            sakke_err(&args)
        };
        // The GMS's keys under alice's name, or for another key period grid.
        let err = run(base(ALICE_SW));
        assert!(err.contains("are not the signing keys of"), "{err}");
        let mut offset = base(GMS);
        offset.extend(["--key-offset".into(), "100".into()]);
        assert!(run(offset).contains("are not the signing keys of"));
        // A key ID whose tag is another purpose; a CSB ID chosen by hand.
        let mut id = base(GMS);
        id.extend([
            "--purpose".into(),
            "gmk".into(),
            "--key-id".into(),
            "1df9bc39".into(),
        ]);
        assert!(run(id).contains("is not tagged GMK"));
        let mut csb = base(GMS);
        csb.extend(["--csb-id".into(), "5".into()]);
        assert!(run(csb).contains("--key-id instead"));
        // 3GPP options on an RFC 6509 message.
        let err = sakke_err(&[
            "imessage",
            "create",
            "--store",
            "ks",
            "--from",
            "tel:+1",
            "--to",
            "tel:+2",
            "--to-self",
        ]);
        assert!(err.contains("need --scheme 3gpp"), "{err}");
    }
}
