#!/usr/bin/env bash
# Two builds of the Trellis proxy and nginx, interleaved round by round under the same wrk load, so
# a change's cost is measured against the build before it even on a busy machine: whatever else runs
# hits every side's rounds alike, and the medians of the per-round ratios are what count.
#
#   bench/proxy-ab.sh BEFORE_JAR [AFTER_JAR]     (AFTER_JAR: this tree's proxy-fleet/target/trellis-proxy.jar)
#
# e.g. the build before a change:
#   git worktree add --detach /tmp/before <commit> && (cd /tmp/before && bin/trellis build -pl proxy-fleet -am)
#   bench/proxy-ab.sh /tmp/before/proxy-fleet/target/trellis-proxy.jar
#
# One backend (nginx, 1 worker, fixed 200 answer), nginx as a reverse proxy (1 worker, upstream
# keep-alive) and both proxies (the one-route snapshot of bench/proxy-vs-nginx.sh: retry, timeout and
# metrics on; same JVM flags, no AOT cache, one event loop each) start together. After a warm-up of
# each, $ROUNDS rounds run; each round measures nginx, before and after for $DURATION each, in an order
# that rotates from round to round. Prints every round and the medians of after/before, before/nginx
# and after/nginx, and each proxy's CPU time per request (user + system, from /proc/PID/stat over
# its rounds): that one depends far less on what else the machine runs than throughput does.
# BEFORE_JAVA_OPTS / AFTER_JAVA_OPTS give one side JVM options of its own (an A/B of options: the same
# jar twice). Installs nothing: it says what is missing. Everything listens on 127.0.0.1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/lib/nginx-backend.sh"

ROUNDS="${ROUNDS:-8}"
DURATION="${DURATION:-5s}"
WARMUP="${WARMUP:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
BASE_PORT="${BASE_PORT:-29000}"
BACKEND_PORT=$((BASE_PORT + 80)); NGINX_PORT=$((BASE_PORT + 81))
PROXY_JAVA_OPTS="${PROXY_JAVA_OPTS:--XX:+UseSerialGC -Xmx32m -Xss256k -XX:ReservedCodeCacheSize=32m -XX:CICompilerCount=2 -XX:TrimNativeHeapInterval=2000}"
# JVM options of one side only, for A/B of the options themselves (the same jar given twice):
BEFORE_JAVA_OPTS="${BEFORE_JAVA_OPTS:-$PROXY_JAVA_OPTS}"; AFTER_JAVA_OPTS="${AFTER_JAVA_OPTS:-$PROXY_JAVA_OPTS}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"

if [ $# -lt 1 ]; then sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; fi
missing=()
for tool in nginx wrk curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  echo "missing tools; install them with: apt-get install ${missing[*]}" >&2
  exit 1
fi
require_proxy_jar
before_jar="$1"; after_jar="${2:-$jar}"
for j in "$before_jar" "$after_jar"; do [ -f "$j" ] || { echo "no such jar: $j" >&2; exit 1; }; done

work="$(mktemp -d /tmp/trellis-ab.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for f in backend proxy; do [ -f "$work/$f.pid" ] && kill "$(cat "$work/$f.pid")" 2>/dev/null || true; done
}
trap cleanup EXIT

start_nginx_backend "$work" "$BACKEND_PORT"
start_nginx_proxy "$work" proxy "$NGINX_PORT" "$BACKEND_PORT"

printf '{"tenant":"bench","mesh":"bench","service":"client","identity":"spiffe://bench/client","mtls":"DISABLED","inbound":{"protocol":"http","port":%d,"access":{"defaultAction":"ALLOW","rules":[]}},"upstreams":[{"service":"echo","hosts":["echo","echo.bench"],"protocol":"http","port":80,"rules":[{"id":"echo/0","match":{"pathPrefix":"/"},"backends":[{"cluster":"echo","weight":100}],"timeoutMs":2000,"retry":{"attempts":2,"perTryTimeoutMs":1000,"retryOn":["5xx","reset"],"backoffBaseMs":10,"backoffMaxMs":100,"budgetPercent":20}}]}],"clusters":[{"name":"echo","service":"echo","mtls":false,"loadBalancer":"EWMA","endpoints":[{"address":"127.0.0.1","port":%d}]}]}' \
  "$BACKEND_PORT" "$BACKEND_PORT" > "$work/snapshot.json"

