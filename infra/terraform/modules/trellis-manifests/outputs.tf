output "manifests" {
  description = "Every Kubernetes object of this deployment, by a stable key, each as a JSON document."
  value = merge(
    { for key, object in local.control_plane : key => jsonencode(object) },
    local.target_group_binding,
    local.keycloak,
  )
}

output "service" {
  description = "The control plane's in-cluster address."
  value       = "http://${var.name}.${var.namespace}.svc.cluster.local"
}

output "oidc_issuer_uri" {
  description = "The issuer the control plane trusts (Keycloak's realm when Keycloak is deployed)."
  value       = local.issuer
}
