#!/usr/bin/env bash
# TLS benchmark (issue 15): cached blob and manifest GETs through Cargohold and nginx, both over
# HTTPS with the same certificate and over plain HTTP, so the rows say how Cargohold's TLS compares
# with nginx's and what TLS costs each. Everything runs on 127.0.0.1 and free ports:
#   - a CA and a server certificate (RSA 2048, SAN IP:127.0.0.1) made with the openssl command line;
#   - an upstream `docker-registry` loaded with one image (layers of 1 MiB and 64 MiB, bench/make-image.py);
#   - Cargohold `standalone` twice, on storage of its own each: with `http.tls` and without;
#   - nginx (sendfile on; TLS 1.2/1.3, the same certificate and key) serving the same blob files and
#     manifest bytes, on one HTTPS and one HTTP port.
# wrk (https:// URLs; OpenSSL, TLS 1.3, no verification) measures each target, interleaved and
# repeated ROUNDS times; the report gives medians.
#
#   bash bench/tls.sh            full run (~5 min on 2 cores); writes bench/results/tls.md
#   bash bench/tls.sh --smoke    one round of 2 s runs; writes bench/results/tls-smoke.md
#
# Exits non-zero when a server does not start, a body has the wrong digest or wrk gets non-2xx answers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

MODE=full
case "${1:-}" in
  "") ;;
  --smoke) MODE=smoke ;;
  *) echo "usage: bash bench/tls.sh [--smoke]" >&2; exit 2 ;;
esac
if [ "$MODE" = smoke ]; then
  ROUNDS=1 DUR_SMALL=2s DUR_LARGE=2s DUR_MANIFEST=2s JIT_WARMUP=0 SIZES=(1M 8M)
else
  ROUNDS=3 DUR_SMALL=5s DUR_LARGE=8s DUR_MANIFEST=5s JIT_WARMUP=1 SIZES=(1M 64M)
fi
SMALL_CONNS=64 LARGE_CONNS=16 MANIFEST_CONNS=64
CARGOHOLD_JAVA_OPTS=${CARGOHOLD_JAVA_OPTS--XX:MaxRAM=512m -XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError}
ACCEPT="Accept: application/vnd.oci.image.manifest.v1+json"
TARGETS=(cargohold-tls nginx-tls cargohold nginx)

