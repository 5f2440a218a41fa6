//! `sakke decap-batch` / `encap-batch` on JSON Lines, end to end.

mod common;

use common::*;
use sakke::{encapsulate_to, Identifier, Kms, RecipientKey, Ssv, POINT_BYTES};
use serde_json::{json, Value};

const USERS: usize = 4;
const ENCAPSULATIONS_PER_USER: usize = 6;

struct User {
    id: Vec<u8>,
    rsk: String,
}

struct Sent {
    user: usize,
    ssv: String,
    ed: Vec<u8>,
}

/// One KMS, four users, a few encapsulations each (reused across the 1,000 lines).
struct Fixture {
    z: String,
    users: Vec<User>,
    sent: Vec<Sent>,
}

fn fixture() -> Fixture {
    let kms = Kms::generate();
    let z = kms.public_key();
    let users: Vec<User> = (0..USERS)
        .map(|i| {
            let id = format!("2026-11\0tel:+44770090{i:04}\0").into_bytes();
            let rsk = kms
                .issue_rsk(&Identifier::new(id.clone()).unwrap())
                .unwrap();
            User {
                id,
                rsk: hex::encode(&rsk.to_bytes()[..]),
            }
        })
        .collect();
    let mut sent = Vec::new();
    for (u, user) in users.iter().enumerate() {
        let to = RecipientKey::new(&Identifier::new(user.id.clone()).unwrap(), &z).unwrap();
        for k in 0..ENCAPSULATIONS_PER_USER {
            let ssv = Ssv::from([(u * 16 + k) as u8; 16]);
            sent.push(Sent {
                user: u,
                ssv: hex::encode(ssv.as_bytes()),
                ed: encapsulate_to(&ssv, &to).to_bytes().to_vec(),
            });
        }
    }
    Fixture {
        z: hex::encode(z.to_bytes()),
        users,
        sent,
    }
}

fn request(id: &Value, z: &str, user: &User, ed: &[u8]) -> Value {
    json!({
        "id": id,
        "kms_public_key": z,
        "identity": hex::encode(&user.id),
        "rsk": user.rsk,
        "encapsulated": hex::encode(ed),
    })
}

/// What a line of the mixed file should produce.
enum Expect {
    Ssv(String),
    Error { kind: &'static str, id_null: bool },
}

/// Line i of the mixed file: 7 in 10 valid, the rest cycling through every defect.
fn line(f: &Fixture, i: usize) -> (String, Expect) {
    // Ids of any JSON type are echoed: numbers and objects here.
    let id = if i % 2 == 1 {
        json!({ "seq": format!("req-{i}") })
    } else {
        json!(i)
    };
    let sent = &f.sent[(i * 7 + i / 10) % f.sent.len()];
    let user = &f.users[sent.user];
    let other = &f.users[(sent.user + 1) % USERS];
    let good = request(&id, &f.z, user, &sent.ed);
    let with = |field: &str, value: Value| {
        let mut r = good.clone();
        r[field] = value;
        r.to_string()
    };
    let without = |field: &str| {
        let mut r = good.clone();
        r.as_object_mut().unwrap().remove(field);
        r.to_string()
    };
    let err = |kind| Expect::Error {
        kind,
        id_null: false,
    };
    let null_id = |kind| Expect::Error {
        kind,
        id_null: true,
    };
    if i % 10 < 7 {
        return (good.to_string(), Expect::Ssv(sent.ssv.clone()));
    }
    match (i / 10) % 15 {
        0 => (
            format!("{{\"id\": {i}, \"rsk\": "),
            null_id("malformed_json"),
        ),
        1 => ("[1, 2, 3]".into(), null_id("malformed_json")),
        2 => (String::new(), null_id("malformed_json")),
        3 => (without("encapsulated"), err("missing_field")),
        4 => (without("id"), null_id("missing_field")),
        5 => (
            with("rsk", json!(format!("zz{}", &user.rsk[2..]))),
            err("bad_hex"),
        ),
        6 => (with("identity", json!(42)), err("bad_hex")),
        7 => (
            with("kms_public_key", json!(&f.z[..f.z.len() - 2])),
            err("kms_public_key"),
        ),
        8 => (
            with("encapsulated", json!(hex::encode(&sent.ed[1..]))),
            err("encapsulated"),
        ),
        9 => (
            with("rsk", json!(&user.rsk[..user.rsk.len() - 4])),
            err("rsk"),
        ),
        10 => (with("rsk", json!(other.rsk)), err("rsk_invalid")),
        11 => {
            let mut ed = sent.ed.clone();
            ed[POINT_BYTES + 3] ^= 0x10; // one bit of H
            (
                with("encapsulated", json!(hex::encode(ed))),
                err("test_failed"),
            )
        }
        12 => (
            request(&id, &f.z, other, &sent.ed).to_string(),
            err("test_failed"),
        ),
        13 => {
            // R = (0, 0): on the curve, of order 2.
            let mut ed = sent.ed.clone();
            ed[1..POINT_BYTES].fill(0);
            (
                with("encapsulated", json!(hex::encode(ed))),
                err("not_in_subgroup"),
            )
        }
        _ => (with("identity", json!("00")), err("identity")),
    }
}

fn parse_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("result line is JSON"))
        .collect()
}

