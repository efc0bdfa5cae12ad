#!/usr/bin/env bash
# Times `controlbook check` and `controlbook build` on the default book as whole processes
# (hyperfine, from Debian's package), with the release binary. Prints the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r book.toml content "$work/"
bin=$PWD/target/release/controlbook
hyperfine -N --warmup 10 --runs 200 --export-json "$work/check.json" "$bin --root $work check" >/dev/null
hyperfine -N --warmup 5 --runs 50 --export-json "$work/build.json" "$bin --root $work build" >/dev/null
python3 - "$work" <<'PY'
import json, sys
for name in ("check", "build"):
    r = json.load(open(f"{sys.argv[1]}/{name}.json"))["results"][0]
    print(f"{name}: median {r['median']*1000:.1f} ms, min {r['min']*1000:.1f} ms, {len(r['times'])} runs")
PY
