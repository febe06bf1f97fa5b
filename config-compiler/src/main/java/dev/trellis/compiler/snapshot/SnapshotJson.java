package dev.trellis.compiler.snapshot;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one JSON form of a snapshot: canonical (sorted map keys, fixed component order), so the
 * same content always gives the same bytes and therefore the same version hash. The control
 * plane stores and serves these bytes; proxies parse them with {@link #read(byte[])}.
 */
public final class SnapshotJson {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build();

    private SnapshotJson() {
    }

    /** Canonical JSON bytes of a snapshot. */
    public static byte[] write(Snapshot snapshot) {
        return MAPPER.writeValueAsBytes(snapshot);
    }

    /**
     * Parses and checks a snapshot.
     *
     * @throws tools.jackson.core.JacksonException when the bytes are not a snapshot
     * @throws SnapshotConsistencyException        when the snapshot refers to what it lacks
     */
    public static Snapshot read(byte[] json) {
        return MAPPER.readValue(json, Snapshot.class).ensureConsistent();
    }

    static String contentHash(Snapshot unversioned) {
        MessageDigest sha = sha256();
        return hex(sha.digest(write(unversioned)));
    }

    /**
     * Canonical JSON bytes of one component of a snapshot (an {@link Upstream}, a {@link Cluster}),
     * exactly as it appears inside {@link #write(Snapshot)}.
     */
    public static byte[] writePart(Object part) {
        return MAPPER.writeValueAsBytes(part);
    }

    private static final byte[] EMPTY_TAIL = "[],\"clusters\":[]}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BETWEEN = "],\"clusters\":[".getBytes(StandardCharsets.UTF_8);

    /**
     * The snapshot with the version {@link Snapshot#withComputedVersion()} would give it, computed from
     * upstreams and clusters serialised beforehand with {@link #writePart(Object)}: a compiler that
     * shares one upstream among many snapshots serialises it once instead of once per snapshot.
     *
     * @param upstreamsJson the canonical bytes of {@code snapshot.upstreams()}, in order
     * @param clustersJson  the canonical bytes of {@code snapshot.clusters()}, in order
     */
    public static Snapshot withComputedVersion(Snapshot snapshot, java.util.List<byte[]> upstreamsJson,
                                               java.util.List<byte[]> clustersJson) {
        Snapshot head = new Snapshot(null, snapshot.tenant(), snapshot.mesh(), snapshot.service(), snapshot.identity(),
                snapshot.mtls(), snapshot.inbound(), java.util.List.of(), java.util.List.of());
        byte[] headJson = write(head);
        if (!java.util.Arrays.equals(headJson, headJson.length - EMPTY_TAIL.length, headJson.length, EMPTY_TAIL, 0,
                EMPTY_TAIL.length)) {
            return snapshot.withComputedVersion();
        }
        MessageDigest sha = sha256();
        // The component order is fixed and upstreams, clusters come last: splice the parts into the empty lists.
        sha.update(headJson, 0, headJson.length - EMPTY_TAIL.length);
        sha.update((byte) '[');
        join(sha, upstreamsJson);
        sha.update(BETWEEN);
        join(sha, clustersJson);
        sha.update((byte) ']');
        sha.update((byte) '}');
        return new Snapshot(hex(sha.digest()), snapshot.tenant(), snapshot.mesh(), snapshot.service(), snapshot.identity(),
                snapshot.mtls(), snapshot.inbound(), snapshot.upstreams(), snapshot.clusters());
    }

    private static void join(MessageDigest sha, java.util.List<byte[]> parts) {
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) sha.update((byte) ',');
            sha.update(parts.get(i));
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JRE", e);
        }
    }

    private static String hex(byte[] digest) {
        return "sha256:" + HexFormat.of().formatHex(digest, 0, 16);
    }

    /** Canonical JSON as text, for files and diffs. */
    public static String writeString(Snapshot snapshot) {
        return new String(write(snapshot), StandardCharsets.UTF_8);
    }
}
