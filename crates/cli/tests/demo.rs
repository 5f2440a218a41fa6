//! The `sakke demo` command end to end.

use std::process::Command;

#[test]
fn demo_provisions_exchanges_and_reports_json() {
    let out = Command::new(env!("CARGO_BIN_EXE_sakke"))
        .args(["demo", "--count", "9", "--json"])
        .output()
        .expect("run sakke");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["identities"], 9);
    assert_eq!(report["all_ssvs_match"], true);
    let names: Vec<&str> = report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "kms setup",
            "issue rsk",
            "validate rsk",
            "encapsulate",
            "decapsulate",
            "encap batch",
            "decap batch"
        ]
    );
    assert_eq!(report["backend"], "cpu");
    assert_eq!(report["kms_public_key"].as_str().unwrap().len(), 2 * 257);
}

#[test]
fn demo_rejects_a_malformed_period() {
    let out = Command::new(env!("CARGO_BIN_EXE_sakke"))
        .args(["demo", "--count", "1", "--period", "November"])
        .output()
        .expect("run sakke");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM"));
}
