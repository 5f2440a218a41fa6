//! `sakke kms init / issue / export-public` and the key store files they write.

mod common;

use common::*;
use sakke::{Identifier, KmsPublicKey, ReceiverKey, Rsk};

const PERIOD: &str = "2026-11";

#[test]
fn init_creates_a_private_store_and_refuses_to_overwrite_it() {
    let s = Scratch::new("kms-init");
    let store = s.arg("store");
    let out = sakke_ok(&[
        "--json",
        "kms",
        "init",
        "--store",
        &store,
        "--kms-uri",
        "kms.test.example",
    ]);
    let report = stdout_json(&out);
    assert_eq!(report["kms_uri"], "kms.test.example");
    assert_eq!(report["sakke_public_key"].as_str().unwrap().len(), 2 * 257);
    assert_eq!(report["eccsi_kpak"].as_str().unwrap().len(), 2 * 65);

    #[cfg(unix)]
    {
        assert_eq!(mode(&s.path("store")), 0o700);
        assert_eq!(mode(&s.path("store/users")), 0o700);
        assert_eq!(mode(&s.path("store/kms.json")), 0o600);
        assert_eq!(mode(&s.path("store/kms-public.json")), 0o600);
    }
    let secret = read_json(&s.path("store/kms.json"));
    assert_eq!(secret["format"], "sakke-engine/kms");
    assert_eq!(secret["version"], 1);
    assert_eq!(
        secret["sakke_master_secret"].as_str().unwrap().len(),
        2 * 128
    );
    assert_eq!(secret["eccsi_ksak"].as_str().unwrap().len(), 2 * 32);
    let public = read_json(&s.path("store/kms-public.json"));
    assert_eq!(public["format"], "sakke-engine/kms-public");
    assert_eq!(public["sakke_public_key"], report["sakke_public_key"]);
    assert_eq!(public["eccsi_kpak"], report["eccsi_kpak"]);
    assert!(public.get("sakke_master_secret").is_none());
    assert!(public.get("eccsi_ksak").is_none());

    let err = sakke_err(&["kms", "init", "--store", &store]);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        read_json(&s.path("store/kms.json")),
        secret,
        "must not be touched"
    );

    sakke_ok(&["kms", "init", "--store", &store, "--force"]);
    assert_ne!(read_json(&s.path("store/kms-public.json")), public);
}

#[test]
fn issue_writes_validated_keys_for_the_rfc6509_identifier() {
    let s = Scratch::new("kms-issue");
    let store = store_with_users(&s, &[], PERIOD);
    let out = sakke_ok(&[
        "--json",
        "kms",
        "issue",
        "--store",
        &store,
        "--uri",
        "tel:+447700900123",
        "--period",
        PERIOD,
    ]);
    let issued = &stdout_json(&out)["issued"][0];
    let file = user_file(&store, "tel:+447700900123", PERIOD);
    assert_eq!(issued["file"], file.as_str());
    let id = b"2026-11\0tel:+447700900123\0";
    assert_eq!(issued["identifier"], hex::encode(id));
    #[cfg(unix)]
    assert_eq!(mode(file.as_ref()), 0o600);

    // The file's keys validate against the KMS public keys, independently of the CLI.
    let user = read_json(file.as_ref());
    assert_eq!(user["format"], "sakke-engine/user-keys");
    assert_eq!(user["uri"], "tel:+447700900123");
    assert_eq!(user["period"], PERIOD);
    assert_eq!(user["identifier"], hex::encode(id));
    let public = read_json(&s.path("store/kms-public.json"));
    let unhex = |v: &serde_json::Value| hex::decode(v.as_str().unwrap()).unwrap();
    let z = KmsPublicKey::from_bytes(&unhex(&public["sakke_public_key"])).unwrap();
    let rsk = Rsk::from_bytes(&unhex(&user["sakke_rsk"])).unwrap();
    ReceiverKey::new(&Identifier::new(id.to_vec()).unwrap(), &z, rsk).expect("RSK validates");
    let kpak = eccsi::Kpak::from_bytes(&unhex(&public["eccsi_kpak"])).unwrap();
    let ssk = eccsi::Ssk::from_bytes(&unhex(&user["eccsi_ssk"])).unwrap();
    let pvt = eccsi::Pvt::from_bytes(&unhex(&user["eccsi_pvt"])).unwrap();
    eccsi::validate_ssk(id, &ssk, &pvt, &kpak).expect("SSK validates");

    let err = sakke_err(&[
        "kms",
        "issue",
        "--store",
        &store,
        "--uri",
        "tel:+447700900123",
        "--period",
        PERIOD,
    ]);
    assert!(err.contains("already exists"), "{err}");
    sakke_ok(&[
        "kms",
        "issue",
        "--store",
        &store,
        "--uri",
        "tel:+447700900123",
        "--period",
        PERIOD,
        "--force",
    ]);
    assert_ne!(read_json(file.as_ref())["eccsi_pvt"], user["eccsi_pvt"]);
}

