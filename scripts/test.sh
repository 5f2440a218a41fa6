#!/usr/bin/env bash
# The test command (README.md): on a fresh Debian machine with only the Rust toolchain,
# install what the tests need, then run the format check, clippy and the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup component add rustfmt clippy >/dev/null 2>&1 || true

# The constant-time checks (crates/ct-check) run valgrind, and read the machine code with
# objdump and addr2line from binutils. Installed only when missing; under CI a missing
# tool fails those tests rather than skipping them.
missing=()
command -v valgrind >/dev/null || missing+=(valgrind)
{ command -v objdump && command -v addr2line; } >/dev/null || missing+=(binutils)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
