package dev.trellis.compiler.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
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

    /**
     * What would break the wire if this rewrite were applied (see {@link HeaderSyntax}): a name that
     * is not a token or is hop-by-hop or framing, a value with CR/LF/NUL, a prefix that is not a
     * path-absolute. Empty when it is safe.
     */
    @JsonIgnore
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        headers("request", requestSet, requestRemove, problems);
        headers("response", responseSet, responseRemove, problems);
        if (prefixRewrite != null) {
            String problem = HeaderSyntax.pathAbsoluteProblem(prefixRewrite);
            if (problem != null) problems.add("prefixRewrite " + problem);
        }
        return problems;
    }

    private static void headers(String side, Map<String, String> set, List<String> remove, List<String> problems) {
        set.forEach((name, value) -> {
            String problem = HeaderSyntax.rewriteNameProblem(name);
            if (problem != null) problems.add(side + " header " + printable(name) + " " + problem);
            String valueProblem = HeaderSyntax.valueProblem(value);
            if (valueProblem != null) problems.add(side + " header " + printable(name) + " value " + valueProblem);
        });
        for (String name : remove) {
            String problem = HeaderSyntax.rewriteNameProblem(name);
            if (problem != null) problems.add(side + " header " + printable(name) + " " + problem);
        }
    }

    private static String printable(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
    }
}
