resource "trellis_service" "web" {
  mesh = trellis_mesh.shop.name
  name = "web"
  port = 3000
}

resource "trellis_policy" "web_to_echo" {
  mesh           = trellis_mesh.shop.name
  name           = "web-to-echo"
  kind           = "ACCESS"
  target_service = trellis_service.echo.name
  spec = jsonencode({
    allow = [{ from = { service = trellis_service.web.name }, methods = ["GET"] }]
  })
}

resource "trellis_policy" "echo_rate_limit" {
  mesh           = trellis_mesh.shop.name
  name           = "echo-rate-limit"
  kind           = "RATE_LIMIT"
  target_service = trellis_service.echo.name
  target_route   = trellis_route.echo_canary.name
  spec           = jsonencode({ requestsPerSecond = 100, burst = 20 })
}
