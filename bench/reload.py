#!/usr/bin/env python3
"""Time from saving a baseline to the `reload` event of `controlbook serve`.

Usage: bench/reload.py BINARY BOOK [EDITS]
Starts `serve --port 0` on BOOK, listens to /__controlbook/events, rewrites one baseline
EDITS times (default 20) and prints the median and the spread of save-to-event times.
"""
import glob, os, socket, statistics, subprocess, sys, time

binary, book = sys.argv[1], sys.argv[2]
edits = int(sys.argv[3]) if len(sys.argv) > 3 else 20
server = subprocess.Popen([binary, "--root", book, "serve", "--port", "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    url = server.stdout.readline().split()[1]
    host, port = url[len("http://"):].rstrip("/").split(":")
    events = socket.create_connection((host, int(port)))
    events.sendall(b"GET /__controlbook/events HTTP/1.1\r\nHost: x\r\n\r\n")
    events.settimeout(30)
    time.sleep(0.3)
    target = sorted(glob.glob(os.path.join(book, "content/baselines/*.yaml")))[0]
    original = open(target, encoding="utf-8").read()
    times = []
    buffered = b""
    for i in range(edits):
        text = original.replace("service: ", f"service: Edit{i} ", 1)
        start = time.perf_counter()
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
        while b"event: reload" not in buffered:
            buffered += events.recv(65536)
        times.append((time.perf_counter() - start) * 1000)
        buffered = buffered.split(b"event: reload", 1)[1]
        time.sleep(0.15)
    open(target, "w", encoding="utf-8").write(original)
    baselines = len(glob.glob(os.path.join(book, "content/baselines/*.yaml")))
    print(f"{baselines} baselines: save-to-reload median {statistics.median(times):.1f} ms, "
          f"min {min(times):.1f} ms, max {max(times):.1f} ms over {edits} edits")
finally:
    server.terminate()
    server.wait()
