# The Kubernetes objects of a Trellis control plane, as data: no provider, so the same objects are
# applied by ../kubernetes and rendered by ../../render (and checked by infra's TerraformManifestsIT).

terraform {
  required_version = ">= 1.9"
}

locals {
  labels   = { "app.kubernetes.io/name" = var.name, "app.kubernetes.io/component" = "control-plane", "app.kubernetes.io/part-of" = "trellis" }
  selector = { "app.kubernetes.io/name" = var.name, "app.kubernetes.io/component" = "control-plane" }
  secret   = "${var.name}-secrets"
  issuer   = var.keycloak != null ? "https://${var.keycloak.hostname}/realms/${var.keycloak.realm}" : var.oidc_issuer_uri

  # Secret keys in the Kubernetes Secret the External Secrets Operator writes, and where each comes from.
  control_plane_secrets = merge({
    "master-key"         = var.secret_store.master_key
    "operator-key"       = var.secret_store.operator_key
    "app-password"       = var.secret_store.app_password
    "migration-password" = var.secret_store.migration_password
  }, var.secret_store.master_keys_previous == null ? {} : { "master-keys-previous" = var.secret_store.master_keys_previous })

  from_secret = { for env, key in merge({
    TRELLIS_MASTER_KEY         = "master-key"
    TRELLIS_OPERATOR_KEY       = "operator-key"
    SPRING_DATASOURCE_PASSWORD = "app-password"
    SPRING_FLYWAY_PASSWORD     = "migration-password"
    }, var.secret_store.master_keys_previous == null ? {} : { TRELLIS_MASTER_KEYS_PREVIOUS = "master-keys-previous" }) :
    env => { name = env, valueFrom = { secretKeyRef = { name = local.secret, key = key } } }
  }

  plain_env = merge({
    SPRING_DATASOURCE_URL      = var.database.jdbc_url
    SPRING_DATASOURCE_USERNAME = var.database.app_user
    SPRING_FLYWAY_USER         = var.database.migration_user
    SERVER_PORT                = "8080"
    TRELLIS_HOME               = "/var/lib/trellis"
    # Held long polls are answered before the process exits (see terminationGracePeriodSeconds).
    SERVER_SHUTDOWN                             = "graceful"
    SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE = "30s"
  }, local.issuer == null ? {} : { TRELLIS_OIDC_ISSUER_URI = local.issuer })

  control_plane = {
    service_account = {
      apiVersion = "v1"
      kind       = "ServiceAccount"
      metadata   = { name = var.name, namespace = var.namespace, labels = local.labels }
      # The control plane calls no Kubernetes API.
      automountServiceAccountToken = false
    }

    external_secret = {
      apiVersion = "external-secrets.io/v1"
      kind       = "ExternalSecret"
      metadata   = { name = local.secret, namespace = var.namespace, labels = local.labels }
      spec = {
        refreshInterval = var.secret_store.refresh_interval
        secretStoreRef  = { name = var.secret_store.name, kind = var.secret_store.kind }
        target          = { name = local.secret, creationPolicy = "Owner" }
        data = [for key, ref in local.control_plane_secrets : {
          secretKey = key
          remoteRef = merge({ key = ref.key }, ref.property == null ? {} : { property = ref.property })
        }]
      }
    }

    deployment = {
      apiVersion = "apps/v1"
      kind       = "Deployment"
      metadata   = { name = var.name, namespace = var.namespace, labels = local.labels }
      spec = {
        replicas = var.replicas
        selector = { matchLabels = local.selector }
        # One replica at a time, never below the desired count: the rolling upgrade of docs/operations.md.
        strategy = { type = "RollingUpdate", rollingUpdate = { maxUnavailable = 0, maxSurge = 1 } }
        template = {
          metadata = { labels = local.labels }
          spec = {
            serviceAccountName            = var.name
            automountServiceAccountToken  = false
            terminationGracePeriodSeconds = 45
            securityContext = {
              runAsNonRoot   = true
              runAsUser      = 10001
              runAsGroup     = 10001
              fsGroup        = 10001
              seccompProfile = { type = "RuntimeDefault" }
            }
            topologySpreadConstraints = [for key in ["topology.kubernetes.io/zone", "kubernetes.io/hostname"] : {
              maxSkew           = 1
              topologyKey       = key
              whenUnsatisfiable = key == "kubernetes.io/hostname" ? "DoNotSchedule" : "ScheduleAnyway"
              labelSelector     = { matchLabels = local.selector }
            }]
            containers = [{
              name            = "control-plane"
              image           = var.image
              imagePullPolicy = "IfNotPresent"
              ports           = [{ name = "http", containerPort = 8080, protocol = "TCP" }]
              env = concat(
                [for key in sort(keys(local.plain_env)) : { name = key, value = local.plain_env[key] }],
                [for key in sort(keys(local.from_secret)) : local.from_secret[key]]
              )
              resources = {
                requests = { cpu = var.resources.cpu_request, memory = var.resources.memory_request }
                limits   = { memory = var.resources.memory_limit }
              }
              # The control plane's health endpoints (docs/replicas.md): ready = database reachable and
              # migrations applied; live = the process answers.
              startupProbe   = { httpGet = { path = "/livez", port = "http" }, periodSeconds = 2, failureThreshold = 90 }
              readinessProbe = { httpGet = { path = "/readyz", port = "http" }, periodSeconds = 5, failureThreshold = 2, timeoutSeconds = 2 }
              livenessProbe  = { httpGet = { path = "/livez", port = "http" }, periodSeconds = 10, failureThreshold = 3, timeoutSeconds = 2 }
              # The image has no shell: the kubelet sleeps, so endpoints drop the pod before SIGTERM.
              lifecycle = { preStop = { sleep = { seconds = 5 } } }
              securityContext = {
                allowPrivilegeEscalation = false
                readOnlyRootFilesystem   = true
                capabilities             = { drop = ["ALL"] }
              }
              volumeMounts = [
                { name = "home", mountPath = "/var/lib/trellis" },
                { name = "tmp", mountPath = "/tmp" },
              ]
            }]
            # Replicas keep nothing locally: TRELLIS_HOME only holds what the database does not (nothing, with
            # every secret given), so an emptyDir is enough.
            volumes = [
              { name = "home", emptyDir = { sizeLimit = "64Mi" } },
              { name = "tmp", emptyDir = { sizeLimit = "256Mi" } },
            ]
          }
        }
      }
    }

    service = {
      apiVersion = "v1"
      kind       = "Service"
      metadata   = { name = var.name, namespace = var.namespace, labels = local.labels }
      spec = {
        type     = "ClusterIP"
        selector = local.selector
        ports    = [{ name = "http", port = 80, targetPort = "http", protocol = "TCP" }]
      }
    }

    pod_disruption_budget = {
      apiVersion = "policy/v1"
      kind       = "PodDisruptionBudget"
      metadata   = { name = var.name, namespace = var.namespace, labels = local.labels }
      spec = {
        maxUnavailable = 1
        selector       = { matchLabels = local.selector }
        # A replica that is not ready yet may be evicted: it serves nothing.
        unhealthyPodEvictionPolicy = "AlwaysAllow"
      }
    }

    horizontal_pod_autoscaler = {
      apiVersion = "autoscaling/v2"
      kind       = "HorizontalPodAutoscaler"
      metadata   = { name = var.name, namespace = var.namespace, labels = local.labels }
      spec = {
        scaleTargetRef = { apiVersion = "apps/v1", kind = "Deployment", name = var.name }
        minReplicas    = var.replicas
        maxReplicas    = var.max_replicas
        metrics = [{
          type     = "Resource"
          resource = { name = "cpu", target = { type = "Utilization", averageUtilization = var.cpu_target_percent } }
        }]
        # Long polls move when a replica goes: scale down slowly so proxies do not re-poll in waves.
        behavior = {
          scaleDown = { stabilizationWindowSeconds = 300, policies = [{ type = "Pods", value = 1, periodSeconds = 120 }] }
        }
      }
    }
  }

  # Encoded here already: a conditional needs one type on both sides.
  target_group_binding = var.aws_target_group_arn == null ? {} : {
    target_group_binding = jsonencode({
      apiVersion = "elbv2.k8s.aws/v1beta1"
      kind       = "TargetGroupBinding"
      metadata   = { name = var.name, namespace = var.namespace, labels = local.labels }
      spec = {
        serviceRef     = { name = var.name, port = 80 }
        targetGroupARN = var.aws_target_group_arn
        targetType     = "ip"
      }
    })
  }
}
