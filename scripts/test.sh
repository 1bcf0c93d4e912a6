#!/usr/bin/env bash
# Runs the whole test suite, then short smoke runs of the benchmark harnesses (bench/run.sh, 30 s;
# bench/scale.sh, under a minute) so they cannot rot. Installs the real software the tests start
# (CNCF distribution as the upstream registry, skopeo as the client, podman for its login against
# the cache's token endpoint, htpasswd for basic auth, containerd and the Docker daemon as clients
# pulling through the cache, wrk and nginx for the benchmark, headless Chromium for the console
# test, the AWS CLI for the ECR API test) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v skopeo >/dev/null || need+=(skopeo)
command -v podman >/dev/null || need+=(podman)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v openssl >/dev/null || need+=(openssl)
command -v containerd >/dev/null || need+=(containerd)
command -v dockerd >/dev/null || [ -x /usr/sbin/dockerd ] || need+=(docker.io)
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v chromium >/dev/null || need+=(chromium)
command -v aws >/dev/null || need+=(awscli)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

mvn -B verify "$@"
bash bench/run.sh --smoke
bash bench/scale.sh --smoke
