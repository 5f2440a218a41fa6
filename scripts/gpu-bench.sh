#!/usr/bin/env bash
# The GPU benchmark an operator with a GPU runs, in a few minutes: lists the adapters,
# measures the device's own 1024-bit modmul rate (no transfers), then `sakke bench` on
# the gpu and cpu backends side by side in one run, results in bench-results/.
#
#   scripts/gpu-bench.sh                 # sizes for a real GPU
#   SIZES=1,16,64 MIN_TIME=0.5 CHAIN_ELEMENTS=16384 NOTE="lavapipe" scripts/gpu-bench.sh
#                                        # a smoke run on a software adapter
#
# On a software adapter (lavapipe) the figures are correctness checks, not speed.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-1,256,4096,16384,65536}
MIN_TIME=${MIN_TIME:-2}
CHAIN_ELEMENTS=${CHAIN_ELEMENTS:-1048576}
NOTE=${NOTE:-}
OUT_DIR=${OUT_DIR:-bench-results}

cargo build --release -p sakke-cli -p backend-gpu --example device-rates
sakke=target/release/sakke

echo "== adapters"
"$sakke" backends

echo "== device modmul rate, each arithmetic path side by side"
mkdir -p "$OUT_DIR"
for path in u32 u64; do
    rates="$OUT_DIR/$(date -u +%F)-$(hostname -s)-gpu-device-$path.json"
    if [ -e "$rates" ]; then
        echo "$rates exists: move it away first (results are never overwritten)" >&2
        exit 1
    fi
    if out=$(target/release/examples/device-rates --path "$path" --elements "$CHAIN_ELEMENTS"); then
        printf '%s\n' "$out" > "$rates"
        cat "$rates"
    fi   # else (e.g. no SHADER_INT64 on this adapter) the reason went to stderr
done

echo "== sakke bench (gpu and cpu in one run)"
"$sakke" bench --backend gpu --backend cpu --sizes "$SIZES" --threads all \
    --min-time "$MIN_TIME" --out-dir "$OUT_DIR" --note "scripts/gpu-bench.sh" \
    ${NOTE:+--note "$NOTE"}
