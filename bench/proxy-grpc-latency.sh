#!/usr/bin/env bash
# The latency two Trellis proxies add to a gRPC unary call (grpc-java client and server from Maven
# Central, test scope), proxies speaking h2 over mTLS to each other: p50/p99 of direct calls and of
# calls through both proxies, one call at a time, and their difference. Runs GrpcLatencyIT
# (proxy-fleet/src/test/java/dev/trellis/proxy/GrpcLatencyIT.java), which builds the proxy first.
#
#   bench/proxy-grpc-latency.sh            (CALLS=5000 WARMUP=5000 by default)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export GRPC_BENCH_CALLS="${CALLS:-5000}" GRPC_BENCH_WARMUP="${WARMUP:-5000}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
out="$(mktemp /tmp/trellis-grpc-latency.XXXXXX)"
bin/trellis mvn -q -pl proxy-fleet -am verify -Dit.test=GrpcLatencyIT -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false </dev/null > "$out" 2>&1 || { tail -50 "$out"; exit 1; }
grep -A3 '^grpc unary' "$out"
echo "(build and test output in $out)"
