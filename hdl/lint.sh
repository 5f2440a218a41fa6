#!/usr/bin/env bash
# Lints every RTL module with `verilator --lint-only -Wall`, each as its own top, and the
# whole core at a second word size. Exits non-zero on the first warning.
set -euo pipefail
cd "$(dirname "$0")/rtl"
for f in *.v; do
    verilator --lint-only -Wall "$f" $(ls *.v | grep -v "^$f$") --top-module "${f%.v}"
    echo "lint ok: $f"
done
# The multiplier's word size is a parameter: the core lints at W = 32 too.
verilator --lint-only -Wall -GW=32 *.v --top-module sakke_core
echo "lint ok: sakke_core at W = 32"
