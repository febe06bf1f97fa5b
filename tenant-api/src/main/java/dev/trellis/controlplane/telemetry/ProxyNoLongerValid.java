package dev.trellis.controlplane.telemetry;

import dev.trellis.controlplane.fleet.ProxyAuthentication;
import dev.trellis.controlplane.web.ApiProblem;
import org.springframework.http.HttpStatus;

/**
 * A usage report's write found its proxy revoked, deleted or past its certificate (the request was
 * let in on this replica's memory of the token, which the write checks again). Maps to 401.
 */
class ProxyNoLongerValid extends RuntimeException implements ApiProblem {
    ProxyNoLongerValid() {
        super(ProxyAuthentication.UNKNOWN, null, false, false);
    }

    @Override
    public HttpStatus status() {
        return HttpStatus.UNAUTHORIZED;
    }

    @Override
    public String title() {
        return "Unauthorized";
    }
}
