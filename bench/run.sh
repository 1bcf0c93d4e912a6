#!/usr/bin/env bash
# Benchmarks Cargohold against CNCF distribution 2.8 as a pull-through cache of the same upstream
# (issue 5). Everything runs on 127.0.0.1 and free ports:
#   - an upstream `docker-registry` loaded with generated images (bench/make-image.py + skopeo);
#   - Cargohold `standalone` (filesystem storage, rule `up` -> the upstream);
#   - `docker-registry` configured as a proxy of the same upstream;
#   - nginx with sendfile serving the same blob files and manifest bytes (the machine's limit);
#   - bench/throttle-proxy.py in front of the upstream: a realistic link (40 MB/s per connection
#     and direction, 20 ms round trip), which Cargohold reaches through a second rule, `slow`;
#     over it, the first byte of cold Range GETs against a plain cold GET (phase `range`).
# Cached measurements (wrk) are interleaved between the caches, repeated ROUNDS times, and
# reported as medians with the ratio Cargohold/distribution.
#
#   bash bench/run.sh            full run (< 17 min on 2 cores); writes bench/results/latest.md
#   bash bench/run.sh --smoke    ~45 s version for CI; writes bench/results/smoke.md
#   bash bench/run.sh --only link,manifests
#                                only the named phases (blobs, manifests, cold, herd, link, range);
#                                writes bench/results/only-link-manifests.md
#
# Exits non-zero when a server does not start, a pull fails or returns wrong bytes, or a wrk run
# gets non-2xx answers. Cargohold's JVM runs as in its container image with a 512 MiB memory limit
# (the image's JAVA_TOOL_OPTIONS, deploy/Dockerfile, with -XX:MaxRAM standing for the limit);
# CARGOHOLD_JAVA_OPTS replaces those options (set it empty for the JVM's defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

