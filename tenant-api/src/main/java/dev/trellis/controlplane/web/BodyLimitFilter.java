package dev.trellis.controlplane.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Refuses bodies over {@link JsonBody#MAX_BYTES} before anything buffers them: a declared length
 * is checked up front, a chunked body is cut one byte past the limit so the reader sees it is too long.
 * A body sent as something other than JSON (curl's default form encoding), or without saying what
 * it is, is a 415, not a parse error. The one form the control plane takes is the portal's sign-out
 * ({@code POST /logout}, a browser form carrying only its CSRF token).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class BodyLimitFilter extends OncePerRequestFilter {

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return "/logout".equals(request.getRequestURI()) && request.getContentLengthLong() <= 4096;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > JsonBody.MAX_BYTES) {
            ProblemResponses.write(response, HttpStatus.CONTENT_TOO_LARGE, "Request body too large",
                    "bodies are limited to " + JsonBody.MAX_BYTES + " bytes");
            return;
        }
        String type = request.getContentType();
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        if (hasBody && (type == null || !isJson(type))) {
            ProblemResponses.write(response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type",
                    "send the body as application/json");
            return;
        }
        chain.doFilter(new HttpServletRequestWrapper(request) {
            private ServletInputStream limited;

            @Override
            public ServletInputStream getInputStream() throws IOException {
                if (limited == null) limited = new Limited(super.getInputStream(), JsonBody.MAX_BYTES + 1L);
                return limited;
            }
        }, response);
    }

    private static boolean isJson(String contentType) {
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return type.isCompatibleWith(MediaType.APPLICATION_JSON) || type.getSubtype().endsWith("+json");
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    private static final class Limited extends ServletInputStream {
        private final ServletInputStream in;
        private long remaining;

        Limited(ServletInputStream in, long limit) {
            this.in = in;
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) return -1;
            int b = in.read();
            if (b >= 0) remaining--;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining <= 0) return -1;
            int n = in.read(buffer, offset, (int) Math.min(length, remaining));
            if (n > 0) remaining -= n;
            return n;
        }

        @Override
        public boolean isFinished() {
            return remaining <= 0 || in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
