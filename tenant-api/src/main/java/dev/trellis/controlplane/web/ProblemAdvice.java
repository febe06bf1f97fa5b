package dev.trellis.controlplane.web;

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
 * violation and its JSON path where there are some. Domain exceptions implement {@link ApiProblem},
 * so this class names none of them and the web layer imports no feature package. Nothing internal
 * (stack trace, SQL, class name) is ever written; unexpected failures are logged here and answered
 * with a bare 500.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler(DuplicateKeyException.class)
    ProblemDetail concurrentCreate(DuplicateKeyException e) {
        return problem(HttpStatus.CONFLICT, "Conflict", "another request created this at the same time; retry", null);
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

    /**
     * Every domain exception carries its own status, title and violations ({@link ApiProblem});
     * an annotation cannot name an interface, so they arrive here and anything else is unexpected.
     */
    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        if (e instanceof ApiProblem known) {
            ResponseEntity.BodyBuilder answer = ResponseEntity.status(known.status());
            if (known.retryAfterSeconds() != null) answer.header(HttpHeaders.RETRY_AFTER, known.retryAfterSeconds().toString());
            return answer.body(problem(known.status(), known.title(), known.detail(), known.violations()));
        }
        log.error("Unexpected failure", e);
        return ResponseEntity.internalServerError()
                .body(problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error", "the request could not be completed", null));
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
