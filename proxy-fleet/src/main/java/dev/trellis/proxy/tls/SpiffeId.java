package dev.trellis.proxy.tls;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/** Reads the SPIFFE ID (the {@code spiffe://} URI SAN) of a peer's certificate. */
public final class SpiffeId {
    private static final int URI_SAN = 6;

    private SpiffeId() {
    }

    /** The SPIFFE ID of the first (leaf) certificate, or null when it has none. */
    public static String of(Certificate[] chain) {
        if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) return null;
        try {
            Collection<List<?>> names = leaf.getSubjectAlternativeNames();
            if (names == null) return null;
            for (List<?> name : names) {
                if (name.size() >= 2 && Integer.valueOf(URI_SAN).equals(name.get(0))
                        && name.get(1) instanceof String uri && uri.startsWith("spiffe://")) {
                    return uri;
                }
            }
            return null;
        } catch (CertificateParsingException e) {
            return null;
        }
    }
}
