package dev.trellis.controlplane.web;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code ?limit=&cursor=} of a list request. The cursor is opaque to clients: the base64url of
 * the last key of the previous page, so a page is a keyset query ({@code key > after}).
 *
 * @param limit how many items at most (1..500, default 50)
 * @param after the key after which this page starts, or "" for the first page
 */
public record PageRequest(int limit, String after) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    /** Keys are names (at most 63 characters) or event ids: a longer cursor is not one this API returned. */
    static final int MAX_CURSOR = 256;

    public static PageRequest of(String limit, String cursor) {
        List<ApiViolation> violations = new ArrayList<>();
        int size = DEFAULT_LIMIT;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit);
                if (size < 1 || size > MAX_LIMIT) violations.add(ApiViolation.at("limit", "must be between 1 and " + MAX_LIMIT));
            } catch (NumberFormatException e) {
                violations.add(ApiViolation.at("limit", "must be an integer between 1 and " + MAX_LIMIT));
            }
        }
        String after = "";
        if (cursor != null && !cursor.isEmpty()) {
            after = decode(cursor);
            if (after == null) violations.add(ApiViolation.at("cursor", "is not a cursor this API returned"));
        }
        if (!violations.isEmpty()) throw new InvalidRequest(violations);
        return new PageRequest(size, after);
    }

    /**
     * The key inside a cursor, or null when the text cannot be one: not base64url, longer than any
     * key, not UTF-8, or holding a character no key has (control characters, NUL among them, which
     * PostgreSQL would refuse in a query parameter).
     */
    private static String decode(String cursor) {
        if (cursor.length() > MAX_CURSOR) return null;
        try {
            String key = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Base64.getUrlDecoder().decode(cursor)))
                    .toString();
            if (key.isEmpty() || key.chars().anyMatch(Character::isISOControl)) return null;
            return key;
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return null;
        }
    }

    /** Rows to fetch: one more than the limit, to know whether another page follows. */
    public int fetchSize() {
        return limit + 1;
    }

    static String cursorFor(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }
}
