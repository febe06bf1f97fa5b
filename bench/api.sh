#!/usr/bin/env bash
# Control plane API throughput: reads and writes per second and p99, measured with wrk against a
# control plane this script starts on a throw-away TRELLIS_HOME (embedded PostgreSQL) on 127.0.0.1.
# Peer in the same run: a static file served by the same server (HTTP stack, no auth, no database),
# so the numbers can be read as ratios.
#
#   bench/api.sh [seconds per run, default 15] [connections, default 16]
#
# Needs wrk (Debian: apt-get install wrk) and curl; builds the jar if it is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-15}"
connections="${2:-16}"
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench/api.sh needs $tool: apt-get install $tool" >&2; exit 1; }
done
source "$root/bench/lib/control-plane.sh"
start_control_plane 18480
put /v1/meshes/shop '{"mtls": "PERMISSIVE"}'
put /v1/meshes/shop/services/echo '{"port": 8080, "versions": [{"name": "v1"}, {"name": "v2"}], "endpoints": [{"address": "10.0.0.7", "port": 8080, "version": "v1"}, {"address": "10.0.0.8", "port": 8080, "version": "v2"}]}'
for i in $(seq 1 20); do put "/v1/meshes/shop/services/svc-$i" '{"port": 8080, "dependsOn": ["echo"]}'; done
route='{"service": "echo", "rules": [{"match": {"pathPrefix": "/"}, "backends": [{"service": "echo", "version": "v1", "weight": 90}, {"service": "echo", "version": "v2", "weight": 10}], "timeout": "2s"}]}'
put /v1/meshes/shop/routes/echo-canary "$route"

# A write that really changes the route each time (weights move by one), so every request
# validates, recompiles the 22-service mesh and stores the changed snapshots and an audit event.
cat >"$work/write.lua" <<LUA
counter = 0
request = function()
  counter = counter + 1
  local v1 = 50 + (counter % 40)
  local body = string.format('{"service": "echo", "rules": [{"match": {"pathPrefix": "/"}, "backends": [{"service": "echo", "version": "v1", "weight": %d}, {"service": "echo", "version": "v2", "weight": %d}]}]}', v1, 100 - v1)
  return wrk.format("PUT", nil, {["Authorization"] = "Bearer $key", ["Content-Type"] = "application/json"}, body)
end
LUA
cat >"$work/same.lua" <<LUA
wrk.method = "PUT"
wrk.body = '$route'
wrk.headers["Authorization"] = "Bearer $key"
wrk.headers["Content-Type"] = "application/json"
LUA

run() { # name, wrk arguments...
  local name="$1"; shift
  wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" >"$work/$name.txt"
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/$name.txt")
  errors=$(awk '/Non-2xx/ {print $5}' "$work/$name.txt"); errors="${errors:-0}"
  printf '| %-44s | %10s | %9s | %6s |\n' "$name" "$rps" "$p99" "$errors"
  echo "$rps" >"$work/$name.rps"
}
# Warm-up (JIT, connection pools), not reported.
wrk -t2 -c"$connections" -d5s "$base/openapi/trellis.yaml" >/dev/null
wrk -t2 -c"$connections" -d5s -H "Authorization: Bearer $key" "$base/v1/meshes/shop/routes/echo-canary" >/dev/null
wrk -t2 -c"$connections" -d5s -s "$work/write.lua" "$base/v1/meshes/shop/routes/echo-canary" >/dev/null

echo "wrk -t2 -c$connections -d${duration}s --latency, on $(nproc) cores, control plane and wrk on the same machine"
printf '| %-44s | %10s | %9s | %6s |\n' "request" "req/s" "p99" "non-2xx"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "------------" "-----------" "--------"
run "peer: static file (no auth, no database)" "$base/openapi/trellis.yaml"
run "read: GET route (API key + RLS transaction)" -H "Authorization: Bearer $key" "$base/v1/meshes/shop/routes/echo-canary"
run "read: GET snapshot bytes" -H "Authorization: Bearer $key" "$base/v1/meshes/shop/snapshots/svc-1"
run "read: GET list of 22 services" -H "Authorization: Bearer $key" "$base/v1/meshes/shop/services"
run "write: PUT unchanged route (idempotent)" -s "$work/same.lua" "$base/v1/meshes/shop/routes/echo-canary"
run "write: PUT changed route (recompile 22 svcs)" -s "$work/write.lua" "$base/v1/meshes/shop/routes/echo-canary"
peer=$(cat "$work/peer: static file (no auth, no database).rps")
echo
for name in "read: GET route (API key + RLS transaction)" "write: PUT changed route (recompile 22 svcs)"; do
  awk -v a="$(cat "$work/$name.rps")" -v b="$peer" -v n="$name" 'BEGIN {printf "%s = %.3f x the static-file peer\n", n, a / b}'
done
