//! `sakke kms import-3gpp` / `export-3gpp` and `sakke imessage open --store`: the
//! Streamwide KMS documents (tests/data, built from the v5 vectors) import and the four
//! real I_MESSAGEs open from the store; import -> export -> import is byte-identical;
//! our own KMS exports documents that import and messages to its users open; every bad
//! document gets its own error and leaves the store untouched.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::streamwide::{field, line_of, messages};
use common::*;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
const NOW: &str = "2025-10-02T23:48:00Z";
const TIME: &str = "2025-10-02T23:47:52Z";
const USERS: [&str; 4] = ["gms", "alice", "iwf", "bob"];

fn sample(name: &str) -> String {
    std::fs::read_to_string(Path::new(DATA).join(name)).unwrap()
}

/// Writes `text` as a 0600 file in the scratch directory; returns its path.
fn doc(s: &Scratch, name: &str, text: &str) -> String {
    let path = s.path(name);
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path.to_str().unwrap().to_string()
}

/// The Streamwide KmsInit and the four KmsKeyProv responses, as 0600 files.
fn streamwide_docs(s: &Scratch) -> (String, Vec<String>) {
    let init = doc(s, "init.xml", &sample("streamwide-kms-init.xml"));
    let provs = USERS
        .iter()
        .map(|u| {
            let name = format!("streamwide-keyprov-{u}.xml");
            doc(s, &name, &sample(&name))
        })
        .collect();
    (init, provs)
}

fn import<S: AsRef<str>>(store: &str, init: &str, provs: &[S], extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "kms",
        "import-3gpp",
        "--store",
        store,
        "--init",
        init,
        "--keyprov",
    ];
    args.extend(provs.iter().map(AsRef::as_ref));
    args.extend_from_slice(extra);
    args.iter().map(|a| a.to_string()).collect()
}

fn run_ok(args: &[String]) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    sakke_ok(&args)
}

fn run_err(args: &[String]) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    sakke_err(&args)
}

/// Every file under `dir` with its mode and contents (empty if `dir` is missing).
fn snapshot(dir: &Path) -> BTreeMap<String, (u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            for (k, v) in snapshot(&path) {
                out.insert(format!("{name}/{k}"), v);
            }
            out.insert(format!("{name}/"), (mode(&path), Vec::new()));
        } else {
            out.insert(name, (mode(&path), std::fs::read(&path).unwrap()));
        }
    }
    out
}

#[test]
fn streamwide_documents_import_and_the_four_messages_open_from_the_store() {
    let s = Scratch::new("kms3gpp-streamwide");
    let (init, provs) = streamwide_docs(&s);
    let store = s.arg("mcx");
    let mut args = import(&store, &init, &provs, &[]);
    args.insert(0, "--json".into());
    let report = stdout_json(&run_ok(&args));
    assert_eq!(report["kms_uri"], "kms.mydev.streamwide.com");
    assert_eq!(report["user_key_period"], 16_777_215);
    assert_eq!(report["user_key_offset"], 0);
    let users = report["users"].as_array().unwrap();
    assert_eq!(users.len(), 4);
    for u in users {
        let uri = u["uri"].as_str().unwrap();
        let at = line_of(&format!("UserUri           : {uri}"));
        assert_eq!(u["uid"], field(at, "UserID").as_str(), "{uri}");
        assert_eq!(u["key_period_no"], 236);
        assert_eq!(u["written"], true);
    }

    // The store: the public parameters with the key periods, and 0600 user files.
    let public = read_json(&s.path("mcx/kms-public.json"));
    assert_eq!(public["sakke_public_key"], field(0, "PubEncKey").as_str());
    assert_eq!(public["eccsi_kpak"], field(0, "PubAuthKey").as_str());
    assert_eq!(public["user_id_format"], "2");
    assert_eq!(public["user_key_period"], 16_777_215);
    let files: Vec<String> = snapshot(&s.path("mcx")).into_keys().collect();
    assert_eq!(
        files,
        [
            "kms-public.json",
            "users/",
            "users/gms@streamwide.com_236.json",
            "users/sip_alice@streamwide.com_236.json",
            "users/sip_bob@streamwide.com_236.json",
            "users/sip_iwf_legacy_v1.1.x_format@streamwide.com_236.json",
        ]
    );
    let alice = read_json(&s.path("mcx/users/sip_alice@streamwide.com_236.json"));
    assert_eq!(alice["format"], "sakke-engine/user-keys-3gpp");
    let at = line_of("UserUri           : sip:alice@streamwide.com");
    assert_eq!(alice["sakke_rsk"], field(at, "UserDecryptKey").as_str());
    assert_eq!(alice["eccsi_ssk"], field(at, "UserSigningKeySSK").as_str());
    for (_, (m, _)) in snapshot(&s.path("mcx")) {
        assert_eq!(m & 0o077, 0);
    }

    for m in messages() {
        let got = stdout_json(&sakke_ok(&[
            "--json",
            "imessage",
            "open",
            "--store",
            &store,
            "--to",
            &m.responder,
            "--from",
            &m.initiator,
            "--now",
            NOW,
            &m.text,
        ]));
        assert_eq!(got["scheme"], "3gpp");
        assert_eq!(got["tgk"], m.key.as_str(), "{}", m.kind);
        assert_eq!(got["purpose"], m.kind);
        assert_eq!(got["key_id"], m.key_id.as_str());
        assert_eq!(got["key_period_no"], 236);
        assert_eq!(got["kms_uri"], "kms.mydev.streamwide.com");
        let at = line_of(&format!("UserUri           : {}", m.responder));
        assert_eq!(got["to_uid"], field(at, "UserID").as_str());
    }

    // Importing the same documents again changes nothing and needs no --force.
    let before = snapshot(&s.path("mcx"));
    let out = String::from_utf8(run_ok(&import(&store, &init, &provs, &[])).stdout).unwrap();
    assert!(out.contains("(unchanged)"), "{out}");
    assert_eq!(snapshot(&s.path("mcx")), before);

    // A user the store has no keys for, and --store for an RFC 6509 key file's job.
    let m = &messages()[0];
    let err = sakke_err(&[
        "imessage",
        "open",
        "--store",
        &store,
        "--to",
        "sip:carol@streamwide.com",
        "--now",
        NOW,
        &m.text,
    ]);
    assert!(err.contains("key period 236"), "{err}");
}

