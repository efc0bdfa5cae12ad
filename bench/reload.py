#!/usr/bin/env python3
"""Time from saving a baseline to the `reload` event of `controlbook serve`.

Usage: bench/reload.py BINARY BOOK [EDITS] [--json FILE]

Starts `serve --port 0` on BOOK with CONTROLBOOK_TIMINGS=1, listens to
/__controlbook/events and rewrites one baseline EDITS times (default 20). For each save it
notes when the first `reload` event that covers the edited page arrives (its data is `*`
or a JSON list of changed pages; serve may send it before the shared pages are redone),
and when the last `reload` event of that rebuild arrives (every page in place). Each edit
waits until the previous rebuild has also written output/, so rebuilds never overlap.
Prints the medians and spreads, the median of each stage serve reported, and serve's peak
memory; `--json FILE` writes them as JSON too.
"""
import glob, json, os, queue, re, socket, statistics, subprocess, sys, threading, time

args = sys.argv[1:]
json_out = None
if "--json" in args:
    i = args.index("--json")
    json_out = args[i + 1]
    del args[i:i + 2]
binary, book = args[0], args[1]
edits = int(args[2]) if len(args) > 2 else 20

STAGES = re.compile(r"load (\d+) ms, check (\d+) ms, render (\d+) ms, links (\d+) ms, "
                    r"write (\d+) ms")
NAMES = ["load", "check", "render", "links", "write"]

env = dict(os.environ, CONTROLBOOK_TIMINGS="1")
server = subprocess.Popen([binary, "--root", book, "serve", "--port", "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
# serve prints one line per rebuild, then its stage timings, on stderr; it is read all the
# time so that the pipe never fills up and blocks the server.
lines = queue.Queue()
threading.Thread(target=lambda: [lines.put(l) for l in server.stderr], daemon=True).start()


def next_stages(timeout=300):
    """The stage timings of the next finished rebuild, in ms."""
    deadline = time.monotonic() + timeout
    while True:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        if "rebuild failed" in line:
            raise SystemExit(f"rebuild failed: {line.strip()}")
        m = STAGES.search(line)
        if m:
            return [int(x) for x in m.groups()]


def listen(sock, events):
    """Puts (arrival time, data) of every `reload` event on `events`."""
    buffered = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return
        now = time.perf_counter()
        buffered += chunk
        # An event ends with a blank line; chunked transfer encoding may add lines of
        # hex sizes, which are not `data:` lines.
        while b"\n\n" in buffered:
            block, buffered = buffered.split(b"\n\n", 1)
            text = block.decode("utf-8", "replace").replace("\r", "")
            if "event: reload" in text:
                data = "\n".join(l[5:].strip() for l in text.split("\n")
                                 if l.startswith("data:"))
                events.put((now, data))


try:
    url = server.stdout.readline().split()[1]
    host, port = url[len("http://"):].rstrip("/").split(":")
    next_stages()  # the first build
    sock = socket.create_connection((host, int(port)))
    sock.sendall(b"GET /__controlbook/events HTTP/1.1\r\nHost: x\r\n\r\n")
    events = queue.Queue()
    threading.Thread(target=listen, args=(sock, events), daemon=True).start()
    time.sleep(0.3)
    target = sorted(glob.glob(os.path.join(book, "content/baselines/*.yaml")))[0]
    original = open(target, encoding="utf-8").read()
    slug = re.search(r"^slug: *(\S+)", original, re.M).group(1)
    page = f"{slug}/index.html"
    first, complete, counts, stages = [], [], [], []
    for i in range(edits):
        while not events.empty():
            events.get()
        text = original.replace("service: ", f"service: Edit{i} ", 1)
        start = time.perf_counter()
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
        stages.append(next_stages())
        time.sleep(0.1)  # the last event went out before write; let it arrive
        seen = []
        while not events.empty():
            seen.append(events.get())
        if not seen:
            raise SystemExit(f"edit {i}: no reload event")
        hit = next((t for t, data in seen if data == "*" or f'"{page}"' in data), None)
        if hit is None:
            raise SystemExit(f"edit {i}: no reload event lists {page}: {seen}")
        first.append((hit - start) * 1000)
        complete.append((seen[-1][0] - start) * 1000)
        counts.append(len(seen))
    open(target, "w", encoding="utf-8").write(original)
    # The server's peak memory over the whole session: first build and every rebuild.
    status_file = f"/proc/{server.pid}/status"
    status = open(status_file).read() if os.path.exists(status_file) else ""
    peak = re.search(r"VmHWM:\s+(\d+) kB", status)
    peak_kb = int(peak.group(1)) if peak else None
    baselines = len(glob.glob(os.path.join(book, "content/baselines/*.yaml")))
    stage_medians = {n: statistics.median(s[k] for s in stages) for k, n in enumerate(NAMES)}

    def spread(xs):
        return (f"median {statistics.median(xs):.1f} ms, min {min(xs):.1f} ms, "
                f"max {max(xs):.1f} ms")

    print(f"{baselines} baselines, {edits} edits of {os.path.basename(target)}:")
    print(f"  save to the reload of the edited page: {spread(first)}")
    print(f"  save to the last reload (every page): {spread(complete)}; "
          f"{statistics.median(counts):.0f} reload event(s) per save")
    print("  median stages as serve reports them: "
          + ", ".join(f"{n} {v:.0f} ms" for n, v in stage_medians.items())
          + (f"; serve's peak RSS {peak_kb / 1024:.0f} MiB" if peak_kb else ""))
    if json_out:
        with open(json_out, "w", encoding="utf-8") as f:
            json.dump({"baselines": baselines, "edits": edits,
                       "times_ms": first, "median_ms": statistics.median(first),
                       "complete_ms": complete,
                       "complete_median_ms": statistics.median(complete),
                       "events_per_save": counts, "stage_medians_ms": stage_medians,
                       "peak_rss_kb": peak_kb}, f)
finally:
    server.terminate()
    server.wait()
