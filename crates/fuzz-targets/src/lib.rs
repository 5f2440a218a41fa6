//! The fuzz targets' bodies, one function per parser. `fuzz/` wraps each in a libFuzzer
//! target; `tests/smoke.rs` runs each over the committed seeds in `fuzz/seeds/<name>`
//! and deterministic mutations of them, on stable, as part of the test suite.
//!
//! Every body must not panic on any input, and asserts what the parser promises about
//! what it accepts: binary encodings re-encode to the same bytes; JSON files, whose
//! spacing and hex case are free, write out to a form that reads back to the same value.
//! Each returns whether the parser accepted the input, so that the smoke test can check
//! that the seeds reach past the first rejection.

use std::io::Cursor;
use std::path::Path;

use mikey::{IMessage, Message};
use pairing::{AffinePoint, POINT_BYTES};
use sakke::{EncapsulatedData, KmsPublicKey, Rsk, ENCAPSULATED_BYTES};
use sakke_cli::batch::decap::{parse_decap_line, ReceiverKeyCache};
use sakke_cli::batch::encap::{parse_encap_line, RecipientKeyCache};
use sakke_cli::batch::{Id, LineError};
use sakke_cli::jsonl::LineReader;
use sakke_cli::keystore::{
    kms_json, parse_kms_file, parse_public_file, parse_user_file, public_json, KeyStoreError,
};

/// A target's body: false where the parser rejected the input.
pub type Body = fn(&[u8]) -> bool;

/// The targets by name (the names of `fuzz/fuzz_targets/*.rs` and `fuzz/seeds/*`).
pub const TARGETS: [(&str, Body); 5] = [
    ("point", point),
    ("encapsulated", encapsulated),
    ("batch_line", batch_line),
    ("key_file", key_file),
    ("mikey", mikey),
];

/// A curve point (`AffinePoint::from_bytes`) and the two keys that are points of the
/// order-q subgroup (`KmsPublicKey::from_bytes`, `Rsk::from_bytes`).
pub fn point(data: &[u8]) -> bool {
    let on_curve = AffinePoint::from_bytes(data);
    if let Ok(p) = &on_curve {
        assert_eq!(p.to_bytes().as_ref().map(|b| &b[..]), Some(data));
        // The curve is symmetric about the x axis: -P must decode as well.
        let minus = p.neg().to_bytes().expect("-P is not the identity");
        assert_eq!(AffinePoint::from_bytes(&minus), Ok(p.neg()));
    }
    let z = KmsPublicKey::from_bytes(data);
    let rsk = Rsk::from_bytes(data);
    assert_eq!(z.is_ok(), rsk.is_ok(), "Z and RSK decode the same points");
    if let (Ok(z), Ok(rsk)) = (&z, &rsk) {
        assert!(on_curve.is_ok(), "a subgroup point is a curve point");
        assert_eq!(z.to_bytes()[..], *data);
        assert_eq!(rsk.to_bytes()[..], *data);
    }
    on_curve.is_ok()
}

/// Encapsulated data R || H (`EncapsulatedData::from_bytes`).
pub fn encapsulated(data: &[u8]) -> bool {
    let parsed = EncapsulatedData::from_bytes(data);
    match &parsed {
        Ok(ed) => {
            assert_eq!(ed.to_bytes()[..], *data);
            assert_eq!(
                AffinePoint::from_bytes(&data[..POINT_BYTES]).as_ref(),
                Ok(ed.point())
            );
            assert_eq!(ed.hint()[..], data[POINT_BYTES..]);
        }
        // At the right length, only R can be at fault.
        Err(_) if data.len() == ENCAPSULATED_BYTES => {
            assert!(AffinePoint::from_bytes(&data[..POINT_BYTES]).is_err());
        }
        Err(_) => {}
    }
    parsed.is_ok()
}

/// The error kinds README "Batch formats" lists that a decap-batch line can get before
/// the backend runs (`not_in_subgroup` and `test_failed` come from decapsulation).
const DECAP_KINDS: [&str; 10] = [
    "malformed_json",
    "missing_field",
    "unknown_field",
    "duplicate_field",
    "bad_hex",
    "kms_public_key",
    "identity",
    "rsk",
    "rsk_invalid",
    "encapsulated",
];

