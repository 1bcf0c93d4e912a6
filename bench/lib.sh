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

# nginx_config HTTP_LINES LISTEN_LINES: writes $WORK/nginx/nginx.conf for nginx serving $WORK/www
# as the scripts compare against it (sendfile, blobs as octet-stream, /manifests/ as OCI manifests);
# HTTP_LINES go into its http block, LISTEN_LINES into its server block.
nginx_config() {
  local user_line=""
  [ "$(id -u)" -ne 0 ] || user_line="user nobody nogroup;"
  cat >"$WORK/nginx/nginx.conf" <<NGINX
$user_line
daemon off;
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
$1
  server {
$2
    root $WORK/www;
    default_type application/octet-stream;
    location /manifests/ {
      types { }
      default_type application/vnd.oci.image.manifest.v1+json;
    }
  }
}
NGINX
}
