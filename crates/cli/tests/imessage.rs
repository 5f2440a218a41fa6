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
