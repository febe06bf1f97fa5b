package dev.trellis.controlplane.access;

import dev.trellis.controlplane.web.NotFound;

/** The subject is not a member of the caller's tenant. Maps to 404. */
public class MemberNotFound extends NotFound {
    public MemberNotFound(String subject) {
        super("no member " + subject);
    }
}
