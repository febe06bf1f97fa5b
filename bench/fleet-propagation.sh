#!/usr/bin/env bash
# Fleet propagation and memory: an API write → applied by N simulated proxies (long-poll clients
# in one JVM, bench/FleetPropagation.java), p50/p99/max over several writes; and the control plane's
# memory per held poll with N polls held. Peer in the same run: the same N clients reading the
# snapshot with a plain GET at once. Starts the control plane jar on a throw-away TRELLIS_HOME
# (embedded PostgreSQL) on 127.0.0.1. With replicas > 1, the other replicas share that PostgreSQL
# (SPRING_DATASOURCE_URL) and the master key, HAProxy (bench/lib/replicas.sh) balances them with
# readiness checks on /readyz, and the simulated proxies and the API writes go through HAProxy:
# hashed on Authorization, so the writes (one API key) land on one replica and the polls spread over
# all of them; the polls on the others are woken through LISTEN/NOTIFY. Memory is then the sum over
# the replicas. FLEET_PARSE_EACH=1: every simulated proxy parses every body (bench/FleetPropagation.java);
# FLEET_HISTOGRAM=1: also which classes the heap per held poll is made of (class histograms, idle and held).
#
#   bench/fleet-propagation.sh [proxies, default 1000] [writes, default 5] [replicas, default 1]
#
# Needs curl, openssl (for the CSR every simulated proxy sends) and unzip, and haproxy for
# replicas > 1; builds the jar if it is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
proxies="${1:-1000}"
writes="${2:-5}"
replicas="${3:-1}"
for tool in curl openssl unzip; do
  command -v "$tool" >/dev/null || { echo "bench/fleet-propagation.sh needs $tool" >&2; exit 1; }
done
source "$root/bench/lib/control-plane.sh"
# The pool wait of the earlier runs (Hikari's default, 30 s), not the shipped 5 s: on this shared 2-core machine a
# burst of a thousand start-ups can outwait 5 s and be answered 503 (Retry-After), which measures the machine's load.
pool_wait=--spring.datasource.hikari.connection-timeout=30000
if [ "$replicas" -gt 1 ]; then
  source "$root/bench/lib/replicas.sh"
  # Every replica gets the same master key; each holds up to all the polls (the default bound is 2,000 per tenant).
  TRELLIS_MASTER_KEY="$(openssl rand 32 | base64 -w0 | tr '+/' '-_' | tr -d '=')"
  export TRELLIS_MASTER_KEY
  start_control_plane 18490 -Xmx512m -- --trellis.fleet.poll-hold=30s --trellis.fleet.max-polls-per-tenant=10000 "$pool_wait"
  start_replicas "$replicas" 18490 -Xmx512m -- --trellis.fleet.poll-hold=30s --trellis.fleet.max-polls-per-tenant=10000 "$pool_wait"
else
  start_control_plane 18490 -Xmx512m -- --trellis.fleet.poll-hold=30s "$pool_wait"
  cp_pids="$cp_pid"
fi
put /v1/meshes/shop '{"mtls": "STRICT"}'
put /v1/meshes/shop/services/echo '{"port": 8080, "versions": [{"name": "v1"}, {"name": "v2"}], "endpoints": [{"address": "10.0.0.7", "port": 8080, "version": "v1"}, {"address": "10.0.0.8", "port": 8080, "version": "v2"}]}'
put /v1/meshes/shop/services/web '{"port": 8080, "versions": [{"name": "v1"}]}'
put /v1/meshes/shop/policies/web-to-echo '{"kind": "ACCESS", "target": {"service": "echo"}, "spec": {"allow": [{"from": {"service": "web"}}]}}'
put /v1/meshes/shop/routes/echo-split '{"service": "echo", "rules": [{"match": {"pathPrefix": "/"}, "backends": [{"service": "echo", "version": "v1", "weight": 90}, {"service": "echo", "version": "v2", "weight": 10}]}]}'

# One key and CSR shared by the simulated proxies: the control plane takes identities from join tokens.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=bench \
  -keyout "$work/key.pem" -out "$work/csr.pem" 2>/dev/null

# The simulated proxies parse and check each snapshot with the proxy's own parser: the compiler's
# snapshot classes and Jackson, taken from the control plane jar so the versions are the ones served.
mkdir -p "$work/lib"
unzip -q -j -o "${TRELLIS_CONTROL_PLANE_JAR:-$root/tenant-api/target/trellis-control-plane.jar}" \
  'BOOT-INF/lib/config-compiler-*.jar' 'BOOT-INF/lib/jackson-core-3*.jar' 'BOOT-INF/lib/jackson-databind-3*.jar' \
  'BOOT-INF/lib/jackson-annotations-*.jar' -d "$work/lib"

echo "fleet propagation: $proxies proxies, $writes writes, $replicas replica(s) (pids $cp_pids) at $base, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$java_bin" -cp "$work/lib/*" "$root/bench/FleetPropagation.java" "$base" "$key" "$cp_pids" "$work/csr.pem" "$proxies" "$writes"
[ "$replicas" -gt 1 ] && echo "requests through HAProxy per replica: $(replica_requests)"
true
