package dev.trellis.controlplane.fleet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import java.io.IOException;

/**
 * The outermost filter of {@code GET /v1/fleet/config}: a poll the handler suspended becomes
 * {@link HeldPoll#leave() held} only here, after every inner filter (Spring Security's header
 * writer among them) has finished with the response on its way out, so a wake-up never writes to a
 * response another thread is still touching.
 */
@Configuration
class HeldPolls {
    private static final String ATTRIBUTE = HeldPolls.class.getName();

    static void handOverLater(ServletRequest request, HeldPoll poll) {
        request.setAttribute(ATTRIBUTE, poll);
    }

    @Bean
    FilterRegistrationBean<Filter> heldPollHandOver() {
        Filter handOver = (ServletRequest request, ServletResponse response, FilterChain chain) -> handOver(request, response, chain);
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(handOver);
        registration.addUrlPatterns("/v1/fleet/config");
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    private static void handOver(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        chain.doFilter(request, response);
        // Not in a finally: after a failure the container ends the exchange, and the poll's listener forgets it.
        if (request.getAttribute(ATTRIBUTE) instanceof HeldPoll poll) {
            request.removeAttribute(ATTRIBUTE);
            poll.leave();
        }
    }
}
