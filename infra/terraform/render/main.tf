# Renders the Kubernetes objects of modules/trellis-manifests without any provider, so they can be
# checked offline: `terraform init && terraform apply` (local state), then `terraform output -json manifests`.
# infra's TerraformManifestsIT does exactly that and parses every object with fabric8's Kubernetes model.

terraform {
  required_version = ">= 1.9"
}

variable "replicas" {
  type    = number
  default = 3
}

variable "max_replicas" {
  type    = number
  default = 10
}

variable "with_keycloak" {
  type    = bool
  default = false
}

variable "rotating_master_key" {
  type    = bool
  default = false
}

variable "aws_target_group_arn" {
  type    = string
  default = null
}

module "trellis" {
  source = "../modules/trellis-manifests"

  image        = "registry.example/trellis/control-plane:0.1.0"
  replicas     = var.replicas
  max_replicas = var.max_replicas
  database = {
    jdbc_url       = "jdbc:postgresql://trellis.example:5432/trellis?sslmode=verify-full"
    migration_user = "trellis_owner"
  }
  secret_store = {
    name                 = "aws-secrets-manager"
    master_key           = { key = "trellis/master-key" }
    operator_key         = { key = "trellis/operator-key" }
    app_password         = { key = "trellis/app-password" }
    migration_password   = { key = "rds!db-trellis", property = "password" }
    master_keys_previous = var.rotating_master_key ? { key = "trellis/master-keys-previous" } : null
  }
  aws_target_group_arn = var.aws_target_group_arn
  keycloak = !var.with_keycloak ? null : {
    image    = "registry.example/keycloak/keycloak:26.4"
    hostname = "id.trellis.example"
    database = { jdbc_url = "jdbc:postgresql://trellis.example:5432/keycloak", user = "keycloak" }
    secrets = {
      database_password = { key = "trellis/keycloak-database-password" }
      admin_password    = { key = "trellis/keycloak-admin-password" }
    }
  }
}

output "manifests" {
  value = module.trellis.manifests
}

output "oidc_issuer_uri" {
  value = module.trellis.oidc_issuer_uri
}