start_proxy() { # name jar base-port java-options
  local admin=$3
  # shellcheck disable=SC2086
  TRELLIS_SNAPSHOT_FILE="$work/snapshot.json" TRELLIS_DATA_DIR="$work/data-$1" TRELLIS_APP_PORT="$BACKEND_PORT" \
  TRELLIS_ADMIN_PORT="$admin" TRELLIS_OUTBOUND_PORT=$((admin + 1)) TRELLIS_INBOUND_PORT=$((admin + 6)) \
  TRELLIS_EVENT_LOOPS=1 "$java_bin" $4 -jar "$2" > "$work/$1.log" 2>&1 &
  pids+=($!)
  local pid=$!
  pid_of[$1]=$pid
  until curl -sf "http://127.0.0.1:$admin/ready" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "the $1 proxy died:"; cat "$work/$1.log"; exit 1; }
    sleep 0.05
  done
}
until [ -s "$work/proxy.pid" ] && pgrep -P "$(cat "$work/proxy.pid")" >/dev/null; do sleep 0.05; done
declare -A pid_of=([nginx]="$(pgrep -P "$(cat "$work/proxy.pid")" | head -1)") # its one worker
start_proxy before "$before_jar" "$BASE_PORT" "$BEFORE_JAVA_OPTS"
start_proxy after "$after_jar" $((BASE_PORT + 10)) "$AFTER_JAVA_OPTS"
declare -A url=([nginx]="http://127.0.0.1:$NGINX_PORT/hello" [before]="http://127.0.0.1:$((BASE_PORT + 1))/hello"
                [after]="http://127.0.0.1:$((BASE_PORT + 11))/hello")

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
requests() { awk '/requests in/ {print $1}' "$1"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system, in clock ticks
hz=$(getconf CLK_TCK)
echo "warming up ($WARMUP each)..."
echo "columns: round, req/s of nginx, before, after, then CPU us per request of each"
for side in nginx before after; do wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -H "Host: echo" "${url[$side]}" > /dev/null; done

orders=("nginx before after" "before after nginx" "after nginx before")
: > "$work/rounds.tsv"
for round in $(seq 1 "$ROUNDS"); do
  declare -A got=() cpu=()
  for side in ${orders[$(( (round - 1) % 3 ))]}; do
    t0=$(ticks "${pid_of[$side]}")
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -H "Host: echo" "${url[$side]}" > "$work/$side-$round.txt"
    got[$side]=$(rps "$work/$side-$round.txt")
    cpu[$side]=$(awk -v t="$(( $(ticks "${pid_of[$side]}") - t0 ))" -v n="$(requests "$work/$side-$round.txt")" -v hz="$hz" \
                 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
    errs=$(awk '/Socket errors|Non-2xx/' "$work/$side-$round.txt"); [ -n "$errs" ] && echo "round $round $side: $errs"
  done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "${got[nginx]}" "${got[before]}" "${got[after]}" \
    "${cpu[nginx]}" "${cpu[before]}" "${cpu[after]}" | tee -a "$work/rounds.tsv"
done

echo
echo "== proxy A/B ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $ROUNDS rounds of $DURATION, JVM: before $BEFORE_JAVA_OPTS; after $AFTER_JAVA_OPTS)"
echo "before: $before_jar"
echo "after:  $after_jar"
awk -F'\t' '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { n++; ng[n] = $2; b[n] = $3; a[n] = $4; ab[n] = $4 / $3; bn[n] = $3 / $2; an[n] = $4 / $2
    cn[n] = $5; cb[n] = $6; ca[n] = $7; cab[n] = $7 / $6 }
  END {
    printf "%-28s %10s %10s %10s\n", "median req/s", "nginx", "before", "after";
    printf "%-28s %10.0f %10.0f %10.0f\n", "", median(ng, n), median(b, n), median(a, n);
    printf "median after/before  %.3fx\n", median(ab, n);
    printf "median before/nginx  %.3fx\n", median(bn, n);
    printf "median after/nginx   %.3fx\n", median(an, n);
    printf "%-28s %10.2f %10.2f %10.2f\n", "median CPU us per request", median(cn, n), median(cb, n), median(ca, n);
    printf "median CPU per request after/before  %.3fx\n", median(cab, n);
  }' "$work/rounds.tsv"
echo "(raw wrk output in $work)"
