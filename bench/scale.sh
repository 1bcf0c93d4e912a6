#!/usr/bin/env bash
# Scale benchmark (issue 13): how start-up, memory, listings and the lifecycle run grow with the
# number of cached images. For each N and each storage (filesystem, and S3 through S3Proxy):
#   1. seeds N images (N/10 repositories x 10 tags, one OCI manifest each) through the node's own
#      document store and codecs (io.cargohold.launcher.ScaleSeed, in the jar);
#   2. starts Cargohold `standalone` on them (127.0.0.1, free ports; the rule's upstream is a port
#      nothing listens on, so every answer comes from the cache) and measures start to /healthz,
#      /readyz and the first cached manifest GET, S3 requests until then, live heap after a full GC,
#      `_catalog` and `tags/list` pages, the control API's repository list, a lifecycle run and the
#      manifest GETs during it, and peak RSS;
#   3. writes a Markdown table to bench/results/scale-latest.md (smoke: scale-smoke.md) and prints it.
#
#   bash bench/scale.sh [N...]     N images per case (10000, 10k, 1M); default 10k 100k 1M
#   bash bench/scale.sh --smoke    10k on the filesystem store only, < 1 min, for scripts/test.sh
#
# SCALE_STORAGES ("filesystem s3") picks the storages; SCALE_S3_MAX (100000) caps N on S3, where
# seeding is one PUT per document through S3Proxy; SCALE_JAVA_OPTS replaces Cargohold's JVM options.
# Exits non-zero when the harness breaks (a server does not start, a request fails), never on a figure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

usage() { echo "usage: bash bench/scale.sh [--smoke | N...]   (N: 10000, 10k, 1M; a multiple of 10)" >&2; exit 2; }

# images N: 10k -> 10000, 1M -> 1000000
images() {
  local n=${1,,}
  case $n in
    *k) n=$((${n%k} * 1000)) ;;
    *m) n=$((${n%m} * 1000000)) ;;
  esac
  [[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] && [ $((n % 10)) -eq 0 ] || usage
  echo "$n"
}

MODE=full
SIZES=()
for arg in "$@"; do
  case $arg in
    --smoke) MODE=smoke ;;
    -h|--help) usage ;;
    *) SIZES+=("$(images "$arg")") ;;
  esac
