resource "trellis_mesh" "shop" {
  name = "shop"
  mtls = "STRICT"

  # optional: warn when retries across hops could multiply one request beyond this
  max_retry_amplification = 10
}
