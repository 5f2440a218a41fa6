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
# The GPU backend's tests (crates/backend-gpu) need a Vulkan adapter: on a machine without
# a GPU, Mesa's software driver lavapipe and the Vulkan loader. Under CI a missing adapter
# fails those tests rather than skipping them.
compgen -G '/usr/share/vulkan/icd.d/lvp_icd*.json' >/dev/null || missing+=(mesa-vulkan-drivers)
{ ldconfig -p 2>/dev/null || /sbin/ldconfig -p; } | grep 'libvulkan\.so\.1' >/dev/null ||
    missing+=(libvulkan1)
# The FPGA backend's tests (crates/backend-fpga) simulate the core with Verilator (built
# in by build.rs when present), lint it with Verilator and run the test benches under Icarus
# Verilog. Under CI a missing tool fails those tests rather than skipping them.
command -v verilator >/dev/null || missing+=(verilator)
{ command -v iverilog && command -v vvp; } >/dev/null || missing+=(iverilog)
# The scale-out tests (crates/cli/tests/nats) start Debian's nats-server (2.9, with
# JetStream) on a loopback port. Under CI a missing nats-server fails them rather than
# skipping them. Debian puts it in /usr/sbin, which a non-root PATH may lack.
{ command -v nats-server || test -x /usr/sbin/nats-server; } >/dev/null || missing+=(nats-server)
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
