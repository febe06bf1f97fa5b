package dev.trellis.proxy.fleet;

import java.time.Instant;

/**
 * Told after a renewed certificate and its key were written to the data directory, for the
 * parts that hold TLS contexts built from those files.
 *
 * @param notAfter the end of the new certificate's life
 */
public record CertificateRenewed(Instant notAfter) {
}
