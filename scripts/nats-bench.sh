#!/usr/bin/env bash
# Scale-out on one machine (README "Scale-out"): `sakke load` through one gateway
# (`sakke serve --nats`) with one worker pinned to core 0, then two pinned one per core;
# the same for encapsulations (`--op encapsulate`, which the workers compute too); and the
# latency of the NATS hop at low load against `sakke serve` with local backends.
# Results (the `sakke load` JSON and SVG of each run) in bench-results/.
#   SAKKE=path/to/sakke bash scripts/nats-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SAKKE=${SAKKE:-target/release/sakke}
DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-128}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

nats-server -js -a 127.0.0.1 -p 24222 -sd "$work/js" >"$work/nats.log" 2>&1 &
pids+=($!)
url=nats://127.0.0.1:24222
sleep 1
"$SAKKE" serve --dev --dev-dir "$work/dev" --threads 1 --nats "$url" \
    --listen 127.0.0.1:25051 --metrics-listen 127.0.0.1:25052 >"$work/serve.log" &
pids+=($!)
until grep -q "key period" "$work/serve.log" 2>/dev/null; do sleep 0.2; done
period=$(grep -o "key period [0-9-]*" "$work/serve.log" | awk '{print $3}')
# CPU seconds (user + system) a process has used, from /proc; and those of the waited-for
# children of this script (the finished `sakke load` runs), from `times`.
cpu_of() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }
# (`times` must run in this shell, not in a command substitution's subshell.)
children_cpu() {
    times >"$work/times"
    awk 'NR == 2 {gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4}' "$work/times"
}
names=(nats-server gateway)
load() { # port, seconds, note, load flags...
    local port=$1 duration=$2 note=$3
    shift 3
    local before=() i
    for i in "${!pids[@]}"; do before[i]=$(cpu_of "${pids[i]}"); done
    local client_before client_after
    children_cpu >"$work/client-before"
    client_before=$(cat "$work/client-before")
    "$SAKKE" load --url "https://localhost:$port" --ca "$work/dev/ca.pem" \
        --cert "$work/dev/client.pem" --key "$work/dev/client.key" \
        --user tel:+447700900001 --period "$period" --duration "$duration" \
        --note "$note" --note "sakke: $SAKKE" --note "before: $(uptime)" "$@"
    # Where the machine's CPU went during the step (a 10 s step on 2 cores has 20 s).
    local used="cpu s during \"$note\":"
    for i in "${!pids[@]}"; do
        used+=" ${names[i]} $(awk -v a="${before[i]}" -v b="$(cpu_of "${pids[i]}")" 'BEGIN {printf "%.2f", b - a}'),"
    done
    children_cpu >"$work/client-after"
    client_after=$(cat "$work/client-after")
    echo "$used load client $(awk -v a="$client_before" -v b="$client_after" 'BEGIN {printf "%.2f", b - a}')"
}
worker() { # core
    taskset -c "$1" "$SAKKE" worker --nats "$url" --store "$work/dev/keystore" --threads 1 \
        >"$work/worker-$1.log" &
    pids+=($!)
    names+=("worker-$1")
    until grep -q "pulling" "$work/worker-$1.log" 2>/dev/null; do sleep 0.2; done
}

worker 0
load 25051 3 "warm-up" --concurrency "$CONCURRENCY" --out-dir "$work"
load 25051 "$DURATION" "nats: one worker pinned to core 0" --concurrency "$CONCURRENCY"
load 25051 "$DURATION" "nats hop at low load: one worker" --rate 20
load 25051 "$DURATION" "nats encapsulations: one worker pinned to core 0" \
    --concurrency "$CONCURRENCY" --op encapsulate
worker 1
load 25051 3 "warm-up" --concurrency "$CONCURRENCY" --out-dir "$work"
load 25051 "$DURATION" "nats: two workers pinned to cores 0 and 1" --concurrency "$CONCURRENCY"
load 25051 "$DURATION" "nats encapsulations: two workers pinned to cores 0 and 1" \
    --concurrency "$CONCURRENCY" --op encapsulate

# The same load against a gateway with its own local backend, one thread, batching as a
# worker does (2 ms).
"$SAKKE" serve --store "$work/dev/keystore" --cert "$work/dev/server.pem" \
    --key "$work/dev/server.key" --client-ca "$work/dev/ca.pem" --authz "$work/dev/authz.toml" \
    --threads 1 --max-queue-delay-us 2000 --listen 127.0.0.1:25061 --metrics-listen 127.0.0.1:25062 >"$work/local.log" &
pids+=($!)
names+=(local-gateway)
until grep -q "gRPC" "$work/local.log" 2>/dev/null; do sleep 0.2; done
load 25061 3 "warm-up" --concurrency "$CONCURRENCY" --out-dir "$work"
load 25061 "$DURATION" "local backend at low load, one thread (no NATS hop)" --rate 20
