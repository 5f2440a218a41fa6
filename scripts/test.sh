#!/usr/bin/env bash
# The test command (README.md): on a fresh Debian machine with only the Rust toolchain,
# install what the tests need, then run the format check, clippy and the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup component add rustfmt clippy >/dev/null 2>&1 || true

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