for tool in docker-registry skopeo wrk curl python3 openssl; do
  command -v "$tool" >/dev/null || { echo "bench/tls.sh needs $tool (bench/run.sh installs it)" >&2; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bench/tls.sh needs nginx" >&2; exit 1; }
JAR=$ROOT/deploy/target/cargohold.jar
[ -f "$JAR" ] || mvn -B -q -DskipTests package

WORK=$(mktemp -d /tmp/cargohold-tls-bench.XXXXXX)
chmod 755 "$WORK"                # nginx workers run as another user
RAW=$WORK/raw.tsv
: >"$RAW"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M')

BENCH=bench/tls.sh
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RAW"; }   # metric target round value
wait_http() {   # NAME PID URL: waits up to 60 s for URL to answer 200 while PID lives
  local deadline=$((SECONDS + 60))
  until curl -fsS -o /dev/null --max-time 2 --cacert "$WORK/pki/ca.crt" "$3" 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || die "$1 exited during start-up (see $WORK/$1.log)"
    [ $SECONDS -lt $deadline ] || die "$1 did not answer $3 within 60 s"
    sleep 0.2
  done
}

# ---- certificate ----------------------------------------------------------------------------
mkdir -p "$WORK/pki"
( cd "$WORK/pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=bench CA"
  openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost
  echo "subjectAltName=IP:127.0.0.1,DNS:localhost" >san.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext
  chmod 644 server.key ) >"$WORK/openssl.log" 2>&1 || die "openssl failed (see $WORK/openssl.log)"

# ---- servers --------------------------------------------------------------------------------
UP=$(free_port); CHS=$(free_port); CH=$(free_port); NGS=$(free_port); NG=$(free_port)
mkdir -p "$WORK/up" "$WORK/www/manifests" "$WORK/nginx"
cat >"$WORK/upstream.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $WORK/up}}
http: {addr: 127.0.0.1:$UP}
EOF
for name in cargohold-tls cargohold; do
  port=$CH tls=""
  [ "$name" = cargohold-tls ] && port=$CHS tls=", tls: {certificate: $WORK/pki/server.crt, key: $WORK/pki/server.key}"
  mkdir -p "$WORK/$name"
  cat >"$WORK/$name.yml" <<EOF
http: {host: 127.0.0.1, port: $port$tls}
admin: {host: 127.0.0.1, port: 0}
storage: {type: filesystem, path: $WORK/$name/data}
rules: [{prefix: up, upstreamUrl: "http://127.0.0.1:$UP"}]
EOF
done
nginx_config "  ssl_certificate $WORK/pki/server.crt;
  ssl_certificate_key $WORK/pki/server.key;
  ssl_protocols TLSv1.2 TLSv1.3;" "    listen 127.0.0.1:$NGS ssl;
    listen 127.0.0.1:$NG;"

log "mode $MODE; work dir $WORK; upstream :$UP, cargohold https :$CHS and http :$CH, nginx https :$NGS and http :$NG"
docker-registry serve "$WORK/upstream.yml" >"$WORK/upstream.log" 2>&1 &
UP_PID=$!; CHILDREN+=("$UP_PID")
declare -A PID_OF
for name in cargohold-tls cargohold; do
  # shellcheck disable=SC2086  # CARGOHOLD_JAVA_OPTS is a list of options
  (cd "$WORK/$name" && exec java ${CARGOHOLD_JAVA_OPTS:-} -jar "$JAR" standalone --config "$WORK/$name.yml") \
    >"$WORK/$name.log" 2>&1 &
  PID_OF[$name]=$!; CHILDREN+=("$!")
done
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx.log" >>"$WORK/nginx.log" 2>&1 &
NG_PID=$!; CHILDREN+=("$NG_PID")
wait_http upstream "$UP_PID" "http://127.0.0.1:$UP/v2/"
wait_http cargohold-tls "${PID_OF[cargohold-tls]}" "https://127.0.0.1:$CHS/v2/"
wait_http cargohold "${PID_OF[cargohold]}" "http://127.0.0.1:$CH/v2/"
ENGINE=$(grep -o 'TLS engine: .*' "$WORK/cargohold-tls.log" | head -1)
log "servers answer; cargohold: ${ENGINE:-no TLS engine line}"

# ---- image ----------------------------------------------------------------------------------
python3 bench/make-image.py "$WORK/layout" blobs "${SIZES[@]}" >"$WORK/blobs.digests"
timeout 300 skopeo copy -q --dest-tls-verify=false "oci:$WORK/layout:blobs" "docker://127.0.0.1:$UP/bench/blobs:v1" \
  >"$WORK/skopeo.log" 2>&1 || die "pushing the image failed (see $WORK/skopeo.log)"
mapfile -t LAYERS < <(awk '$1 == "layer" { print $2 }' "$WORK/blobs.digests")
MANIFEST=$(awk '$1 == "manifest" { print $2 }' "$WORK/blobs.digests")
for i in "${!SIZES[@]}"; do ln "$WORK/layout/blobs/sha256/${LAYERS[$i]#sha256:}" "$WORK/www/blob-${SIZES[$i]}"; done
ln "$WORK/layout/blobs/sha256/${MANIFEST#sha256:}" "$WORK/www/manifests/${MANIFEST#sha256:}"
wait_http nginx-tls "$NG_PID" "https://127.0.0.1:$NGS/blob-${SIZES[0]}"

declare -A BASE=([cargohold-tls]="https://127.0.0.1:$CHS/v2/up/bench/blobs" [cargohold]="http://127.0.0.1:$CH/v2/up/bench/blobs"
                 [nginx-tls]="https://127.0.0.1:$NGS" [nginx]="http://127.0.0.1:$NG")
blob_url() {   # TARGET INDEX
  if [[ $1 == nginx* ]]; then echo "${BASE[$1]}/blob-${SIZES[$2]}"; else echo "${BASE[$1]}/blobs/${LAYERS[$2]}"; fi
}
manifest_url() {
  if [[ $1 == nginx* ]]; then echo "${BASE[$1]}/manifests/${MANIFEST#sha256:}"; else echo "${BASE[$1]}/manifests/$MANIFEST"; fi
}
fetch_verified() {   # URL DIGEST [curl args]
  local got
  got=$(curl -fsS --max-time 300 --cacert "$WORK/pki/ca.crt" "${@:3}" "$1" | sha256sum | cut -d' ' -f1) || die "GET $1 failed"
  [ "sha256:$got" = "$2" ] || die "GET $1: body is sha256:$got, expected $2"
}
for target in "${TARGETS[@]}"; do
  for pass in 1 2; do   # a cache fills on the first pass; the second checks what it serves
    fetch_verified "$(manifest_url "$target")" "$MANIFEST" -H "$ACCEPT"
    for i in "${!SIZES[@]}"; do fetch_verified "$(blob_url "$target" "$i")" "${LAYERS[$i]}"; done
  done
done
log "every target serves the manifest and the blobs with the right digests"

# ---- wrk ------------------------------------------------------------------------------------
WRK_RUN=0
run_wrk() {   # CONNS DURATION URL [wrk args]: the values of wrk-report.lua's line
  local conns=$1 duration=$2 url=$3; shift 3
  local threads=$(( conns < $(nproc) ? conns : $(nproc) ))
  local out=$WORK/wrk-$((++WRK_RUN)).txt line
  wrk -t "$threads" -c "$conns" -d "$duration" --timeout 60s --latency -s bench/wrk-report.lua "$@" "$url" \
    >"$out" 2>&1 || die "wrk $url failed (see $out)"
  line=$(grep '^WRK ' "$out") || die "wrk $url printed no summary (see $out)"
  [[ $line == *" status_errors=0 "* ]] || die "wrk $url got non-2xx answers: $line"
  echo "${line#WRK }"
}
field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }
rotated() { local round=${*: -1}; local items=("${@:1:$#-1}") i; for ((i = 0; i < ${#items[@]}; i++)); do echo "${items[$(( (i + round) % ${#items[@]} ))]}"; done; }

if [ "$JIT_WARMUP" = 1 ]; then
  for target in cargohold-tls cargohold; do
    run_wrk 16 3s "$(blob_url "$target" 0)" >/dev/null
    run_wrk 16 3s "$(manifest_url "$target")" -H "$ACCEPT" >/dev/null
  done
  log "JIT warm-up done (3 s of blob and manifest GETs per Cargohold, not recorded)"
fi
for round in $(seq "$ROUNDS"); do
  for target in $(rotated "${TARGETS[@]}" "$round"); do
    result=$(run_wrk "$SMALL_CONNS" "$DUR_SMALL" "$(blob_url "$target" 0)")
    record small_mb_s "$target" "$round" "$(field "$result" mb_s)"
    result=$(run_wrk "$LARGE_CONNS" "$DUR_LARGE" "$(blob_url "$target" 1)")
    record large_mb_s "$target" "$round" "$(field "$result" mb_s)"
    result=$(run_wrk "$MANIFEST_CONNS" "$DUR_MANIFEST" "$(manifest_url "$target")" -H "$ACCEPT")
    record manifest_req_s "$target" "$round" "$(field "$result" req_s)"
    record manifest_p99_ms "$target" "$round" "$(field "$result" p99_ms)"
    log "round $round, $target: $(awk -F'\t' -v t="$target" -v r="$round" '$2 == t && $3 == r { printf "%s=%s ", $1, $4 }' "$RAW")"
  done
done

# ---- report ---------------------------------------------------------------------------------
mkdir -p bench/results
OUT=bench/results/tls.md
[ "$MODE" = smoke ] && OUT=bench/results/tls-smoke.md
python3 - "$RAW" "$OUT" <<EOF
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
def med(metric, target):
    return statistics.median(float(v) for m, t, r, v in rows if m == metric and t == target)
def num(x, digits=0):
    return f"{x:,.{digits}f}"
lines = [
    "## TLS: Cargohold against nginx with the same certificate (bench/tls.sh, $MODE)", "",
    "Started $STARTED UTC; load average at the start: $LOAD_START; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs);",
    "Cargohold: ${ENGINE:-TLS engine not logged}; $($NGINX -v 2>&1 | cut -d' ' -f3); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); certificate RSA 2048;",
    "$ROUNDS round(s), interleaved, medians; MB = 10^6 bytes.", "",
    "| | Cargohold TLS | nginx TLS | Cargohold / nginx (TLS) | Cargohold HTTP | nginx HTTP | TLS vs HTTP, Cargohold | TLS vs HTTP, nginx |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
]
for metric, label, digits in [("small_mb_s", "${SIZES[0]}iB blob, $SMALL_CONNS connections (MB/s)", 0),
                              ("large_mb_s", "${SIZES[1]}iB blob, $LARGE_CONNS connections (MB/s)", 0),
                              ("manifest_req_s", "manifest by digest, $MANIFEST_CONNS connections (req/s)", 0),
                              ("manifest_p99_ms", "manifest by digest, p99 latency (ms)", 2)]:
    ct, nt, cp, np_ = (med(metric, t) for t in ("cargohold-tls", "nginx-tls", "cargohold", "nginx"))
    cost = lambda tls, plain: f"{(tls / plain - 1) * 100:+.0f} %"
    lines.append(f"| {label} | {num(ct, digits)} | {num(nt, digits)} | {ct / nt:.2f} | {num(cp, digits)} | "
                 f"{num(np_, digits)} | {cost(ct, cp)} | {cost(nt, np_)} |")
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
log "report written to $OUT"
