//! What a careless operator can do to files: every way found to destroy or expose a key
//! or result file, each as a test (issue 7). Processes that are killed or run side by
//! side are bounded in number and time.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use sakke::{encapsulate_to, Identifier, RecipientKey, Ssv};
use serde_json::{json, Value};

const PERIOD: &str = "2026-11";
const ALICE: &str = "tel:+447700900123";
const BOB: &str = "tel:+447700900456";

/// A store with Alice and Bob, and `lines` decapsulation requests to Bob (a few
/// distinct encapsulations, each line its own id) in `requests.jsonl`.
fn store_and_requests(s: &Scratch, lines: usize) -> (String, String) {
    let store = store_with_users(s, &[ALICE, BOB], PERIOD);
    let public = read_json(&s.path("store/kms-public.json"));
    let z_hex = public["sakke_public_key"].as_str().unwrap().to_string();
    let user = read_json(user_file(&store, BOB, PERIOD).as_ref());
    let identity = hex::decode(user["identifier"].as_str().unwrap()).unwrap();
    let z = sakke::KmsPublicKey::from_bytes(&hex::decode(&z_hex).unwrap()).unwrap();
    let to = RecipientKey::new(&Identifier::new(identity).unwrap(), &z).unwrap();
    let sent: Vec<String> = (0..8u8)
        .map(|k| hex::encode(encapsulate_to(&Ssv::from([k; 16]), &to).to_bytes()))
        .collect();
    let mut text = String::new();
    for i in 0..lines {
        let line = json!({
            "id": i,
            "kms_public_key": z_hex,
            "identity": user["identifier"],
            "rsk": user["sakke_rsk"],
            "encapsulated": sent[i % sent.len()],
        });
        text.push_str(&line.to_string());
        text.push('\n');
    }
    let path = s.arg("requests.jsonl");
    std::fs::write(&path, text).unwrap();
    (store, path)
}

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sakke"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sakke")
}

/// Waits (at most 30 s) until `path` exists; false if the child ended first.
fn wait_for(path: &Path, child: &mut Child) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if path.exists() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("{} did not appear within 30 s", path.display());
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn result_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a whole JSON line"))
        .collect()
}

#[test]
fn export_public_never_replaces_the_kms_secret_file() {
    let s = Scratch::new("safety-export");
    let store = store_with_users(&s, &[], PERIOD);
    let secret = std::fs::read(s.path("store/kms.json")).unwrap();
    let into_store = s.arg("store/kms.json");
    let export = [
        "kms",
        "export-public",
        "--store",
        &store,
        "--out",
        &into_store,
    ];
    for extra in [&[][..], &["--force"][..]] {
        let err = sakke_err(&[&export[..], extra].concat());
        assert!(err.contains("inside the key store"), "{err}");
    }
    assert_eq!(std::fs::read(s.path("store/kms.json")).unwrap(), secret);
    // Outside the store: a new file, then only with --force, and never onto a key file.
    let copy = s.arg("kms-public.json");
    sakke_ok(&["kms", "export-public", "--store", &store, "--out", &copy]);
    let err = sakke_err(&["kms", "export-public", "--store", &store, "--out", &copy]);
    assert!(err.contains("--force"), "{err}");
    sakke_ok(&[
        "kms",
        "export-public",
        "--store",
        &store,
        "--out",
        &copy,
        "--force",
    ]);
    std::fs::copy(s.path("store/kms.json"), s.path("backup-kms.json")).unwrap();
    let err = sakke_err(&[
        "kms",
        "export-public",
        "--store",
        &store,
        "--out",
        &s.arg("backup-kms.json"),
        "--force",
    ]);
    assert!(err.contains("is a key file (sakke-engine/kms)"), "{err}");
    assert_eq!(std::fs::read(s.path("backup-kms.json")).unwrap(), secret);
}

