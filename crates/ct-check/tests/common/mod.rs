//! What both checks need: the tools they run, and the ct-taint binary built as shipped.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the checks read its sources and build in it).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// Whether this is a CI run (`CI` set, as CI services do), where a check that cannot
/// run must fail rather than skip.
pub fn on_ci() -> bool {
    env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `name` from PATH. When it is missing: on CI the test fails; elsewhere it says so and
/// returns None, and the caller skips (scripts/test.sh installs the tools).
pub fn require_tool(name: &str, package: &str) -> Option<PathBuf> {
    let found = env::var_os("PATH").and_then(|paths| {
        env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        let message = format!(
            "{name} is not installed (Debian: apt-get install {package}; scripts/test.sh does)"
        );
        assert!(!on_ci(), "{message}: this check must run on CI");
        eprintln!("SKIPPED: {message}");
    }
    found
}

/// Builds ct-taint in the `ct` profile (the release settings, with line tables) and
/// returns its path. The test binaries themselves are built with overflow checks, whose
/// branches on secret-derived sums are not in the shipped code, so the check builds
/// its own. The target directory is the one this test runs from.
pub fn ct_taint() -> PathBuf {
    let exe = env::current_exe().expect("test executable");
    // <target>/<profile>/deps/<test>: three levels up is the target directory.
    let target = exe
        .ancestors()
        .nth(3)
        .expect("test runs from a cargo target directory")
        .to_path_buf();
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(workspace())
        .args(["build", "--locked", "--profile", "ct", "-p", "ct-check"])
        .args(["--bin", "ct-taint", "--target-dir"])
        .arg(&target)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "building ct-taint failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    target.join("ct").join("ct-taint")
}
