//! The `gpu` backend from the command line: `sakke backends` lists it, and
//! `sakke decap-batch --backend gpu` decapsulates a file that `encap-batch` wrote, byte
//! for byte as `--backend cpu` does (on lavapipe in CI, where it must not be skipped).

mod common;

use common::*;
use serde_json::{json, Value};

/// Whether `sakke backends` finds the gpu backend usable; under CI it must.
fn gpu_available() -> bool {
    let listing = stdout_json(&sakke_ok(&["--json", "backends"]));
    let gpu = listing
        .as_array()
        .expect("a list")
        .iter()
        .find(|b| b["name"] == "gpu")
        .expect("gpu is a known backend")
        .clone();
    let available = gpu["available"] == true;
    if !available {
        let why = gpu["unavailable_reason"]
            .as_str()
            .unwrap_or("?")
            .to_string();
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true" || v == "1"),
            "CI=true: the gpu backend must be available (lavapipe): {why}"
        );
        eprintln!("skipping GPU test: {why}");
    }
    available
}

#[test]
fn decap_batch_on_the_gpu_equals_the_cpu_byte_for_byte() {
    if !gpu_available() {
        return;
    }
    let s = Scratch::new("gpu-decap");
    let uris = [
        "tel:+447700900001",
        "tel:+447700900002",
        "sip:c@example.org",
    ];
    let store = store_with_users(&s, &uris, "2026-12");
    let public = read_json(&s.path("store/kms-public.json"));
    let z = public["sakke_public_key"].as_str().unwrap();
    let users: Vec<Value> = uris
        .iter()
        .map(|u| read_json(user_file(&store, u, "2026-12").as_ref()))
        .collect();

    let requests: Vec<String> = (0..9)
        .map(|i| {
            json!({ "id": i, "kms_public_key": z, "identity": users[i % 3]["identifier"] })
                .to_string()
        })
        .collect();
    std::fs::write(s.path("encap.jsonl"), requests.join("\n")).unwrap();
    sakke_ok(&[
        "encap-batch",
        "--in",
        &s.arg("encap.jsonl"),
        "--out",
        &s.arg("encapsulated.jsonl"),
    ]);
    let mut decap = String::new();
    let encapsulated = std::fs::read_to_string(s.path("encapsulated.jsonl")).unwrap();
    for (i, line) in encapsulated.lines().enumerate() {
        let r: Value = serde_json::from_str(line).unwrap();
        let user = &users[i % 3];
        let mut ed = r["encapsulated"].as_str().unwrap().to_string();
        if i == 4 {
            // One forged ciphertext: TEST must reject it on the GPU as on the CPU.
            ed.replace_range(ed.len() - 2.., if ed.ends_with("00") { "01" } else { "00" });
        }
        let line = json!({
            "id": r["id"],
            "kms_public_key": z,
            "identity": user["identifier"],
            "rsk": user["sakke_rsk"],
            "encapsulated": ed,
        });
        decap.push_str(&line.to_string());
        decap.push('\n');
    }
    std::fs::write(s.path("decap.jsonl"), decap).unwrap();
    for backend in ["cpu", "gpu"] {
        sakke_ok(&[
            "decap-batch",
            "--backend",
            backend,
            "--in",
            &s.arg("decap.jsonl"),
            "--out",
            &s.arg(&format!("{backend}.jsonl")),
        ]);
    }
    let cpu = std::fs::read(s.path("cpu.jsonl")).unwrap();
    let gpu = std::fs::read(s.path("gpu.jsonl")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&gpu),
        String::from_utf8_lossy(&cpu),
        "byte-identical"
    );
    // And right: every SSV but the forged line's is the one encapsulated.
    for (i, (out, sent)) in cpu
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .zip(encapsulated.lines())
        .enumerate()
    {
        let out: Value = serde_json::from_slice(out).unwrap();
        let sent: Value = serde_json::from_str(sent).unwrap();
        if i == 4 {
            assert!(out["error"].is_string(), "forged line: {out}");
        } else {
            assert_eq!(out["ssv"], sent["ssv"], "line {i}");
        }
    }
}
