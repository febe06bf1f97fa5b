variable "name" {
  description = "Name of the control plane's Kubernetes objects."
  type        = string
  default     = "trellis"
}

variable "namespace" {
  description = "Namespace the objects live in (created by the caller)."
  type        = string
  default     = "trellis"
}

variable "image" {
  description = "The control plane image (control-plane-image/target/trellis-control-plane-image.tar pushed to your registry), best by digest."
  type        = string
}

variable "replicas" {
  description = "Control plane replicas; the HorizontalPodAutoscaler's minimum. Two or more, so a replica can be lost or drained."
  type        = number
  default     = 3
  validation {
    condition     = var.replicas >= 2 && floor(var.replicas) == var.replicas
    error_message = "replicas must be a whole number of at least 2: one replica cannot be drained without an outage."
  }
}

variable "max_replicas" {
  description = "The HorizontalPodAutoscaler's maximum."
  type        = number
  default     = 10
  validation {
    condition     = var.max_replicas >= var.replicas
    error_message = "max_replicas must be at least replicas."
  }
}

variable "cpu_target_percent" {
  description = "Average CPU utilisation (of the request) the HorizontalPodAutoscaler keeps."
  type        = number
  default     = 70
}

variable "resources" {
  description = "Requests and limits of a control plane container (docs/operations.md, Sizing)."
  type = object({
    cpu_request    = string
    memory_request = string
    memory_limit   = string
  })
  default = {
    cpu_request    = "1"
    memory_request = "1Gi"
    memory_limit   = "1Gi"
  }
}

variable "database" {
  description = "The PostgreSQL every replica shares. The application connects as app_user (row-level security binds it); Flyway migrates as migration_user, the owner."
  type = object({
    jdbc_url       = string
    app_user       = optional(string, "trellis_app")
    migration_user = string
  })
  validation {
    condition     = startswith(var.database.jdbc_url, "jdbc:postgresql://")
    error_message = "database.jdbc_url must be a jdbc:postgresql:// URL."
  }
}

variable "secret_store" {
  description = "Where the secrets come from: an External Secrets Operator (Cluster)SecretStore and the remote key (and JSON property) of each secret."
  type = object({
    name             = string
    kind             = optional(string, "ClusterSecretStore")
    refresh_interval = optional(string, "1h")
    master_key = object({
      key      = string
      property = optional(string)
    })
    operator_key = object({
      key      = string
      property = optional(string)
    })
    app_password = object({
      key      = string
      property = optional(string)
    })
    migration_password = object({
      key      = string
      property = optional(string)
    })
    # Set during a master key rotation (docs/operations.md, "Key rotation"): keys that still open, comma-separated.
    master_keys_previous = optional(object({
      key      = string
      property = optional(string)
    }))
  })
  validation {
    condition     = contains(["SecretStore", "ClusterSecretStore"], var.secret_store.kind)
    error_message = "secret_store.kind must be SecretStore or ClusterSecretStore."
  }
}

variable "oidc_issuer_uri" {
  description = "An external OIDC issuer (tokens for people); ignored when keycloak is set, whose realm is the issuer."
  type        = string
  default     = null
}

variable "aws_target_group_arn" {
  description = "When set, a TargetGroupBinding registers the replicas' pod IPs in this AWS target group (the AWS Load Balancer Controller must run in the cluster)."
  type        = string
  default     = null
}

variable "keycloak" {
  description = "Deploy Keycloak beside the control plane as its identity provider (null: none, or an external one through oidc_issuer_uri)."
  type = object({
    image    = string
    hostname = string
    realm    = optional(string, "trellis")
    replicas = optional(number, 2)
    database = object({
      jdbc_url = string
      user     = string
    })
    secrets = object({
      database_password = object({
        key      = string
        property = optional(string)
      })
      admin_password = object({
        key      = string
        property = optional(string)
      })
    })
  })
  default = null
}