/// After an import, both ends of a group call work from their stores: the GMS creates
/// a GMK message to alice with a copy to itself; alice opens it, and so does the GMS.
#[test]
fn messages_created_from_an_imported_store_open_for_both_sides() {
    let s = Scratch::new("kms3gpp-create");
    let (init, provs) = streamwide_docs(&s);
    let store = s.arg("mcx");
    run_ok(&import(&store, &init, &provs, &[]));
    let created = stdout_json(&sakke_ok(&[
        "--json",
        "imessage",
        "create",
        "--scheme",
        "3gpp",
        "--store",
        &store,
        "--from",
        "gms@streamwide.com",
        "--to",
        "sip:alice@streamwide.com",
        "--purpose",
        "gmk",
        "--to-self",
        "--at",
        TIME,
    ]));
    assert_eq!(created["key_period_no"], 236);
    assert_eq!(
        created["from_uid"],
        field(line_of("UserUri           : gms@streamwide.com"), "UserID").as_str()
    );
    let message = created["i_message"].as_str().unwrap();
    let open = |extra: &[&str]| {
        let mut args = vec![
            "--json", "imessage", "open", "--store", &store, "--now", NOW,
        ];
        args.extend_from_slice(extra);
        args.push(message);
        stdout_json(&sakke_ok(&args))
    };
    let alice = open(&[
        "--to",
        "sip:alice@streamwide.com",
        "--from",
        "gms@streamwide.com",
    ]);
    assert_eq!(alice["tgk"], created["tgk"]);
    assert_eq!(alice["key_id"], created["key_id"]);
    assert_eq!(alice["key_parameters"]["key_type"], "GMK");
    let gms = open(&[
        "--own",
        "--from",
        "gms@streamwide.com",
        "--to",
        "sip:alice@streamwide.com",
    ]);
    assert_eq!(gms["tgk"], created["tgk"]);
    assert_eq!(gms["key_id"], created["key_id"]);
    // Bob has keys in the store, but the message is not his, nor his own.
    let err = sakke_err(&[
        "imessage",
        "open",
        "--store",
        &store,
        "--now",
        NOW,
        "--to",
        "sip:bob@streamwide.com",
        message,
    ]);
    assert!(err.contains("another responder"), "{err}");
    // With --store the keys come from the store alone.
    let err = sakke_err(&[
        "imessage",
        "create",
        "--scheme",
        "3gpp",
        "--store",
        &store,
        "--from",
        "gms@streamwide.com",
        "--to",
        "sip:alice@streamwide.com",
        "--key-period",
        "100",
    ]);
    assert!(err.contains("leave out"), "{err}");
}

