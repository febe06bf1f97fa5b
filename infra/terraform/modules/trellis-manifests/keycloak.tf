# The Keycloak deployment option: Keycloak as the control plane's OIDC issuer, clustered over a
# headless Service (its caches find each other by DNS), its database and admin password from the
# same secret store as the control plane's secrets.

locals {
  kc_name     = "${var.name}-keycloak"
  kc_secret   = "${var.name}-keycloak-secrets"
  kc_labels   = { "app.kubernetes.io/name" = local.kc_name, "app.kubernetes.io/component" = "identity", "app.kubernetes.io/part-of" = "trellis" }
  kc_selector = { "app.kubernetes.io/name" = local.kc_name, "app.kubernetes.io/component" = "identity" }

  keycloak = var.keycloak == null ? {} : { for key, object in {
    keycloak_external_secret = {
      apiVersion = "external-secrets.io/v1"
      kind       = "ExternalSecret"
      metadata   = { name = local.kc_secret, namespace = var.namespace, labels = local.kc_labels }
      spec = {
        refreshInterval = var.secret_store.refresh_interval
        secretStoreRef  = { name = var.secret_store.name, kind = var.secret_store.kind }
        target          = { name = local.kc_secret, creationPolicy = "Owner" }
        data = [for key, ref in { "database-password" = var.keycloak.secrets.database_password, "admin-password" = var.keycloak.secrets.admin_password } : {
          secretKey = key
          remoteRef = merge({ key = ref.key }, ref.property == null ? {} : { property = ref.property })
        }]
      }
    }

    keycloak_deployment = {
      apiVersion = "apps/v1"
      kind       = "Deployment"
      metadata   = { name = local.kc_name, namespace = var.namespace, labels = local.kc_labels }
      spec = {
        replicas = var.keycloak.replicas
        selector = { matchLabels = local.kc_selector }
        strategy = { type = "RollingUpdate", rollingUpdate = { maxUnavailable = 0, maxSurge = 1 } }
        template = {
          metadata = { labels = local.kc_labels }
          spec = {
            automountServiceAccountToken = false
            securityContext              = { runAsNonRoot = true, seccompProfile = { type = "RuntimeDefault" } }
            containers = [{
              name  = "keycloak"
              image = var.keycloak.image
              args  = ["start"]
              ports = [
                { name = "http", containerPort = 8080, protocol = "TCP" },
                { name = "management", containerPort = 9000, protocol = "TCP" },
                { name = "jgroups", containerPort = 7800, protocol = "TCP" },
              ]
              env = [
                { name = "KC_DB", value = "postgres" },
                { name = "KC_DB_URL", value = var.keycloak.database.jdbc_url },
                { name = "KC_DB_USERNAME", value = var.keycloak.database.user },
                { name = "KC_DB_PASSWORD", valueFrom = { secretKeyRef = { name = local.kc_secret, key = "database-password" } } },
                { name = "KC_BOOTSTRAP_ADMIN_USERNAME", value = "admin" },
                { name = "KC_BOOTSTRAP_ADMIN_PASSWORD", valueFrom = { secretKeyRef = { name = local.kc_secret, key = "admin-password" } } },
                { name = "KC_HOSTNAME", value = "https://${var.keycloak.hostname}" },
                { name = "KC_HTTP_ENABLED", value = "true" },
                { name = "KC_PROXY_HEADERS", value = "xforwarded" },
                { name = "KC_HEALTH_ENABLED", value = "true" },
                { name = "KC_CACHE", value = "ispn" },
                { name = "KC_CACHE_STACK", value = "kubernetes" },
                { name = "JAVA_OPTS_APPEND", value = "-Djgroups.dns.query=${local.kc_name}-peers.${var.namespace}.svc.cluster.local" },
              ]
              resources      = { requests = { cpu = "500m", memory = "1Gi" }, limits = { memory = "1536Mi" } }
              startupProbe   = { httpGet = { path = "/health/started", port = "management" }, periodSeconds = 5, failureThreshold = 60 }
              readinessProbe = { httpGet = { path = "/health/ready", port = "management" }, periodSeconds = 10 }
              livenessProbe  = { httpGet = { path = "/health/live", port = "management" }, periodSeconds = 10, failureThreshold = 3 }
              securityContext = {
                allowPrivilegeEscalation = false
                capabilities             = { drop = ["ALL"] }
              }
            }]
          }
        }
      }
    }

    keycloak_service = {
      apiVersion = "v1"
      kind       = "Service"
      metadata   = { name = local.kc_name, namespace = var.namespace, labels = local.kc_labels }
      spec = {
        type     = "ClusterIP"
        selector = local.kc_selector
        ports    = [{ name = "http", port = 80, targetPort = "http", protocol = "TCP" }]
      }
    }

    keycloak_peers = {
      apiVersion = "v1"
      kind       = "Service"
      metadata   = { name = "${local.kc_name}-peers", namespace = var.namespace, labels = local.kc_labels }
      spec = {
        clusterIP                = "None"
        publishNotReadyAddresses = true
        selector                 = local.kc_selector
        ports                    = [{ name = "jgroups", port = 7800, targetPort = "jgroups", protocol = "TCP" }]
      }
    }

    keycloak_pod_disruption_budget = {
      apiVersion = "policy/v1"
      kind       = "PodDisruptionBudget"
      metadata   = { name = local.kc_name, namespace = var.namespace, labels = local.kc_labels }
      spec       = { maxUnavailable = 1, selector = { matchLabels = local.kc_selector } }
    }
  } : key => jsonencode(object) }
}
