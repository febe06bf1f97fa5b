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
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(write(unversioned));
            return "sha256:" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JRE", e);
        }
    }

    /** Canonical JSON as text, for files and diffs. */
    public static String writeString(Snapshot snapshot) {
        return new String(write(snapshot), StandardCharsets.UTF_8);
    }
}
