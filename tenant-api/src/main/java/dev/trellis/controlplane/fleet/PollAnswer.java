package dev.trellis.controlplane.fleet;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import java.io.IOException;

/**
 * What a long poll is answered with: 200 with a snapshot's bytes, or 304 naming the version the
 * proxy already has. A snapshot's answer is built once per change and written, unchanged, to every
 * poll it wakes.
 */
record PollAnswer(int status, String version, byte[] body) {

    static PollAnswer snapshot(String version, byte[] body) {
        return new PollAnswer(HttpServletResponse.SC_OK, version, body);
    }

    static PollAnswer notModified(String version) {
        return new PollAnswer(HttpServletResponse.SC_NOT_MODIFIED, version, null);
    }

    void writeTo(HttpServletResponse response) throws IOException {
        response.setStatus(status);
        response.setHeader(HttpHeaders.ETAG, "\"" + version + "\"");
        if (body == null) return;
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
