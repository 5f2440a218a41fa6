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
