//! The RTL itself: every module lints clean under `verilator --lint-only -Wall`
//! (hdl/lint.sh), and the Icarus Verilog test benches pass (hdl/tb/run.sh).

mod common;

use std::path::PathBuf;
use std::process::Command;

fn hdl() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../hdl")
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("-V").output().is_ok()
}

fn run_script(script: &str) {
    let out = Command::new("bash")
        .arg(hdl().join(script))
        .output()
        .expect("run bash");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} failed:\n{text}");
}

#[test]
fn every_module_lints_clean() {
    if !have("verilator") {
        return common::missing("verilator is not installed");
    }
    run_script("lint.sh");
}

#[test]
fn icarus_test_benches_pass() {
    if !have("iverilog") || !have("vvp") {
        return common::missing("iverilog (Icarus Verilog) is not installed");
    }
    run_script("tb/run.sh");
}
