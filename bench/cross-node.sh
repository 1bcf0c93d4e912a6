#!/usr/bin/env bash
# Time to first byte of a blob another edge is fetching (issue 14), next to a plain cold GET.
# Everything runs on 127.0.0.1 and free ports:
#   - an upstream `docker-registry` holding random blobs, behind bench/throttle-proxy.py
#     (a realistic link: 40 MB/s per connection, 20 ms round trip);
#   - S3Proxy (filesystem backend) as the shared object storage;
#   - two Cargohold edges, A and B, forming one Hazelcast cluster on that storage.
# Each round takes two new blobs: a plain cold GET of the first on edge A; then a GET of the second
# on edge A and, a second later, on edge B, which relays A's fetch (before issue 14 it waited for A
# to store the whole blob). Figures are medians of the rounds.
#
#   bash bench/cross-node.sh            3 rounds of 200 MiB blobs (~2 min); writes bench/results/cross-node.md
#   bash bench/cross-node.sh --smoke    1 round of 16 MiB blobs
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ROUNDS=3 SIZE_MIB=200 OUT=bench/results/cross-node.md
if [ "${1:-}" = --smoke ]; then ROUNDS=1 SIZE_MIB=16 OUT=bench/results/cross-node-smoke.md; fi
for tool in java curl python3 docker-registry; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (bash scripts/test.sh installs it)" >&2; exit 1; }
done
JAR=${CARGOHOLD_JAR:-$ROOT/deploy/target/cargohold.jar}   # CARGOHOLD_JAR: another build, e.g. an older commit's
[ -f "$JAR" ] || nice mvn -B -o -q -pl deploy -am package -DskipTests

WORK=$(mktemp -d /tmp/cargohold-cross.XXXXXX)
BENCH=cross-node
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

wait_url() {   # NAME PID URL: waits up to 120 s for URL to answer 200 while PID lives
  local deadline=$((SECONDS + 120))
  until curl -fsS -o /dev/null "$3" 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || die "$1 exited during start-up (see $WORK/$1.log)"
    [ $SECONDS -lt $deadline ] || die "$1 did not answer $3 within 120 s"
    sleep 0.2
  done
}

# ---- the upstream, its link, and the storage -------------------------------------------------
UP=$(free_port) LINK=$(free_port) S3=$(free_port)
cat >"$WORK/upstream.yml" <<EOF
version: 0.1
storage: { filesystem: { rootdirectory: $WORK/upstream }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$UP }
log: { level: error }
EOF
docker-registry serve "$WORK/upstream.yml" >"$WORK/upstream.log" 2>&1 &
CHILDREN+=($!); wait_url upstream $! "http://127.0.0.1:$UP/v2/"
python3 bench/throttle-proxy.py "$LINK" "127.0.0.1:$UP" --rate-mb-s 40 --rtt-ms 20 >"$WORK/link.log" 2>&1 &
CHILDREN+=($!)

nice mvn -B -o -q -pl common dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$WORK/s3proxy.classpath" >"$WORK/maven.log" 2>&1 || die "cannot resolve S3Proxy's classpath"
cat >"$WORK/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$S3
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench
s3proxy.credential=bench-secret
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$WORK/s3
EOF
mkdir -p "$WORK/s3"
java -cp "$(cat "$WORK/s3proxy.classpath")" org.gaul.s3proxy.Main --properties "$WORK/s3proxy.properties" \
  >"$WORK/s3proxy.log" 2>&1 &
CHILDREN+=($!)

# ---- two edges in one cluster ----------------------------------------------------------------
MEMBER_A=$(free_port) MEMBER_B=$(free_port) CLUSTER=cross-$$
declare -A REGISTRY
for edge in a b; do
  http=$(free_port) admin=$(free_port)
  member=$MEMBER_A; [ $edge = b ] && member=$MEMBER_B
  cat >"$WORK/$edge.yml" <<EOF
http: {host: 127.0.0.1, port: $http}
admin: {host: 127.0.0.1, port: $admin}
storage: {type: s3, path: $WORK/spool-$edge, endpoint: 'http://127.0.0.1:$S3', bucket: cross,
          accessKey: bench, secretKey: bench-secret}
