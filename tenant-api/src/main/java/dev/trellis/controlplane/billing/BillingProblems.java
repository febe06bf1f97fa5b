package dev.trellis.controlplane.billing;

import dev.trellis.billing.BillingRefused;
import dev.trellis.billing.PeriodStillOpen;
import dev.trellis.billing.QuotaExceeded;
import dev.trellis.controlplane.web.ApiViolation;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import java.net.URI;
import java.util.List;

/**
 * The billing library's refusals as problem details. The library knows nothing of the web layer,
 * so its exceptions cannot carry their status ({@code ApiProblem}); this advice, ahead of the
 * catch-all one, maps them wherever they surface (a quota bites in mesh writes and registration).
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class BillingProblems {

    /** A plan's limit: the problem names the limit, the tenant's current count and the plan, as properties and in words. */
    @ExceptionHandler(QuotaExceeded.class)
    ProblemDetail quota(QuotaExceeded e) {
        ProblemDetail problem = problem(HttpStatus.FORBIDDEN, "Quota exceeded", e.getMessage(),
                List.of(ApiViolation.at("", e.getMessage())));
        problem.setType(URI.create("https://trellis.dev/problems/quota-exceeded"));
        problem.setProperty("quota", e.resource().wireName());
        problem.setProperty("limit", e.limit());
        problem.setProperty("current", e.current());
        problem.setProperty("plan", e.plan());
        return problem;
    }

    @ExceptionHandler(BillingRefused.class)
    ProblemDetail billingRefused(BillingRefused e) {
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", "the request has " + e.violations().size()
                + " violation(s); nothing was changed",
                e.violations().stream().map(v -> ApiViolation.at(v.field(), v.message())).toList());
    }

    @ExceptionHandler(PeriodStillOpen.class)
    ProblemDetail periodOpen(PeriodStillOpen e) {
        return problem(HttpStatus.CONFLICT, "Period still open", e.getMessage(), null);
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail, List<ApiViolation> violations) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        if (violations != null) problem.setProperty("violations", violations);
        return problem;
    }
}
