# Sourced by the bench scripts that need a running control plane:
#   source "$root/bench/lib/control-plane.sh"
#   start_control_plane PORT [java options...] -- [application arguments...]
# Starts tenant-api's jar (built if missing) on a throw-away TRELLIS_HOME with its embedded
# PostgreSQL on 127.0.0.1:PORT, waits for it, creates the tenant "bench" and sets:
#   base (URL), key (the tenant's API key), cp_pid, work (a scratch folder removed on exit),
#   and put PATH JSON (an authenticated PUT that fails the script on an error).

java_bin="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
[ -x "$java_bin" ] || java_bin=java

start_control_plane() {
  local port="$1"; shift
  local jvm_args=() app_args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do jvm_args+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  app_args=("$@")
  local jar="${TRELLIS_CONTROL_PLANE_JAR:-$root/tenant-api/target/trellis-control-plane.jar}"
  [ -f "$jar" ] || "$root/bin/trellis" build -pl tenant-api -am

  cp_home="$(mktemp -d)"
  work="$(mktemp -d)"
  base="http://127.0.0.1:$port"
  TRELLIS_HOME="$cp_home" TRELLIS_OPERATOR_KEY=bench-operator "$java_bin" "${jvm_args[@]}" -jar "$jar" \
    --server.port="$port" --logging.level.root=WARN "${app_args[@]}" >"$work/control-plane.log" 2>&1 &
  cp_pid=$!
  trap stop_control_plane EXIT
  for _ in $(seq 1 300); do curl -sf "$base/openapi/trellis.yaml" -o /dev/null && break; sleep 1; done

  key=$(curl -sf -X POST "$base/v1/tenants" -H 'Authorization: Bearer bench-operator' \
    -H 'Content-Type: application/json' -d '{"name": "bench"}' | sed -E 's/.*"apiKey":"([^"]+)".*/\1/')
  # A benchmark's mesh and fleet are far beyond the free plan's limits: the enterprise plan has none.
  local tenant
  tenant=$(curl -sf "$base/v1/tenant" -H "Authorization: Bearer $key" | sed -E 's/.*"id":"([^"]+)".*/\1/')
  curl -sf -o /dev/null -X PUT "$base/v1/operator/tenants/$tenant/plan" -H 'Authorization: Bearer bench-operator' \
    -H 'Content-Type: application/json' -d '{"plan": "enterprise"}'
}

stop_control_plane() {
  kill "$cp_pid" 2>/dev/null || true
  wait "$cp_pid" 2>/dev/null || true
  rm -rf "$cp_home" "$work"
}

put() {
  curl -sf -o /dev/null -X PUT "$base$1" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$2"
}
