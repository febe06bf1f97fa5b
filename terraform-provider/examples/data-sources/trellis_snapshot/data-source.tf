data "trellis_snapshot" "echo" {
  mesh    = "shop"
  service = "echo"
}

# a proxy can start from this file alone: TRELLIS_SNAPSHOT_FILE=echo.snapshot.json
resource "local_file" "echo_snapshot" {
  filename = "${path.module}/echo.snapshot.json"
  content  = data.trellis_snapshot.echo.content
}
