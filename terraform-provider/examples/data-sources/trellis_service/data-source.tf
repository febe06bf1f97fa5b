data "trellis_service" "echo" {
  mesh = "shop"
  name = "echo"
}

output "echo_versions" {
  value = [for v in jsondecode(data.trellis_service.echo.document).versions : v.name]
}
