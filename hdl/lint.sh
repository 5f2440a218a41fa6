#!/usr/bin/env bash
# Lints every RTL module with `verilator --lint-only -Wall`, each as its own top, and the
# whole core together. Exits non-zero on the first warning.
set -euo pipefail
cd "$(dirname "$0")/rtl"
for f in *.v; do
    verilator --lint-only -Wall "$f" $(ls *.v | grep -v "^$f$") --top-module "${f%.v}"
    echo "lint ok: $f"
done