#[test]
fn batch_output_never_replaces_its_input_a_key_file_or_an_existing_file() {
    let s = Scratch::new("safety-batch-out");
    let (store, requests) = store_and_requests(&s, 3);
    let original = std::fs::read(&requests).unwrap();
    for force in [false, true] {
        let mut args = vec!["decap-batch", "--in", &requests, "--out", &requests];
        if force {
            args.push("--force");
        }
        let err = sakke_err(&args);
        assert!(err.contains("is also an input"), "{err}");
    }
    assert_eq!(std::fs::read(&requests).unwrap(), original);

    let kms = s.arg("store/kms.json");
    let user = user_file(&store, BOB, PERIOD);
    let secret = std::fs::read(&kms).unwrap();
    for target in [&kms, &user] {
        let err = sakke_err(&["encap-batch", "--in", &requests, "--out", target, "--force"]);
        assert!(err.contains("inside the key store"), "{err}");
    }
    assert_eq!(std::fs::read(&kms).unwrap(), secret);
    // A key file copied out of the store is still recognised by its contents.
    std::fs::copy(&user, s.path("bob-keys.json")).unwrap();
    let err = sakke_err(&[
        "decap-batch",
        "--in",
        &requests,
        "--out",
        &s.arg("bob-keys.json"),
        "--force",
    ]);
    assert!(
        err.contains("is a key file (sakke-engine/user-keys)"),
        "{err}"
    );

    let results = s.arg("results.jsonl");
    std::fs::write(&results, "earlier results\n").unwrap();
    let err = sakke_err(&["decap-batch", "--in", &requests, "--out", &results]);
    assert!(err.contains("already exists (pass --force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&results).unwrap(),
        "earlier results\n"
    );
    sakke_ok(&[
        "decap-batch",
        "--in",
        &requests,
        "--out",
        &results,
        "--force",
    ]);
    assert_eq!(result_lines(results.as_ref()).len(), 3);
}

/// `imessage create` from Alice to Bob at `at`, keys from `store`.
fn imessage_create<'a>(store: &'a str, at: &'a str) -> Vec<&'a str> {
    vec![
        "imessage", "create", "--store", store, "--from", ALICE, "--to", BOB, "--at", at,
    ]
}

#[test]
fn imessage_raw_output_is_new_unless_forced() {
    let s = Scratch::new("safety-raw");
    let store = store_with_users(&s, &[ALICE, BOB], PERIOD);
    let raw = s.arg("msg.bin");
    std::fs::write(&raw, b"keep me").unwrap();
    let create = imessage_create(&store, "2026-11-20T10:00:00Z");
    let err = sakke_err(&[&create[..], &["--raw", &raw]].concat());
    assert!(err.contains("already exists (pass --force"), "{err}");
    assert_eq!(std::fs::read(&raw).unwrap(), b"keep me");

    let out = sakke_ok(&[&create[..], &["--raw", &raw, "--force"]].concat());
    let bytes = std::fs::read(&raw).unwrap();
    assert_eq!(bytes[0], 0x01, "a MIKEY message starts with version 1");
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("mikey {b64}")
    );

    // Never onto the initiator's own key file.
    let user = user_file(&store, ALICE, PERIOD);
    let secret = std::fs::read(&user).unwrap();
    let err = sakke_err(&[&create[..], &["--raw", &user, "--force"]].concat());
    assert!(err.contains("inside the key store"), "{err}");
    assert_eq!(std::fs::read(&user).unwrap(), secret);
}

