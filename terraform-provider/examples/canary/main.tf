# A canary release of "checkout": 90% of the traffic to v1, 10% to v2, with retries,
# a circuit breaker and an access policy that lets only "frontend" call it.
#
#   export TRELLIS_ENDPOINT=http://localhost:8080 TRELLIS_API_KEY=trk_...
#   terraform apply
#
# Move the canary forward by changing canary_weight (e.g. -var canary_weight=50).

terraform {
  required_providers {
    trellis = {
      source = "trellis/trellis"
    }
  }
}

provider "trellis" {
  # endpoint and api_key come from TRELLIS_ENDPOINT and TRELLIS_API_KEY
}

variable "mesh" {
  type    = string
  default = "shop"
}

variable "canary_weight" {
  description = "Share of checkout traffic (percent) sent to the v2 canary."
  type        = number
  default     = 10
}

resource "trellis_mesh" "shop" {
  name = var.mesh
  mtls = "STRICT"
}

resource "trellis_service" "checkout" {
  mesh          = trellis_mesh.shop.name
  name          = "checkout"
  protocol      = "http"
  port          = 8080
  load_balancer = "EWMA"

  version {
    name = "v1"
  }
  version {
    name = "v2"
  }
}

resource "trellis_service" "frontend" {
  mesh                = trellis_mesh.shop.name
  name                = "frontend"
  port                = 3000
  depends_on_services = [trellis_service.checkout.name]
}

resource "trellis_route" "checkout_canary" {
  mesh    = trellis_mesh.shop.name
  name    = "checkout-canary"
  service = trellis_service.checkout.name

  rule {
    match {
      path_prefix = "/"
    }
    backend {
      service = trellis_service.checkout.name
      version = "v1"
      weight  = 100 - var.canary_weight
    }
    backend {
      service = trellis_service.checkout.name
      version = "v2"
      weight  = var.canary_weight
    }
    timeout = "2s"
    retry {
      attempts        = 3
      per_try_timeout = "500ms"
      retry_on        = ["5xx", "reset"]
      budget_percent  = 20
    }
  }
}

resource "trellis_policy" "frontend_to_checkout" {
  mesh           = trellis_mesh.shop.name
  name           = "frontend-to-checkout"
  kind           = "ACCESS"
  target_service = trellis_service.checkout.name
  spec = jsonencode({
    allow = [{ from = { service = trellis_service.frontend.name }, methods = ["GET", "POST"] }]
  })
}

resource "trellis_policy" "checkout_breaker" {
  mesh           = trellis_mesh.shop.name
  name           = "checkout-breaker"
  kind           = "CIRCUIT_BREAKER"
  target_service = trellis_service.checkout.name
  spec = jsonencode({
    failureRatePercent = 50
    openDuration       = "30s"
  })
}

# What frontend's proxies receive, compiled by Trellis (read once the route is in place).
data "trellis_snapshot" "frontend" {
  mesh       = trellis_mesh.shop.name
  service    = trellis_service.frontend.name
  depends_on = [trellis_route.checkout_canary, trellis_policy.frontend_to_checkout, trellis_policy.checkout_breaker]
}

output "frontend_snapshot_version" {
  value = data.trellis_snapshot.frontend.version
}

# The checkout containers of an ECS task definition with the Trellis proxy added (pass these to
# aws_ecs_task_definition's container_definitions and proxy_configuration).
data "trellis_ecs_task_definition" "checkout" {
  mesh                  = trellis_mesh.shop.name
  service               = trellis_service.checkout.name
  credential_secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:trellis/shop/checkout-AbCdEf"
  app_container_definitions = jsonencode([{
    name         = "checkout"
    image        = "example/checkout:1.0"
    essential    = true
    portMappings = [{ containerPort = 8080, protocol = "tcp" }]
  }])
}

output "checkout_task_containers" {
  value = data.trellis_ecs_task_definition.checkout.container_definitions
}

output "checkout_task_proxy_properties" {
  value = data.trellis_ecs_task_definition.checkout.proxy_properties
}
