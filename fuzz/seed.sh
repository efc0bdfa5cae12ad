#!/bin/sh
# Seeds the fuzz corpora (fuzz/corpus/<target>/, not committed) from the repository's book,
# a build of it, and Microsoft's published files in ../shared/fixtures (read in place).
# Usage: fuzz/seed.sh [CONTROLBOOK_BINARY]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
fixtures=$repo/../shared/fixtures/msft
bin=${1:-$repo/target/debug/controlbook}
corpus=$here/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$corpus/baseline" "$corpus/xlsx" "$corpus/csv" "$corpus/book_toml"

# Books: the default one and a small corpus book made from the v3 workbooks, both built.
mkdir -p "$work/default"
cp -r "$repo/book.toml" "$repo/content" "$work/default/"
"$bin" --root "$work/default" build >/dev/null 2>&1 || true
"$bin" corpus "$work/corpus" --baselines 24 --from "$fixtures/v3" >/dev/null 2>&1
"$bin" --root "$work/corpus" build >/dev/null 2>&1 || true

for f in "$work"/*/content/baselines/*.yaml "$work"/*/content/benchmarks/*.yaml "$work"/*/content/features.yaml; do
  cp "$f" "$corpus/baseline/$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f")"
done
for f in "$work"/*/output/csv/*.csv "$fixtures"/*.csv; do cp "$f" "$corpus/csv/"; done
cp "$repo/book.toml" "$corpus/book_toml/repo.toml"
cp "$work/corpus/book.toml" "$corpus/book_toml/init.toml"

# Workbooks as they are, and as text archives whose XML the mutations reach.
for f in "$fixtures"/v3/*.xlsx "$fixtures"/legacy/*.xlsx "$fixtures"/catalog/*.xlsx \
  "$work"/default/output/xlsx/*.xlsx; do
  name=$(basename "$f" .xlsx | tr ' ' '_')
  cp "$f" "$corpus/xlsx/$name.xlsx"
  python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
sys.stdout.buffer.write(b"".join(b"@@@ " + n.encode() + b"\n" + z.read(n) + b"\n" for n in z.namelist()))' "$f" >"$corpus/xlsx/$name.txt"
done

# Tiny hand-made seeds.
printf 'service: X\nslug: x\nbenchmark: mcsb-v1\nsecurity_profile:\n  product_category: [Compute]\n  host_os_access: no-access\n  deployable_into_vnet: false\n  stores_content_at_rest: true\ncontrols:\n  - id: NS-2\n    features:\n      - feature: azure-private-link\n        supported: true\n        enabled_by_default: false\n        responsibility: customer\n        guidance: "Use **it** <b>now</b> https://x.org"\n        reference: {title: T, url: "https://x.org/a"}\n' >"$corpus/baseline/tiny.yaml"
printf '[book]\ntitle = "T"\n[site]\nsite-url = "/repo/"\n[output]\nxlsx = false\n[check]\nallow = ["missing-reference"]\n' >"$corpus/book_toml/tiny.toml"
for t in baseline xlsx csv book_toml; do
  echo "$t: $(ls "$corpus/$t" | wc -l) seeds"
done