#[cfg(unix)]
#[test]
fn a_readable_results_file_is_replaced_by_a_private_one() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scratch::new("safety-mode");
    let (_, requests) = store_and_requests(&s, 2);
    let results = s.arg("results.jsonl");
    std::fs::write(&results, "").unwrap();
    std::fs::set_permissions(&results, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = sakke_ok(&[
        "decap-batch",
        "--in",
        &requests,
        "--out",
        &results,
        "--force",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("had mode 0644; the new file is 0600"),
        "{stderr}"
    );
    assert_eq!(mode(results.as_ref()), 0o600);
    assert_eq!(result_lines(results.as_ref()).len(), 2);
}

#[test]
fn a_directory_as_input_creates_no_output() {
    let s = Scratch::new("safety-dir-in");
    let results = s.path("results.jsonl");
    let err = sakke_err(&[
        "decap-batch",
        "--in",
        &s.arg(""),
        "--out",
        results.to_str().unwrap(),
    ]);
    assert!(err.contains("is a directory"), "{err}");
    assert!(!results.exists());
    assert!(names_in(&s.path("")).is_empty());
}

#[test]
fn a_killed_run_leaves_the_previous_results_or_none_never_a_part() {
    let s = Scratch::new("safety-kill");
    let (_, requests) = store_and_requests(&s, 3000);
    let results = s.path("results.jsonl");
    let lock = s.path(".results.jsonl.lock");
    let previous = "{\"id\":\"previous run\"}\n";
    std::fs::write(&results, previous).unwrap();
    let out = results.to_str().unwrap();
    // Kill at spread-out moments: at once, while setting up, and mid-computation.
    for delay_ms in [0u64, 40, 150, 400, 900] {
        let mut child = spawn(&[
            "decap-batch",
            "--in",
            &requests,
            "--out",
            out,
            "--force",
            "--threads",
            "1",
        ]);
        if delay_ms > 0 && !wait_for(&lock, &mut child) {
            panic!("the run finished before it could be killed");
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert_eq!(
            std::fs::read_to_string(&results).unwrap(),
            previous,
            "killed {delay_ms} ms in"
        );
    }
    // The next run clears what the killed ones left and finishes the file.
    sakke_ok(&["decap-batch", "--in", &requests, "--out", out, "--force"]);
    let lines = result_lines(&results);
    assert_eq!(lines.len(), 3000);
    assert!(lines.iter().enumerate().all(|(i, l)| l["id"] == i));
    assert_eq!(
        names_in(&s.path("")),
        ["requests.jsonl", "results.jsonl", "store"]
    );
}

#[test]
fn a_second_run_writing_the_same_file_fails_fast_and_the_first_completes() {
    let s = Scratch::new("safety-concurrent");
    let (_, requests) = store_and_requests(&s, 3000);
    let results = s.path("results.jsonl");
    let out = results.to_str().unwrap();
    let mut first = spawn(&[
        "decap-batch",
        "--in",
        &requests,
        "--out",
        out,
        "--threads",
        "1",
    ]);
    assert!(wait_for(&s.path(".results.jsonl.lock"), &mut first));
    let err = sakke_err(&["decap-batch", "--in", &requests, "--out", out, "--force"]);
    assert!(err.contains("another sakke command is writing"), "{err}");
    assert!(first.wait().unwrap().success());
    let lines = result_lines(&results);
    assert_eq!(lines.len(), 3000);
    assert!(lines.iter().all(|l| l["ssv"].is_string()));
}

/// A small tmpfs mounted on `dir`, unmounted on drop.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, size: &str) -> Result<SmallDisk, String> {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(SmallDisk(dir.to_path_buf()))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_leaves_the_previous_results_intact() {
    let s = Scratch::new("safety-full");
    let (_, requests) = store_and_requests(&s, 3000);
    let disk = match SmallDisk::mount(&s.path("disk"), "64k") {
        Ok(disk) => disk,
        Err(why) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("skipped: cannot mount a tmpfs here ({why}); the OutputFile unit tests inject the failure instead");
            return;
        }
        Err(why) => panic!("CI must be able to mount a small tmpfs (as root): {why}"),
    };
    let results = disk.0.join("results.jsonl");
    let previous = "{\"id\":\"previous run\"}\n";
    std::fs::write(&results, previous).unwrap();
    let err = sakke_err(&[
        "decap-batch",
        "--in",
        &requests,
        "--out",
        results.to_str().unwrap(),
        "--force",
    ]);
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(std::fs::read_to_string(&results).unwrap(), previous);
    assert_eq!(names_in(&disk.0), ["results.jsonl"]);
}

