#!/usr/bin/env bash
# Provider start-up, as Terraform pays it on every command: time from exec to the go-plugin
# handshake line, N runs with the class-data archive and N without, alternating, and the ratio.
#   terraform-provider/bench/startup.sh [runs]    (after bin/trellis build -pl terraform-provider -am)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
launcher="$here/target/terraform-provider-trellis"
runs="${1:-10}"
out="$(mktemp)"; trap 'rm -f "$out"' EXIT

handshake_ms() {
  local start pid
  : > "$out"
  start=$(date +%s%N)
  TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2 PLUGIN_PROTOCOL_VERSIONS=6 \
    "$launcher" > "$out" 2>/dev/null &
  pid=$!
  until grep -q '|grpc' "$out"; do sleep 0.01; done
  echo $(( ($(date +%s%N) - start) / 1000000 ))
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

handshake_ms > /dev/null   # makes the archive if there is none yet
with=0; without=0
for _ in $(seq "$runs"); do
  with=$((with + $(handshake_ms)))
  without=$((without + $(TRELLIS_PROVIDER_NO_CDS=1 handshake_ms)))
done
echo "runs=$runs  with archive: $((with / runs)) ms  without: $((without / runs)) ms  speed-up: $(awk "BEGIN {printf \"%.2f\", $without / $with}")x"
