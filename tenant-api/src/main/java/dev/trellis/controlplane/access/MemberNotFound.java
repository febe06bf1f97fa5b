package dev.trellis.controlplane.access;

/** The subject is not a member of the caller's tenant. Maps to 404. */
public class MemberNotFound extends RuntimeException {
    public MemberNotFound(String subject) {
        super("no member " + subject, null, false, false);
    }
}