#[test]
fn concurrent_or_interrupted_kms_init_never_leaves_a_mismatched_pair_unnoticed() {
    let s = Scratch::new("safety-init");
    let store = s.arg("store");
    for _ in 0..3 {
        let runs: Vec<Child> = (0..2)
            .map(|_| spawn(&["kms", "init", "--store", &store, "--force"]))
            .collect();
        for run in runs {
            let out = run.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() || stderr.contains("another sakke command is writing"),
                "{stderr}"
            );
        }
        // Whichever won, the two files hold the same KMS.
        sakke_ok(&["kms", "export-public", "--store", &store]);
        let secret = read_json(&s.path("store/kms.json"));
        let public = read_json(&s.path("store/kms-public.json"));
        assert_eq!(secret["sakke_public_key"], public["sakke_public_key"]);
        assert_eq!(secret["eccsi_kpak"], public["eccsi_kpak"]);
    }

    // An init interrupted between its two renames: the public file of another KMS.
    let other = s.arg("other");
    sakke_ok(&["kms", "init", "--store", &other]);
    std::fs::copy(
        s.path("other/kms-public.json"),
        s.path("store/kms-public.json"),
    )
    .unwrap();
    let issue = [
        "kms", "issue", "--store", &store, "--uri", ALICE, "--period", PERIOD,
    ];
    for args in [&issue[..], &["kms", "export-public", "--store", &store][..]] {
        let err = sakke_err(args);
        assert!(
            err.contains("hold different KMS keys (SAKKE public key Z)")
                && err.contains("sakke kms repair --store"),
            "{err}"
        );
    }
    assert!(!Path::new(&user_file(&store, ALICE, PERIOD)).exists());
    sakke_ok(&["kms", "repair", "--store", &store]);
    sakke_ok(&issue);
    let public = read_json(&s.path("store/kms-public.json"));
    let secret = read_json(&s.path("store/kms.json"));
    assert_eq!(secret["sakke_public_key"], public["sakke_public_key"]);
}