MODE=full
ALL_PHASES=blobs,manifests,cold,herd,link,range
PHASES=$ALL_PHASES
usage() { echo "usage: bash bench/run.sh [--smoke] [--only PHASE[,PHASE...]]  (phases: $ALL_PHASES)" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) MODE=smoke ;;
    --only)
      [ $# -ge 2 ] || usage
      PHASES=$2; shift
      for phase in ${PHASES//,/ }; do [[ ",$ALL_PHASES," == *",$phase,"* ]] || usage; done ;;
    *) usage ;;
  esac
  shift
done
runs() { [[ ",$PHASES," == *",$1,"* ]]; }   # PHASE: whether this run measures it

if [ "$MODE" = smoke ]; then
  ROUNDS=1
  BLOB_SIZES=(1M 8M)            # the "small" and the "large" blob
  CONNS=(16)
  DUR_SMALL=2s DUR_LARGE=2s DUR_MANIFEST=2s
  COLD_LAYERS=(1M 1M 1M 1M 1M)
  COLD_WARMUPS=0
  HERD_PULLS=4 HERD_LAYERS=(1M 1M)
  DIGEST_TARGETS=(cargohold nginx)
  LINK_ROUNDS=1 LINK_LAYERS=(1M 1M 1M 1M 1M)
  RANGE_ROUNDS=1 RANGE_LAYER=8M
  JIT_WARMUP=0
else
  ROUNDS=3
  BLOB_SIZES=(1M 256M)
  CONNS=(1 16 64)
  DUR_SMALL=5s DUR_LARGE=8s DUR_MANIFEST=5s
  COLD_LAYERS=(40M 40M 40M 40M 40M)
  COLD_WARMUPS=4                # untimed cold pulls through each cache first: the JIT compiles the miss path
  HERD_PULLS=32 HERD_LAYERS=(8M 8M 8M)
  DIGEST_TARGETS=(cargohold distribution nginx)   # manifests by digest
  LINK_ROUNDS=5 LINK_LAYERS=(40M 40M 40M 40M 40M)
  RANGE_ROUNDS=3 RANGE_LAYER=200M
  JIT_WARMUP=1
fi
# Without a bound the JVM may grow its heap to a quarter of the machine's memory, which it does
# under the blob runs' allocation rate although the live heap is ~30 MiB.
CARGOHOLD_JAVA_OPTS=${CARGOHOLD_JAVA_OPTS--XX:MaxRAM=512m -XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError}
MAX_CONNS=${CONNS[-1]}
LARGE=${BLOB_SIZES[-1]}
MANIFEST_CONNS=64
LINK_RATE_MB_S=40 LINK_RTT_MS=20
ACCEPT="Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json"

# ---- what the harness needs -----------------------------------------------------------------
need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v skopeo >/dev/null || need+=(skopeo)
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
JAR=$ROOT/deploy/target/cargohold.jar
[ -f "$JAR" ] || mvn -B -q -DskipTests package

# ---- work directory, children, clean-up -----------------------------------------------------
WORK=$(mktemp -d /tmp/cargohold-bench.XXXXXX)
chmod 755 "$WORK"                # nginx workers run as another user
RAW=$WORK/raw.tsv
: >"$RAW"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

BENCH=bench
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RAW"; }   # metric target round value

# wait_http NAME PID URL: waits up to 60 s for URL to answer 200 while PID lives.
wait_http() {
  local name=$1 pid=$2 url=$3 deadline=$((SECONDS + 60))
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up (see $WORK/$name.log)"
    [ $SECONDS -lt $deadline ] || die "$name did not answer $url within 60 s"
    sleep 0.2
  done
}

# ---- servers --------------------------------------------------------------------------------
UP=$(free_port); CH=$(free_port); CH_ADMIN=$(free_port); DP=$(free_port); NG=$(free_port); SLOW=$(free_port)

mkdir -p "$WORK/up" "$WORK/dist" "$WORK/cargohold" "$WORK/www/manifests" "$WORK/nginx"
cat >"$WORK/upstream.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: false}}
storage: {filesystem: {rootdirectory: $WORK/up}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$UP}
EOF
cat >"$WORK/dist.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $WORK/dist}}
http: {addr: 127.0.0.1:$DP, secret: cargohold-bench}
proxy: {remoteurl: http://127.0.0.1:$UP}
EOF
# No access log, as nginx and distribution here have none (its cost: README, "Access log").
cat >"$WORK/cargohold.yml" <<EOF
http: {host: 127.0.0.1, port: $CH}
admin: {host: 127.0.0.1, port: $CH_ADMIN}
log: {access: false}
storage: {type: filesystem, path: $WORK/cargohold}
rules:
  - prefix: up
    upstreamUrl: http://127.0.0.1:$UP
  - prefix: slow
    upstreamUrl: http://127.0.0.1:$SLOW
EOF
nginx_config "" "    listen 127.0.0.1:$NG;"

log "mode $MODE, phases $PHASES; work dir $WORK; upstream :$UP, cargohold :$CH, distribution proxy :$DP, nginx :$NG, throttled upstream :$SLOW"
log "cargohold JVM options: ${CARGOHOLD_JAVA_OPTS:-(JVM defaults)}"
docker-registry serve "$WORK/upstream.yml" >"$WORK/upstream.log" 2>&1 &
UP_PID=$!; CHILDREN+=("$UP_PID")
wait_http upstream "$UP_PID" "http://127.0.0.1:$UP/v2/"   # the proxy checks its remote at start-up
python3 bench/throttle-proxy.py "$SLOW" "127.0.0.1:$UP" --rate-mb-s "$LINK_RATE_MB_S" --rtt-ms "$LINK_RTT_MS" \
  >"$WORK/throttle-proxy.log" 2>&1 &
SLOW_PID=$!; CHILDREN+=("$SLOW_PID")
docker-registry serve "$WORK/dist.yml" >"$WORK/distribution.log" 2>&1 &
DIST_PID=$!; CHILDREN+=("$DIST_PID")
# shellcheck disable=SC2086  # CARGOHOLD_JAVA_OPTS is a list of options
(cd "$WORK/cargohold" && exec java ${CARGOHOLD_JAVA_OPTS:-} -jar "$JAR" standalone --config "$WORK/cargohold.yml") \
  >"$WORK/cargohold.log" 2>&1 &
CH_PID=$!; CHILDREN+=("$CH_PID")
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx.log" >>"$WORK/nginx.log" 2>&1 &
NG_PID=$!; CHILDREN+=("$NG_PID")

wait_http distribution "$DIST_PID" "http://127.0.0.1:$DP/v2/"
wait_http cargohold "$CH_PID" "http://127.0.0.1:$CH/v2/"
wait_http throttle-proxy "$SLOW_PID" "http://127.0.0.1:$SLOW/v2/"
log "upstream, distribution proxy, cargohold and the throttled upstream answer /v2/"

# ---- images ---------------------------------------------------------------------------------
LAYOUT=$WORK/layout
# make_image REF SIZE...: writes the image to the layout, pushes it as bench/REF:v1 upstream;
# digests land in $WORK/REF.digests ('manifest|config|layer <digest> <size>').
make_image() {
  local ref=$1; shift
  python3 bench/make-image.py "$LAYOUT" "$ref" "$@" >"$WORK/$ref.digests"
  timeout 300 skopeo copy -q --dest-tls-verify=false "oci:$LAYOUT:$ref" "docker://127.0.0.1:$UP/bench/$ref:v1" \
    >>"$WORK/skopeo.log" 2>&1 || die "pushing bench/$ref:v1 to the upstream failed (see $WORK/skopeo.log)"
}
digest_of() { awk -v k="$1" '$1 == k { print $2 }' "$WORK/$2.digests"; }   # KIND REF -> digests

make_image blobs "${BLOB_SIZES[@]}"
mapfile -t BLOB_DIGESTS < <(digest_of layer blobs)
for i in "${!BLOB_SIZES[@]}"; do
  ln "$LAYOUT/blobs/sha256/${BLOB_DIGESTS[$i]#sha256:}" "$WORK/www/blob-${BLOB_SIZES[$i]}"
done
MANIFEST=$(digest_of manifest blobs)
ln "$LAYOUT/blobs/sha256/${MANIFEST#sha256:}" "$WORK/www/manifests/${MANIFEST#sha256:}"
pushed="blobs (${BLOB_SIZES[*]})"
if runs cold; then
  for r in $(seq "$ROUNDS"); do make_image "cold$r" "${COLD_LAYERS[@]}"; done
  pushed+=", cold1..cold$ROUNDS (${COLD_LAYERS[*]})"
fi
# The miss path's JIT warm-up (see the pulls) serves the cold pulls and the link's.
WARMUP_TARGETS=()
if runs cold; then WARMUP_TARGETS=(cargohold distribution); elif runs link || runs range; then WARMUP_TARGETS=(cargohold); fi
if [ ${#WARMUP_TARGETS[@]} -gt 0 ] && [ "$COLD_WARMUPS" -gt 0 ]; then
  for r in $(seq "$COLD_WARMUPS"); do make_image "warm$r" "${COLD_LAYERS[@]}"; done
  pushed+=", $COLD_WARMUPS warm-up images (${COLD_LAYERS[*]})"
fi
if runs herd; then
  make_image herd "${HERD_LAYERS[@]}"
  pushed+=", herd (${HERD_LAYERS[*]})"
fi
if runs link; then   # per round, one image to pull and one for the first-byte GETs, each cold once
  for r in $(seq "$LINK_ROUNDS"); do make_image "link$r" "${LINK_LAYERS[@]}"; make_image "first$r" "${LINK_LAYERS[@]}"; done
  pushed+=", link1..link$LINK_ROUNDS and first1..first$LINK_ROUNDS (${LINK_LAYERS[*]})"
fi
if runs range; then   # per round, one layer for a plain GET and one for the Range GETs, each cold once
  for r in $(seq "$RANGE_ROUNDS"); do make_image "range$r" "$RANGE_LAYER" "$RANGE_LAYER"; done
  pushed+=", range1..range$RANGE_ROUNDS ($RANGE_LAYER $RANGE_LAYER)"
fi
wait_http nginx "$NG_PID" "http://127.0.0.1:$NG/blob-${BLOB_SIZES[0]}"
log "images pushed upstream: $pushed"

# URL bases per target: cargohold names are up/<repo>, distribution's are <repo>.
declare -A V2=([cargohold]="http://127.0.0.1:$CH/v2/up" [distribution]="http://127.0.0.1:$DP/v2" [upstream]="http://127.0.0.1:$UP/v2")
declare -A REGISTRY=([cargohold]="127.0.0.1:$CH/up" [distribution]="127.0.0.1:$DP" [direct]="127.0.0.1:$UP")
declare -A PID_OF=([cargohold]=$CH_PID [distribution]=$DIST_PID)

# fetch_verified URL DIGEST [curl args]: GETs URL and checks the body's sha256.
fetch_verified() {
  local url=$1 digest=$2; shift 2
  local got
  got=$(curl -fsS --max-time 300 "$@" "$url" | sha256sum | cut -d' ' -f1) || die "GET $url failed"
  [ "sha256:$got" = "$digest" ] || die "GET $url: body is sha256:$got, expected $digest"
}

# manifest_url TARGET tag|digest: bench/blobs's manifest; nginx has it as a static file by digest.
manifest_url() {
  if [ "$1" = nginx ]; then echo "http://127.0.0.1:$NG/manifests/${MANIFEST#sha256:}"
  elif [ "$2" = tag ]; then echo "${V2[$1]}/bench/blobs/manifests/v1"
  else echo "${V2[$1]}/bench/blobs/manifests/$MANIFEST"; fi
}

# ---- warm the caches ------------------------------------------------------------------------
for target in cargohold distribution; do
  for pass in 1 2; do     # the first GET fills the cache; the second checks what it serves
    fetch_verified "$(manifest_url "$target" tag)" "$MANIFEST" -H "$ACCEPT"
    fetch_verified "$(manifest_url "$target" digest)" "$MANIFEST" -H "$ACCEPT"
    for digest in $(digest_of config blobs) "${BLOB_DIGESTS[@]}"; do
      fetch_verified "${V2[$target]}/bench/blobs/blobs/$digest" "$digest"
    done
  done
done
for i in "${!BLOB_SIZES[@]}"; do
  fetch_verified "http://127.0.0.1:$NG/blob-${BLOB_SIZES[$i]}" "${BLOB_DIGESTS[$i]}"
done
fetch_verified "$(manifest_url nginx digest)" "$MANIFEST"
for target in cargohold nginx; do
  type=$(curl -fsS -o /dev/null -w '%{content_type}' -H "$ACCEPT" "$(manifest_url "$target" digest)")
  [ "$type" = application/vnd.oci.image.manifest.v1+json ] || die "$target serves the manifest as '$type'"
done
log "caches warm: manifest and blobs of bench/blobs:v1 served with the right digests (and media type)"

# ---- wrk ------------------------------------------------------------------------------------
WRK_RUN=0
# run_wrk CONNS DURATION URL [wrk args]: prints the values of wrk-report.lua's WRK line.
run_wrk() {
  local conns=$1 duration=$2 url=$3; shift 3
  local threads=$(( conns < $(nproc) ? conns : $(nproc) ))
  local out=$WORK/wrk-$((++WRK_RUN)).txt
  wrk -t "$threads" -c "$conns" -d "$duration" --timeout 60s --latency -s bench/wrk-report.lua "$@" "$url" \
    >"$out" 2>&1 || die "wrk $url failed (see $out)"
  local line
  line=$(grep '^WRK ' "$out") || die "wrk $url printed no summary (see $out)"
  [[ $line == *" status_errors=0 "* ]] || die "wrk $url got non-2xx answers: $line"
  echo "${line#WRK }"
}
field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }   # LINE KEY

blob_url() {   # TARGET SIZE
  local target=$1 size=$2 i
  for i in "${!BLOB_SIZES[@]}"; do [ "${BLOB_SIZES[$i]}" = "$size" ] && break; done
  if [ "$target" = nginx ]; then echo "http://127.0.0.1:$NG/blob-$size"
  else echo "${V2[$target]}/bench/blobs/blobs/${BLOB_DIGESTS[$i]}"; fi
}

# rotated LIST... ROUND: the list rotated by ROUND, so no target always goes first.
rotated() {
  local round=${*: -1}; local items=("${@:1:$#-1}")
  local n=${#items[@]} i
  for ((i = 0; i < n; i++)); do echo "${items[$(( (i + round) % n ))]}"; done
}

# rss_sampler PID FILE: writes VmRSS (kB) of PID every 100 ms until killed.
rss_sampler() {
  while kill -0 "$1" 2>/dev/null; do
    awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || true
    sleep 0.1
  done >"$2"
}

if [ "$JIT_WARMUP" = 1 ] && { runs blobs || runs manifests; }; then
  for target in cargohold distribution; do
    run_wrk 16 3s "$(blob_url "$target" "${BLOB_SIZES[0]}")" >/dev/null
    run_wrk 16 3s "$(manifest_url "$target" tag)" -H "$ACCEPT" >/dev/null
    run_wrk 16 3s "$(manifest_url "$target" digest)" -H "$ACCEPT" >/dev/null
  done
  log "JIT warm-up done (3 s of blob, manifest by tag and by digest GETs per cache, not recorded)"
fi

# manifest_run METRIC TARGET ROUND tag|digest: cached manifest GETs at MANIFEST_CONNS connections.
manifest_run() {
  local metric=$1 target=$2 round=$3 by=$4 result
  result=$(run_wrk "$MANIFEST_CONNS" "$DUR_MANIFEST" "$(manifest_url "$target" "$by")" -H "$ACCEPT")
  record "${metric}_req_s" "$target" "$round" "$(field "$result" req_s)"
  record "${metric}_p50_ms" "$target" "$round" "$(field "$result" p50_ms)"
  record "${metric}_p99_ms" "$target" "$round" "$(field "$result" p99_ms)"
  log "round $round: manifest by $by, $MANIFEST_CONNS connections, $target: $(field "$result" req_s) req/s"
}

for round in $(seq "$ROUNDS"); do
  if runs blobs; then
    for size in "${BLOB_SIZES[@]}"; do
      duration=$DUR_SMALL
      [ "$size" = "$LARGE" ] && duration=$DUR_LARGE
      for conns in "${CONNS[@]}"; do
        for target in $(rotated cargohold distribution nginx "$round"); do
          sampler=""
          if [ "$size" = "$LARGE" ] && [ "$conns" = "$MAX_CONNS" ] && [ "$target" != nginx ]; then
            rss_sampler "${PID_OF[$target]}" "$WORK/rss-$target-$round.txt" &
            sampler=$!; CHILDREN+=("$sampler")
          fi
          result=$(run_wrk "$conns" "$duration" "$(blob_url "$target" "$size")")
          if [ -n "$sampler" ]; then
            kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
            record rss_peak_mib "$target" "$round" "$(sort -n "$WORK/rss-$target-$round.txt" | tail -1 | awk '{ printf "%.0f", $1 / 1024 }')"
          fi
          record "blob_mb_s|$size|$conns" "$target" "$round" "$(field "$result" mb_s)"
          record "blob_socket_errors|$size|$conns" "$target" "$round" "$(field "$result" socket_errors)"
          log "round $round: blob $size, $conns connections, $target: $(field "$result" mb_s) MB/s"
        done
      done
    done
  fi
  if runs manifests; then
    for target in $(rotated cargohold distribution "$round"); do manifest_run manifest "$target" "$round" tag; done
    # by digest against nginx serving the same bytes as a static file: the physical reference
    for target in $(rotated "${DIGEST_TARGETS[@]}" "$round"); do manifest_run manifest_digest "$target" "$round" digest; done
  fi
done
if runs blobs; then
  for target in cargohold distribution; do
    record rss_hwm_mib "$target" 1 "$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/${PID_OF[$target]}/status")"
  done
fi

# ---- pulls ----------------------------------------------------------------------------------
# verify_pull DIR REF: skopeo's dir: output holds the manifest we pushed and blobs named by digest.
verify_pull() {
  local dir=$1 ref=$2 file name
  [ "sha256:$(sha256sum <"$dir/manifest.json" | cut -d' ' -f1)" = "$(digest_of manifest "$ref")" ] \
    || die "pull of bench/$ref into $dir: manifest digest differs from the pushed one"
  for digest in $(digest_of config "$ref") $(digest_of layer "$ref"); do
    name=${digest#sha256:}
    file=$dir/$name
    [ -f "$file" ] || die "pull of bench/$ref into $dir: blob $digest missing"
    [ "$(sha256sum <"$file" | cut -d' ' -f1)" = "$name" ] || die "pull of bench/$ref into $dir: blob $digest corrupt"
  done
}

# pull TARGET REF DIR: skopeo copy from the target registry into DIR.
pull() {
  timeout 600 skopeo copy -q --src-tls-verify=false "docker://${REGISTRY[$1]}/bench/$2:v1" "dir:$3" >"$3.log" 2>&1
}

# cpu_ticks PID: user + system CPU time of a process so far; children_ticks: of the harness's
# waited-for children (skopeo). In clock ticks (getconf CLK_TCK).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
children_ticks() { awk '{ print $16 + $17 }' "/proc/$$/stat"; }
TICK=$(getconf CLK_TCK)
seconds_of() { python3 -c "print(round(($2 - $1) / $TICK, 2))"; }   # TICKS_BEFORE TICKS_AFTER

mkdir -p "$WORK/pulls"
for r in $(seq "$COLD_WARMUPS"); do
  for target in "${WARMUP_TARGETS[@]}"; do
    pull "$target" "warm$r" "$WORK/pulls/warm$r-$target" || die "warm-up pull of bench/warm$r:v1 from $target failed"
    rm -rf "$WORK/pulls/warm$r-$target"
  done
done
[ "$COLD_WARMUPS" = 0 ] || [ ${#WARMUP_TARGETS[@]} = 0 ] \
  || log "$COLD_WARMUPS untimed cold pulls through ${WARMUP_TARGETS[*]} done (JIT warm-up of the miss path)"
if runs cold; then
  for round in $(seq "$ROUNDS"); do
    for target in $(rotated direct cargohold distribution "$round"); do
      out=$WORK/pulls/cold$round-$target
      cache_before=0 cache_after=0
      [ "$target" = direct ] || cache_before=$(cpu_ticks "${PID_OF[$target]}")
      upstream_before=$(cpu_ticks "$UP_PID"); client_before=$(children_ticks)
      start=$EPOCHREALTIME
      pull "$target" "cold$round" "$out" || die "cold pull of bench/cold$round:v1 from $target failed: $(tail -3 "$out.log")"
      end=$EPOCHREALTIME
      client_after=$(children_ticks); upstream_after=$(cpu_ticks "$UP_PID")
      [ "$target" = direct ] || cache_after=$(cpu_ticks "${PID_OF[$target]}")
      seconds=$(python3 -c "print(round($end - $start, 3))")
      verify_pull "$out" "cold$round"
      rm -rf "$out"
      record cold_pull_s "$target" "$round" "$seconds"
      record "cold_cpu_s|client" "$target" "$round" "$(seconds_of "$client_before" "$client_after")"
      record "cold_cpu_s|upstream" "$target" "$round" "$(seconds_of "$upstream_before" "$upstream_after")"
      record "cold_cpu_s|cache" "$target" "$round" "$(seconds_of "$cache_before" "$cache_after")"
      log "round $round: cold pull of bench/cold$round:v1 (${COLD_LAYERS[*]}) from $target: $seconds s"
    done
  done
fi

# Concurrent cold pulls of one image through each cache, one cache after the other; the
# upstream's access log (lines added meanwhile) counts the GETs per blob.
if runs herd; then
  for target in cargohold distribution; do
    before=$(wc -l <"$WORK/upstream.log")
    pids=()
    for i in $(seq "$HERD_PULLS"); do
      out=$WORK/pulls/herd-$target-$i
      timeout 600 skopeo copy -q --src-tls-verify=false "docker://${REGISTRY[$target]}/bench/herd:v1" "dir:$out" \
        >"$out.log" 2>&1 &
      pids+=($!); CHILDREN+=($!)
    done
    failed=0
    for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
    [ $failed -eq 0 ] || die "$failed of $HERD_PULLS concurrent pulls of bench/herd:v1 from $target failed: $(tail -3 "$WORK/pulls/herd-$target-1.log")"
    for i in $(seq "$HERD_PULLS"); do verify_pull "$WORK/pulls/herd-$target-$i" herd; rm -rf "$WORK/pulls/herd-$target-$i"; done
    sleep 1   # let detached cache fills finish
    counts=()
    for digest in $(digest_of config herd) $(digest_of layer herd); do
      counts+=("$(tail -n +"$((before + 1))" "$WORK/upstream.log" | grep -c "\"GET /v2/bench/herd/blobs/$digest " || true)")
    done
    record herd_gets_max "$target" 1 "$(printf '%s\n' "${counts[@]}" | sort -n | tail -1)"
    record herd_gets_mean "$target" 1 "$(printf '%s\n' "${counts[@]}" | awk '{ s += $1 } END { printf "%.2f", s / NR }')"
    log "$HERD_PULLS concurrent cold pulls of bench/herd:v1 through $target: upstream GETs per blob ${counts[*]}"
  done
fi

# ---- realistic link -------------------------------------------------------------------------
# The upstream behind throttle-proxy.py: cold pulls straight from it against pulls through
# Cargohold's rule `slow`, which points at it; then the first byte of cold layer GETs both ways
# (curl's time_starttransfer: skopeo does not report it).
REGISTRY+=([link-direct]="127.0.0.1:$SLOW" [link-cargohold]="127.0.0.1:$CH/slow")
declare -A LINK_V2=([direct]="http://127.0.0.1:$SLOW/v2" [cargohold]="http://127.0.0.1:$CH/v2/slow")

# first_byte_ms DIGEST URL...: GETs the URLs in turn on one connection, checks that the last body
# has DIGEST, and prints the milliseconds from the last request to its response's first byte.
first_byte_ms() {
  local digest=$1; shift
  local outputs=() url timing got
  for url in "$@"; do outputs+=(-o "$WORK/first-byte.body" "$url"); done
  timing=$(curl -fsS --max-time 300 -H "$ACCEPT" -w '%{time_starttransfer}\n' "${outputs[@]}" | tail -1) \
    || die "GET $* failed"
  got=$(sha256sum <"$WORK/first-byte.body" | cut -d' ' -f1)
  [ "sha256:$got" = "$digest" ] || die "GET ${*: -1}: body is sha256:$got, expected $digest"
  awk -v t="$timing" 'BEGIN { printf "%.1f", t * 1000 }'
}

if runs link; then
  for round in $(seq "$LINK_ROUNDS"); do
    for target in $(rotated direct cargohold "$round"); do
      out=$WORK/pulls/link$round-$target
      cache_before=$(cpu_ticks "$CH_PID"); proxy_before=$(cpu_ticks "$SLOW_PID")
      start=$EPOCHREALTIME
      pull "link-$target" "link$round" "$out" || die "cold pull of bench/link$round:v1 from $target over the link failed: $(tail -3 "$out.log")"
      end=$EPOCHREALTIME
      cache_after=$(cpu_ticks "$CH_PID"); proxy_after=$(cpu_ticks "$SLOW_PID")
      seconds=$(python3 -c "print(round($end - $start, 3))")
      verify_pull "$out" "link$round"
      rm -rf "$out"
      record link_pull_s "$target" "$round" "$seconds"
      record "link_cpu_s|proxy" "$target" "$round" "$(seconds_of "$proxy_before" "$proxy_after")"
      record "link_cpu_s|cache" "$target" "$round" "$(seconds_of "$cache_before" "$cache_after")"
      log "link round $round: cold pull of bench/link$round:v1 (${LINK_LAYERS[*]}) from $target: $seconds s"
    done
    # bench/first$round is cold everywhere: a layer GET alone on a new connection (Cargohold has
    # not seen the manifest), then the manifest and the first layer on one connection, as a pull
    # starts (Cargohold's prefetch may have begun that layer by then).
    mapfile -t layers < <(digest_of layer "first$round")
    for target in $(rotated direct cargohold "$round"); do
      base=${LINK_V2[$target]}/bench/first$round
      alone=$(first_byte_ms "${layers[1]}" "$base/blobs/${layers[1]}")
      after=$(first_byte_ms "${layers[0]}" "$base/manifests/v1" "$base/blobs/${layers[0]}")
      record "first_byte_ms|alone" "$target" "$round" "$alone"
      record "first_byte_ms|after_manifest" "$target" "$round" "$after"
      log "link round $round: first byte of a cold layer from $target: alone $alone ms, after its manifest $after ms"
    done
    # the rest of bench/first$round through Cargohold: its prefetch is over before the next round
    for digest in $(digest_of config "first$round") "${layers[@]:2}"; do
      fetch_verified "${LINK_V2[cargohold]}/bench/first$round/blobs/$digest" "$digest"
    done
  done
fi

# ---- Range GETs during a fill ---------------------------------------------------------------
# Over the link, through Cargohold's rule `slow`, on a fresh image per round: the first byte of a
# plain cold GET of one layer, then of four concurrent Range GETs splitting the other layer in
# quarters (as containerd fetches a large layer), each body checked against the layer's bytes; the
# upstream's access log must show one GET of that layer.

# slice_sha256 FILE FIRST LENGTH: the sha256 of LENGTH bytes of FILE from byte FIRST.
slice_sha256() { tail -c +"$(($2 + 1))" "$1" | head -c "$3" | sha256sum | cut -d' ' -f1; }

if runs range; then
  for round in $(seq "$RANGE_ROUNDS"); do
    mapfile -t layers < <(digest_of layer "range$round")
    base=${LINK_V2[cargohold]}/bench/range$round/blobs
    plain=$(first_byte_ms "${layers[0]}" "$base/${layers[0]}")
    record "range_first_byte_ms|plain" cargohold "$round" "$plain"
    file=$LAYOUT/blobs/sha256/${layers[1]#sha256:}
    size=$(stat -c %s "$file")
    quarter=$((size / 4))
    pids=()
    for i in 0 1 2 3; do
      first=$((i * quarter)) last=$((i == 3 ? size - 1 : (i + 1) * quarter - 1))
      curl -fsS --max-time 300 -r "$first-$last" -o "$WORK/range-$i.body" -w '%{http_code} %{time_starttransfer}\n' \
        "$base/${layers[1]}" >"$WORK/range-$i.timing" &
      pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || die "a Range GET of ${layers[1]} failed"; done
    slowest=0
    for i in 0 1 2 3; do
      first=$((i * quarter)) last=$((i == 3 ? size - 1 : (i + 1) * quarter - 1))
      read -r code seconds <"$WORK/range-$i.timing"
      [ "$code" = 206 ] || die "Range GET bytes=$first-$last of ${layers[1]}: status $code"
      [ "$(sha256sum <"$WORK/range-$i.body" | cut -d' ' -f1)" = "$(slice_sha256 "$file" "$first" $((last - first + 1)))" ] \
        || die "Range GET bytes=$first-$last of ${layers[1]}: wrong bytes"
      ms=$(awk -v t="$seconds" 'BEGIN { printf "%.1f", t * 1000 }')
      record "range_first_byte_ms|range" cargohold "$round" "$ms"
      slowest=$(awk -v a="$slowest" -v b="$ms" 'BEGIN { print (b > a ? b : a) }')
    done
    record "range_first_byte_ms|slowest" cargohold "$round" "$slowest"
    gets=$(grep -c "\"GET /v2/bench/range$round/blobs/${layers[1]} " "$WORK/upstream.log" || true)
    record range_upstream_gets cargohold "$round" "$gets"
    log "range round $round: first byte of a cold ${RANGE_LAYER}iB layer through Cargohold: plain GET $plain ms; four Range GETs at once, slowest $slowest ms; upstream GETs of it: $gets"
  done
fi

# ---- report ---------------------------------------------------------------------------------
mkdir -p bench/results
name=latest
[ "$MODE" = smoke ] && name=smoke
if [ "$PHASES" != "$ALL_PHASES" ]; then
  name=only-${PHASES//,/-}
  [ "$MODE" = full ] || name=smoke-$name
fi
cp "$RAW" "bench/results/$name.tsv"
python3 bench/report.py "$RAW" --mode "$MODE" --phases "$PHASES" --rounds "$ROUNDS" --sizes "${BLOB_SIZES[*]}" \
  --conns "${CONNS[*]}" --cold "${COLD_LAYERS[*]}" --herd "$HERD_PULLS x (${HERD_LAYERS[*]})" \
  --link "$LINK_ROUNDS round(s) of ${#LINK_LAYERS[@]} layers (${LINK_LAYERS[*]}), $LINK_RATE_MB_S MB/s per connection and direction, $LINK_RTT_MS ms round trip" \
  --range "$RANGE_ROUNDS round(s), ${RANGE_LAYER}iB layers, $LINK_RATE_MB_S MB/s per connection and direction, $LINK_RTT_MS ms round trip" \
  --durations "small blob $DUR_SMALL, large blob $DUR_LARGE, manifest $DUR_MANIFEST" \
  --seconds "$(elapsed)" --load "$LOAD_START" >"bench/results/$name.md"
cat "bench/results/$name.md"
log "done; report in bench/results/$name.md"