/// The error kinds an encap-batch line can get.
const ENCAP_KINDS: [&str; 8] = [
    "malformed_json",
    "missing_field",
    "unknown_field",
    "duplicate_field",
    "bad_hex",
    "kms_public_key",
    "identity",
    "ssv",
];

/// Batch request lines (`parse_decap_line`, `parse_encap_line`), split by the commands'
/// own `LineReader` and parsed twice with one key cache per kind, as a run parses them:
/// a line must get the same outcome whether its key was computed or found in the cache.
pub fn batch_line(data: &[u8]) -> bool {
    let mut reader = LineReader::new(Cursor::new(data));
    let mut lines = Vec::new();
    while let Some(line) = reader.next_line().expect("reading memory cannot fail") {
        // What is not text is answered by the reader's caller, never parsed.
        if let Ok(text) = line {
            lines.push(text);
        }
    }
    let decap_cache = ReceiverKeyCache::default();
    let encap_cache = RecipientKeyCache::default();
    let decap = |line: &str| outcome(parse_decap_line(line, &decap_cache), &DECAP_KINDS);
    let encap = |line: &str| outcome(parse_encap_line(line, &encap_cache), &ENCAP_KINDS);
    let first: Vec<_> = lines.iter().map(|l| (decap(l), encap(l))).collect();
    for (line, (decap_first, encap_first)) in lines.iter().zip(&first) {
        assert_eq!(&decap(line), decap_first, "cached decap outcome differs");
        assert_eq!(&encap(line), encap_first, "cached encap outcome differs");
    }
    first.iter().any(|(d, e)| d.1.is_ok() || e.1.is_ok())
}

/// A parsed line reduced to what can be compared: its id's text, and its error if any.
/// Checks that a line that parsed has an id, and that an error's kind is documented.
fn outcome<W>(
    (id, work): (Id, Result<W, LineError>),
    kinds: &[&str],
) -> (Option<String>, Result<(), LineError>) {
    match &work {
        Ok(_) => assert!(id.is_some(), "a line that parsed has an id"),
        Err(e) => assert!(kinds.contains(&e.kind), "undocumented kind {e:?}"),
    }
    (id.map(|raw| raw.get().to_string()), work.map(|_| ()))
}

/// The key store files (`parse_kms_file`, `parse_public_file`, `parse_user_file`, which
/// the path loaders call). Whatever one accepts, written back out by the code that writes
/// the store, must read back and write out the same; every error names the file.
pub fn key_file(data: &[u8]) -> bool {
    let path = Path::new("fuzz/input.json");
    let names_file = |e: &KeyStoreError| {
        assert!(e.to_string().starts_with("fuzz/input.json"), "{e}");
    };
    let kms = parse_kms_file(data, path).inspect_err(names_file);
    if let Ok(kms) = &kms {
        let written = kms_json(kms);
        let again = parse_kms_file(&written, path).expect("kms.json as written reads back");
        assert_eq!(*kms_json(&again), *written);
    }
    let public = parse_public_file(data, path).inspect_err(names_file);
    if let Ok(public) = &public {
        let written = public_json(public);
        let again = parse_public_file(&written, path).expect("kms-public.json reads back");
        assert_eq!(public_json(&again), written);
    }
    let user = parse_user_file(data, path).inspect_err(names_file);
    if let Ok(user) = &user {
        let written = user.to_json();
        let again = parse_user_file(&written, path).expect("a user file as written reads back");
        assert_eq!(*again.to_json(), *written);
    }
    kms.is_ok() || public.is_ok() || user.is_ok()
}

/// MIKEY messages (`Message::parse`): what is accepted re-encodes to the same bytes, and
/// the I_MESSAGE structure check runs on it without panicking.
pub fn mikey(data: &[u8]) -> bool {
    let Ok(message) = Message::parse(data) else {
        return false;
    };
    assert_eq!(message.to_bytes().ok().as_deref(), Some(data));
    let _ = IMessage::new(&message);
    true
}