#[test]
fn import_export_import_is_byte_identical() {
    let s = Scratch::new("kms3gpp-roundtrip");
    let (init, provs) = streamwide_docs(&s);
    let store = s.arg("one");
    run_ok(&import(&store, &init, &provs, &[]));
    let (init_out, alice_out) = (s.arg("init-out.xml"), s.arg("alice-out.xml"));
    sakke_ok(&[
        "kms",
        "export-3gpp",
        "--store",
        &store,
        "--uri",
        "sip:alice@streamwide.com",
        "--key-period-no",
        "236",
        "--time",
        TIME,
        "--init-out",
        &init_out,
        "--keyprov-out",
        &alice_out,
    ]);
    // The documents written are the ones imported, byte for byte.
    assert_eq!(
        std::fs::read_to_string(&init_out).unwrap(),
        sample("streamwide-kms-init.xml")
    );
    assert_eq!(
        std::fs::read_to_string(&alice_out).unwrap(),
        sample("streamwide-keyprov-alice.xml")
    );
    assert_eq!(mode(alice_out.as_ref()), 0o600);

    // All four users in one KmsKeyProv; re-imported into a second store, equal files.
    let all = s.arg("all-out.xml");
    let mut args = vec![
        "kms",
        "export-3gpp",
        "--store",
        &store,
        "--key-period-no",
        "236",
        "--time",
        TIME,
        "--keyprov-out",
        &all,
    ];
    let uris = [
        "gms@streamwide.com",
        "sip:alice@streamwide.com",
        "sip:iwf_legacy_v1.1.x_format@streamwide.com",
        "sip:bob@streamwide.com",
    ];
    for u in &uris {
        args.extend(["--uri", u]);
    }
    sakke_ok(&args);
    let two = s.arg("two");
    run_ok(&import(&two, &init_out, &[all.as_str()], &[]));
    assert_eq!(snapshot(&s.path("one")), snapshot(&s.path("two")));

    // Exporting the second store gives the same documents again.
    let again = s.arg("all-again.xml");
    let pos = args.iter().position(|a| *a == all.as_str()).unwrap();
    args[pos] = &again;
    args[3] = &two;
    sakke_ok(&args);
    assert_eq!(std::fs::read(&all).unwrap(), std::fs::read(&again).unwrap());

    // Outputs are never overwritten by accident.
    let err = sakke_err(&args);
    assert!(err.contains("already exists"), "{err}");
    // An imported store cannot issue keys it was not given.
    let err = sakke_err(&[
        "kms",
        "export-3gpp",
        "--store",
        &two,
        "--uri",
        "sip:carol@streamwide.com",
        "--key-period-no",
        "236",
        "--keyprov-out",
        &s.arg("carol.xml"),
    ]);
    assert!(err.contains("does not exist"), "{err}");
    assert!(!s.path("carol.xml").exists());
}

/// Builds a PCK I_MESSAGE from `from` to `to` with keys from our own exported documents.
fn pck_message(init: &str, from_prov: &str, from: &str, to: &str, at: i64) -> (String, String) {
    use kms_xml::{parse_response, KmsMessage};
    use mikey::eccsi::rand_core::OsRng;
    use mikey::eccsi::SigningKey;
    use mikey::sakke::Ssv;
    use mikey::{build_i_message, IMessageParams, KeyPurpose, McxIdentity, NtpTimestamp, PartyId};

    let KmsMessage::Init(init) = parse_response(init.as_bytes()).unwrap().message else {
        panic!("init");
    };
    let kms = init.certificate.validate().unwrap();
    let KmsMessage::KeyProv(prov) = parse_response(from_prov.as_bytes()).unwrap().message else {
        panic!("keyprov");
    };
    let keys = prov.key_sets[0].validate(&kms).unwrap();
    let signer = SigningKey::new(&keys.uid, keys.ssk, keys.pvt, kms.kpak).unwrap();
    let id = |uri: &str| PartyId::Mcx(McxIdentity::new(uri, kms.kms_uri.as_str(), kms.periods));
    let (initiator, responder) = (id(from), id(to));
    let ssv = Ssv::random();
    let mut params = IMessageParams::new(&initiator, &responder, &signer, &kms.z);
    params.time = Some(NtpTimestamp::from_unix(at, 0).unwrap());
    params.ssv = Some(&ssv);
    params.csb_id = Some(KeyPurpose::Pck.key_id(0x0abc_def1));
    params.kms_initiator_uri = Some(kms.kms_uri.as_str());
    params.kms_responder_uri = Some(kms.kms_uri.as_str());
    let built = build_i_message(&params, &mut OsRng).unwrap();
    (
        format!("mikey {}", STANDARD.encode(&built.bytes)),
        hex::encode(ssv.as_bytes()),
    )
}

