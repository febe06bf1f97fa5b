resource "trellis_route" "echo_canary" {
  mesh    = trellis_mesh.shop.name
  name    = "echo-canary"
  service = trellis_service.echo.name

  # rules are tried in order; the first that matches takes the request
  rule {
    match {
      path_prefix = "/"
      methods     = ["GET"]
      header {
        name  = "x-canary"
        exact = "1"
      }
    }
    backend {
      service = "echo"
      version = "v2"
      weight  = 100
    }
  }

  rule {
    backend {
      service = "echo"
      version = "v1"
      weight  = 90
    }
    backend {
      service = "echo"
      version = "v2"
      weight  = 10
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
