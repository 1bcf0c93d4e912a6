#!/usr/bin/env python3
"""Renders bench/scale.sh's measurements as Markdown: one column per storage and N, one row per figure.

    scale-report.py RAW.tsv MODE CORES MEMORY_GB LOADAVG JAVA_OPTS

RAW.tsv lines: storage, N, probe name, the probe's JSON (bench/scale-probe.py).
"""
import datetime
import json
import sys

raw, mode, cores, memory_gb, load, java_opts = sys.argv[1:7]
cases = {}
for line in open(raw):
    storage, n, probe, data = line.rstrip("\n").split("\t", 3)
    cases.setdefault((storage, int(n)), {})[probe] = json.loads(data)


def label(n):
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if n >= size and n % size == 0:
            return f"{n // size}{unit}"
    return str(n)


def fmt(value, digits=1):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def field(case, probe, key):
    return case.get(probe, {}).get(key)


def mb(value):
    return None if value is None else value / 2**20


def previous(storage, n):
    """The measured case of the same storage with the next smaller N, for marginal figures."""
    smaller = [m for (s, m), case in cases.items() if s == storage and m < n and "memory" in case]
    return cases[(storage, max(smaller))] if smaller else None, max(smaller) if smaller else None


def marginal_heap(storage, n, case):
    before, m = previous(storage, n)
    heap = field(case, "memory", "heap_live_bytes")
    if before is None or heap is None:
        return None
    return round((heap - field(before, "memory", "heap_live_bytes")) / (n - m))


def latency(case, probe):
    median, size = field(case, probe, "median_ms"), field(case, probe, "bytes")
    if median is None:
        return "—"
    return f"{median:.1f} ({size / 1024:,.1f} KiB)"


def lifecycle_run(case):
    run = case.get("lifecycle")
    return "—" if not run else f"{run['run_s']:.1f} ({run['run_method']})"


def gets(case):
    run = case.get("lifecycle")
    if not run:
        return "—"
    return f"{run['get_p50_ms']:.1f} / {run['get_p99_ms']:.1f} / {run['get_max_ms']:.1f} ({run['gets']} GETs)"


def per_image(case, n):
    heap = field(case, "memory", "heap_live_bytes")
    return None if heap is None else round(heap / n)


ROWS = [
    ("seeding the store (s)", lambda s, n, c: fmt(field(c, "seed", "seed_s"))),
    ("start → `/healthz` 200 (s)", lambda s, n, c: fmt(field(c, "ready", "healthz_s"), 2)),
    ("start → `/readyz` 200 (s)", lambda s, n, c: fmt(field(c, "ready", "ready_s"), 2)),
    ("start → first cached manifest GET by tag (s)", lambda s, n, c: fmt(field(c, "ready", "first_manifest_s"), 2)),
    ("S3 requests, start → ready", lambda s, n, c: fmt(field(c, "ready", "storage_requests_ready"))),
    ("S3 requests, start → first manifest", lambda s, n, c: fmt(field(c, "ready", "storage_requests_first_manifest"))),
    ("live heap after full GC, once ready (MiB)", lambda s, n, c: fmt(mb(field(c, "memory", "heap_live_bytes")))),
    ("… per image (bytes)", lambda s, n, c: fmt(per_image(c, n))),
    ("… per image added since the smaller N (bytes)", lambda s, n, c: fmt(marginal_heap(s, n, c))),
    ("live heap after full GC, after the lifecycle run (MiB)",
     lambda s, n, c: fmt(mb(field(c, "rss", "heap_live_bytes")))),
    ("`_catalog?n=100`, first page (ms, median)", lambda s, n, c: latency(c, "catalog_first")),
    ("`_catalog?n=100&last=` 90% deep (ms, median)", lambda s, n, c: latency(c, "catalog_deep")),
    ("`tags/list?n=100` (ms, median)", lambda s, n, c: latency(c, "tags")),
    ("`GET /api/v1/repositories?maxResults=100` (ms, median)", lambda s, n, c: latency(c, "api_repositories")),
    ("lifecycle run (s; how its end was seen)", lambda s, n, c: lifecycle_run(c)),
    ("S3 requests during the lifecycle run", lambda s, n, c: fmt(field(c, "lifecycle", "storage_requests_run"))),
    ("manifest GET by tag during the run, p50 / p99 / max (ms)", lambda s, n, c: gets(c)),
    ("peak RSS (MiB)", lambda s, n, c: fmt(mb(field(c, "rss", "peak_rss_bytes")), 0)),
]

order = sorted(cases, key=lambda key: (key[0] != "filesystem", key[0], key[1]))
measured = [key for key in order if "skipped" not in cases[key]]
print(f"# Scale benchmark ({'smoke run' if mode == 'smoke' else 'bench/scale.sh'})\n")
print(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; {cores} cores, {memory_gb} GiB of memory; "
      f"load average at the end {load}; Cargohold JVM options: `{java_opts}`. N images = N/10 repositories "
      f"× 10 tags, one OCI manifest each (`io.cargohold.launcher.ScaleSeed`). Latencies: one kept-alive "
      f"connection, median after one untimed request, answer size in brackets. Lifecycle run: from "
      f"`POST /api/v1/lifecycle/run` to the end of the run (`timer`: `cargohold_lifecycle_run_seconds`; "
      f"`log`: its log line; `workers`: in builds without either, until the last task of Vert.x's "
      f"worker pool, which the run reads storage on and cached GETs do not use), with up to 100 manifest "
      f"GETs a second by tag over random images meanwhile.\n")
print("| figure | " + " | ".join(f"{storage} {label(n)}" for storage, n in measured) + " |")
print("|---|" + "---|" * len(measured))
for title, render in ROWS:
    cells = [render(storage, n, cases[(storage, n)]) for storage, n in measured]
    if all(cell == "—" for cell in cells):
        continue
    print(f"| {title} | " + " | ".join(cells) + " |")
for storage, n in order:
    if "skipped" in cases[(storage, n)]:
        print(f"\n{storage} {label(n)}: not measured ({cases[(storage, n)]['skipped']['skipped']}).")
