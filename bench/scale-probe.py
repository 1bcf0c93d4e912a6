#!/usr/bin/env python3
"""The measurements of bench/scale.sh against one running Cargohold; each prints one JSON object.

    scale-probe.py ready --pid P --started EPOCH --admin URL --manifest URL [--count-url URL]
        times from EPOCH (the launch) to the first /healthz, /readyz and cached manifest GET answering
        200, and the storage requests counted by bench/count-proxy.py by then
    scale-probe.py latency URL [--count 20]
        median time of COUNT GETs (after one untimed), and the answer's size
    scale-probe.py lifecycle --pid P --admin URL --registry URL --prefix PREFIX --repositories R --log FILE
        asks for a lifecycle run (POST /api/v1/lifecycle/run) and GETs manifests by tag until it ends
    scale-probe.py memory --pid P
        live heap after a full GC (jcmd GC.run, GC.heap_info) and peak RSS (VmHWM)

A request that does not answer 200 (202 for the run) or a process that exits fails with status 1.
"""
import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.parse

ACCEPT = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json"
TAGS = 10   # ScaleSeed.TAGS_PER_REPOSITORY


def fail(message):
    print(f"scale-probe: {message}", file=sys.stderr)
    sys.exit(1)


class Client:
    """One kept-alive connection to a host; reconnects when the server closed it."""

    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.conn = None

    def request(self, method, path, headers=None, timeout=30):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
            try:
                self.conn.request(method, path, headers=headers or {})
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError, TimeoutError) as e:
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise ConnectionError(f"{method} {path}: {e!r}") from e


def get(url, headers=None, timeout=2):
    """One GET on a new connection: (status, body), or (None, b'') when nothing answers."""
    try:
        return Client(url).request("GET", path_of(url), headers, timeout)
    except (ConnectionError, OSError):
        return None, b""


def path_of(url):
    parts = urllib.parse.urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def storage_requests(count_url):
    if not count_url:
        return None
    status, body = get(count_url)
    return json.loads(body)["total"] if status == 200 else None


def ready(args):
    times, requests = {}, {}
    base = storage_requests(args.count_url)   # the JVM has not reached its storage yet
    checks = {"healthz": (args.admin + "/healthz", None), "ready": (args.admin + "/readyz", None),
              "first_manifest": (args.manifest, {"Accept": ACCEPT})}
    deadline = time.time() + args.timeout
    while len(times) < len(checks):
        if not alive(args.pid):
            fail(f"cargohold (pid {args.pid}) exited during start-up")
        if time.time() > deadline:
            fail(f"cargohold was not ready within {args.timeout} s: {sorted(set(checks) - set(times))} never answered 200")
        for name, (url, headers) in checks.items():
            if name not in times and get(url, headers)[0] == 200:
                times[name] = time.time() - args.started
                requests[name] = None if base is None else storage_requests(args.count_url) - base
        time.sleep(0.05)
    print(json.dumps({f"{name}_s": round(t, 2) for name, t in times.items()}
                     | {f"storage_requests_{name}": n for name, n in requests.items() if n is not None}))


def latency(args):
    client = Client(args.url)
    path = path_of(args.url)
    times = []
    for i in range(args.count + 1):
        start = time.perf_counter()
        status, body = client.request("GET", path, {"Accept": ACCEPT})
        elapsed = time.perf_counter() - start
        if status != 200:
            fail(f"GET {args.url} answered {status}: {body[:300]!r}")
        if i:
            times.append(elapsed)
    print(json.dumps({"median_ms": round(statistics.median(times) * 1000, 2),
                      "max_ms": round(max(times) * 1000, 2), "bytes": len(body)}))


def run_timer(admin):
    """(count, sum) of the cargohold_lifecycle_run_seconds timer, or None when the build has none."""
    status, body = get(admin + "/metrics", timeout=10)
    if status != 200:
        fail(f"GET {admin}/metrics answered {status}")
    found = {}
    for line in body.decode().splitlines():
        match = re.match(r"cargohold_lifecycle_run_seconds_(count|sum)(?:\{[^}]*\})? ([0-9.eE+-]+)$", line)
        if match:
            found[match.group(1)] = found.get(match.group(1), 0.0) + float(match.group(2))
    return (found["count"], found.get("sum", 0.0)) if "count" in found else None


def worker_pool(admin):
    """(tasks completed, tasks running) of Vert.x's worker pool, where the lifecycle run reads storage."""
    status, body = get(admin + "/metrics", timeout=10)
    if status != 200:
        fail(f"GET {admin}/metrics answered {status}")
    found = {}
    for line in body.decode().splitlines():
        match = re.match(r'vertx_pool_(completed_total|in_use)\{[^}]*pool_name="vert\.x-worker-thread"[^}]*\} (\S+)$', line)
        if match:
            found[match.group(1)] = float(match.group(2))
    if "completed_total" not in found:
        fail("no vertx_pool_completed_total of the worker pool in /metrics")
    return found["completed_total"], found.get("in_use", 0.0)


def log_size(path):
    return os.path.getsize(path) if os.path.exists(path) else 0


