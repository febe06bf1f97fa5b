# A join token for one workload's proxy (a workload started by hand, e.g. on a VM), and the
# compiled snapshot of the same service, saved so a proxy can also start from the file alone
# (TRELLIS_SNAPSHOT_FILE). Needs the mesh "shop" with service "checkout" (see ../canary).

terraform {
  required_providers {
    trellis = {
      source = "trellis/trellis"
    }
  }
}

provider "trellis" {}

data "trellis_service" "checkout" {
  mesh = "shop"
  name = "checkout"
}

resource "trellis_join_token" "checkout_v2" {
  mesh    = data.trellis_service.checkout.mesh
  service = data.trellis_service.checkout.name
  version = "v2"
  ttl     = "10m"
}

data "trellis_snapshot" "checkout" {
  mesh    = data.trellis_service.checkout.mesh
  service = data.trellis_service.checkout.name
}

output "proxy_environment" {
  sensitive = true
  # The token names mesh, service and version: the proxy learns them when it registers.
  value = {
    TRELLIS_SERVICE    = data.trellis_service.checkout.name
    TRELLIS_JOIN_TOKEN = trellis_join_token.checkout_v2.token
  }
}

output "checkout_port" {
  value = data.trellis_service.checkout.port
}
