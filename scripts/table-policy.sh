#!/usr/bin/env bash
# End-to-end cost of each table policy (`--tables auto|always|never`, and
# `--table-memory 0`) on `sakke decap-batch` and `sakke encap-batch`, for request files
# whose keys are used 1, 2, 8, 16 (spread over four chunks) and 1,000 times.
#
#   bash scripts/table-policy.sh [> bench-results/<date>-table-policy.txt]
#
# Builds the release binary, makes a KMS, 1,024 users and every request file in a
# temporary directory (removed at the end), runs the cases of each file back to back and
# prints a table of wall and CPU user seconds. RUNS=n (default 1) runs every case n times,
# the settings taking turns, and keeps the least of each figure: the run least disturbed
# by other work on the machine. SAKKE=path uses another binary; BACKEND=name another
# backend (default cpu).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${SAKKE:-}" ]]; then
    cargo build --release -q -p sakke-cli
    SAKKE=$PWD/target/release/sakke
fi
BACKEND=${BACKEND:-cpu}
RUNS=${RUNS:-1}
SETTINGS=("--tables auto" "--tables always" "--tables never" "--table-memory 0")
# name, users, uses per user. Lines go round by round (every user once, then again), so
# "x16" puts four uses of each user in each 1,024-line chunk.
WORKLOADS=(
    "1024 users x1|1024|1"
    "512 users x2|512|2"
    "128 users x8|128|8"
    "256 users x16 (4 a chunk)|256|16"
    "1 user x1000|1|1000"
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One JSON string field of a pretty-printed key store file.
field() { sed -n "s/^ *\"$1\": *\"\\([0-9a-f]*\\)\".*/\\1/p" "$2"; }

"$SAKKE" kms init --store "$tmp/ks" >/dev/null
for i in $(seq 1 1024); do printf 'tel:+4477009%05d\n' "$i"; done >"$tmp/uris.txt"
"$SAKKE" kms issue --store "$tmp/ks" --uris "$tmp/uris.txt" --period 2026-12 >/dev/null 2>&1
z=$(field sakke_public_key "$tmp/ks/kms-public.json")
# users.tsv: index, identifier, RSK; in the order of uris.txt.
i=0
while read -r uri; do
    file="$tmp/ks/users/${uri/:/_}_2026-12.json"
    printf '%d\t%s\t%s\n' "$i" "$(field identifier "$file")" "$(field sakke_rsk "$file")"
    i=$((i + 1))
done <"$tmp/uris.txt" >"$tmp/users.tsv"

# The requests of one workload: encap.jsonl, and decap.jsonl decapsulating what a run of
# encap-batch made of it.
make_requests() { # dir users uses
    local dir=$1 users=$2 uses=$3
    mkdir -p "$dir"
    awk -v users="$users" -v uses="$uses" 'BEGIN {
        for (r = 0; r < uses; r++) for (u = 0; u < users; u++) print u }' >"$dir/plan"
    awk -F'\t' -v z="$z" 'NR == FNR { id[$1] = $2; next }
        { printf "{\"id\":%d,\"kms_public_key\":\"%s\",\"identity\":\"%s\"}\n", FNR, z, id[$1] }' \
        "$tmp/users.tsv" "$dir/plan" >"$dir/encap.jsonl"
    "$SAKKE" encap-batch --in "$dir/encap.jsonl" --out "$dir/encapsulated.jsonl" >/dev/null
    paste -d'\t' "$dir/plan" "$dir/encapsulated.jsonl" | awk -F'\t' -v z="$z" '
        NR == FNR { id[$1] = $2; rsk[$1] = $3; next }
        {
            match($2, /"encapsulated":"[0-9a-f]*"/)
            ed = substr($2, RSTART + 16, RLENGTH - 17)
            printf "{\"id\":%d,\"kms_public_key\":\"%s\",\"identity\":\"%s\",\"rsk\":\"%s\",\"encapsulated\":\"%s\"}\n",
                FNR, z, id[$1], rsk[$1], ed
        }' "$tmp/users.tsv" - >"$dir/decap.jsonl"
}

# "wall user" seconds of one run; fails unless every line came back ok.
timed() { # op input setting...
    local op=$1 input=$2
    shift 2
    local TIMEFORMAT='%R %U' t
    t=$({ time "$SAKKE" --json "$op" --backend "$BACKEND" --in "$input" \
        --out "$tmp/out.jsonl" "$@" >"$tmp/summary.json" 2>"$tmp/stderr"; } 2>&1)
    grep -q '"errors":0' "$tmp/summary.json" || {
        echo "$op $* on $input: $(cat "$tmp/summary.json" "$tmp/stderr")" >&2
        exit 1
    }
    echo "$t"
}

echo "# sakke decap-batch / encap-batch under each table policy: scripts/table-policy.sh"
echo "# $(date -u +%Y-%m-%d), git $(git rev-parse --short HEAD 2>/dev/null || echo '?'), backend $BACKEND, threads: one per core"
echo "# $(lscpu | grep -m1 'Model name' | tr -s ' ')"
echo "# $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# each cell: wall s / CPU user s of a whole run (start-up, parsing and RSK validation included), least of $RUNS run(s)"
printf '%-26s %-6s' "workload" "op"
for s in "${SETTINGS[@]}"; do printf ' %16s' "${s#--}"; done
printf '  %s\n' "auto / best other (wall, user)"

for workload in "${WORKLOADS[@]}"; do
    IFS='|' read -r name users uses <<<"$workload"
    dir="$tmp/$users-$uses"
    make_requests "$dir" "$users" "$uses"
    for op in decap encap; do
        printf '%-26s %-6s' "$name" "$op"
        walls=() cpus=()
        for run in $(seq "$RUNS"); do
            for k in "${!SETTINGS[@]}"; do
                # shellcheck disable=SC2086 # each setting is a flag and its value
                t=$(timed "$op-batch" "$dir/$op.jsonl" ${SETTINGS[$k]})
                read -r wall cpu <<<"$t"
                if ((run == 1)) || awk -v a="$wall" -v b="${walls[$k]}" 'BEGIN { exit !(a < b) }'; then
                    walls[k]=$wall
                fi
                if ((run == 1)) || awk -v a="$cpu" -v b="${cpus[$k]}" 'BEGIN { exit !(a < b) }'; then
                    cpus[k]=$cpu
                fi
            done
        done
        for k in "${!SETTINGS[@]}"; do printf ' %7.2f / %6.2f' "${walls[$k]}" "${cpus[$k]}"; done
        # auto against the best of the other settings, figure by figure.
        awk -v w="${walls[*]}" -v u="${cpus[*]}" 'BEGIN {
            n = split(w, ws, " "); split(u, us, " ")
            bw = ws[2]; bu = us[2]
            for (i = 3; i <= n; i++) { if (ws[i] < bw) bw = ws[i]; if (us[i] < bu) bu = us[i] }
            printf "  %.2fx, %.2fx\n", ws[1] / bw, us[1] / bu }'
    done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
