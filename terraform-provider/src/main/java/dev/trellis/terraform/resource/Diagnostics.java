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

    /** One error per violation the API listed, on the matching attribute of {@code block}. */
    public Diagnostics problem(ApiProblem problem, Block block) {
        if (problem.violations().isEmpty()) {
            return error(problem.getMessage(), problem.detail());
        }
        for (Violation v : problem.violations()) {
            error(v.message(), "The Trellis API rejected `" + v.field() + "`: " + v.message(),
                    ViolationPaths.toTerraform(block, v.field()));
        }
        return this;
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
