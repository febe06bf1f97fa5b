# An API key for a CI pipeline that may change meshes but not manage people or keys.
# The key is shown once by the API; Terraform keeps it in its state as a sensitive value:
#   terraform output -raw ci_api_key

terraform {
  required_providers {
    trellis = {
      source = "trellis/trellis"
    }
  }
}

provider "trellis" {}

resource "trellis_api_key" "ci" {
  name = "ci-pipeline"
  role = "editor"
}

output "ci_api_key" {
  value     = trellis_api_key.ci.key
  sensitive = true
}
