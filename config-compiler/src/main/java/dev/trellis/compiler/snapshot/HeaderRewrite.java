package dev.trellis.compiler.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * Header and path rewrites applied by the caller's proxy.
 *
 * @param requestSet     request headers set (replacing existing values)
 * @param requestRemove  request headers removed
 * @param responseSet    response headers set
 * @param responseRemove response headers removed
 * @param prefixRewrite  when the rule matched a path prefix, the prefix is replaced by this; null keeps the path
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HeaderRewrite(Map<String, String> requestSet, List<String> requestRemove,
                            Map<String, String> responseSet, List<String> responseRemove, String prefixRewrite) {
    public HeaderRewrite {
        requestSet = requestSet == null ? Map.of() : Map.copyOf(requestSet);
        requestRemove = requestRemove == null ? List.of() : List.copyOf(requestRemove);
        responseSet = responseSet == null ? Map.of() : Map.copyOf(responseSet);
        responseRemove = responseRemove == null ? List.of() : List.copyOf(responseRemove);
    }
}
