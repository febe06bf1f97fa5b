resource "trellis_service" "echo" {
  mesh          = trellis_mesh.shop.name
  name          = "echo"
  protocol      = "http"
  port          = 8080
  load_balancer = "EWMA"

  # narrows what this service's proxies receive to the services it calls
  depends_on_services = [trellis_service.db.name]

  version {
    name = "v1"
  }
  version {
    name = "v2"
  }

  # a static endpoint, for a workload without a Trellis proxy
  endpoint {
    address = "10.0.0.7"
    port    = 8080
    version = "v1"
  }
}

resource "trellis_service" "db" {
  mesh = trellis_mesh.shop.name
  name = "db-proxy"
  port = 5432
}
