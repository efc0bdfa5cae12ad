#!/usr/bin/env bash
# Compares controlbook with mdBook and Hugo on the same pages, as whole processes, and
# measures check, import and serve's reload latency. Prints a table of medians, peak
# memory and ratios, and writes it with the machine, the load and the exact commands to
# BENCHMARKS.md (--quick: to the scratch dir only).
#
# usage: bench/compare.sh [--quick]
#   full:    corpus of 120 baselines and its 10x (1200); at least 5 runs per command, but
#            3 of mdBook at 1200; installs hyperfine, time, mdBook and Hugo when missing.
#            The builds (controlbook, mdBook, Hugo, both sizes) run in alternating rounds.
#   --quick: 24 and 240 baselines, 3 runs; skips mdBook and Hugo when they are absent
#            (a smoke test; it does not touch BENCHMARKS.md)
# environment:
#   BENCH_DIR       scratch folder (default: a new one under /tmp, removed at the end);
#                   never inside the repository
#   BENCH_CACHE     where mdBook is installed once (default ~/.cache/controlbook-bench)
#   BENCH_FIXTURES  Microsoft's v3 workbooks (default ../shared/fixtures/msft/v3)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
quick=0
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument \`$arg\` (try --help)" >&2; exit 2 ;;
  esac
done

if [ "$quick" = 1 ]; then
  small=24 big=240
  runs=3 big_runs=3 mdbook_big_runs=3 check_runs=3 edits=5
else
  small=120 big=1200
  runs=10 big_runs=5 mdbook_big_runs=3 check_runs=50 edits=20
fi
cache=${BENCH_CACHE:-$HOME/.cache/controlbook-bench}
fixtures=$(cd "${BENCH_FIXTURES:-$repo/../shared/fixtures/msft/v3}" && pwd)
if [ -n "${BENCH_DIR:-}" ]; then
  mkdir -p "$BENCH_DIR"
  work=$(cd "$BENCH_DIR" && pwd)
  keep=1
else
  work=$(mktemp -d /tmp/controlbook-bench.XXXXXX)
  keep=0
fi
case "$work$fixtures" in *" "*) echo "error: the scratch and fixture paths must not contain spaces" >&2; exit 2 ;; esac
case "$work/" in
  "$repo"/*) echo "error: the scratch dir $work is inside the repository" >&2; exit 2 ;;
esac
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
results=$work/results
rm -rf "$results"
mkdir -p "$results"
say() { printf '\n== %s\n' "$*" >&2; }
# setup CMD...: runs a preparing command and notes it for the report.
setup() {
  { printf '%q ' "$@"; echo; } >>"$results/setup"
  "$@"
}

# --- tools ----------------------------------------------------------------------------
apt_install() {
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "error: installing $* needs root or sudo" >&2; exit 2; }
    as_root=(sudo -n)
  fi
  say "installing $* (apt-get)"
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}
command -v hyperfine >/dev/null 2>&1 || apt_install hyperfine
[ -x /usr/bin/time ] || apt_install time
command -v python3 >/dev/null 2>&1 || apt_install python3

mdbook=
if [ -x "$cache/mdbook/bin/mdbook" ]; then
  mdbook=$cache/mdbook/bin/mdbook
elif command -v mdbook >/dev/null 2>&1; then
  mdbook=$(command -v mdbook)
elif [ "$quick" = 0 ]; then
  say "installing mdBook into $cache/mdbook (cargo install, a few minutes, once)"
  cargo install mdbook --locked --root "$cache/mdbook" >&2
  mdbook=$cache/mdbook/bin/mdbook
fi
hugo=
if command -v hugo >/dev/null 2>&1; then
  hugo=$(command -v hugo)
elif [ "$quick" = 0 ]; then
  apt_install hugo
  hugo=$(command -v hugo)
fi

# --- controlbook ----------------------------------------------------------------------
say "cargo build --release"
setup cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
# A copy, so that a build in the same checkout cannot swap the binary mid-run.
mkdir -p "$work/bin"
setup cp "$repo/target/release/controlbook" "$work/bin/controlbook"
cb=$work/bin/controlbook

for n in "$small" "$big"; do
  rm -rf "$work/c$n"
  setup "$cb" corpus "$work/c$n" --baselines "$n" --from "$fixtures"
  setup "$cb" --root "$work/c$n" build >/dev/null 2>&1 # the Markdown for mdBook and Hugo
  # The same book with the site as its only output: what the HTML alone costs.
  rm -rf "$work/c$n-site"
  mkdir -p "$work/c$n-site"
  setup cp -r "$work/c$n/book.toml" "$work/c$n/content" "$work/c$n-site/"
  setup sed -i -E 's/^(markdown|xlsx|csv|json) = true$/\1 = false/' "$work/c$n-site/book.toml"
  grep -q '^xlsx = false$' "$work/c$n-site/book.toml" || { echo "error: cannot turn off outputs" >&2; exit 1; }
done
rm -rf "$work/one"
mkdir -p "$work/one"
setup cp -r "$repo/book.toml" "$repo/content" "$work/one/"
rm -rf "$work/imported"
setup "$cb" init "$work/imported" >/dev/null 2>&1

# A book for mdBook and a site for Hugo, from the corpus' output/md. mdBook reads no front
# matter (it would print it as text), so its chapters start after it; Hugo needs it.
prepare() {
  printf '%s\n' "# mdBook book $work/mdbook-$1 and Hugo site $work/hugo-$1 from $work/c$1/output/md (prepare() in bench/compare.sh)" >>"$results/setup"
  python3 - "$work/c$1/output/md" "$work/mdbook-$1" "$work/hugo-$1" "$1" <<'PY'
import os, re, shutil, sys
md, mdbook, hugo, n = sys.argv[1:]
for d in (mdbook, hugo):
    shutil.rmtree(d, ignore_errors=True)
os.makedirs(f"{mdbook}/src")
os.makedirs(f"{hugo}/content/baselines")
os.makedirs(f"{hugo}/layouts/_default")
with open(f"{mdbook}/book.toml", "w") as f:
    f.write(f'[book]\ntitle = "Security baselines ({n})"\nlanguage = "en"\nsrc = "src"\n')
summary = ["# Summary", ""]
for name in sorted(os.listdir(md)):
    text = open(f"{md}/{name}", encoding="utf-8").read()
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if not m:
        sys.exit(f"{name}: no front matter")
    title = re.search(r'^title: "?(.*?)"?$', m.group(1), re.M).group(1)
    open(f"{mdbook}/src/{name}", "w", encoding="utf-8").write(text[m.end():].lstrip("\n"))
    summary.append(f"- [{title}]({name})")
    shutil.copy(f"{md}/{name}", f"{hugo}/content/baselines/{name}")
open(f"{mdbook}/src/SUMMARY.md", "w").write("\n".join(summary) + "\n")
with open(f"{hugo}/hugo.toml", "w") as f:
    f.write(f'baseURL = "https://example.org/"\ntitle = "Security baselines ({n})"\n'
            'languageCode = "en"\n')
page = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}'
        '</title></head>\n<body><main>%s</main></body></html>\n')
with open(f"{hugo}/layouts/_default/single.html", "w") as f:
    f.write(page % "{{ .Content }}")
with open(f"{hugo}/layouts/_default/list.html", "w") as f:
    f.write(page % '<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">'
            '{{ .Title }}</a></li>{{ end }}</ul>')
PY
}

# --- measuring ------------------------------------------------------------------------
# measure NAME SIZE RUNS WARMUP COMMAND...: one run under /usr/bin/time -v for peak memory
# (it also warms the caches), then hyperfine. The 1-minute load average is noted first.
measure() {
  local name=$1 size=$2 n=$3 warmup=$4
  shift 4
  say "$name ($size): $n runs"
  prime "$name" "$size" "$n" "$@"
  hyperfine -N --style basic --warmup "$warmup" --runs "$n" \
    --export-json "$results/$name.json" "$*" >&2
}

# prime NAME SIZE RUNS COMMAND...: notes the load and the command, and runs it once under
# /usr/bin/time -v for its peak memory (which also warms the caches).
prime() {
  local name=$1 size=$2 n=$3
  shift 3
  cut -d' ' -f1 /proc/loadavg >"$results/$name.load"
  printf '%s\n' "$*" >"$results/$name.cmd"
  /usr/bin/time -v "$@" >/dev/null 2>"$results/$name.time" || {
    tail -20 "$results/$name.time" >&2
    exit 1
  }
  echo "$size $n" >"$results/$name.meta"
}

# alternate [NAME SIZE RUNS WARMUP COMMAND... ;]...: the builds of both corpus sizes by
# controlbook, mdBook and Hugo, in alternating rounds (bench/interleave.py). Measured one
# after the other, minutes apart, their ratios (and controlbook's 10x : corpus) moved by a
# fifth between runs with the machine's drift.
alternate() {
  local spec=$results/alternate.tsv
  : >"$spec"
  while [ $# -gt 0 ]; do
    local name=$1 size=$2 n=$3 warmup=$4 cmd=()
    shift 4
    while [ "$1" != ";" ]; do cmd+=("$1"); shift; done
    shift
    say "$name ($size): $n runs, alternating"
    prime "$name" "$size" "$n" "${cmd[@]}"
    printf '%s\t%s\t%s\t%s\n' "$name" "$n" "$warmup" "${cmd[*]}" >>"$spec"
  done
  python3 "$repo/bench/interleave.py" "$spec" "$results"
}

if [ -n "$mdbook" ] || [ -n "$hugo" ]; then
  prepare "$small"
  prepare "$big"
fi
[ -n "$mdbook" ] || say "mdBook is not installed: skipped"
[ -n "$hugo" ] || say "Hugo is not installed: skipped"
builds=()
for size in "$small" "$big"; do
  if [ "$size" = "$small" ]; then
    tag=small n=$runs mdbook_n=$runs warm=1
  else
    tag=big n=$big_runs mdbook_n=$mdbook_big_runs warm=0
  fi
  builds+=("build-$tag" "$size" "$n" "$warm" "$cb" --root "$work/c$size" build ";")
  builds+=("site-$tag" "$size" "$n" "$warm" "$cb" --root "$work/c$size-site" build ";")
  [ -z "$mdbook" ] || builds+=("mdbook-$tag" "$size" "$mdbook_n" "$warm" "$mdbook" build "$work/mdbook-$size" ";")
  [ -z "$hugo" ] || builds+=("hugo-$tag" "$size" "$n" 1 "$hugo" --source "$work/hugo-$size" --quiet ";")
done
alternate "${builds[@]}"
measure check-one 1 "$check_runs" 3 "$cb" --root "$work/one" check
measure import-v3 12 "$runs" 1 \
  "$cb" --root "$work/imported" import xlsx "$fixtures" --out "$work/imported/out" --force

for size in "$small" "$big"; do
  name=reload-$([ "$size" = "$small" ] && echo small || echo big)
  say "$name ($size): $edits edits"
  cut -d' ' -f1 /proc/loadavg >"$results/$name.load"
  printf '%s\n' "python3 $repo/bench/reload.py $cb $work/c$size $edits" >"$results/$name.cmd"
  python3 "$repo/bench/reload.py" "$cb" "$work/c$size" "$edits" --json "$results/$name.json" >&2
done

# --- the report -----------------------------------------------------------------------
versions=$results/versions
{
  echo "controlbook: $(cd "$repo" && git rev-parse --short HEAD)$(cd "$repo" && git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo ' (with uncommitted changes to src/ or Cargo.*)'), $(rustc --version)"
  [ -z "$mdbook" ] || echo "mdBook: $("$mdbook" --version)"
  [ -z "$hugo" ] || echo "Hugo: $("$hugo" version | cut -d' ' -f1-2)"
  echo "hyperfine: $(hyperfine --version)"
} >"$versions"
if [ "$quick" = 1 ]; then out=$work/BENCHMARKS.md; else out=$repo/BENCHMARKS.md; fi
python3 - "$results" "$out" "$quick" "$small" "$big" "$work" <<'PY'
import datetime, json, os, re, statistics, subprocess, sys

results, out, quick, small, big, work = sys.argv[1:]
quick = quick == "1"


def read(name, ext):
    path = f"{results}/{name}.{ext}"
    return open(path).read().strip() if os.path.exists(path) else None


rows = {}
for name in ["build-small", "site-small", "mdbook-small", "hugo-small", "build-big", "site-big",
             "mdbook-big", "hugo-big", "check-one", "import-v3", "reload-small", "reload-big"]:
    raw = read(name, "json")
    if raw is None:
        continue
    data = json.loads(raw)
    row = {"cmd": read(name, "cmd"), "load": read(name, "load")}
    if name.startswith("reload"):
        times = [t / 1000 for t in data["times_ms"]]
        row.update(size=data["baselines"], runs=len(times), stages=data["stage_medians_ms"],
                   rss=data.get("peak_rss_kb"), complete=data["complete_ms"])
    else:
        r = data["results"][0]
        times = r["times"]
        size, _ = read(name, "meta").split()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", read(name, "time"))
        row.update(size=int(size), runs=len(times), rss=int(m.group(1)) if m else None,
                   cpu=r["user"] + r["system"])
    row.update(median=statistics.median(times), min=min(times), max=max(times))
    rows[name] = row

LABELS = {
    "build-small": "controlbook build, all outputs", "build-big": "controlbook build, all outputs",
    "site-small": "controlbook build, site only", "site-big": "controlbook build, site only",
    "mdbook-small": "mdBook build (HTML, search)", "mdbook-big": "mdBook build (HTML, search)",
    "hugo-small": "Hugo build (HTML)", "hugo-big": "Hugo build (HTML)",
    "check-one": "controlbook check, one baseline (this repo)",
    "import-v3": "controlbook import xlsx, 12 v3 workbooks",
    "reload-small": "serve: save to `reload` event", "reload-big": "serve: save to `reload` event",
}


def t(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def mb(kb):
    return "–" if kb is None else f"{kb * 1024 / 1e6:.0f} MB"


def ratio(a, b):
    if a in rows and b in rows:
        return rows[a]["median"] / rows[b]["median"]
    return None


lines = []
w = lines.append
loadavg = open("/proc/loadavg").read().split()[:3]
mem = re.search(r"MemTotal:\s+(\d+) kB", open("/proc/meminfo").read()).group(1)
cpu = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
w("# Benchmarks" + (" (quick run)" if quick else ""))
w("")
w("Written by `bench/compare.sh`" + (" --quick" if quick else "") + "; run it again to refresh. "
  "Whole processes, no shell. The builds (controlbook, mdBook and Hugo, both corpus sizes) "
  "run in alternating rounds (`bench/interleave.py`), so that they share the machine's drift; "
  "`check` and `import` are medians of hyperfine runs (`-N`). Peak memory is the maximum "
  "resident set size of one more run under `/usr/bin/time -v`; serve's reload latency is "
  "`bench/reload.py` (time from writing a baseline to the `reload` server-sent event).")
w("")
w(f"- date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}")
w(f"- machine: {os.cpu_count()} CPUs (`nproc`: {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()})"
  + (f", {cpu.group(1).strip()}" if cpu else "")
  + f", {int(mem) / 1024 / 1024:.1f} GiB (MemTotal {mem} kB)")
w(f"- load average at the end: {' '.join(loadavg)} (1, 5, 15 min); the 1-minute load at the "
  "start of each measurement is in the table. Other engineers' builds ran on the machine at "
  "times: a load above about 1 on these 2 CPUs means slower wall times than on a quiet "
  "machine.")
for v in open(f"{results}/versions").read().splitlines():
    w(f"- {v}")
w(f"- corpus: `controlbook corpus DIR --baselines {small}` (\"the corpus\") and `--baselines "
  f"{big}` (\"10x\"), from Microsoft's 12 v3 workbooks")
