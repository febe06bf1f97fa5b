package dev.trellis.terraform.resource;

import dev.trellis.terraform.api.ApiProblem;
import dev.trellis.terraform.api.Violation;
import dev.trellis.terraform.protocol.AttributePath;
import dev.trellis.terraform.protocol.Diagnostic;
import dev.trellis.terraform.schema.Block;
import dev.trellis.terraform.schema.ViolationPaths;
import java.util.ArrayList;
import java.util.List;

/** The diagnostics one call hands back to Terraform, each on the attribute at fault when known. */
public final class Diagnostics {

    private final List<Diagnostic> list = new ArrayList<>();

    public Diagnostics error(String summary, String detail, List<Object> path) {
        return add(Diagnostic.Severity.ERROR, summary, detail, path);
    }

    public Diagnostics error(String summary, String detail) {
        return error(summary, detail, List.of());
    }

    public Diagnostics warning(String summary, String detail, List<Object> path) {
        return add(Diagnostic.Severity.WARNING, summary, detail, path);
    }

    /**
     * One error per violation the API listed; those in the document of {@code self}
     * ({@code services/echo}, null for any) land on the matching attribute of {@code block}.
     */
    public Diagnostics problem(ApiProblem problem, Block block, String self) {
        if (problem.violations().isEmpty()) {
            return error(problem.getMessage(), problem.detail());
        }
        problem.violations().forEach(v -> violation(v, Diagnostic.Severity.ERROR, block, self, "The Trellis API rejected "));
        return this;
    }

    /** A violation as a diagnostic of the given severity, on its attribute when it is in {@code self}'s document. */
    public Diagnostics violation(Violation v, Diagnostic.Severity severity, Block block, String self, String prefix) {
        boolean own = self == null || v.in(self);
        String where = (own ? "" : v.resource() + " ") + "`" + v.field() + "`";
        return add(severity, v.message(), prefix + where + ": " + v.message(),
                own ? ViolationPaths.toTerraform(block, v.field()) : List.of());
    }

    public Diagnostics addAll(Diagnostics other) {
        list.addAll(other.list);
        return this;
    }

    public boolean hasErrors() {
        return list.stream().anyMatch(d -> d.getSeverity() == Diagnostic.Severity.ERROR);
    }

    public List<Diagnostic> list() {
        return List.copyOf(list);
    }

    private Diagnostics add(Diagnostic.Severity severity, String summary, String detail, List<Object> path) {
        Diagnostic.Builder d = Diagnostic.newBuilder().setSeverity(severity)
                .setSummary(summary == null ? "" : summary).setDetail(detail == null ? "" : detail);
        if (!path.isEmpty()) {
            AttributePath.Builder p = AttributePath.newBuilder();
            for (Object step : path) {
                p.addSteps(step instanceof Integer i
                        ? AttributePath.Step.newBuilder().setElementKeyInt(i)
                        : AttributePath.Step.newBuilder().setAttributeName((String) step));
            }
            d.setAttribute(p);
        }
        list.add(d.build());
        return this;
    }
}