#[test]
fn our_own_kms_exports_documents_that_import_and_open() {
    let s = Scratch::new("kms3gpp-own");
    let ks = s.arg("ks");
    sakke_ok(&[
        "kms",
        "init",
        "--store",
        &ks,
        "--kms-uri",
        "kms.example.org",
        "--3gpp",
    ]);
    let public = read_json(&s.path("ks/kms-public.json"));
    assert_eq!(public["user_key_period"], 2_592_000);
    assert_eq!(public["user_key_offset"], 0);
    let (alice, bob) = ("sip:alice@example.org", "sip:bob@example.org");
    let at = "2026-11-15T12:00:00Z";
    let unix = 1_794_744_000;
    let (init, alice_prov, bob_prov) = (s.arg("init.xml"), s.arg("alice.xml"), s.arg("bob.xml"));
    let report = stdout_json(&sakke_ok(&[
        "--json",
        "kms",
        "export-3gpp",
        "--store",
        &ks,
        "--uri",
        alice,
        "--at",
        at,
        "--init-out",
        &init,
        "--keyprov-out",
        &alice_prov,
    ]));
    // 30-day periods from 1900-01-01: the NTP seconds over 2592000.
    let n = (unix + 2_208_988_800) / 2_592_000;
    assert_eq!(report["key_period_no"], n);
    assert_eq!(report["users"][0]["issued"], true);
    let stored = s.path(&format!("ks/users/sip_alice@example.org_{n}.json"));
    assert_eq!(mode(&stored), 0o600);
    // Exporting again reads the keys already issued: same UID, same keys.
    let again = s.arg("alice-again.xml");
    let report2 = stdout_json(&sakke_ok(&[
        "--json",
        "kms",
        "export-3gpp",
        "--store",
        &ks,
        "--uri",
        alice,
        "--at",
        at,
        "--time",
        at,
        "--keyprov-out",
        &again,
    ]));
    assert_eq!(report2["users"][0]["issued"], false);
    assert_eq!(report2["users"][0]["uid"], report["users"][0]["uid"]);
    sakke_ok(&[
        "kms",
        "export-3gpp",
        "--store",
        &ks,
        "--uri",
        bob,
        "--at",
        at,
        "--keyprov-out",
        &bob_prov,
    ]);

    // An output that would be overwritten is refused before any key is issued.
    let err = sakke_err(&[
        "kms",
        "export-3gpp",
        "--store",
        &ks,
        "--uri",
        "sip:carol@example.org",
        "--at",
        at,
        "--keyprov-out",
        &bob_prov,
    ]);
    assert!(err.contains("already exists"), "{err}");
    assert!(!s
        .path(&format!("ks/users/sip_carol@example.org_{n}.json"))
        .exists());
    let err = sakke_err(&[
        "kms",
        "export-3gpp",
        "--store",
        &ks,
        "--uri",
        bob,
        "--uri",
        bob,
        "--init-out",
        &s.arg("twice.xml"),
    ]);
    assert!(err.contains("given twice"), "{err}");

    // Bob's device imports the documents; a PCK from Alice opens from that store.
    let dev = s.arg("bob-device");
    run_ok(&import(&dev, &init, &[bob_prov.as_str()], &[]));
    let read = |p: &str| std::fs::read_to_string(p).unwrap();
    let (msg, key) = pck_message(&read(&init), &read(&alice_prov), alice, bob, unix);
    let got = stdout_json(&sakke_ok(&[
        "--json", "imessage", "open", "--store", &dev, "--to", bob, "--from", alice, "--now", at,
        &msg,
    ]));
    assert_eq!(got["tgk"], key.as_str());
    assert_eq!(got["purpose"], "PCK");
    assert_eq!(got["key_id"], "1abcdef1");
    assert_eq!(got["key_period_no"], n);
    // Alice's store copy cannot open what was sent to Bob.
    let alice_dev = s.arg("alice-device");
    run_ok(&import(&alice_dev, &init, &[alice_prov.as_str()], &[]));
    let err = sakke_err(&[
        "imessage", "open", "--store", &alice_dev, "--to", bob, "--now", at, &msg,
    ]);
    assert!(err.contains("does not exist"), "{err}");

    // A KMS's own store takes no imports; an RFC 6509-only store has no 3GPP periods.
    let err = run_err(&import(&ks, &init, &[bob_prov.as_str()], &[]));
    assert!(err.contains("a KMS's own secrets"), "{err}");
    let plain = s.arg("plain");
    sakke_ok(&["kms", "init", "--store", &plain]);
    let err = sakke_err(&[
        "kms",
        "export-3gpp",
        "--store",
        &plain,
        "--uri",
        alice,
        "--init-out",
        &s.arg("x.xml"),
    ]);
    assert!(err.contains("records no 3GPP key periods"), "{err}");
}

