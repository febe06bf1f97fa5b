resource "trellis_join_token" "echo_v1" {
  mesh    = trellis_mesh.shop.name
  service = trellis_service.echo.name
  version = "v1"
  ttl     = "10m"
}

# e.g. as TRELLIS_JOIN_TOKEN of the proxy container in an ECS task definition
output "echo_join_token" {
  value     = trellis_join_token.echo_v1.token
  sensitive = true
}
