# Trellis on an existing EKS cluster with the managed pieces on AWS: RDS PostgreSQL, an ALB, Secrets
# Manager. The cluster must run the External Secrets Operator with a ClusterSecretStore named
# `aws-secrets-manager`, and the AWS Load Balancer Controller (for the TargetGroupBinding).

terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.30"
    }
  }
}

variable "region" {
  type = string
}

variable "image" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "database_subnet_ids" {
  type = list(string)
}

variable "public_subnet_ids" {
  type = list(string)
}

variable "pod_security_group_id" {
  type = string
}

variable "certificate_arn" {
  type = string
}

variable "replicas" {
  type    = number
  default = 3
}

variable "keycloak_image" {
  description = "Set to deploy Keycloak (its database is a second database on the same RDS instance)."
  type        = string
  default     = null
}

variable "keycloak_hostname" {
  type    = string
  default = null
}

provider "aws" {
  region = var.region
}

# Point the kubernetes provider at the cluster (e.g. KUBE_CONFIG_PATH, or an EKS data source).
provider "kubernetes" {}

module "aws" {
  source                = "../../modules/aws"
  vpc_id                = var.vpc_id
  database_subnet_ids   = var.database_subnet_ids
  public_subnet_ids     = var.public_subnet_ids
  pod_security_group_id = var.pod_security_group_id
  certificate_arn       = var.certificate_arn
}

module "manifests" {
  source   = "../../modules/trellis-manifests"
  image    = var.image
  replicas = var.replicas
  database = {
    jdbc_url       = module.aws.jdbc_url
    migration_user = module.aws.migration_user
  }
  secret_store = {
    name               = "aws-secrets-manager"
    master_key         = { key = module.aws.secret_names["master-key"] }
    operator_key       = { key = module.aws.secret_names["operator-key"] }
    app_password       = { key = module.aws.secret_names["app-password"] }
    migration_password = { key = module.aws.owner_secret_arn, property = "password" }
  }
  aws_target_group_arn = module.aws.target_group_arn
  keycloak = var.keycloak_image == null ? null : {
    image    = var.keycloak_image
    hostname = var.keycloak_hostname
    database = { jdbc_url = replace(module.aws.jdbc_url, "/trellis?", "/keycloak?"), user = "keycloak" }
    secrets = {
      database_password = { key = "trellis/keycloak-database-password" }
      admin_password    = { key = "trellis/keycloak-admin-password" }
    }
  }
}

module "kubernetes" {
  source    = "../../modules/kubernetes"
  namespace = "trellis"
  manifests = module.manifests.manifests
}

output "load_balancer_dns_name" {
  value = module.aws.load_balancer_dns_name
}
