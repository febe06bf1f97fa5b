package dev.trellis.controlplane.injection;

/**
 * Why a pod was admitted without the proxy: {@code reason} is a stable word counted per injector,
 * {@code message} what the AdmissionReview warning tells the person who created the pod.
 */
record Skip(String reason, String message) {
    static final String OPTED_OUT = "opted-out";
    static final String HOST_NETWORK = "host-network";
    static final String ALREADY_INJECTED = "already-injected";
    static final String OTHER_MESH = "other-mesh";
    static final String NO_SERVICE_LABEL = "no-service-label";
    static final String UNKNOWN_SERVICE = "unknown-service";
    static final String UNKNOWN_VERSION = "unknown-version";
    static final String NOT_A_POD_CREATE = "not-a-pod-create";

    /** The warning as the API server shows it (kubectl prints it after "Warning:"). */
    String warning() {
        return "trellis: not injected (" + reason + "): " + message;
    }
}
