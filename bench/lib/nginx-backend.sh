# Sourced by the proxy benchmarks: the backend every proxy in a run forwards to.
#   source "$root/bench/lib/nginx-backend.sh"
#   start_nginx_backend WORK PORT
# Starts nginx (1 worker) on 127.0.0.1:PORT answering 200 "hello from the backend" to everything,
# over kept-alive HTTP/1.1; its pid file is WORK/backend.pid (kill it on exit).

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
