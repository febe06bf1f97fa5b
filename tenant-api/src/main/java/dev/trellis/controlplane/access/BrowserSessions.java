package dev.trellis.controlplane.access;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;

/**
 * The portal's part of the security chain: how a browser signs in, keeps a session and signs out.
 * Implemented by the portal, so that this package (the API's callers) does not depend on it; a
 * session turns into a {@link Caller} exactly as an API key or a bearer token does, and meets the
 * same rules.
 */
public interface BrowserSessions {
    void configure(HttpSecurity http) throws Exception;
}
