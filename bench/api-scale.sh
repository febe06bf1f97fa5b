#!/usr/bin/env bash
# API scale: builds the compiler benchmark's STRICT mesh (LargeMesh: 2,000 services, each allowed to
# call 5-10 others, a TIMEOUT on every fourth, one route per service by default) through the REST API
# one write at a time, printing the time per write as the mesh grows (median, p90, p99, max per
# quarter of each phase), then the time of route updates on the full mesh and the CPU time each
# cost the control plane and its PostgreSQL. Starts the control plane
# jar on a throw-away TRELLIS_HOME (embedded PostgreSQL) on 127.0.0.1 (bench/ApiScale.java does the writes).
#
#   bench/api-scale.sh [services, default 2000] [routes, default = services] [updates, default 300] [tsv file of every write]
#
# Needs curl; builds the jar if it is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
services="${1:-2000}"
routes="${2:-$services}"
updates="${3:-300}"
tsv="${4:-}"
command -v curl >/dev/null || { echo "bench/api-scale.sh needs curl" >&2; exit 1; }
source "$root/bench/lib/control-plane.sh"
start_control_plane 18495 -Xmx2g
echo "api scale: $services services, $routes routes, $updates updates; control plane pid $cp_pid, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
if ! "$java_bin" "$root/bench/ApiScale.java" "$base" "$key" "$services" "$routes" "$updates" "$tsv" "$cp_pid" "$cp_home"; then
  echo "--- the control plane's log (WARN and up), last 40 lines:" >&2
  tail -40 "$work/control-plane.log" >&2
  exit 1
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
