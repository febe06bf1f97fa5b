package dev.trellis.controlplane.mesh;

import dev.trellis.compiler.Warning;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * The analysis warnings a write answers with, as {@code Trellis-Warning} headers: only those about
 * the written resource (a mesh write concerns the whole mesh), at most
 * {@code trellis.api.warning-headers.max-count} of them and
 * {@code trellis.api.warning-headers.max-bytes} in all, each cut to
 * {@code trellis.api.warning-headers.max-length} printable ASCII characters. So the headers of an
 * answer stay far below what the server can send, however large the mesh and its analysis grow.
 * {@code Trellis-Warning-Count} says how many warnings concern the resource,
 * {@code Trellis-Warnings-Truncated} how many of those were left out, and a {@code Link} with
 * {@code rel="analysis"} points at the mesh's whole analysis whenever the mesh has any warning.
 */
@Component
class WarningHeaders {
    static final String WARNING = "Trellis-Warning";
    static final String COUNT = "Trellis-Warning-Count";
    static final String TRUNCATED = "Trellis-Warnings-Truncated";

    private final int maxCount;
    private final int maxBytes;
    private final int maxLength;

    WarningHeaders(@Value("${trellis.api.warning-headers.max-count:10}") int maxCount,
                   @Value("${trellis.api.warning-headers.max-bytes:4096}") int maxBytes,
                   @Value("${trellis.api.warning-headers.max-length:300}") int maxLength) {
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
        this.maxLength = maxLength;
    }

    /** Adds the headers for a write of {@code kind}/{@code name} in {@code mesh} whose compile found {@code warnings}. */
    void add(HttpHeaders headers, ResourceKind kind, String mesh, String name, List<Warning> warnings) {
        if (warnings.isEmpty()) return;
        String resource = kind == ResourceKind.MESH ? null : kind.segment() + "/" + name;
        List<Warning> scoped = resource == null ? warnings
                : warnings.stream().filter(w -> w.resources().contains(resource)).toList();
        headers.add(HttpHeaders.LINK, "</v1/meshes/" + mesh + "/analysis>; rel=\"analysis\"");
        headers.set(COUNT, Integer.toString(scoped.size()));
        int sent = 0;
        int bytes = 0;
        for (Warning warning : scoped) {
            String value = ascii(warning.code() + ": " + warning.message());
            if (sent == maxCount || bytes + value.length() > maxBytes) break;
            headers.add(WARNING, value);
            sent++;
            bytes += value.length();
        }
        if (sent < scoped.size()) headers.set(TRUNCATED, Integer.toString(scoped.size() - sent));
    }

    private String ascii(String text) {
        StringBuilder printable = new StringBuilder(Math.min(text.length(), maxLength));
        for (int i = 0; i < text.length() && printable.length() < maxLength; i++) {
            char c = text.charAt(i);
            printable.append(c >= 0x20 && c <= 0x7E ? c : '?');
        }
        return printable.toString();
    }
}
