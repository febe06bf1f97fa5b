package dev.trellis.billing;

/**
 * A write or a registration would take the tenant over its plan's limit; nothing was changed.
 *
 * @param resource what is limited: {@code meshes}, {@code services}, {@code connectedProxies}
 * @param limit    how many the plan allows
 * @param current  how many the tenant has now
 * @param plan     the plan in force ({@code free@1})
 */
public class QuotaExceeded extends RuntimeException {
    private final Quota resource;
    private final int limit;
    private final long current;
    private final String plan;

    public QuotaExceeded(Quota resource, int limit, long current, String plan) {
        super("the " + plan + " plan allows " + limit + " " + resource.wireName() + "; the tenant has " + current,
                null, false, false);
        this.resource = resource;
        this.limit = limit;
        this.current = current;
        this.plan = plan;
    }

    public Quota resource() {
        return resource;
    }

    public int limit() {
        return limit;
    }

    public long current() {
        return current;
    }

    public String plan() {
        return plan;
    }
}