#[test]
fn decap_batch_of_1000_mixed_lines() {
    let f = fixture();
    let s = Scratch::new("decap-1000");
    let lines: Vec<(String, Expect)> = (0..1000).map(|i| line(&f, i)).collect();
    let mut input = lines
        .iter()
        .map(|(l, _)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    input.push('\n');
    std::fs::write(s.path("in.jsonl"), &input).unwrap();

    let out = sakke_ok(&[
        "--json",
        "decap-batch",
        "--in",
        &s.arg("in.jsonl"),
        "--out",
        &s.arg("out.jsonl"),
        "--backend",
        "cpu",
    ]);
    let results = parse_lines(&std::fs::read(s.path("out.jsonl")).unwrap());
    assert_eq!(results.len(), lines.len());
    let mut kinds_seen = std::collections::BTreeSet::new();
    for (i, ((text, expect), result)) in lines.iter().zip(&results).enumerate() {
        let sent: Option<Value> = serde_json::from_str(text).ok();
        match expect {
            Expect::Ssv(ssv) => {
                assert_eq!(result["ssv"], ssv.as_str(), "line {i}: {result}");
                assert_eq!(result["id"], sent.unwrap()["id"], "line {i}");
                assert!(result.get("error").is_none());
            }
            Expect::Error { kind, id_null } => {
                let error = result["error"]
                    .as_str()
                    .unwrap_or_else(|| panic!("line {i}: {result}"));
                assert!(
                    error.starts_with(&format!("{kind}: ")),
                    "line {i}: want {kind}, got {error}"
                );
                assert!(result.get("ssv").is_none());
                if *id_null {
                    assert_eq!(result["id"], Value::Null, "line {i}");
                } else {
                    assert_eq!(result["id"], sent.unwrap()["id"], "line {i}");
                }
                kinds_seen.insert(*kind);
            }
        }
    }
    assert_eq!(kinds_seen.len(), 10, "{kinds_seen:?}");

    let summary = stdout_json(&out);
    assert_eq!(summary["lines"], 1000);
    assert_eq!(summary["ok"], 700);
    assert_eq!(summary["errors"], 300);
    #[cfg(unix)]
    assert_eq!(mode(&s.path("out.jsonl")), 0o600, "results hold SSVs");
}

#[test]
fn decap_batch_reads_stdin_and_writes_stdout() {
    let f = fixture();
    let mut input = String::new();
    let mut expected = Vec::new();
    for (i, sent) in f.sent.iter().enumerate().take(8) {
        input.push_str(&request(&json!(i), &f.z, &f.users[sent.user], &sent.ed).to_string());
        input.push_str("\r\n");
        expected.push(sent.ssv.clone());
    }
    input.push_str("not json"); // last line without a newline still counts
    let out = sakke_with_stdin(
        &["decap-batch", "--in", "-", "--out", "-"],
        input.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = parse_lines(&out.stdout);
    assert_eq!(results.len(), 9);
    for (i, ssv) in expected.iter().enumerate() {
        assert_eq!(results[i], json!({ "id": i, "ssv": ssv }));
    }
    assert!(results[8]["error"]
        .as_str()
        .unwrap()
        .starts_with("malformed_json: "));
    assert_eq!(results[8]["id"], Value::Null);
    // The summary goes to stderr when the results take stdout.
    assert!(String::from_utf8_lossy(&out.stderr).contains("9 lines: 8 ok, 1 errors"));

    // The defaults are stdin and stdout too; an empty input is an empty output.
    let out = sakke_with_stdin(&["decap-batch"], b"");
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
}

#[test]
fn encap_batch_then_decap_batch_round_trip() {
    let s = Scratch::new("encap-decap");
    let uris = ["tel:+447700900001", "tel:+447700900002"];
    let store = store_with_users(&s, &uris, "2026-11");
    let public = read_json(&s.path("store/kms-public.json"));
    let z = public["sakke_public_key"].as_str().unwrap();
    let users: Vec<Value> = uris
        .iter()
        .map(|u| read_json(user_file(&store, u, "2026-11").as_ref()))
        .collect();

    let mut requests = Vec::new();
    for i in 0..10 {
        let mut r = json!({ "id": i, "kms_public_key": z, "identity": users[i % 2]["identifier"] });
        match i % 3 {
            0 => r["ssv"] = json!(format!("{:02x}", i).repeat(16)),
            1 => r["ssv"] = Value::Null,
            _ => {}
        }
        requests.push(r.to_string());
    }
    requests.push(json!({ "id": "short", "kms_public_key": z, "identity": users[0]["identifier"], "ssv": "0011" }).to_string());
    requests.push(json!({ "id": "no-id-field", "kms_public_key": z }).to_string());
    std::fs::write(s.path("encap.jsonl"), requests.join("\n")).unwrap();
    sakke_ok(&[
        "encap-batch",
        "--in",
        &s.arg("encap.jsonl"),
        "--out",
        &s.arg("encapsulated.jsonl"),
    ]);
    let encapsulated = parse_lines(&std::fs::read(s.path("encapsulated.jsonl")).unwrap());
    assert_eq!(encapsulated.len(), 12);
    assert!(encapsulated[10]["error"]
        .as_str()
        .unwrap()
        .starts_with("ssv: "));
    assert!(encapsulated[11]["error"]
        .as_str()
        .unwrap()
        .starts_with("missing_field: "));

    let mut decap = String::new();
    for (i, r) in encapsulated[..10].iter().enumerate() {
        assert_eq!(r["id"], i);
        let ssv = r["ssv"].as_str().unwrap();
        if i % 3 == 0 {
            assert_eq!(ssv, format!("{:02x}", i).repeat(16));
        }
        assert_eq!(r["encapsulated"].as_str().unwrap().len(), 2 * 273);
        let user = &users[i % 2];
        decap.push_str(
            &json!({
                "id": r["id"],
                "kms_public_key": z,
                "identity": user["identifier"],
                "rsk": user["sakke_rsk"],
                "encapsulated": r["encapsulated"],
            })
            .to_string(),
        );
        decap.push('\n');
    }
    let out = sakke_with_stdin(
        &["--json", "decap-batch", "--in", "-", "--out", "-"],
        decap.as_bytes(),
    );
    assert!(out.status.success());
    let decapsulated = parse_lines(&out.stdout);
    assert_eq!(decapsulated.len(), 10);
    for (e, d) in encapsulated.iter().zip(&decapsulated) {
        assert_eq!(d["id"], e["id"]);
        assert_eq!(d["ssv"], e["ssv"]);
    }
}

#[test]
fn unknown_backend_lists_the_known_ones() {
    let err = sakke_err(&["decap-batch", "--backend", "fpga", "--in", "/dev/null"]);
    assert!(
        err.contains("known backends: cpu, cpu-scalar, gpu"),
        "{err}"
    );
}
