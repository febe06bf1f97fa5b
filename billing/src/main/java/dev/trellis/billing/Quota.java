package dev.trellis.billing;

import java.util.function.Function;

/** What a plan limits, and which of the plan's limits that is. */
public enum Quota {
    MESHES("meshes", Limits::meshes),
    SERVICES("services", Limits::services),
    CONNECTED_PROXIES("connectedProxies", Limits::connectedProxies);

    private final String wireName;
    private final Function<Limits, Integer> limit;

    Quota(String wireName, Function<Limits, Integer> limit) {
        this.wireName = wireName;
        this.limit = limit;
    }

    public String wireName() {
        return wireName;
    }

    Integer limitIn(Limits limits) {
        return limit.apply(limits);
    }
}
