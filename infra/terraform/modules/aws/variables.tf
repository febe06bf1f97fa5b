variable "name" {
  description = "Prefix of every AWS resource."
  type        = string
  default     = "trellis"
}

variable "vpc_id" {
  type = string
}

variable "database_subnet_ids" {
  description = "Private subnets in two or more availability zones."
  type        = list(string)
}

variable "public_subnet_ids" {
  description = "Subnets of the load balancer."
  type        = list(string)
}

variable "pod_security_group_id" {
  description = "The security group of the control plane's pods (EKS security groups for pods, or the nodes')."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the control plane's host name."
  type        = string
}

variable "allowed_cidrs" {
  description = "Who may reach the API (proxies, operators, Terraform)."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "postgres_major_version" {
  type    = string
  default = "17"
}

variable "database_instance_class" {
  description = "docs/operations.md, Sizing."
  type        = string
  default     = "db.m7g.large"
}

variable "database_storage_gb" {
  type    = number
  default = 50
}

variable "max_connections" {
  description = "At least replicas x (pool size + 2), plus Keycloak's pool when it shares the instance."
  type        = number
  default     = 400
}

variable "backup_retention_days" {
  type    = number
  default = 14
  validation {
    condition     = var.backup_retention_days >= 7
    error_message = "Keep at least 7 days of point-in-time recovery."
  }
}

variable "kms_key_id" {
  description = "KMS key of the Secrets Manager secrets (null: the account's default)."
  type        = string
  default     = null
}

variable "tags" {
  type    = map(string)
  default = {}
}