#[test]
fn bad_documents_each_get_their_own_error_and_write_nothing() {
    let s = Scratch::new("kms3gpp-bad");
    let init_text = sample("streamwide-kms-init.xml");
    let alice_text = sample("streamwide-keyprov-alice.xml");
    let bob_text = sample("streamwide-keyprov-bob.xml");
    let z = field(0, "PubEncKey");
    let mut z_off = z.clone();
    z_off.replace_range(z.len() - 1.., if z.ends_with('6') { "7" } else { "6" });
    let bob_uid = field(
        line_of("UserUri           : sip:bob@streamwide.com"),
        "UserID",
    );
    let alice_uid = field(
        line_of("UserUri           : sip:alice@streamwide.com"),
        "UserID",
    );
    let sig = "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo/>\
               </ds:Signature>";
    let laughs = init_text.replace(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE KmsResponse [<!ENTITY a \"aaaaaaaaaa\">\
         <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n",
    )
    .replace("<KmsUri>kms", "<KmsUri>&c;kms");
    // (which document is bad, its text, what the error says)
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "init",
            init_text[..init_text.len() / 2].to_string(),
            "truncated?",
        ),
        (
            "init",
            init_text.replace("urn:3gpp:ns:mcsecKMSInterface:1.0", "urn:example:kms"),
            "expected urn:3gpp:ns:mcsecKMSInterface:1.0",
        ),
        ("init", laughs, "<!DOCTYPE>"),
        (
            "init",
            init_text.replace("<UserIdFormat>2</UserIdFormat>", ""),
            "KmsCertificate has no UserIdFormat",
        ),
        (
            "init",
            init_text.replace(&z, &z_off),
            "PubEncKey (SAKKE public key Z) is not a valid key",
        ),
        (
            "init",
            init_text.replace(">2<", ">1<"),
            "UserIdFormat \"1\" is not supported",
        ),
        (
            "init",
            init_text
                .replace("<KmsCertificate ", "<SignedKmsCertificate><KmsCertificate ")
                .replace(
                    "</KmsCertificate>",
                    &format!("</KmsCertificate>{sig}</SignedKmsCertificate>"),
                ),
            "signature checking is not built",
        ),
        (
            "keyprov",
            alice_text.replace(&alice_uid, &bob_uid),
            "but the UID derived from",
        ),
        (
            "keyprov",
            alice_text.replace("<KeyPeriodNo>236<", "<KeyPeriodNo>235<"),
            "is the UID for key period 236, but KeyPeriodNo says 235",
        ),
        (
            "keyprov",
            alice_text.replace("</KmsResponse>", &format!("{sig}</KmsResponse>")),
            "signature checking is not built",
        ),
        (
            "keyprov",
            alice_text.replace("\"KeyContentType\">0428", "\"EncKeyContentType\">0428"),
            "decrypting TrK-wrapped keys is not built",
        ),
        (
            "keyprov",
            alice_text.replace(
                "<UserPubTokenPVT xsi:type=\"KeyContentType\">04",
                "<UserPubTokenPVT xsi:type=\"KeyContentType\">",
            ),
            "UserPubTokenPVT: must be 65 bytes, got 64",
        ),
        (
            "keyprov",
            init_text.clone(),
            "carries KmsInit, expected KmsKeyProv",
        ),
    ];

    // A store that already holds Bob's keys must come out of every failure unchanged,
    // and a new store must not even be created.
    let init_ok = doc(&s, "init-ok.xml", &init_text);
    let bob_ok = doc(&s, "bob-ok.xml", &bob_text);
    let existing = s.arg("existing");
    run_ok(&import(&existing, &init_ok, &[bob_ok.as_str()], &[]));
    let before = snapshot(&s.path("existing"));
    assert_eq!(before.len(), 3);
    for (i, (which, text, want)) in cases.iter().enumerate() {
        let bad = doc(&s, &format!("bad-{i}.xml"), text);
        let ok_alice = doc(&s, "alice-ok.xml", &alice_text);
        let (init, provs) = match *which {
            "init" => (bad.clone(), vec![ok_alice.clone()]),
            _ => (init_ok.clone(), vec![ok_alice.clone(), bad.clone()]),
        };
        let fresh = s.arg(&format!("fresh-{i}"));
        let err = run_err(&import(&fresh, &init, &provs, &[]));
        assert!(err.contains(want), "case {i}: want {want:?} in {err}");
        assert!(err.contains(&bad), "case {i}: the file is named: {err}");
        assert!(!s.path(&format!("fresh-{i}")).exists(), "case {i}");
        let err = run_err(&import(&existing, &init, &provs, &["--force"]));
        assert!(err.contains(want), "case {i}: {err}");
        assert_eq!(snapshot(&s.path("existing")), before, "case {i}");
    }

    // Duplicate key sets, a keyprov file others can read, and another KMS's documents
    // over an existing store without --force.
    let alice_ok = doc(&s, "alice-ok.xml", &alice_text);
    let err = run_err(&import(
        &existing,
        &init_ok,
        &[alice_ok.clone(), alice_ok.clone()],
        &[],
    ));
    assert!(err.contains("appears more than once"), "{err}");
    std::fs::set_permissions(&alice_ok, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = run_err(&import(&existing, &init_ok, &[alice_ok.as_str()], &[]));
    assert!(err.contains("readable by other users"), "{err}");
    std::fs::set_permissions(&alice_ok, std::fs::Permissions::from_mode(0o600)).unwrap();
    let ks = s.arg("ks");
    sakke_ok(&[
        "kms",
        "init",
        "--store",
        &ks,
        "--kms-uri",
        "kms.mydev.streamwide.com",
        "--3gpp",
    ]);
    let (other_init, other_prov) = (s.arg("other-init.xml"), s.arg("other-bob.xml"));
    sakke_ok(&[
        "kms",
        "export-3gpp",
        "--store",
        &ks,
        "--uri",
        "sip:bob@streamwide.com",
        "--key-period-no",
        "236",
        "--init-out",
        &other_init,
        "--keyprov-out",
        &other_prov,
    ]);
    let err = run_err(&import(&existing, &other_init, &[other_prov.as_str()], &[]));
    assert!(err.contains("already exists (pass --force"), "{err}");
    assert_eq!(snapshot(&s.path("existing")), before);
    // With --force it is replaced, and Bob's file holds the new keys.
    run_ok(&import(&existing, &other_init, &[other_prov], &["--force"]));
    assert_ne!(snapshot(&s.path("existing")), before);
    assert_eq!(snapshot(&s.path("existing")).len(), 3);
}

