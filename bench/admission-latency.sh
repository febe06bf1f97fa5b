#!/usr/bin/env bash
# Admission latency: the hosted Kubernetes webhook answering AdmissionReviews (each mints a pod's
# join token and counts the admission, in one tenant transaction), p50/p99 over N requests on one
# keep-alive connection, as an API server sends them. Peer in the same run: a static file of the
# same server (HTTP stack only), the same number of times, so the figures read as a ratio.
#
#   bench/admission-latency.sh [requests, default 1000]
#
# Needs curl; builds the control plane jar if it is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requests="${1:-1000}"
source "$root/bench/lib/control-plane.sh"
start_control_plane 18490
put /v1/meshes/shop '{"mtls": "STRICT"}'
put /v1/meshes/shop/services/echo '{"port": 8080, "versions": [{"name": "v1"}, {"name": "v2"}]}'
webhook=$(curl -sf -X PUT "$base/v1/meshes/shop/injectors/bench" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' -d '{}' | sed -E 's/.*clientConfig:\\n *url: \\"([^\\]+)\\".*/\1/')
review="$root/tenant-api/src/test/resources/injection/admission-review-echo.json"

# One curl, one connection, N requests; prints each request's total time in seconds.
times() { # method url [curl arguments...]
  local method="$1" url="$2"; shift 2
  curl -s -o /dev/null -X "$method" -w '%{http_code} %{time_total}\n' "$@" "$url?n=[1-$requests]"
}
summary() { # name file
  local n p50 p99 bad
  bad=$(awk '$1 != 200' "$2" | wc -l)
  n=$(wc -l < "$2")
  p50=$(awk '{print $2}' "$2" | sort -n | awk -v n="$n" 'NR == int(n * 0.50 + 0.5) {printf "%.2f", $1 * 1000}')
  p99=$(awk '{print $2}' "$2" | sort -n | awk -v n="$n" 'NR == int(n * 0.99 + 0.5) {printf "%.2f", $1 * 1000}')
  printf '| %-40s | %6d | %8s | %8s | %6d |\n' "$1" "$n" "$p50" "$p99" "$bad"
  echo "$p50 $p99" > "$work/$1.summary"
}

# Warm-up (JIT, connection pool), not reported.
times POST "$webhook" -H 'Content-Type: application/json' --data-binary "@$review" > /dev/null
times GET "$base/swagger-ui.html" > /dev/null

times POST "$webhook" -H 'Content-Type: application/json' --data-binary "@$review" > "$work/admission.txt"
times GET "$base/swagger-ui.html" > "$work/static.txt"
echo "$requests requests each on one keep-alive connection, curl and the control plane on the same $(nproc) cores"
printf '| %-40s | %6s | %8s | %8s | %6s |\n' "request" "n" "p50 ms" "p99 ms" "non-200"
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..42})" "--------" "----------" "----------" "--------"
summary "AdmissionReview (inject, mint token)" "$work/admission.txt"
summary "peer: static file (swagger-ui.html)" "$work/static.txt"
read -r a50 a99 < "$work/AdmissionReview (inject, mint token).summary"
read -r s50 s99 < "$work/peer: static file (swagger-ui.html).summary"
awk -v a50="$a50" -v a99="$a99" -v s50="$s50" -v s99="$s99" \
  'BEGIN {printf "admission / static: p50 %.1fx, p99 %.1fx\n", a50 / s50, a99 / s99}'
injected=$(curl -sf "$base/v1/meshes/shop/injectors/bench" -H "Authorization: Bearer $key" | sed -E 's/.*"injected":([0-9]+).*/\1/')
echo "the injector counted $injected admissions"
