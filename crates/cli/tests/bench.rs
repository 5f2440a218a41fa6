//! The `sakke bench` command end to end, in its quick form.

use std::path::PathBuf;
use std::process::Command;

fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn quick_bench_writes_checked_json_and_svg() {
    let dir = out_dir("bench-quick");
    let out = Command::new(env!("CARGO_BIN_EXE_sakke"))
        .args([
            "bench",
            "--quick",
            "--backend",
            "cpu",
            "--json",
            "--out-dir",
        ])
        .arg(&dir)
        .output()
        .expect("run sakke");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");

    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let json_path = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a JSON file");
    let name = json_path.file_stem().unwrap().to_str().unwrap();
    assert!(name.ends_with("-cpu"), "{name}");
    assert_eq!(name.as_bytes()[4], b'-');
    assert_eq!(name.as_bytes()[7], b'-');
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json_path).unwrap()).unwrap();
    assert_eq!(report, printed);

    assert_eq!(report["schema"], "sakke-bench/1");
    assert_eq!(report["settings"]["sizes"], serde_json::json!([1, 16]));
    assert_eq!(report["settings"]["threads"], serde_json::json!([1]));
    assert_eq!(report["settings"]["device_clock_mhz"], 250.0);
    assert!(report["machine"]["cores"].as_u64().unwrap() >= 1);
    assert!(report["machine"]["cpu_model"].is_string());
    assert!(report["build"]["git_revision"].is_string());
    let backends = report["backends"].as_array().unwrap();
    assert!(backends
        .iter()
        .any(|b| b["name"] == "cpu" && b["measured"] == true));

    let cells = report["cells"].as_array().unwrap();
    let workloads = [
        "fp-mul",
        "pairing",
        "decap-tables",
        "decap-no-tables",
        "encap-tables",
        "encap-no-tables",
    ];
    assert_eq!(cells.len(), workloads.len() * 2);
    for w in workloads {
        for size in [1, 16] {
            let cell = cells
                .iter()
                .find(|c| c["workload"] == w && c["size"] == size)
                .unwrap_or_else(|| panic!("no cell {w} {size}"));
            assert_eq!(cell["backend"], "cpu");
            assert_eq!(cell["threads"], 1);
            assert!(cell["ops_per_s"].as_f64().unwrap() > 0.0, "{cell}");
            assert!(cell["us_per_op"].as_f64().unwrap() > 0.0, "{cell}");
            assert!(cell["ops"].as_u64().unwrap() >= size);
            assert_eq!(cell["retried"], 0, "{cell}");
            // The CPU counts no device cycles; only a card does.
            assert!(cell["device_cycles_per_op"].is_null(), "{cell}");
            let m = cell["m_per_op"].as_f64().expect("M per op");
            assert!(m > 0.0);
            if w.starts_with("decap") {
                // A decapsulation is thousands of multiplications, whatever the machine.
                assert!(m > 100.0, "{cell}");
            }
        }
    }

    let tables = &report["tables"][0];
    assert_eq!(tables["line_tables"], 8);
    assert_eq!(tables["base_tables"], 8);
    assert!(tables["line_table_build_ms_each"].as_f64().unwrap() > 0.0);
    assert!(tables["bytes_total"].as_u64().unwrap() > 0);
    assert_eq!(tables["misses"], 0);

    let messages = report["messages"].as_array().unwrap();
    let ops: Vec<&str> = messages.iter().map(|m| m["op"].as_str().unwrap()).collect();
    assert_eq!(
        ops,
        [
            "fp-mul-portable",
            "fp-mul-adx",
            "fp-mul-one",
            "eccsi-sign",
            "eccsi-verify-cold",
            "eccsi-verify-cached",
            "imessage-open-cold",
            "imessage-open-cached",
            "imessage-open-key-cached"
        ]
    );
    assert_eq!(messages[0]["m_per_op"], 1.0);
    for m in messages {
        assert!(m["us_per_op"].as_f64().unwrap() > 0.0, "{m}");
        assert!(m["ops"].as_u64().unwrap() >= 1, "{m}");
    }
    // Opening an I_MESSAGE is a pairing and more: thousands of products.
    assert!(
        messages[6]["m_per_op"].as_f64().unwrap() > 1000.0,
        "{}",
        messages[6]
    );

    let svg_path = json_path.with_extension("svg");
    let svg = std::fs::read_to_string(&svg_path).expect("an SVG beside the JSON");
    assert!(svg.starts_with("<svg"));
    assert_eq!(svg.matches("<polyline").count(), workloads.len());
}

#[test]
fn unknown_backend_is_refused_with_the_known_ones() {
    let dir = out_dir("bench-nosuch");
    let out = Command::new(env!("CARGO_BIN_EXE_sakke"))
        .args(["bench", "--quick", "--backend", "nosuch", "--out-dir"])
        .arg(&dir)
        .output()
        .expect("run sakke");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nosuch"), "{stderr}");
    assert!(stderr.contains("known backends: cpu"), "{stderr}");
    assert!(!dir.exists(), "nothing written for a refused run");
}
