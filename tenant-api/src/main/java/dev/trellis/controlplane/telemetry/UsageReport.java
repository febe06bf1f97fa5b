package dev.trellis.controlplane.telemetry;

import dev.trellis.compiler.snapshot.GrpcStatus;
import dev.trellis.controlplane.web.ApiViolation;
import dev.trellis.controlplane.web.InvalidRequest;
import tools.jackson.databind.JsonNode;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * One proxy's usage report, read and checked whole: every violation is listed with its path
 * ({@code routes[3].requests.6xx}). The contract is in {@code openapi/trellis.yaml}
 * ({@code UsageReport}) and {@code docs/telemetry.md}.
 */
record UsageReport(String proxyId, long sequence, Instant windowStart, Instant windowEnd, double uptimeSeconds,
                   String snapshotVersion, long droppedReports, long connectionsOpened, long connectionsActive,
                   List<RouteUsage> routes) {
    /** Most route rows one report may carry. */
    static final int MAX_ROUTES = 2000;
    /** Longest window one report may cover (a shutdown report after a long outage is split by the proxy's backlog). */
    static final Duration MAX_WINDOW = Duration.ofHours(1);
    /** How far ahead of this replica's clock a window may end. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    static final int MAX_NAME = 512;
    static final List<String> CLASSES = List.of("1xx", "2xx", "3xx", "4xx", "5xx");
    /** gRPC status names by code (0–16), as a report's {@code grpc} counts name them. */
    static final List<String> GRPC_CODES = GrpcStatus.NAMES;

    /**
     * One row: {@code caller} is "" when the caller is unknown or the row is outbound. The latency is
     * kept encoded (checked, and plain: {@link Latency#checked}; a few hundred bytes) until its bucket is
     * written: decoded, a histogram takes some 15 KB, and reports wait in {@code usage_pending} for their fold. {@code grpcByCode} counts gRPC
     * calls answered below HTTP 500 by grpc-status code (null when the row carried none).
     */
    record RouteUsage(String direction, String rule, String upstream, String caller, long[] requestsByClass,
                      long bytesIn, long bytesOut, long retries, long breakerRejections, byte[] latency, long[] grpcByCode) {
        long requests() {
            long total = 0;
            for (long n : requestsByClass) total += n;
            return total;
        }

        /** The route's name: a rule id is {@code <route>/<index>}, or {@code <service>/default}. */
        String route() {
            int slash = rule.lastIndexOf('/');
            return slash < 0 ? rule : rule.substring(0, slash);
        }
    }

    long requests() {
        return routes.stream().mapToLong(RouteUsage::requests).sum();
    }

    long bytesIn() {
        return routes.stream().mapToLong(RouteUsage::bytesIn).sum();
    }

    long bytesOut() {
        return routes.stream().mapToLong(RouteUsage::bytesOut).sum();
    }

    private static final Set<String> FIELDS = Set.of("proxyId", "sequence", "windowStart", "windowEnd", "uptimeSeconds",
            "snapshotVersion", "droppedReports", "connections", "routes");
    private static final Set<String> ROUTE_FIELDS = Set.of("direction", "rule", "upstream", "caller", "requests", "bytesIn",
            "bytesOut", "retries", "breakerRejections", "latencyMicros", "grpc");
    private static final Set<String> CONNECTION_FIELDS = Set.of("inboundOpened", "outboundOpened", "inboundActive", "outboundActive");

    /** @throws InvalidRequest listing every violation */
    static UsageReport read(JsonNode document, String authenticatedProxyId, Instant now) {
        Reader in = new Reader();
        in.unknown(document, FIELDS, "");
        String proxyId = in.optionalText(document, "proxyId");
        if (proxyId != null && !proxyId.equals(authenticatedProxyId)) in.violation("proxyId", "is not the proxy this token belongs to");
        long sequence = in.count(document, "sequence", true);
        Instant start = in.instant(document, "windowStart");
        Instant end = in.instant(document, "windowEnd");
        if (start != null && end != null) {
            if (end.isBefore(start)) in.violation("windowEnd", "must not be before windowStart");
            else if (Duration.between(start, end).compareTo(MAX_WINDOW) > 0) in.violation("windowEnd", "a window may last at most 1h");
            if (end.isAfter(now.plus(MAX_CLOCK_SKEW))) in.violation("windowEnd", "must not be more than 5m in the future");
        }
        double uptime = 0;
        JsonNode uptimeNode = document.get("uptimeSeconds");
        if (uptimeNode == null || !uptimeNode.isNumber() || uptimeNode.asDouble() < 0) in.violation("uptimeSeconds", "must be a number >= 0");
        else uptime = uptimeNode.asDouble();
        String version = in.optionalText(document, "snapshotVersion");
        long dropped = document.has("droppedReports") ? in.count(document, "droppedReports", false) : 0;
        long opened = 0;
        long active = 0;
        JsonNode connections = document.get("connections");
        if (connections != null && !connections.isNull()) {
            if (!connections.isObject()) {
                in.violation("connections", "must be an object");
            } else {
                in.unknown(connections, CONNECTION_FIELDS, "connections.");
                for (String name : CONNECTION_FIELDS) {
                    if (!connections.has(name)) continue;
                    long n = in.count(connections, name, false, "connections." + name);
                    if (name.endsWith("Opened")) opened += n;
                    else active += n;
                }
            }
        }
        List<RouteUsage> routes = new ArrayList<>();
        JsonNode rows = document.get("routes");
        if (rows == null || !rows.isArray()) {
            in.violation("routes", "must be an array (empty when nothing was served)");
        } else if (rows.size() > MAX_ROUTES) {
            in.violation("routes", "at most " + MAX_ROUTES + " rows per report");
        } else {
            for (int i = 0; i < rows.size(); i++) {
                RouteUsage row = route(rows.get(i), "routes[" + i + "]", in);
                if (row != null) routes.add(row);
            }
        }
        if (!in.violations.isEmpty()) throw new InvalidRequest(in.violations);
        return new UsageReport(authenticatedProxyId, sequence, start, end, uptime, version, dropped, opened, active, List.copyOf(routes));
    }

    private static RouteUsage route(JsonNode row, String path, Reader in) {
        if (!row.isObject()) {
            in.violation(path, "must be an object");
            return null;
        }
        int before = in.violations.size();
        in.unknown(row, ROUTE_FIELDS, path + ".");
        String direction = in.name(row, "direction", path, true);
        if (direction != null && !direction.equals("inbound") && !direction.equals("outbound")) {
            in.violation(path + ".direction", "must be \"inbound\" or \"outbound\"");
        }
        String rule = in.name(row, "rule", path, true);
        String upstream = in.name(row, "upstream", path, true);
        String caller = in.name(row, "caller", path, false);
        long[] byClass = new long[CLASSES.size()];
        JsonNode requests = row.get("requests");
        if (requests == null || !requests.isObject()) {
            in.violation(path + ".requests", "must be an object of status class to count");
        } else {
            for (String name : requests.propertyNames()) {
                int index = CLASSES.indexOf(name);
                if (index < 0) in.violation(path + ".requests." + name, "must be one of " + String.join(", ", CLASSES));
                else byClass[index] = in.count(requests, name, true, path + ".requests." + name);
            }
        }
        long[] grpc = null;
        JsonNode calls = row.get("grpc");
        if (calls != null) {
            if (!calls.isObject()) {
                in.violation(path + ".grpc", "must be an object of gRPC status name to count");
            } else {
                grpc = new long[GRPC_CODES.size()];
                for (String name : calls.propertyNames()) {
                    int code = GRPC_CODES.indexOf(name);
                    if (code < 0) in.violation(path + ".grpc." + name, "must be a gRPC status name (OK, CANCELLED, … UNAUTHENTICATED)");
                    else grpc[code] = in.count(calls, name, true, path + ".grpc." + name);
                }
            }
        }
        long bytesIn = in.count(row, "bytesIn", true, path + ".bytesIn");
        long bytesOut = in.count(row, "bytesOut", true, path + ".bytesOut");
        long retries = row.has("retries") ? in.count(row, "retries", false, path + ".retries") : 0;
        long rejections = row.has("breakerRejections") ? in.count(row, "breakerRejections", false, path + ".breakerRejections") : 0;
        byte[] latency = null;
        JsonNode encoded = row.get("latencyMicros");
        if (encoded == null || !encoded.isString()) {
            in.violation(path + ".latencyMicros", "is required: an HdrHistogram of microseconds (V2 encoding, compressed or not), base64");
        } else {
            try {
                latency = Latency.checked(Base64.getDecoder().decode(encoded.asString()));
            } catch (IllegalArgumentException e) {
                latency = null;
            }
            if (latency == null) in.violation(path + ".latencyMicros", "is not an HdrHistogram (V2 encoding, compressed or not) in base64");
        }
        if (in.violations.size() > before) return null;
        return new RouteUsage(direction, rule, upstream, caller == null ? "" : caller, byClass, bytesIn, bytesOut, retries,
                rejections, latency, grpc);
    }

    /** Collects violations while reading. */
    private static final class Reader {
        final List<ApiViolation> violations = new ArrayList<>();

        void violation(String field, String message) {
            violations.add(ApiViolation.at(field, message));
        }

        void unknown(JsonNode node, Set<String> allowed, String prefix) {
            for (String field : node.propertyNames()) if (!allowed.contains(field)) violation(prefix + field, "unknown field");
        }

        String optionalText(JsonNode node, String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) return null;
            if (!value.isString() || value.asString().length() > MAX_NAME) {
                violation(field, "must be a string of at most " + MAX_NAME + " characters");
                return null;
            }
            return value.asString();
        }

        String name(JsonNode node, String field, String path, boolean required) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                if (required) violation(path + "." + field, "is required");
                return null;
            }
            if (!value.isString() || value.asString().isEmpty() || value.asString().length() > MAX_NAME) {
                violation(path + "." + field, "must be a non-empty string of at most " + MAX_NAME + " characters");
                return null;
            }
            return value.asString();
        }

        long count(JsonNode node, String field, boolean required) {
            return count(node, field, required, field);
        }

        long count(JsonNode node, String field, boolean required, String path) {
            JsonNode value = node.get(field);
            if (value == null) {
                if (required) violation(path, "is required");
                return 0;
            }
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
                violation(path, "must be an integer >= 0");
                return 0;
            }
            return value.asLong();
        }

        Instant instant(JsonNode node, String field) {
            JsonNode value = node.get(field);
            if (value == null || !value.isString()) {
                violation(field, "is required: an RFC 3339 time");
                return null;
            }
            try {
                return Instant.parse(value.asString());
            } catch (DateTimeException e) {
                violation(field, "must be an RFC 3339 time such as 2026-01-01T12:00:00Z");
                return null;
            }
        }
    }
}
