package dev.trellis.controlplane.web;

import java.util.List;
import java.util.regex.Pattern;

/** Resource names are DNS-1123 labels: they end up in host names, SPIFFE ids and metric labels. */
public final class ResourceNames {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private ResourceNames() {
    }

    public static List<ApiViolation> check(String field, String name) {
        if (name != null && LABEL.matcher(name).matches()) return List.of();
        return List.of(ApiViolation.at(field,
                "must be a DNS-1123 label: 1 to 63 lowercase letters, digits or '-', starting and ending with a letter or digit"));
    }
}
