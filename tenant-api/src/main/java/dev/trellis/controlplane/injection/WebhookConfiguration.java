package dev.trellis.controlplane.injection;

/**
 * The {@code MutatingWebhookConfiguration} a tenant applies with {@code kubectl apply -f}: two
 * webhooks on one URL, one for namespaces labelled {@code trellis.dev/inject=enabled} (a pod's
 * {@code disabled} wins), one for pods labelled {@code enabled} in namespaces without the label;
 * {@code kube-system} is never matched. Written as text: its shape is fixed and every value is quoted.
 */
final class WebhookConfiguration {
    private WebhookConfiguration() {
    }

    static String yaml(String mesh, String injector, InjectorSpec spec, String url, int timeoutSeconds) {
        String name = "trellis-" + mesh + "-" + injector;
        return """
                # Trellis injector %2$s of mesh %1$s. The URL carries the injector's secret: keep this file private.
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata:
                  name: %3$s
                  labels:
                    app.kubernetes.io/managed-by: trellis
                    trellis.dev/mesh: "%1$s"
                    trellis.dev/injector: "%2$s"
                webhooks:
                %4$s%5$s""".formatted(mesh, injector, name,
                webhook("namespace." + injector + "." + mesh + ".inject.trellis.dev", spec, url, timeoutSeconds,
                        "In", "enabled", "NotIn", "disabled"),
                webhook("pod." + injector + "." + mesh + ".inject.trellis.dev", spec, url, timeoutSeconds,
                        "DoesNotExist", null, "In", "enabled"));
    }

    private static String webhook(String name, InjectorSpec spec, String url, int timeoutSeconds,
                                  String namespaceOperator, String namespaceValue, String podOperator, String podValue) {
        String namespaceValues = namespaceValue == null ? "" : ", values: [\"" + namespaceValue + "\"]";
        return """
                  - name: "%s"
                    admissionReviewVersions: ["v1"]
                    clientConfig:
                      url: "%s"
                    rules:
                      - operations: ["CREATE"]
                        apiGroups: [""]
                        apiVersions: ["v1"]
                        resources: ["pods"]
                        scope: "Namespaced"
                    namespaceSelector:
                      matchExpressions:
                        - {key: "trellis.dev/inject", operator: "%s"%s}
                        - {key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"]}
                    objectSelector:
                      matchExpressions:
                        - {key: "trellis.dev/inject", operator: "%s", values: ["%s"]}
                    matchPolicy: Equivalent
                    sideEffects: NoneOnDryRun
                    timeoutSeconds: %d
                    failurePolicy: %s
                    reinvocationPolicy: IfNeeded
                """.formatted(name, url, namespaceOperator, namespaceValues, podOperator, podValue, timeoutSeconds,
                spec.failurePolicy());
    }
}
