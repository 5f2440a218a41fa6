//! `--tables auto|always|never` on `encap-batch` and `decap-batch`: the policy changes
//! which keys get tables, never a result.

mod common;

use common::*;
use serde_json::{json, Value};

fn lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("result line is JSON"))
        .collect()
}

#[test]
fn every_table_policy_gives_the_same_results() {
    let s = Scratch::new("table-policy");
    let uris = ["tel:+447700900011", "tel:+447700900012"];
    let store = store_with_users(&s, &uris, "2026-12");
    let z = read_json(&s.path("store/kms-public.json"))["sakke_public_key"].clone();
    let users: Vec<Value> = uris
        .iter()
        .map(|u| read_json(user_file(&store, u, "2026-12").as_ref()))
        .collect();
    // Six uses of each user: past the line-table crossover on `cpu`, short of the
    // base-table one, so `auto` builds some tables and `always` more.
    let requests: String = (0..12)
        .map(|i| {
            let ssv = format!("{:02x}", i).repeat(16);
            let user = &users[i % 2];
            format!(
                "{}\n",
                json!({ "id": i, "kms_public_key": z, "identity": user["identifier"], "ssv": ssv })
            )
        })
        .collect();
    std::fs::write(s.path("encap.jsonl"), requests).unwrap();

    let settings: [&[&str]; 4] = [
        &["--tables", "auto"],
        &["--tables", "always"],
        &["--tables", "never"],
        &["--table-memory", "0"],
    ];
    let run = |command: &str, input: &str, setting: &[&str]| -> Vec<Value> {
        let mut args = vec![command, "--in", input, "--out", "-"];
        args.extend_from_slice(setting);
        let out = sakke_ok(&args);
        lines(&out.stdout)
    };
    let encapsulated = run("encap-batch", &s.arg("encap.jsonl"), settings[2]);
    assert_eq!(encapsulated.len(), 12);
    for setting in settings {
        // The SSVs are given, so encapsulation is deterministic.
        assert_eq!(
            run("encap-batch", &s.arg("encap.jsonl"), setting),
            encapsulated,
            "{setting:?}"
        );
    }

    let decap: String = encapsulated
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let user = &users[i % 2];
            format!(
                "{}\n",
                json!({
                    "id": r["id"],
                    "kms_public_key": z,
                    "identity": user["identifier"],
                    "rsk": user["sakke_rsk"],
                    "encapsulated": r["encapsulated"],
                })
            )
        })
        .collect();
    std::fs::write(s.path("decap.jsonl"), decap).unwrap();
    for setting in settings {
        let decapsulated = run("decap-batch", &s.arg("decap.jsonl"), setting);
        assert_eq!(decapsulated.len(), 12, "{setting:?}");
        for (d, e) in decapsulated.iter().zip(&encapsulated) {
            assert_eq!((&d["id"], &d["ssv"]), (&e["id"], &e["ssv"]), "{setting:?}");
        }
    }
}

#[test]
fn an_unknown_table_policy_names_the_known_ones() {
    let err = sakke_err(&["decap-batch", "--tables", "sometimes", "--in", "/dev/null"]);
    assert!(err.contains("auto, always, never"), "{err}");
}