#[test]
fn kms_init_records_the_3gpp_key_periods_given() {
    let s = Scratch::new("kms3gpp-init");
    let ks = s.arg("ks");
    let report = stdout_json(&sakke_ok(&[
        "--json",
        "kms",
        "init",
        "--store",
        &ks,
        "--user-key-period",
        "16777215",
        "--user-key-offset",
        "100",
    ]));
    assert_eq!(report["user_key_period"], 16_777_215);
    assert_eq!(report["user_key_offset"], 100);
    for file in ["kms.json", "kms-public.json"] {
        let f = read_json(&s.path(&format!("ks/{file}")));
        assert_eq!(f["user_id_format"], "2", "{file}");
        assert_eq!(f["user_key_period"], 16_777_215, "{file}");
        assert_eq!(f["user_key_offset"], 100, "{file}");
    }
    // `kms repair` keeps them (it rewrites kms-public.json from kms.json).
    sakke_ok(&["kms", "repair", "--store", &ks]);
    assert_eq!(
        read_json(&s.path("ks/kms-public.json"))["user_key_offset"],
        100
    );
    // Without any 3GPP option nothing is recorded; a zero period is refused.
    let plain = s.arg("plain");
    let report = stdout_json(&sakke_ok(&["--json", "kms", "init", "--store", &plain]));
    assert!(report.get("user_key_period").is_none());
    let err = sakke_err(&[
        "kms",
        "init",
        "--store",
        &s.arg("zero"),
        "--user-key-period",
        "0",
    ]);
    assert!(err.contains("at least 1 second"), "{err}");
    assert!(!s.path("zero").exists());
}
