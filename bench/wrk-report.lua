-- wrk script: after wrk's own report, prints one machine-readable line that bench/run.sh parses.
-- Throughput counts every byte read (complete and in-flight responses), so long transfers that
-- are still running when the duration ends are counted too. MB = 10^6 bytes. Latencies in ms.
done = function(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "WRK requests=%d bytes=%d seconds=%.3f req_s=%.1f mb_s=%.1f p50_ms=%.3f p99_ms=%.3f " ..
    "status_errors=%d socket_errors=%d\n",
    summary.requests, summary.bytes, seconds, summary.requests / seconds, summary.bytes / seconds / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
