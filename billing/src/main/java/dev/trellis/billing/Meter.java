package dev.trellis.billing;

/**
 * What a line of an invoice counts. Quantities are integers: seconds, requests, meshes.
 * <ul>
 *   <li>{@link #BASE}: the plan's monthly fee, prorated by the seconds of the month the plan was in force;</li>
 *   <li>{@link #ENDPOINT_HOURS}: connected proxy time, metered per second and priced per hour;</li>
 *   <li>{@link #REQUESTS}: requests the proxies handled, priced per million;</li>
 *   <li>{@link #MESHES}: meshes that reported usage, priced per mesh-month, prorated like the fee.</li>
 * </ul>
 */
public enum Meter {
    BASE("base", "month"),
    ENDPOINT_HOURS("endpoint-hours", "second"),
    REQUESTS("requests", "request"),
    MESHES("meshes", "mesh");

    private final String wireName;
    private final String unit;

    Meter(String wireName, String unit) {
        this.wireName = wireName;
        this.unit = unit;
    }

    public String wireName() {
        return wireName;
    }

    /** The unit its quantity is counted in. */
    public String unit() {
        return unit;
    }

    public static Meter ofWireName(String name) {
        for (Meter meter : values()) if (meter.wireName.equals(name)) return meter;
        throw new IllegalArgumentException("no meter " + name);
    }
}
