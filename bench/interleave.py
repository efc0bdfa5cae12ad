#!/usr/bin/env python3
"""Times several commands in alternating rounds, so that they share the machine's drift.

Usage: bench/interleave.py SPEC RESULTS

SPEC has one command per line: NAME, RUNS, WARMUP and the command's words, separated by
tabs (the words by spaces; no word may hold one). Each command first runs WARMUP times;
then round after round every command whose RUNS are not done runs once, in SPEC's order.
On this shared machine the speed moves by up to a third within minutes, which skews the
ratio of two tools measured one after the other; alternating spreads the drift over all.

For each NAME it writes RESULTS/NAME.json in hyperfine's shape (`results[0]` with `times`,
`user`, `system` and their `mean`, `median`, `min`, `max`), which compare.sh reads.
Wall time is the child's from fork to exit; CPU is its user and system time (wait4).
"""
import json, os, statistics, subprocess, sys, time

spec_path, results = sys.argv[1:]
commands = []
for line in open(spec_path, encoding="utf-8"):
    if not line.strip():
        continue
    name, runs, warmup, words = line.rstrip("\n").split("\t")
    commands.append({"name": name, "runs": int(runs), "warmup": int(warmup),
                     "argv": words.split(" "), "times": [], "user": [], "system": []})


def run_once(argv):
    """Wall, user and system seconds of one run; exits when the command fails."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.stderr.write(stderr.decode(errors="replace")[-2000:])
        sys.exit(f"error: `{' '.join(argv)}` exited with {child.returncode}")
    return wall, usage.ru_utime, usage.ru_stime


for round_ in range(max(c["warmup"] for c in commands)):
    for c in commands:
        if round_ < c["warmup"]:
            run_once(c["argv"])
for round_ in range(max(c["runs"] for c in commands)):
    for c in commands:
        if round_ < c["runs"]:
            wall, user, system = run_once(c["argv"])
            c["times"].append(wall)
            c["user"].append(user)
            c["system"].append(system)
    done = ", ".join(f"{c['name']} {statistics.median(c['times']) * 1000:.0f} ms"
                     for c in commands if c["times"])
    print(f"round {round_ + 1}: medians so far: {done}", file=sys.stderr)

for c in commands:
    times = c["times"]
    result = {
        "command": " ".join(c["argv"]),
        "times": times,
        "mean": statistics.mean(times),
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        # hyperfine's `user` and `system` are means too.
        "user": statistics.mean(c["user"]),
        "system": statistics.mean(c["system"]),
    }
    with open(os.path.join(results, f"{c['name']}.json"), "w") as f:
        json.dump({"results": [result]}, f, indent=1)
