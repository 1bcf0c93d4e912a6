# Shared by the bench scripts: child processes (CHILDREN) stopped at exit, the work directory kept
# with the tails of its logs when the run fails and removed otherwise, timed log lines, free ports.
# Source it once WORK exists, with BENCH set to the name its messages carry.
CHILDREN=()
T0=$EPOCHREALTIME

cleanup() {
  local status=$?
  for pid in "${CHILDREN[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${CHILDREN[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ $status -ne 0 ]; then
    echo "$BENCH: FAILED (status $status); logs kept in $WORK" >&2
    for log in "$WORK"/*.log "$WORK"/*/*.log; do [ -f "$log" ] && { echo "--- $log" >&2; tail -n 15 "$log" >&2; }; done
  else
    rm -rf "$WORK"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

elapsed() { python3 -c "print($EPOCHREALTIME - $T0)"; }
log() { printf '[%s %6.1fs] %s\n' "$BENCH" "$(elapsed)" "$*" >&2; }
die() { echo "$BENCH: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
