package dev.trellis.controlplane.access;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** A member's or API key's role in its tenant, strongest first. */
public enum Role {
    OWNER, ADMIN, EDITOR, VIEWER;

    /** True when this role may do what {@code least} may. */
    public boolean atLeast(Role least) {
        return ordinal() <= least.ordinal();
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> parse(String text) {
        return Arrays.stream(values()).filter(r -> r.wireName().equals(text)).findFirst();
    }
}
