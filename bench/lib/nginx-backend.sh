# Sourced by the proxy benchmarks (with $root set): the proxy's jar and the backend every proxy in a
# run forwards to.
#   source "$root/bench/lib/nginx-backend.sh"
#   require_proxy_jar          sets java_bin and jar, or says how to build the jar and exits
#   start_nginx_backend WORK PORT
# Starts nginx (1 worker) on 127.0.0.1:PORT answering 200 "hello from the backend" to everything,
# over kept-alive HTTP/1.1; its pid file is WORK/backend.pid (kill it on exit).

require_proxy_jar() {
  java_bin="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
  [ -x "$java_bin" ] || java_bin="$(command -v java)"
  jar="$root/proxy-fleet/target/trellis-proxy.jar"
  if [ ! -f "$jar" ]; then
    echo "no $jar; build it with: bin/trellis build -pl proxy-fleet -am" >&2
    exit 1
  fi
}

start_nginx_backend() {
  local work="$1" port="$2"
  cat > "$work/backend.conf" <<CONF
worker_processes 1;
pid $work/backend.pid;
error_log $work/backend-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$port backlog=4096;
    keepalive_requests 10000000;
    location / { return 200 "hello from the backend\n"; }
  }
}
CONF
  nginx -c "$work/backend.conf"
}