done
if [ "$MODE" = smoke ]; then
  [ ${#SIZES[@]} -eq 0 ] || usage
  SIZES=(10000)
  STORAGES=(filesystem)
  REPEAT=5                      # requests per latency figure
  OUT=bench/results/scale-smoke.md
else
  [ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000 1000000)
  read -r -a STORAGES <<<"${SCALE_STORAGES:-filesystem s3}"
  REPEAT=20
  OUT=bench/results/scale-latest.md
fi
S3_MAX=${SCALE_S3_MAX:-100000}
JAVA_OPTS=${SCALE_JAVA_OPTS--Xmx2g -XX:+ExitOnOutOfMemoryError}
PREFIX=scale

for tool in java jcmd curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
JAR=$ROOT/deploy/target/cargohold.jar
[ -f "$JAR" ] || nice mvn -B -o -q -pl deploy -am package -DskipTests

# ---- work directory, children, clean-up -----------------------------------------------------
WORK=$(mktemp -d /tmp/cargohold-scale.XXXXXX)
RAW=$WORK/raw.tsv               # storage, N, probe, JSON
: >"$RAW"

BENCH=scale
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"


# wait_port NAME PID PORT: waits up to 120 s for PORT to accept connections while PID lives.
wait_port() {
  local name=$1 pid=$2 port=$3 deadline=$((SECONDS + 120))
  until python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up (see $WORK/$name.log)"
    [ $SECONDS -lt $deadline ] || die "$name did not listen on :$port within 120 s"
    sleep 0.2
  done
}

# ---- S3: S3Proxy in its own JVM (filesystem backend), behind a request-counting proxy -------
S3_PORT="" COUNT_PORT=""
if [[ " ${STORAGES[*]} " == *" s3 "* ]]; then
  # S3Proxy is a test dependency of common: its classpath comes from Maven's local repository.
  nice mvn -B -o -q -pl common dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$WORK/s3proxy.classpath" >"$WORK/maven.log" 2>&1 \
    || die "cannot resolve S3Proxy's classpath (see $WORK/maven.log)"
  S3_PORT=$(free_port); COUNT_PORT=$(free_port)
  mkdir -p "$WORK/s3"
  cat >"$WORK/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=scale
s3proxy.credential=scale-secret
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$WORK/s3
EOF
  java -cp "$(cat "$WORK/s3proxy.classpath")" org.gaul.s3proxy.Main --properties "$WORK/s3proxy.properties" \
    >"$WORK/s3proxy.log" 2>&1 &
  S3_PID=$!; CHILDREN+=("$S3_PID")
  python3 bench/count-proxy.py "$COUNT_PORT" "$S3_PORT" >"$WORK/count-proxy.log" 2>&1 &
  COUNT_PID=$!; CHILDREN+=("$COUNT_PID")
  wait_port s3proxy "$S3_PID" "$S3_PORT"
  wait_port count-proxy "$COUNT_PID" "$COUNT_PORT"
  log "S3Proxy :$S3_PORT (filesystem backend under $WORK/s3), counted through :$COUNT_PORT"
fi

# config FILE STORAGE N: Cargohold's config for one case; S3 is reached through the counting proxy.
config() {
  local file=$1 storage=$2 n=$3 dir
  dir=$(dirname "$file")
  {
    echo "http: {host: 127.0.0.1, port: $(free_port)}"
    echo "admin: {host: 127.0.0.1, port: $(free_port)}"
    if [ "$storage" = filesystem ]; then
      echo "storage: {type: filesystem, path: $dir/data}"
    else
      echo "storage: {type: s3, path: $dir/spool, endpoint: 'http://127.0.0.1:$COUNT_PORT', bucket: scale-$n,"
      echo "          accessKey: scale, secretKey: scale-secret}"
    fi
    echo "rules:"
    echo "  - prefix: $PREFIX"
    echo "    upstreamUrl: http://127.0.0.1:$(free_port)"   # nothing listens there
  } >"$file"
}
port_of() { sed -n "s/^$2: {host: 127.0.0.1, port: \([0-9]*\)}$/\1/p" "$1"; }

record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RAW"; }   # storage N probe JSON

# probe STORAGE N NAME COMMAND ARGS...: runs bench/scale-probe.py COMMAND and records its JSON as NAME.
probe() {
  local storage=$1 n=$2 name=$3 json
  shift 3
  json=$(python3 bench/scale-probe.py "$@") || die "$storage, $n images: probe $name failed"
  record "$storage" "$n" "$name" "$json"
}

# measure STORAGE N: seeds, starts Cargohold, records each probe's JSON in $RAW, stops it.
measure() {
  local storage=$1 n=$2 dir=$WORK/$1-$2 repositories=$(($2 / 10))
  mkdir -p "$dir"
  config "$dir/cargohold.yml" "$storage" "$n"
  # The seed writes to S3Proxy directly: the proxy counts Cargohold's requests only.
  sed "s|http://127.0.0.1:$COUNT_PORT'|http://127.0.0.1:$S3_PORT'|" "$dir/cargohold.yml" >"$dir/seed.yml"
  local registry="http://127.0.0.1:$(port_of "$dir/cargohold.yml" http)"
  local admin="http://127.0.0.1:$(port_of "$dir/cargohold.yml" admin)"
  local count_url=""
  [ "$storage" = filesystem ] || count_url="http://127.0.0.1:$COUNT_PORT/_count"
  local middle deep
  middle=$(printf '%s/r%07d' "$PREFIX" $((repositories / 2)))
  deep=$(printf '%s/r%07d' "$PREFIX" $((repositories * 9 / 10)))

  log "$storage, $n images: seeding"
  local seed_start=$EPOCHREALTIME
  # shellcheck disable=SC2086  # JAVA_OPTS is a list of options
  java $JAVA_OPTS -cp "$JAR" io.cargohold.launcher.ScaleSeed --config "$dir/seed.yml" --images "$n" \
    >"$dir/seed.log" 2>&1 || die "seeding $n images on $storage failed (see $dir/seed.log)"
  record "$storage" "$n" seed "{\"seed_s\": $(python3 -c "print(round($EPOCHREALTIME - $seed_start, 1))")}"
  log "$(tail -n 1 "$dir/seed.log")"

  local started=$EPOCHREALTIME
  # shellcheck disable=SC2086
  (cd "$dir" && exec java $JAVA_OPTS -jar "$JAR" standalone --config "$dir/cargohold.yml") >"$dir/cargohold.log" 2>&1 &
  local pid=$!; CHILDREN+=("$pid")
  probe "$storage" "$n" ready ready --pid "$pid" --started "$started" --admin "$admin" \
    --manifest "$registry/v2/$middle/manifests/v05" ${count_url:+--count-url "$count_url"}
  log "$storage, $n images: ready; measuring"

  probe "$storage" "$n" memory memory --pid "$pid"
  probe "$storage" "$n" catalog_first latency --count $REPEAT "$registry/v2/_catalog?n=100"
  probe "$storage" "$n" catalog_deep latency --count $REPEAT "$registry/v2/_catalog?n=100&last=$deep"
  probe "$storage" "$n" tags latency --count $REPEAT "$registry/v2/$middle/tags/list?n=100"
  probe "$storage" "$n" api_repositories latency --count $REPEAT "$admin/api/v1/repositories?maxResults=100"
  probe "$storage" "$n" lifecycle lifecycle --pid "$pid" --admin "$admin" --registry "$registry" \
    --prefix "$PREFIX" --repositories "$repositories" --log "$dir/cargohold.log" ${count_url:+--count-url "$count_url"}
  probe "$storage" "$n" rss memory --pid "$pid"

  kill "$pid"
  wait "$pid" 2>/dev/null || true
  log "$storage, $n images: done"
}

log "mode $MODE; sizes ${SIZES[*]}; storages ${STORAGES[*]}; work dir $WORK; cargohold JVM: ${JAVA_OPTS:-(defaults)}"
for storage in "${STORAGES[@]}"; do
  for n in "${SIZES[@]}"; do
    if [ "$storage" = s3 ] && [ "$n" -gt "$S3_MAX" ]; then
      log "s3, $n images: skipped (SCALE_S3_MAX=$S3_MAX: seeding is one PUT per document through S3Proxy)"
      record s3 "$n" skipped "{\"skipped\": \"N over SCALE_S3_MAX=$S3_MAX\"}"
      continue
    fi
    measure "$storage" "$n"
  done
done

mkdir -p bench/results
python3 bench/scale-report.py "$RAW" "$MODE" "$(nproc)" "$(free -g | awk '/^Mem:/ {print $2}')" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "${JAVA_OPTS:-(JVM defaults)}" >"$OUT"
cat "$OUT"
log "results in $OUT"
