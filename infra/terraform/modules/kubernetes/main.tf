# Applies the control plane's Kubernetes objects (the `manifests` output of modules/trellis-manifests)
# to a cluster. The cluster needs the External Secrets Operator (the secrets come from a secret
# store, never through Terraform state) and, for a TargetGroupBinding, the AWS Load Balancer Controller.

terraform {
  required_version = ">= 1.9"
  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.30"
    }
  }
}

variable "namespace" {
  description = "The namespace the manifests name."
  type        = string
}

variable "create_namespace" {
  description = "Create the namespace (false when it exists already)."
  type        = bool
  default     = true
}

variable "manifests" {
  description = "modules/trellis-manifests' `manifests` output: JSON documents by a stable key."
  type        = map(string)
}

resource "kubernetes_namespace_v1" "trellis" {
  count = var.create_namespace ? 1 : 0
  metadata {
    name   = var.namespace
    labels = { "app.kubernetes.io/part-of" = "trellis" }
  }
}

resource "kubernetes_manifest" "object" {
  for_each   = var.manifests
  manifest   = jsondecode(each.value)
  depends_on = [kubernetes_namespace_v1.trellis]

  # The HorizontalPodAutoscaler owns the replica count once it runs.
  computed_fields = ["metadata.labels", "metadata.annotations", "spec.replicas"]
}
