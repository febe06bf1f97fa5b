#!/usr/bin/env bash
# Usage ingestion and metrics queries: N simulated proxies (bench/TelemetryIngest.java, one JVM)
# each POST a usage report with R route rows every interval to one control plane (the jar, on a
# throw-away TRELLIS_HOME with its embedded PostgreSQL, on 127.0.0.1) for the given seconds; prints
# the POST latency, the CPU of the control plane and its PostgreSQL per report and per second, the
# database growth per report extrapolated to a day, then the latency of the metrics queries
# (one service and one route over the last hour, and the summary) over a mesh of S services.
# First, one proxy per service reports one window for each minute of the last hour
# (TRELLIS_BENCH_HISTORY_MINUTES, default 60; 0 for none), folded before anything is measured, so the
# 1-hour queries read a full hour of buckets, as on a mesh that has run for a while.
# With a warm-up, the proxies report that many seconds first, unmeasured (the JIT compiler's start-up
# work is then not counted as ingest CPU).
#
#   bench/telemetry-ingest.sh [proxies 1000] [routes 20] [services 300] [seconds 300] [interval-s 10] [warm-up-s 0]
#
# Each route's latency histogram is sent in HdrHistogram's plain V2 encoding, as the proxy sends it;
# TRELLIS_BENCH_LATENCY=compressed sends the compressed one proxies sent before 2026-12-04.
#
# TRELLIS_BENCH_PROFILER=<path to libasyncProfiler.so> profiles the control plane over the measured window
# (collapsed stacks into TRELLIS_BENCH_PROFILE, default /tmp/telemetry-ingest.collapsed); the library is in
# the jar of the Maven artifact tools.profiler:async-profiler (linux-x64/libasyncProfiler.so).
#
# Needs curl, openssl (the CSR the simulated proxies register with) and unzip; builds the jar if missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
proxies="${1:-1000}"
routes="${2:-20}"
services="${3:-300}"
seconds="${4:-300}"
interval="${5:-10}"
warmup="${6:-0}"
for tool in curl openssl unzip; do
  command -v "$tool" >/dev/null || { echo "bench/telemetry-ingest.sh needs $tool" >&2; exit 1; }
done
source "$root/bench/lib/control-plane.sh"
# TRELLIS_BENCH_JVM adds control plane JVM options (e.g. -XX:StartFlightRecording=filename=/tmp/cp.jfr to profile it).
# shellcheck disable=SC2086
start_control_plane 18491 -Xmx1g ${TRELLIS_BENCH_JVM:-} -- --spring.datasource.hikari.maximum-pool-size=16
put /v1/meshes/shop '{"mtls": "PERMISSIVE"}'
# dependsOn keeps each snapshot small, so declaring the services stays quick.
for i in $(seq 0 $((services - 1))); do
  put "/v1/meshes/shop/services/svc-$i" '{"protocol": "http", "port": 8080, "versions": [{"name": "v1"}], "dependsOn": []}'
done
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=bench \
  -keyout "$work/key.pem" -out "$work/csr.pem" 2>/dev/null
mkdir -p "$work/lib"
unzip -q -j -o "${TRELLIS_CONTROL_PLANE_JAR:-$root/tenant-api/target/trellis-control-plane.jar}" 'BOOT-INF/lib/HdrHistogram-*.jar' -d "$work/lib"

echo "telemetry ingest: $proxies proxies x $routes routes every ${interval}s for ${seconds}s, $services services," \
     "control plane pid $cp_pid, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$java_bin" -cp "$work/lib/*" "$root/bench/TelemetryIngest.java" "$base" "$key" "$cp_pid" "$work/csr.pem" "$cp_home" \
  "$proxies" "$routes" "$services" "$seconds" "$interval" "$warmup"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