cluster: {name: $CLUSTER, port: $member, members: ['127.0.0.1:$MEMBER_A', '127.0.0.1:$MEMBER_B']}
rules:
  - {prefix: slow, upstreamUrl: 'http://127.0.0.1:$LINK'}
EOF
  java -XX:MaxRAM=512m -XX:MaxRAMPercentage=70 -jar "$JAR" edge --config "$WORK/$edge.yml" >"$WORK/edge-$edge.log" 2>&1 &
  CHILDREN+=($!); pid=$!
  wait_url "edge-$edge" "$pid" "http://127.0.0.1:$admin/readyz"
  REGISTRY[$edge]="http://127.0.0.1:$http"
done
log "upstream :$UP behind the link :$LINK, S3Proxy :$S3, edges ${REGISTRY[a]} ${REGISTRY[b]}"

# push NAME: a new random blob of SIZE_MIB in the upstream; prints its digest.
push() {
  local file=$WORK/$1.blob digest location
  head -c "${SIZE_MIB}M" /dev/urandom >"$file"
  digest=sha256:$(sha256sum "$file" | cut -d' ' -f1)
  location=$(curl -fsS -X POST -D - -o /dev/null "http://127.0.0.1:$UP/v2/bench/blob/blobs/uploads/" \
    | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  case "$location" in http*) ;; *) location="http://127.0.0.1:$UP$location" ;; esac
  curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$file" \
    "$location&digest=$digest" -o /dev/null
  rm -f "$file"
  echo "$digest"
}

# get URL DIGEST: time to first byte and total, in ms, of a GET whose bytes must hash to DIGEST.
get() {
  local out file=$WORK/got.$BASHPID
  out=$(curl -fsS -o "$file" -w '%{time_starttransfer} %{time_total}' "$1") || die "GET $1 failed"
  [ "sha256:$(sha256sum "$file" | cut -d' ' -f1)" = "$2" ] || die "GET $1: wrong bytes"
  rm -f "$file"
  python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(round(a * 1000), round(b * 1000))" $out
}

RESULTS=$WORK/results.tsv
: >"$RESULTS"
for round in $(seq "$ROUNDS"); do
  plain=$(push "plain-$round") shared=$(push "shared-$round")
  read -r ttfb total < <(get "${REGISTRY[a]}/v2/slow/bench/blob/blobs/$plain" "$plain")
  printf 'plain\t%s\t%s\n' "$ttfb" "$total" >>"$RESULTS"
  get "${REGISTRY[a]}/v2/slow/bench/blob/blobs/$shared" "$shared" >"$WORK/a.out" &
  on_a=$!
  sleep 1
  read -r ttfb total < <(get "${REGISTRY[b]}/v2/slow/bench/blob/blobs/$shared" "$shared")
  printf 'cross\t%s\t%s\n' "$ttfb" "$total" >>"$RESULTS"
  wait "$on_a" || die "the GET on edge A failed"
  read -r ttfb total <"$WORK/a.out"
  printf 'fetching\t%s\t%s\n' "$ttfb" "$total" >>"$RESULTS"
  log "round $round: $(tr '\n' ' ' <"$RESULTS" | tail -c 120)"
done

python3 - "$RESULTS" "$SIZE_MIB" "$ROUNDS" "$OUT" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'EOF'
import statistics, sys, datetime
path, size, rounds, out, cpus, load = sys.argv[1:]
rows = {}
for line in open(path):
    kind, ttfb, total = line.split()
    rows.setdefault(kind, []).append((int(ttfb), int(total)))
med = lambda kind, i: statistics.median(r[i] for r in rows[kind])
text = f"""# Cross-node reads (bench/cross-node.sh)

{datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {cpus} CPUs, load {load}; {rounds} round(s) of {size} MiB blobs;
upstream behind bench/throttle-proxy.py (40 MB/s, 20 ms RTT); two edges on S3Proxy. Medians, ms.

| request | first byte | whole blob |
|---|---|---|
| plain cold GET on edge A | {med('plain', 0):.0f} | {med('plain', 1):.0f} |
| GET on edge A, which fetches | {med('fetching', 0):.0f} | {med('fetching', 1):.0f} |
| GET on edge B 1 s later (relays A's fetch) | {med('cross', 0):.0f} | {med('cross', 1):.0f} |
"""
open(out, "w").write(text)
print(text)
EOF
log "done: $OUT"
