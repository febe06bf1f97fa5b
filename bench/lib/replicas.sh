# Sourced after bench/lib/control-plane.sh, once start_control_plane has started the first replica:
#   source "$root/bench/lib/replicas.sh"
#   start_replicas COUNT FIRST_PORT [java options...] -- [application arguments...]
# Starts replicas 2..COUNT of the control plane jar on free ports, each with its own TRELLIS_HOME,
# on the first replica's embedded PostgreSQL (SPRING_DATASOURCE_URL, as an operator points replicas at
# a managed one; export TRELLIS_MASTER_KEY before start_control_plane so all share it), then HAProxy on
# a free port of 127.0.0.1 in front of all of them (the first replica listens on FIRST_PORT), health-checking /readyz. Sets base to the balancer's
# URL and cp_pids to every replica's pid (comma-separated); everything stops on exit.

# A port nothing listens on (other benchmarks on a shared machine take fixed ones).
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 10000))
    ss -ltn | grep -q ":$port " || { echo "$port"; return; }
  done
}

start_replicas() {
  local count="$1" first="$2" balancer; shift 2
  balancer="$(free_port)"
  stats_port="$(free_port)"
  local jvm_args=() app_args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do jvm_args+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  app_args=("$@")
  command -v haproxy >/dev/null || { echo "replicas need haproxy (apt-get install haproxy)" >&2; exit 1; }
  local jar="${TRELLIS_CONTROL_PLANE_JAR:-$root/tenant-api/target/trellis-control-plane.jar}"
  local db_port
  db_port="$(cat "$cp_home/postgres.port")"
  cp_pids="$cp_pid"
  replica_pids=()
  replica_homes=()
  local servers="  server r1 127.0.0.1:$first check"$'\n'
  local ports=()
  for i in $(seq 2 "$count"); do
    local port home
    port="$(free_port)"
    ports+=("$port")
    home="$(mktemp -d)"
    replica_homes+=("$home")
    TRELLIS_HOME="$home" TRELLIS_OPERATOR_KEY=bench-operator \
      SPRING_DATASOURCE_URL="jdbc:postgresql://127.0.0.1:$db_port/postgres" SPRING_DATASOURCE_USERNAME=trellis_app \
      SPRING_DATASOURCE_PASSWORD= SPRING_FLYWAY_USER=postgres SPRING_FLYWAY_PASSWORD= \
      "$java_bin" "${jvm_args[@]}" -jar "$jar" --server.port="$port" --logging.level.root=WARN "${app_args[@]}" \
      >"$work/replica-$i.log" 2>&1 &
    replica_pids+=($!)
    cp_pids="$cp_pids,$!"
    servers+="  server r$i 127.0.0.1:$port check"$'\n'
  done
  trap stop_replicas EXIT
  for port in "${ports[@]}"; do
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" -o /dev/null && break; sleep 1; done
    curl -sf "http://127.0.0.1:$port/readyz" -o /dev/null || { echo "the replica on port $port is not ready:" >&2; tail -5 "$work"/replica-*.log >&2; exit 1; }
  done
  # maxconn: two descriptors a connection (client and server side) must fit under ulimit -n (20,000 here).
  cat >"$work/haproxy.cfg" <<CFG
global
  maxconn 9000
defaults
  mode http
  maxconn 9000
  timeout connect 1s
  timeout client 90s
  timeout server 90s
  timeout check 4s
  retries 3
  option redispatch
frontend api
  bind 127.0.0.1:$balancer
  default_backend replicas
frontend stats
  bind 127.0.0.1:$stats_port
  stats enable
  stats uri /stats
backend replicas
  # A proxy's requests (its token) stay on one replica while it is up, so its status report lands where its
  # poll's token was just verified; API keys hash too. Map-based: an even split (consistent hashing put 63 % of
  # the requests on one of two replicas); a lost replica moves every proxy once, which costs a token check each.
  balance hdr(Authorization)
  hash-type map-based
  option httpchk
  http-check send meth GET uri /readyz
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2
$servers
CFG
  haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  haproxy_pid=$!
  base="http://127.0.0.1:$balancer"
  for _ in $(seq 1 60); do curl -sf "$base/readyz" -o /dev/null && break; sleep 0.5; done
  sleep 2 # every server UP (rise 2 × 500 ms)
}

# HTTP requests each replica got through the balancer so far (HAProxy's stats, column req_tot).
replica_requests() {
  curl -sf "http://127.0.0.1:$stats_port/stats;csv" | awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "req_tot") c = i; next}
    $1 == "replicas" && $2 != "BACKEND" {printf "%s%s %s", sep, $2, $c; sep = ", "} END {print ""}'
}

stop_replicas() {
  kill "$haproxy_pid" "${replica_pids[@]}" 2>/dev/null || true
  wait "$haproxy_pid" "${replica_pids[@]}" 2>/dev/null || true
  rm -rf "${replica_homes[@]}"
  stop_control_plane
}
