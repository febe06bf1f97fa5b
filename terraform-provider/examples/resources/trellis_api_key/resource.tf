resource "trellis_api_key" "ci" {
  name = "ci-pipeline"
  role = "editor"
}

output "ci_api_key" {
  value     = trellis_api_key.ci.key
  sensitive = true
}
