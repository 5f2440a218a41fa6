#!/usr/bin/env bash
# Runs the Icarus Verilog test benches (mont_mul_tb, sequencer_tb); each prints PASS.
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for tb in mont_mul_tb sequencer_tb; do
    iverilog -g2012 -o "$out/$tb" "$tb.v" ../rtl/*.v
    vvp -n "$out/$tb" | tee "$out/$tb.log"
    grep -qx PASS "$out/$tb.log"
done
