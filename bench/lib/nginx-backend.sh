# Sourced by the proxy benchmarks (with $root set): the proxy's jar and the backend every proxy in a
# run forwards to.
#   source "$root/bench/lib/nginx-backend.sh"
#   require_proxy_jar          sets java_bin and jar, or says how to build the jar and exits
#   start_nginx_backend WORK PORT
# Starts nginx (1 worker) on 127.0.0.1:PORT answering 200 "hello from the backend" to everything,
# over kept-alive HTTP/1.1; its pid file is WORK/backend.pid (kill it on exit).
#   start_nginx_proxy WORK NAME PORT BACKEND_PORT [LISTEN_OPTIONS [SERVER_DIRECTIVES]]
# Starts the peer every proxy benchmark compares with: nginx (1 worker) on 127.0.0.1:PORT proxying to
# the backend over kept-alive upstream connections, one retry on error/timeout/502/503, 2 s read
# timeout (what the Trellis route of the benchmarks does); LISTEN_OPTIONS e.g. "http2"; its pid file
# is WORK/NAME.pid.
#   start_haproxy WORK PORT BACKEND_PORT [BIND_OPTIONS]
# Starts the second peer: HAProxy (1 thread) on 127.0.0.1:PORT in front of the backend, connections
# to it reused, one retry, 2 s server timeout; BIND_OPTIONS e.g. "proto h2"; its pid file is
# WORK/haproxy.pid.

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

start_nginx_proxy() {
  local work="$1" name="$2" port="$3" backend="$4" listen="${5:-}" directives="${6:-}"
  cat > "$work/$name.conf" <<CONF
worker_processes 1;
pid $work/$name.pid;
error_log $work/$name-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream backend { server 127.0.0.1:$backend; keepalive 256; }
  server {
    listen 127.0.0.1:$port $listen backlog=4096;
    $directives
    keepalive_requests 10000000;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_read_timeout 2s;
    }
  }
}
CONF
  nginx -c "$work/$name.conf"
}

start_haproxy() {
  local work="$1" port="$2" backend="$3" bind="${4:-}"
  cat > "$work/haproxy.cfg" <<CONF
global
  nbthread 1
  pidfile $work/haproxy.pid
  daemon
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 2s
  retries 1
frontend proxy
  bind 127.0.0.1:$port $bind
  default_backend app
backend app
  http-reuse always
  server backend 127.0.0.1:$backend
CONF
  haproxy -f "$work/haproxy.cfg"
}
