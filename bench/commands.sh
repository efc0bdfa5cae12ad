#!/usr/bin/env bash
# Times `check` and `build` of the default book, and `import xlsx` of Microsoft's 12 v3
# fixtures (../shared), as whole processes
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
"$bin" init "$work/imported" >/dev/null 2>&1
hyperfine -N --warmup 3 --runs 20 --export-json "$work/import.json" \
  "$bin --root $work/imported import xlsx ../shared/fixtures/msft/v3 --out $work/imported/out --force" >/dev/null
python3 - "$work" <<'PY'
import json, sys
for name in ("check", "build", "import"):
    r = json.load(open(f"{sys.argv[1]}/{name}.json"))["results"][0]
    print(f"{name}: median {r['median']*1000:.1f} ms, min {r['min']*1000:.1f} ms, {len(r['times'])} runs")
PY
