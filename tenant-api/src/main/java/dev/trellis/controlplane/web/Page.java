package dev.trellis.controlplane.web;

import java.util.List;
import java.util.function.Function;

/** One page of a list answer: {@code {"items": [...], "nextCursor": ...}}; nextCursor is null on the last page. */
public record Page<T>(List<T> items, String nextCursor) {

    /** Builds a page from up to {@code limit + 1} rows fetched in order: the extra row proves there is a next page. */
    public static <T> Page<T> of(List<T> rows, PageRequest request, Function<T, String> key) {
        if (rows.size() <= request.limit()) return new Page<>(rows, null);
        List<T> items = rows.subList(0, request.limit());
        return new Page<>(List.copyOf(items), PageRequest.cursorFor(key.apply(items.getLast())));
    }

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(items.stream().map(mapper).toList(), nextCursor);
    }
}
