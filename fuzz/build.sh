#!/bin/sh
# Builds the libFuzzer targets on stable: libfuzzer-sys links libFuzzer, and these flags
# give it the coverage feedback that `cargo +nightly fuzz build` would (sancov counters,
# PC table, comparison tracing). --target keeps the flags off build scripts and macros.
# Binaries: fuzz/target/x86_64-unknown-linux-gnu/release/<target>.
set -eu
cd "$(dirname "$0")"
RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module \
  -Cllvm-args=-sanitizer-coverage-level=4 \
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
  -Cllvm-args=-sanitizer-coverage-pc-table \
  -Cllvm-args=-sanitizer-coverage-trace-compares" \
  exec nice -n 19 cargo build --release --target x86_64-unknown-linux-gnu --bins "$@"
