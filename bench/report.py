#!/usr/bin/env python3
"""Turns bench/run.sh's raw measurements into the Markdown report.

    report.py RAW.tsv --mode full|smoke --phases blobs,manifests,... --rounds N --sizes "1M 256M" ...

RAW.tsv lines are 'metric<TAB>target<TAB>round<TAB>value'. Timings and rates are reported as the
median over rounds; peak RSS as the maximum; upstream GET counts from their single round. Only
the sections of the phases that ran are written.
"""
import argparse
import datetime
import os
import platform
import statistics
from collections import defaultdict

CACHES = ("cargohold", "distribution")
MANIFEST_CONNS = 64
MANIFEST_ROWS = (("_req_s", "requests/s", 0), ("_p50_ms", "p50 latency (ms)", 2), ("_p99_ms", "p99 latency (ms)", 2))


def load(path):
    values = defaultdict(list)
    with open(path) as f:
        for line in f:
            metric, target, _round, value = line.rstrip("\n").split("\t")
            values[(metric, target)].append(float(value))
    return values


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    return (f"{os.cpu_count()} cores ({model}), {mem_kib / 1024 / 1024:.1f} GiB memory, "
            f"{platform.system()} {platform.release()}; load average at the end {load}")


def fmt(value, digits=0):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def signed(value, digits=1):
    return "—" if value is None else f"{value:+,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("raw")
    for option in ("mode", "phases", "rounds", "sizes", "conns", "cold", "herd", "link", "range", "durations",
                   "seconds", "load"):
        parser.add_argument("--" + option, default="")
    args = parser.parse_args()
    values = load(args.raw)

    def median(metric, target):
        series = values.get((metric, target))
        return statistics.median(series) if series else None

    def maximum(metric, target):
        series = values.get((metric, target))
        return max(series) if series else None

    phases = set(args.phases.split(","))
    sizes, conns = args.sizes.split(), [int(c) for c in args.conns.split()]
    large, max_conns = sizes[-1], conns[-1]
    out = []
    w = out.append
    w(f"## Cargohold vs distribution 2.8 as a pull-through cache ({args.mode} run, phases {args.phases})")
    w("")
    w(f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
      f"harness time {float(args.seconds or 0):.0f} s")
    w(f"- machine: {machine()}; load average at the start {args.load}")
    w(f"- {args.rounds} round(s), interleaved, medians; wrk durations: {args.durations}")
    w("- MB = 10^6 bytes; everything on 127.0.0.1; both caches hold the content before the cached runs")
    w("")

    if "blobs" in phases:
        w(f"### Cached blob GETs, throughput in MB/s (wrk, median of {args.rounds})")
        w("")
        w("| blob | connections | Cargohold | distribution | nginx sendfile | Cargohold / distribution | Cargohold / nginx |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for size in sizes:
            for c in conns:
                metric = f"blob_mb_s|{size}|{c}"
                ch, di, ng = (median(metric, t) for t in ("cargohold", "distribution", "nginx"))
                w(f"| {size}iB | {c} | {fmt(ch)} | {fmt(di)} | {fmt(ng)} | {fmt(ratio(ch, di), 2)} | {fmt(ratio(ch, ng), 2)} |")
        socket_errors = {k: sum(v) for k, v in values.items() if k[0].startswith("blob_socket_errors") and sum(v)}
        if socket_errors:
            w("")
            w("Socket errors (time-outs, resets) during blob runs: "
              + ", ".join(f"{t} {m.split('|', 1)[1]}: {int(n)}" for (m, t), n in sorted(socket_errors.items())))
        w("")

    if "manifests" in phases:
        w(f"### Cached manifest GETs by tag, {MANIFEST_CONNS} connections (wrk, median of {args.rounds})")
        w("")
        w("| | Cargohold | distribution | Cargohold / distribution |")
        w("|---|---:|---:|---:|")
        for metric, label, digits in MANIFEST_ROWS:
            ch, di = median("manifest" + metric, "cargohold"), median("manifest" + metric, "distribution")
            w(f"| {label} | {fmt(ch, digits)} | {fmt(di, digits)} | {fmt(ratio(ch, di), 2)} |")
        w("")
        w(f"### Cached manifest GETs by digest, {MANIFEST_CONNS} connections, against nginx serving the same bytes "
          f"as a static file (wrk, median of {args.rounds})")
        w("")
        w("| | Cargohold | distribution | nginx static file | Cargohold / distribution | Cargohold / nginx |")
        w("|---|---:|---:|---:|---:|---:|")
        for metric, label, digits in MANIFEST_ROWS:
            ch, di, ng = (median("manifest_digest" + metric, t) for t in ("cargohold", "distribution", "nginx"))
            w(f"| {label} | {fmt(ch, digits)} | {fmt(di, digits)} | {fmt(ng, digits)} | {fmt(ratio(ch, di), 2)} "
              f"| {fmt(ratio(ch, ng), 2)} |")
        w("")

    direct = median("cold_pull_s", "direct")
    overhead = {t: (ratio(median("cold_pull_s", t), direct) - 1) * 100 if direct else None for t in CACHES}
    if "cold" in phases:
        w(f"### Cold pull, `skopeo copy docker://... dir:`, layers {args.cold} (wall time, median of {args.rounds})")
        w("")
        w("| | Cargohold | distribution | upstream directly |")
        w("|---|---:|---:|---:|")
        w(f"| wall time (s) | {fmt(median('cold_pull_s', 'cargohold'), 2)} | {fmt(median('cold_pull_s', 'distribution'), 2)} "
          f"| {fmt(direct, 2)} |")
        w(f"| overhead over pulling upstream directly | {fmt(overhead['cargohold'], 1)} % | {fmt(overhead['distribution'], 1)} % | — |")
        for part, label in (("client", "CPU seconds of skopeo"), ("upstream", "CPU seconds of the upstream"),
                            ("cache", "CPU seconds of the cache")):
            cells = [fmt(median(f"cold_cpu_s|{part}", t), 2) for t in ("cargohold", "distribution")]
            direct_cell = "—" if part == "cache" else fmt(median(f"cold_cpu_s|{part}", "direct"), 2)
            w(f"| {label} | {cells[0]} | {cells[1]} | {direct_cell} |")
        w("")

    if "herd" in phases:
        w(f"### Concurrent cold pulls of one image ({args.herd}): upstream GETs per blob")
        w("")
        w("| | Cargohold | distribution |")
        w("|---|---:|---:|")
        w(f"| most GETs of one blob | {fmt(maximum('herd_gets_max', 'cargohold'))} | {fmt(maximum('herd_gets_max', 'distribution'))} |")
        w(f"| mean GETs per blob | {fmt(median('herd_gets_mean', 'cargohold'), 2)} | {fmt(median('herd_gets_mean', 'distribution'), 2)} |")
        w("")

    link_direct = median("link_pull_s", "direct")
    link_ratio = ratio(median("link_pull_s", "cargohold"), link_direct)
    first_byte_later = {kind: None if median(f"first_byte_ms|{kind}", "cargohold") is None
                        else median(f"first_byte_ms|{kind}", "cargohold") - median(f"first_byte_ms|{kind}", "direct")
                        for kind in ("alone", "after_manifest")}
    if "link" in phases:
        w(f"### Cold pulls over a realistic link: the upstream behind bench/throttle-proxy.py ({args.link})")
        w("")
        w("`skopeo copy docker://... dir:` of a fresh image per round, wall time, and curl's time to the first "
          "byte of a cold layer GET (a fresh image per round); medians.")
        w("")
        w("| | Cargohold | upstream directly | Cargohold vs direct |")
        w("|---|---:|---:|---:|")
        w(f"| pull wall time (s) | {fmt(median('link_pull_s', 'cargohold'), 2)} | {fmt(link_direct, 2)} "
          f"| {fmt(link_ratio, 3)}× |")
        for kind, label in (("alone", "first byte, a layer GET alone on a new connection (ms)"),
                            ("after_manifest", "first byte, the first layer after its manifest on one connection (ms)")):
            ch, di = median(f"first_byte_ms|{kind}", "cargohold"), median(f"first_byte_ms|{kind}", "direct")
            w(f"| {label} | {fmt(ch, 1)} | {fmt(di, 1)} | {signed(first_byte_later[kind])} ms |")
        w(f"| CPU seconds of the throttling proxy per pull | {fmt(median('link_cpu_s|proxy', 'cargohold'), 2)} "
          f"| {fmt(median('link_cpu_s|proxy', 'direct'), 2)} | — |")
        w(f"| CPU seconds of Cargohold per pull | {fmt(median('link_cpu_s|cache', 'cargohold'), 2)} | — | — |")
        w("")

    if "range" in phases:
        w(f"### Range GETs during a fill: Cargohold over the realistic link ({args.range})")
        w("")
        w("curl's time to the first byte of a cold layer GET through Cargohold, and of four concurrent Range "
          "GETs splitting another cold layer in quarters; medians, every body checked.")
        w("")
        w("| first byte (ms) | median | rounds |")
        w("|---|---:|---|")
        for kind, label in (("plain", "plain GET of a cold layer"), ("range", "each Range GET of a cold layer"),
                            ("slowest", "the slowest of the four Range GETs")):
            rounds = ", ".join(fmt(v, 1) for v in values.get((f"range_first_byte_ms|{kind}", "cargohold"), []))
            w(f"| {label} | {fmt(median(f'range_first_byte_ms|{kind}', 'cargohold'), 1)} | {rounds} |")
        w(f"| upstream GETs of the ranged layer (most in a round) | {fmt(maximum('range_upstream_gets', 'cargohold'))} | |")
        w("")

    if "blobs" in phases:
        w(f"### Memory of the cache process (MiB)")
        w("")
        w("| | Cargohold | distribution |")
        w("|---|---:|---:|")
        w(f"| peak RSS during the {max_conns}-connection {large}iB run (max of rounds) "
          f"| {fmt(maximum('rss_peak_mib', 'cargohold'))} | {fmt(maximum('rss_peak_mib', 'distribution'))} |")
        w(f"| VmHWM after the cached runs | {fmt(maximum('rss_hwm_mib', 'cargohold'))} | {fmt(maximum('rss_hwm_mib', 'distribution'))} |")
        w("")

    w("### Targets (issues 5, 13 and 14)")
    w("")
    w("| target | measured | met |")
    w("|---|---|---|")

    def target(label, measured, ok):
        if ok is not None:
            w(f"| {label} | {measured} | {'yes' if ok else '**no**'} |")

    for size in sizes:
        metric = f"blob_mb_s|{size}|{max_conns}"
        ch, di, ng = (median(metric, t) for t in ("cargohold", "distribution", "nginx"))
        r_d, r_n = ratio(ch, di), ratio(ch, ng)
        target(f"{size}iB blob, {max_conns} connections: ≥ 2× distribution", f"{fmt(r_d, 2)}×",
               None if r_d is None else r_d >= 2)
        target(f"{size}iB blob, {max_conns} connections: ≥ 0.7× nginx", f"{fmt(r_n, 2)}×",
               None if r_n is None else r_n >= 0.7)
    r_m = ratio(median("manifest_req_s", "cargohold"), median("manifest_req_s", "distribution"))
    target("manifest requests/s ≥ 3× distribution", f"{fmt(r_m, 2)}×", None if r_m is None else r_m >= 3)
    r_n = ratio(median("manifest_digest_req_s", "cargohold"), median("manifest_digest_req_s", "nginx"))
    target(f"manifest by digest, {MANIFEST_CONNS} connections: ≥ 0.8× nginx static file", f"{fmt(r_n, 2)}×",
           None if r_n is None else r_n >= 0.8)
    o = overhead["cargohold"]
    target("miss overhead ≤ 10 % over pulling upstream directly", f"{fmt(o, 1)} %", None if o is None else o <= 10)
    g = maximum("herd_gets_max", "cargohold")
    target("exactly 1 upstream GET per blob under concurrent cold pulls", f"at most {fmt(g)}",
           None if g is None else g == 1)
    target("cold pull over the realistic link ≤ 1.05× pulling from the throttled upstream directly",
           f"{fmt(link_ratio, 3)}×", None if link_ratio is None else link_ratio <= 1.05)
    later = first_byte_later["after_manifest"]
    target("first layer's first byte over the realistic link ≤ 50 ms later than directly", f"{fmt(later, 1)} ms",
           None if later is None else later <= 50)
    slowest = maximum("range_first_byte_ms|slowest", "cargohold")
    target("four concurrent Range GETs of a cold layer: first byte ≤ 1.5 s (issue 14)", f"at most {fmt(slowest, 1)} ms",
           None if slowest is None else slowest <= 1500)
    range_gets = maximum("range_upstream_gets", "cargohold")
    target("one upstream GET of a layer however many Range GETs (issue 14)", f"at most {fmt(range_gets)}",
           None if range_gets is None else range_gets == 1)
    rss = maximum("rss_peak_mib", "cargohold")
    target("peak RSS < 512 MiB", f"{fmt(rss)} MiB", None if rss is None else rss < 512)
    print("\n".join(out))


if __name__ == "__main__":
    main()