w("")
w("| what | baselines | runs | median | min | max | CPU | peak RSS | load |")
w("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
for name, r in rows.items():
    cpu = t(r["cpu"]) if "cpu" in r else "–"
    w(f"| {LABELS[name]} | {r['size']} | {r['runs']} | **{t(r['median'])}** | {t(r['min'])} | "
      f"{t(r['max'])} | {cpu} | {mb(r['rss'])} | {r['load']} |")
w("")
w("Median, min and max are wall-clock times. CPU is user plus system time, the mean over "
  "the runs (hyperfine reports no median of it): it moves less than wall time when other "
  "processes compete for the 2 CPUs, so compare it too when the load column is high. "
  "Load is the 1-minute load average when the measurement started.")
w("")
w("\"Site only\" is the same book with `markdown`, `xlsx`, `csv` and `json` turned off in "
  "`[output]` of book.toml: the HTML pages alone, which is what mdBook and Hugo make (its "
  "pages link no downloads). The targets are set on all outputs.")
w("")
w("The serve rows time the save to the first `reload` event that lists the edited page "
  "(serve publishes the edited baseline's page with the previous shared pages first, then "
  "the rebuilt home, matrix, controls and search pages in a second `reload` event, while "
  "the all-baselines workbook is still being rendered); their "
  "peak RSS is the server's over its first build and every rebuild. The time to the last "
  "`reload` (every page in place) and the median stages of those rebuilds, as "
  "`CONTROLBOOK_TIMINGS=1` prints them (render includes the shared pages and the workbook; "
  "write comes after the last event):")
w("")
for name in ["reload-small", "reload-big"]:
    if name in rows:
        r = rows[name]
        w(f"- {r['size']} baselines: last reload median {t(statistics.median(r['complete']) / 1000)}"
          f" (min {t(min(r['complete']) / 1000)}, max {t(max(r['complete']) / 1000)}); "
          + ", ".join(f"{k} {v:.0f} ms" for k, v in r["stages"].items()))
w("")
w("## Ratios")
w("")
w("| | corpus | 10x |")
w("|---|--:|--:|")


def cell(x, unit="×"):
    return "–" if x is None else f"{x:.1f}{unit}"


def mem_ratio(a, b):
    if a in rows and b in rows and rows[a]["rss"] and rows[b]["rss"]:
        return rows[a]["rss"] / rows[b]["rss"]
    return None


w(f"| mdBook time : controlbook time (controlbook is N× faster) | {cell(ratio('mdbook-small', 'build-small'))} | {cell(ratio('mdbook-big', 'build-big'))} |")
w(f"| Hugo time : controlbook time | {cell(ratio('hugo-small', 'build-small'))} | {cell(ratio('hugo-big', 'build-big'))} |")
def cpu_ratio(a, b):
    if a in rows and b in rows:
        return rows[a]["cpu"] / rows[b]["cpu"]
    return None


w(f"| mdBook CPU time : controlbook CPU time | {cell(cpu_ratio('mdbook-small', 'build-small'))} | {cell(cpu_ratio('mdbook-big', 'build-big'))} |")
w(f"| Hugo CPU time : controlbook CPU time | {cell(cpu_ratio('hugo-small', 'build-small'))} | {cell(cpu_ratio('hugo-big', 'build-big'))} |")
w(f"| mdBook peak RSS : controlbook peak RSS | {cell(mem_ratio('mdbook-small', 'build-small'))} | {cell(mem_ratio('mdbook-big', 'build-big'))} |")
w(f"| Hugo peak RSS : controlbook peak RSS | {cell(mem_ratio('hugo-small', 'build-small'))} | {cell(mem_ratio('hugo-big', 'build-big'))} |")
w(f"| mdBook time : controlbook site-only time | {cell(ratio('mdbook-small', 'site-small'))} | {cell(ratio('mdbook-big', 'site-big'))} |")
w(f"| Hugo time : controlbook site-only time | {cell(ratio('hugo-small', 'site-small'))} | {cell(ratio('hugo-big', 'site-big'))} |")
w(f"| controlbook 10x time : corpus time | | {cell(ratio('build-big', 'build-small'))} |")
w("")
w("## Targets")
w("")
if quick:
    w(f"A quick run measures {small} and {big} baselines, not the 120 and 1200 the targets "
      "are set for; the verdicts below apply the targets to these sizes anyway.")
    w("")


def verdict(ok):
    return "–" if ok is None else ("met" if ok else "**missed**")


def get(name, key="median"):
    return rows[name][key] if name in rows else None


def check(value, test):
    return None if value is None else test(value)


targets = [
    ("corpus build ≥ 10× faster than mdBook", cell(ratio("mdbook-small", "build-small")),
     check(ratio("mdbook-small", "build-small"), lambda x: x >= 10)),
    ("corpus build ≥ 2× faster than Hugo", cell(ratio("hugo-small", "build-small")),
     check(ratio("hugo-small", "build-small"), lambda x: x >= 2)),
    ("corpus build under 1 s wall", t(get("build-small")) if "build-small" in rows else "–",
     check(get("build-small"), lambda x: x < 1)),
    ("10x build ≤ 11× the corpus time", cell(ratio("build-big", "build-small")),
     check(ratio("build-big", "build-small"), lambda x: x <= 11)),
    ("10x build peak memory under 250 MB", mb(get("build-big", "rss")),
     check(get("build-big", "rss"), lambda kb: kb * 1024 / 1e6 < 250)),
    ("serve reload median under 50 ms on the 10x corpus",
     t(get("reload-big")) if "reload-big" in rows else "–",
     check(get("reload-big"), lambda x: x < 0.05)),
    ("check of one baseline under 20 ms", t(get("check-one")) if "check-one" in rows else "–",
     check(get("check-one"), lambda x: x < 0.02)),
]
w("| target | measured | |")
w("|---|--:|---|")
for what, measured, ok in targets:
    w(f"| {what} | {measured} | {verdict(ok)} |")
w("")
w("## Commands")
w("")
w(f"Scratch dir `{work}`" + ("" if os.environ.get("BENCH_DIR") else " (removed afterwards)")
  + ". The mdBook chapters are `output/md/*.md` of the corpus build without their YAML "
  "front matter (mdBook does not read front matter and would print it), listed in "
  "`src/SUMMARY.md` by file name under their titles, with a default `book.toml` (search "
  "on). The Hugo site has the same files with their front matter in `content/baselines/`, "
  "a `hugo.toml` of baseURL, title and language, and a one-line `single.html` and "
  "`list.html`.")
w("")
w("```sh")
w("# setup")
for line in open(f"{results}/setup").read().splitlines():
    w(line.rstrip())
for name, r in rows.items():
    runs = r["runs"]
    unit = "edits" if name.startswith("reload") else "runs"
    w(f"# {LABELS[name]}, {r['size']} baseline{'s' if r['size'] != 1 else ''}, {runs} {unit}")
    w(r["cmd"])
w("```")
text = "\n".join(lines) + "\n"
# Notes written by hand below the marker survive a new run.
MARKER = "<!-- compare.sh keeps what follows this line -->"
if os.path.exists(out) and MARKER in open(out, encoding="utf-8").read():
    text += "\n" + MARKER + open(out, encoding="utf-8").read().split(MARKER, 1)[1]
open(out, "w", encoding="utf-8").write(text)
print(text)
print(f"written to {out}", file=sys.stderr)
PY
