package dev.trellis.compiler.document;

import java.util.regex.Pattern;

/** Resource names are DNS-1123 labels, so they can be host names ({@code echo}, {@code echo.shop}). */
public final class Names {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private Names() {
    }

    /** Why the name is refused, or null when it is a valid label. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) return "must not be empty";
        if (name.length() > 63) return "must be at most 63 characters";
        if (!LABEL.matcher(name).matches()) {
            return "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit";
        }
        return null;
    }
}
