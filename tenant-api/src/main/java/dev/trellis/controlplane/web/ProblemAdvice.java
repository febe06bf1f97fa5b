package dev.trellis.controlplane.web;

import dev.trellis.billing.PeriodStillOpen;
import dev.trellis.billing.BillingRefused;
import dev.trellis.billing.QuotaExceeded;
import dev.trellis.controlplane.access.ApiKeyNotFound;
import dev.trellis.controlplane.billing.InvoiceNotFound;
import dev.trellis.controlplane.billing.TenantNotFound;
import dev.trellis.controlplane.access.Forbidden;
import dev.trellis.controlplane.access.MemberNotFound;
import dev.trellis.controlplane.mesh.MeshInvalid;
import dev.trellis.controlplane.mesh.MeshNotFound;
import dev.trellis.controlplane.mesh.ResourceInUse;
import dev.trellis.controlplane.mesh.ResourceNotFound;
import dev.trellis.controlplane.mesh.StaleResourceVersion;
import dev.trellis.controlplane.tenant.TenantNameTaken;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.TransientDataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import java.util.List;

/**
 * The one place where exceptions become HTTP answers: RFC 9457 problem documents, with every
 * violation and its JSON path where there are some. Nothing internal (stack trace, SQL, class
 * name) is ever written; unexpected failures are logged here and answered with a bare 500.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler(InvalidRequest.class)
    ProblemDetail invalid(InvalidRequest e) {
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", "the request has " + e.violations().size()
                + " violation(s)", e.violations());
    }

    @ExceptionHandler(PayloadTooLarge.class)
    ProblemDetail tooLarge(PayloadTooLarge e) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "Request body too large",
                "bodies are limited to " + JsonBody.MAX_BYTES + " bytes", null);
    }

    @ExceptionHandler(Forbidden.class)
    ProblemDetail forbidden(Forbidden e) {
        return problem(HttpStatus.FORBIDDEN, "Forbidden", e.getMessage(), null);
    }

    @ExceptionHandler(MeshInvalid.class)
    ProblemDetail meshInvalid(MeshInvalid e) {
        return problem(HttpStatus.BAD_REQUEST, "Mesh does not compile", "the mesh would have " + e.violations().size()
                + " error(s); nothing was stored", e.violations());
    }

    @ExceptionHandler(StaleResourceVersion.class)
    ProblemDetail stale(StaleResourceVersion e) {
        return problem(HttpStatus.PRECONDITION_FAILED, "Stale resource version", e.getMessage(), null);
    }

    @ExceptionHandler(ResourceInUse.class)
    ProblemDetail inUse(ResourceInUse e) {
        return problem(HttpStatus.CONFLICT, "Resource in use", e.getMessage(), e.violations());
    }

    @ExceptionHandler(DuplicateKeyException.class)
    ProblemDetail concurrentCreate(DuplicateKeyException e) {
        return problem(HttpStatus.CONFLICT, "Conflict", "another request created this at the same time; retry", null);
    }

    /** A plan's limit: the problem names the limit, the tenant's current count and the plan, as properties and in words. */
    @ExceptionHandler(QuotaExceeded.class)
    ProblemDetail quota(QuotaExceeded e) {
        ProblemDetail problem = problem(HttpStatus.FORBIDDEN, "Quota exceeded", e.getMessage(),
                List.of(ApiViolation.at("", e.getMessage())));
        problem.setType(java.net.URI.create("https://trellis.dev/problems/quota-exceeded"));
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

    @ExceptionHandler({ApiKeyNotFound.class, MemberNotFound.class, MeshNotFound.class, ResourceNotFound.class,
            InvoiceNotFound.class, TenantNotFound.class})
    ProblemDetail notFound(RuntimeException e) {
        return problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage(), null);
    }

    @ExceptionHandler(TenantNameTaken.class)
    ProblemDetail conflict(TenantNameTaken e) {
        return problem(HttpStatus.CONFLICT, "Conflict", e.getMessage(), null);
    }

    /**
     * The database is unreachable or dropped the connection under a request (a restart, a failover).
     * A 503 with Retry-After tells clients and proxies to try again; every write is idempotent, and a
     * transaction that did not commit stored nothing. The same failure raised in a filter is
     * answered by {@link DatabaseUnavailableFilter}.
     */
    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class,
            CannotCreateTransactionException.class, TransactionSystemException.class})
    ResponseEntity<ProblemDetail> databaseUnavailable(Exception e) {
        log.warn("Database unavailable, answered 503: {}", e.getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, DatabaseUnavailableFilter.RETRY_AFTER_SECONDS)
                .body(problem(HttpStatus.SERVICE_UNAVAILABLE, DatabaseUnavailableFilter.TITLE,
                        DatabaseUnavailableFilter.DETAIL, null));
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        log.error("Unexpected failure", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error", "the request could not be completed", null);
    }

    /** Spring MVC's own exceptions (bad parameters, unknown paths, wrong methods): keep the status, drop any detail that could name internals. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
                                                             HttpStatusCode status, WebRequest request) {
        HttpStatus known = HttpStatus.resolve(status.value());
        String title = known == null ? "Error" : known.getReasonPhrase();
        ProblemDetail problem = problem(status, title, switch (status.value()) {
            case 400 -> "the request is malformed";
            case 404 -> "no such resource";
            case 405 -> "this method is not allowed here";
            case 406 -> "this API answers application/json";
            case 415 -> "send application/json";
            default -> title;
        }, null);
        return ResponseEntity.status(status).headers(headers).body(problem);
    }

    static ProblemDetail problem(HttpStatusCode status, String title, String detail, List<ApiViolation> violations) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        if (violations != null) problem.setProperty("violations", violations);
        return problem;
    }
}