#[test]
fn bulk_issue_from_a_file_of_uris() {
    let s = Scratch::new("kms-bulk");
    let store = store_with_users(&s, &[], PERIOD);
    let uris: Vec<String> = (0..6).map(|i| format!("tel:+44770090{i:04}")).collect();
    let list = format!(
        "# users\n{}\n\n{}\n",
        uris[..3].join("\n"),
        uris[3..].join("\n")
    );
    std::fs::write(s.path("uris.txt"), list).unwrap();
    let out = sakke_ok(&[
        "--json",
        "kms",
        "issue",
        "--store",
        &store,
        "--uris",
        &s.arg("uris.txt"),
        "--period",
        "2027-01",
    ]);
    let issued = stdout_json(&out)["issued"].as_array().unwrap().clone();
    assert_eq!(issued.len(), uris.len());
    for (entry, uri) in issued.iter().zip(&uris) {
        assert_eq!(entry["uri"], uri.as_str());
        let user = read_json(user_file(&store, uri, "2027-01").as_ref());
        assert_eq!(user["uri"], uri.as_str());
        assert_eq!(user["period"], "2027-01");
    }

    // A second run refuses up front, before issuing anything.
    let err = sakke_err(&[
        "kms",
        "issue",
        "--store",
        &store,
        "--uris",
        &s.arg("uris.txt"),
        "--period",
        "2027-01",
    ]);
    assert!(err.contains("key files for 2027-01 already exist"), "{err}");
    std::fs::write(s.path("dup.txt"), "tel:+1\ntel:+1\n").unwrap();
    let err = sakke_err(&[
        "kms",
        "issue",
        "--store",
        &store,
        "--uris",
        &s.arg("dup.txt"),
        "--period",
        "2027-01",
    ]);
    assert!(err.contains("line 2: tel:+1 is already on line 1"), "{err}");
}

#[test]
fn bad_periods_uris_and_stores_are_clear_errors() {
    let s = Scratch::new("kms-errors");
    let store = store_with_users(&s, &[], PERIOD);
    for (period, expect) in [
        ("2026-13", "01-12"),
        ("2026-00", "01-12"),
        ("2026-1", "YYYY-MM"),
        ("Nov", "YYYY-MM"),
    ] {
        let err = sakke_err(&[
            "kms", "issue", "--store", &store, "--uri", "tel:+1", "--period", period,
        ]);
        assert!(err.contains(expect), "{period}: {err}");
    }
    let err = sakke_err(&[
        "kms",
        "issue",
        "--store",
        &store,
        "--uri",
        "tel:+44 7700",
        "--period",
        PERIOD,
    ]);
    assert!(err.contains("printable US-ASCII"), "{err}");
    let err = sakke_err(&[
        "kms",
        "issue",
        "--store",
        &s.arg("nowhere"),
        "--uri",
        "tel:+1",
        "--period",
        PERIOD,
    ]);
    assert!(err.contains("kms init"), "{err}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let kms = s.path("store/kms.json");
        std::fs::set_permissions(&kms, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = sakke_err(&[
            "kms", "issue", "--store", &store, "--uri", "tel:+1", "--period", PERIOD,
        ]);
        assert!(err.contains("chmod 600"), "{err}");
    }
}

#[test]
fn export_public_prints_or_writes_only_the_public_keys() {
    let s = Scratch::new("kms-export");
    let store = store_with_users(&s, &[], PERIOD);
    let out = sakke_ok(&["kms", "export-public", "--store", &store]);
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, read_json(&s.path("store/kms-public.json")));

    let file = s.arg("exported.json");
    sakke_ok(&["kms", "export-public", "--store", &store, "--out", &file]);
    let written = read_json(file.as_ref());
    assert_eq!(written, printed);
    let keys: Vec<&str> = written
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "eccsi_kpak",
            "format",
            "kms_uri",
            "sakke_public_key",
            "version"
        ]
    );

    // The export alone is enough to work with: delete the secret file and export again.
    std::fs::remove_file(s.path("store/kms.json")).unwrap();
    sakke_ok(&["kms", "export-public", "--store", &store]);
}