#[test]
fn bulk_issue_checks_every_line_first_and_can_finish_a_partial_run() {
    let s = Scratch::new("safety-bulk");
    let store = store_with_users(&s, &[], PERIOD);
    let uris = |third: &str| format!("tel:+10\ntel:+11\n{third}\ntel:+13\ntel:+14\n");
    std::fs::write(s.path("users.txt"), uris("tel:+1 2")).unwrap();
    let long = format!("sip:{}@example.org", "a".repeat(200));
    std::fs::write(s.path("more.txt"), format!("tel:+20\n{long}\ntel:+20\n")).unwrap();
    let bulk = |file: &str, extra: &[&str]| {
        let mut args = vec!["kms", "issue", "--store", &store, "--period", PERIOD];
        let path = s.arg(file);
        args.extend(["--uris", &path]);
        args.extend_from_slice(extra);
        sakke(&args)
    };
    let out = bulk("users.txt", &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("line 3:") && err.contains("nothing was issued"),
        "{err}"
    );
    let out = bulk("more.txt", &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 bad line(s)"), "{err}");
    assert!(err.contains("line 2: URI is 216 bytes"), "{err}");
    assert!(
        err.contains("line 3: tel:+20 is already on line 1"),
        "{err}"
    );
    assert!(names_in(&s.path("store/users")).is_empty());

    std::fs::write(s.path("users.txt"), uris("tel:+12")).unwrap();
    assert!(bulk("users.txt", &[]).status.success());
    assert_eq!(names_in(&s.path("store/users")).len(), 5);
    // As if the run had stopped after three users.
    let kept = s.path("store/users/tel_+10_2026-11.json");
    let kept_bytes = std::fs::read(&kept).unwrap();
    std::fs::remove_file(s.path("store/users/tel_+13_2026-11.json")).unwrap();
    std::fs::remove_file(s.path("store/users/tel_+14_2026-11.json")).unwrap();
    let out = bulk("users.txt", &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("3 key files for 2026-11 already exist"),
        "{err}"
    );
    assert!(err.contains("--skip-existing"), "{err}");
    let out = bulk("users.txt", &["--skip-existing"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("for 2 users") && stdout.contains("skipped 3"),
        "{stdout}"
    );
    assert_eq!(names_in(&s.path("store/users")).len(), 5);
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        kept_bytes,
        "no new keys for kept users"
    );
}

#[test]
fn batch_lines_with_unknown_or_repeated_fields_are_errors() {
    let s = Scratch::new("safety-fields");
    let store = store_with_users(&s, &[BOB], PERIOD);
    let public = read_json(&s.path("store/kms-public.json"));
    let z = public["sakke_public_key"].as_str().unwrap();
    let user = read_json(user_file(&store, BOB, PERIOD).as_ref());
    let identity = user["identifier"].as_str().unwrap();
    let ssv = "00112233445566778899aabbccddeeff";
    let lines = [
        format!(
            r#"{{"id": 1, "kms_public_key": "{z}", "identity": "{identity}", "SSV": "{ssv}"}}"#
        ),
        format!(
            r#"{{"id": 2, "kms_public_key": "{z}", "identity": "{identity}", "ssv": "{ssv}", "ssv": "{ssv}"}}"#
        ),
        format!(
            r#"{{"id": 3, "kms_public_key": "{z}", "identity": "{identity}", "ssv": "{ssv}"}}"#
        ),
    ];
    let out = sakke_with_stdin(&["encap-batch"], lines.join("\n").as_bytes());
    assert!(out.status.success());
    let results: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let error = |i: usize| results[i]["error"].as_str().unwrap_or("").to_string();
    assert!(
        error(0).starts_with("unknown_field: \"SSV\""),
        "{}",
        error(0)
    );
    assert!(
        error(1).starts_with("duplicate_field: \"ssv\""),
        "{}",
        error(1)
    );
    assert_eq!(results[2]["ssv"], ssv);
    assert_eq!(
        results.iter().map(|r| r["id"].clone()).collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[test]
fn ids_come_back_exactly_as_they_were_written() {
    let s = Scratch::new("safety-ids");
    let store = store_with_users(&s, &[BOB], PERIOD);
    let public = read_json(&s.path("store/kms-public.json"));
    let z = public["sakke_public_key"].as_str().unwrap();
    let user = read_json(user_file(&store, BOB, PERIOD).as_ref());
    let identity = user["identifier"].as_str().unwrap();
    let ids = [
        "12345678901234567890123456789",
        "12345678901234567890123456788",
        "1e2",
        "100",
        "-0",
        r#""x\u00e9""#,
        r#"{"seq":[1,2.50]}"#,
    ];
    let text: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"id": {id}, "kms_public_key": "{z}", "identity": "{identity}"}}"#))
        .collect();
    let out = sakke_with_stdin(&["encap-batch"], text.join("\n").as_bytes());
    assert!(out.status.success());
    let echoed: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let rest = l.strip_prefix(r#"{"id":"#).expect("id first");
            rest[..rest.find(r#","ssv":"#).expect("a result")].to_string()
        })
        .collect();
    assert_eq!(echoed, ids);
}

#[test]
fn a_missing_key_period_names_the_way_out() {
    let s = Scratch::new("safety-period");
    let store = store_with_users(&s, &[ALICE, BOB], PERIOD);
    let err = sakke_err(&imessage_create(&store, "2026-12-02T09:00:00Z"));
    assert!(
        err.contains("no keys for tel:+447700900123 in key period 2026-12")
            && err.contains("kms issue --period 2026-12")
            && err.contains("(2026-11) with --period, or --at"),
        "{err}"
    );
}

#[test]
fn json_errors_are_json() {
    for args in [
        vec![
            "--json",
            "decap-batch",
            "--in",
            "/nonexistent/requests.jsonl",
        ],
        vec!["--json", "kms", "issue", "--store", "nowhere"],
    ] {
        let out = sakke(&args);
        assert!(!out.status.success());
        let error: Value = serde_json::from_slice(&out.stderr)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert!(error["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
}
