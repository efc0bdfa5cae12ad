#!/bin/sh
# Runs one fuzz target for SECONDS (default 600) on one core, niced, and prints
# libFuzzer's final statistics. Usage: fuzz/run.sh TARGET [SECONDS [LIBFUZZER-FLAGS…]],
# e.g. fuzz/run.sh baseline 600 -max_len=2048
# Seed the corpora first with fuzz/seed.sh.
set -eu
cd "$(dirname "$0")"
target=$1
seconds=${2:-600}
shift $(($# < 2 ? $# : 2))
dict=""
[ -f "dicts/$target.dict" ] && dict="-dict=dicts/$target.dict"
mkdir -p "corpus/$target" "logs"
start=$(date +%s)
# -jobs=1 runs the fuzzer in a child that logs to fuzz-0.log; keep that log per target.
nice -n 10 cargo +nightly fuzz run "$target" "corpus/$target" -- \
  -jobs=1 -workers=1 -max_total_time="$seconds" -print_final_stats=1 \
  -timeout=60 -rss_limit_mb=4096 $dict "$@" || true
mv fuzz-0.log "logs/$target.log" 2>/dev/null || true
end=$(date +%s)
echo "$target: ran $((end - start)) s"
grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Test unit written|SUMMARY|panicked at" "logs/$target.log" || true