def run_logged(path, offset):
    """The duration in seconds from a new lifecycle run log line, 0.0 if it gives none, None if none."""
    with open(path, errors="replace") as log:
        log.seek(offset)
        for line in log:
            if re.search(r"cargohold\.lifecycle\.run|lifecycle run (took|finished|done|completed)", line):
                match = re.search(r"(\d+(?:\.\d+)?)\s*(ms|s)\b", line.replace("PT", " "), re.I)
                if not match:
                    return 0.0
                return float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
    return None


def manifest_get(registry, args):
    """GETs a random seeded image's manifest by tag; answers the seconds it took."""
    repository = f"{args.prefix}/r{random.randrange(args.repositories):07d}"
    tag = f"v{random.randint(1, TAGS):02d}"
    start = time.perf_counter()
    status, body = registry.request("GET", f"/v2/{repository}/manifests/{tag}", {"Accept": ACCEPT})
    elapsed = time.perf_counter() - start
    if status != 200:
        fail(f"GET {repository}:{tag} answered {status}: {body[:300]!r}")
    time.sleep(max(0.0, 1 / args.rate - elapsed))
    return elapsed


def lifecycle(args):
    registry, admin = Client(args.registry), Client(args.admin)
    warm_up = time.time() + args.warm_up   # the same GETs without a run first
    while time.time() < warm_up:
        manifest_get(registry, args)
    timer = run_timer(args.admin)
    offset = log_size(args.log)
    before = storage_requests(args.count_url)
    workers = worker_pool(args.admin)
    started = time.time()
    status, body = admin.request("POST", "/api/v1/lifecycle/run")
    if status != 202:
        fail(f"POST /api/v1/lifecycle/run answered {status}: {body[:300]!r}")
    latencies, method, run_s = [], None, None
    worked_until = None
    next_check = started + 0.25
    while run_s is None:
        if not alive(args.pid):
            fail("cargohold exited during the lifecycle run")
        if time.time() - started > args.timeout:
            fail(f"the lifecycle run did not end within {args.timeout} s")
        latencies.append(manifest_get(registry, args))
        if time.time() < next_check:
            continue
        next_check = time.time() + 0.25
        if timer is not None:
            now = run_timer(args.admin)
            if now[0] > timer[0]:
                run_s, method = now[1] - timer[1], "timer"
            continue
        logged = run_logged(args.log, offset)
        if logged is not None:
            run_s, method = logged or time.time() - started, "log"
            continue
        # No timer and no log line in this build: the run reads storage on Vert.x's worker pool, which
        # cached manifest GETs do not use; it is over when the pool has been idle for a while.
        completed, in_use = worker_pool(args.admin)
        if completed != workers[0] or in_use:
            workers, worked_until = (completed, in_use), time.time()
        elif worked_until is not None and time.time() - worked_until >= args.idle:
            run_s, method = worked_until - started, "workers"
    latencies.sort()
    after = storage_requests(args.count_url)
    print(json.dumps({"run_s": round(run_s, 2), "run_method": method, "gets": len(latencies),
                      "get_p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
                      "get_p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 2),
                      "get_max_ms": round(latencies[-1] * 1000, 2)}
                     | ({"storage_requests_run": after - before} if before is not None else {})))


def memory(args):
    for _ in range(2):   # the second full GC also frees what the first one's finalization released
        subprocess.run(["jcmd", str(args.pid), "GC.run"], check=True, capture_output=True, timeout=120)
    info = subprocess.run(["jcmd", str(args.pid), "GC.heap_info"], check=True, capture_output=True, text=True,
                          timeout=60).stdout
    match = re.search(r"heap\s+total \d+K, used (\d+)K", info)
    if not match:
        fail(f"no heap use in jcmd GC.heap_info: {info[:300]!r}")
    with open(f"/proc/{args.pid}/status") as status:
        hwm = re.search(r"VmHWM:\s+(\d+) kB", status.read())
    print(json.dumps({"heap_live_bytes": int(match.group(1)) * 1024, "peak_rss_bytes": int(hwm.group(1)) * 1024}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("ready")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--started", type=float, required=True)
    p.add_argument("--admin", required=True)
    p.add_argument("--manifest", required=True)
    p.add_argument("--count-url")
    p.add_argument("--timeout", type=float, default=600)
    p.set_defaults(run=ready)
    p = commands.add_parser("latency")
    p.add_argument("url")
    p.add_argument("--count", type=int, default=20)
    p.set_defaults(run=latency)
    p = commands.add_parser("lifecycle")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--admin", required=True)
    p.add_argument("--registry", required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--repositories", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--count-url")
    p.add_argument("--rate", type=float, default=100, help="manifest GETs per second during the run")
    p.add_argument("--warm-up", type=float, default=2, help="seconds of GETs before the run")
    p.add_argument("--idle", type=float, default=2,
                   help="seconds the worker pool stays idle after a run (builds without a run timer)")
    p.add_argument("--timeout", type=float, default=900)
    p.set_defaults(run=lifecycle)
    p = commands.add_parser("memory")
    p.add_argument("--pid", type=int, required=True)
    p.set_defaults(run=memory)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
