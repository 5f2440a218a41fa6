#!/bin/sh
# Runs each target in turn (one at a time, at nice 19) for RUNS inputs or SECONDS seconds,
# whichever comes first: corpus/<target> (new inputs, not committed) seeded from
# seeds/<target>; crashes go to artifacts/<target>/; logs to logs/<target>.log.
set -u
cd "$(dirname "$0")"
RUNS=${RUNS:-10000000}
SECONDS_EACH=${SECONDS_EACH:-1800}
BIN=target/x86_64-unknown-linux-gnu/release
for target in ${TARGETS:-mikey point encapsulated batch_line key_file}; do
  mkdir -p "corpus/$target" "artifacts/$target" logs
  echo "== $target: nice -n 19 $BIN/$target corpus/$target seeds/$target -runs=$RUNS -max_total_time=$SECONDS_EACH -artifact_prefix=artifacts/$target/"
  nice -n 19 "$BIN/$target" "corpus/$target" "seeds/$target" -runs="$RUNS" \
    -max_total_time="$SECONDS_EACH" -artifact_prefix="artifacts/$target/" \
    -print_final_stats=1 > "logs/$target.log" 2>&1
  echo "   exit $?; $(grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec)' "logs/$target.log" | tr '\n' ' ')"
done
