package dev.trellis.compiler.document;

import dev.trellis.compiler.Violation;

import java.util.ArrayList;
import java.util.List;

/** Collects the violations of one resource, in the order they were found. */
public final class Violations {
    private final String resource;
    private final List<Violation> found = new ArrayList<>();

    /** @param resource the resource the paths are relative to, or null for a lone document */
    public Violations(String resource) {
        this.resource = resource;
    }

    /** Records a problem at a JSON path. */
    public void add(String path, String message) {
        found.add(new Violation(resource, path, message));
    }

    /** Every problem recorded so far. */
    public List<Violation> list() {
        return List.copyOf(found);
    }

    public boolean isEmpty() {
        return found.isEmpty();
    }
}
