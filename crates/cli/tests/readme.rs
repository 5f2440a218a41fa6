//! The README's walkthrough of the `sakke` command runs as written, on any date.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// The first ```sh block after `heading` in the workspace README.
fn readme_block(heading: &str) -> String {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(&readme).expect("README.md");
    let section = &text[text.find(heading).expect("the section")..];
    let start = section.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let end = section[start..].find("```").expect("the block's end");
    section[start..start + end].to_string()
}

#[test]
fn the_command_walkthrough_runs_as_written() {
    let s = Scratch::new("readme");
    let script = readme_block("## The `sakke` command");
    assert!(script.contains("sakke imessage open"), "{script}");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_sakke")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(s.path(""))
        .env("PATH", path)
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "the README block failed\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("signature verified, SAKKE TEST passed"),
        "{stdout}"
    );
    let msg = std::fs::read_to_string(s.path("msg.txt")).unwrap();
    assert!(msg.starts_with("mikey "), "{msg}");
    assert_eq!(
        std::fs::read_dir(s.path("ks/users")).unwrap().count(),
        3,
        "three users issued"
    );
}

#[test]
fn the_3gpp_kms_import_walkthrough_runs_as_written() {
    let s = Scratch::new("readme-3gpp");
    let import = readme_block("### 3GPP MCX: KMS provisioning documents");
    assert!(import.contains("sakke kms import-3gpp"), "{import}");
    let send = readme_block("### 3GPP MCX: sending keys");
    assert!(send.contains("--to-self"), "{send}");
    let script = format!("{import}\n{send}");
    // The block runs from the repository root: give it the sample files at the same
    // relative place, in a scratch directory.
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let copy = s.path("crates/cli/tests/data");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(&data).unwrap().flatten() {
        std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_sakke")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(s.path(""))
        .env("PATH", path)
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the README block failed\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("b5c452309219da6a3d805615548d6c1b0f4de45a6b48fb13d9a24d857fc03dc4"),
        "{stdout}"
    );
    assert!(
        stdout.contains("TGK     07d1a1677ac36d8e81620484689b3c2d"),
        "{stdout}"
    );
    assert!(stdout.contains("key     GMK 0x0df9bc39"), "{stdout}");
    // The GMS's message to alice opens for both, with its key parameters.
    assert_eq!(
        stdout.matches("params  GMK in force").count(),
        3,
        "{stdout}"
    );
    assert!(stdout.contains("opened from its copy to self"), "{stdout}");
}
