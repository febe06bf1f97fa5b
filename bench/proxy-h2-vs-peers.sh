#!/usr/bin/env bash
# HTTP/2 (h2c, prior knowledge) through the Trellis proxy vs through nginx and HAProxy, same
# backend, same h2load load, one after the other in one run.
#
#   bench/proxy-h2-vs-peers.sh          (build first: bin/trellis build -pl proxy-fleet -am)
#
# One backend (nginx, 1 worker, fixed 200 answer over HTTP/1.1); three front proxies that take h2c
# with prior knowledge and forward over kept-alive HTTP/1.1: nginx (`listen ... http2`, 1 worker),
# HAProxy (`proto h2`, 1 thread) and the Trellis proxy (its outbound port, one route with retry,
# timeout and metrics on, 1 event loop, the sidecar's JVM settings). h2load opens $CLIENTS
# connections with $STREAMS concurrent streams each: many requests multiplexed on few connections,
# each balanced and answered on its own. Each proxy is measured twice (rounds 1 and 2, after a
# warm-up); its better round counts, so a burst of load from elsewhere on a shared machine does not
# decide the ratio. Prints requests/s, mean and max latency and the ratios to each peer.
# Installs nothing: it says what is missing. Everything listens on 127.0.0.1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/lib/nginx-backend.sh"

DURATION="${DURATION:-10}"      # seconds per measured run
WARMUP="${WARMUP:-30}"          # seconds per proxy before the rounds (the JVM's JIT needs them)
CLIENTS="${CLIENTS:-4}"
STREAMS="${STREAMS:-32}"
BASE_PORT="${BASE_PORT:-29000}"
BACKEND_PORT=$((BASE_PORT + 80)); NGINX_PORT=$((BASE_PORT + 81)); HAPROXY_PORT=$((BASE_PORT + 82))
ADMIN_PORT=$BASE_PORT; OUTBOUND_PORT=$((BASE_PORT + 1)); INBOUND_PORT=$((BASE_PORT + 6))
PROXY_JAVA_OPTS="${PROXY_JAVA_OPTS:--XX:+UseSerialGC -Xmx32m -Xss256k -XX:ReservedCodeCacheSize=32m -XX:CICompilerCount=2 -XX:TrimNativeHeapInterval=2000}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"

missing=()
for tool in nginx haproxy h2load curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  echo "missing tools: ${missing[*]} (Debian: apt-get install nginx haproxy nghttp2-client curl)" >&2
  exit 1
fi
require_proxy_jar

work="$(mktemp -d /tmp/trellis-h2-bench.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for f in backend.pid nginx.pid haproxy.pid; do [ -f "$work/$f" ] && kill "$(cat "$work/$f")" 2>/dev/null || true; done
}
trap cleanup EXIT

start_nginx_backend "$work" "$BACKEND_PORT"
start_nginx_proxy "$work" nginx "$NGINX_PORT" "$BACKEND_PORT" http2 "http2_max_concurrent_streams 256;"
start_haproxy "$work" "$HAPROXY_PORT" "$BACKEND_PORT" "proto h2"

# One route with the same policies as bench/proxy-vs-nginx.sh; 127.0.0.1 is one of its hosts, since
# h2load sends the URL's authority.
cat > "$work/snapshot.json" <<JSON
{"tenant":"bench","mesh":"bench","service":"client","identity":"spiffe://bench/client","mtls":"DISABLED",
 "inbound":{"protocol":"http","port":$BACKEND_PORT,"access":{"defaultAction":"ALLOW","rules":[]}},
 "upstreams":[{"service":"echo","hosts":["echo","127.0.0.1"],"protocol":"http","port":80,"rules":[
   {"id":"echo/0","match":{"pathPrefix":"/"},"backends":[{"cluster":"echo","weight":100}],"timeoutMs":2000,
    "retry":{"attempts":2,"perTryTimeoutMs":1000,"retryOn":["5xx","reset"],"backoffBaseMs":10,"backoffMaxMs":100,"budgetPercent":20}}]}],
 "clusters":[{"name":"echo","service":"echo","mtls":false,"loadBalancer":"EWMA","endpoints":[{"address":"127.0.0.1","port":$BACKEND_PORT}]}]}
JSON
TRELLIS_SNAPSHOT_FILE="$work/snapshot.json" TRELLIS_DATA_DIR="$work/data" TRELLIS_EVENT_LOOPS=1 \
  TRELLIS_ADMIN_PORT=$ADMIN_PORT TRELLIS_OUTBOUND_PORT=$OUTBOUND_PORT TRELLIS_INBOUND_PORT=$INBOUND_PORT \
  TRELLIS_HTTP_MAX_CONCURRENT_STREAMS=256 \
  "$java_bin" $PROXY_JAVA_OPTS -jar "$jar" > "$work/trellis.log" 2>&1 &
pids+=($!)
until curl -sf "http://127.0.0.1:$ADMIN_PORT/ready" >/dev/null 2>&1; do sleep 0.2; done

declare -A url=([nginx]="http://127.0.0.1:$NGINX_PORT/" [haproxy]="http://127.0.0.1:$HAPROXY_PORT/"
                [trellis]="http://127.0.0.1:$OUTBOUND_PORT/")
for name in nginx haproxy trellis; do
  out="$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_version} %{http_code}' "${url[$name]}")"
  [ "$out" = "2 200" ] || { echo "$name does not answer h2c with 200 (got: $out)" >&2; exit 1; }
done

load() { # name seconds out
  h2load -c "$CLIENTS" -m "$STREAMS" -D "$2" "${url[$1]}" > "$3" 2>&1
}
echo "warming up (${WARMUP}s each)..."
for name in nginx haproxy trellis; do load "$name" "$WARMUP" /dev/null; done
for round in 1 2; do
  for name in nginx haproxy trellis; do load "$name" "$DURATION" "$work/$name-$round.txt"; done
done

# h2load: "finished in 10.00s, 12345.67 req/s, ..." and "requests: N total, N started, N done, N succeeded, N failed".
rps() { awk '/^finished in/ {gsub(",", "", $4); print $4}' "$1"; }
failed() { awk '/^requests:/ {print $10}' "$1"; }
latency() { awk '/^time for request:/ {print $6 " mean, " $5 " max"}' "$1"; }
best_round() { # name: the file of its better round
  local a b; a="$(rps "$work/$1-1.txt")"; b="$(rps "$work/$1-2.txt")"
  awk -v a="$a" -v b="$b" 'BEGIN { exit !(a >= b) }' && echo "$work/$1-1.txt" || echo "$work/$1-2.txt"
}
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/${pids[0]}/status")
printf "h2c, %d connections x %d streams, %ss per round, better of 2 rounds\n" "$CLIENTS" "$STREAMS" "$DURATION"
printf "%-8s %12s %8s  %s\n" proxy "req/s" failed "latency (time for request)"
for name in nginx haproxy trellis; do
  f="$(best_round "$name")"
  printf "%-8s %12s %8s  %s\n" "$name" "$(rps "$f")" "$(failed "$f")" "$(latency "$f")"
done
t="$(rps "$(best_round trellis)")"
for peer in nginx haproxy; do
  p="$(rps "$(best_round "$peer")")"
  awk -v t="$t" -v p="$p" -v n="$peer" 'BEGIN { printf "trellis / %-8s %.2fx (target >= 0.75x)\n", n, t / p }'
done
echo "trellis proxy RSS after the runs: $((rss_kib / 1024)) MiB"
echo "(raw h2load output in $work)"
