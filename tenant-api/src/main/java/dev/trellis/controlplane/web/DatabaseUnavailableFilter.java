package dev.trellis.controlplane.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.List;

/**
 * A request that failed because the database could not be reached or dropped its connection (a
 * restart, a failover) is answered 503 with Retry-After, never a bare 500: clients and proxies
 * retry, and every write is idempotent. Controllers' failures are mapped by {@link ProblemAdvice};
 * this filter, first in the chain, catches those raised in filters (API key and proxy token
 * lookups) where the advice does not reach.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class DatabaseUnavailableFilter extends OncePerRequestFilter {
    static final String TITLE = "Service unavailable";
    static final String DETAIL = "the database is unavailable; retry shortly";
    static final String RETRY_AFTER_SECONDS = "1";
    private static final Logger log = LoggerFactory.getLogger(DatabaseUnavailableFilter.class);
    private static final List<Class<? extends Exception>> CAUSES = List.of(DataAccessResourceFailureException.class,
            TransientDataAccessException.class, CannotCreateTransactionException.class, TransactionSystemException.class);

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (ServletException | RuntimeException e) {
            if (!databaseUnavailable(e) || response.isCommitted()) throw e;
            log.warn("Database unavailable, answered 503: {}", e.getMessage());
            response.setHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
            ProblemResponses.write(response, HttpStatus.SERVICE_UNAVAILABLE, TITLE, DETAIL);
        }
    }

    /** Whether the failure is the database being out of reach (answered 503), not something about the request. */
    public static boolean databaseUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            for (Class<? extends Exception> cause : CAUSES) {
                if (cause.isInstance(t)) return true;
            }
        }
        return false;
    }
}
