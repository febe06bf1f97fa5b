package dev.trellis.compiler.snapshot;

import java.util.List;

/** For tests and benchmarks of matching: a request that is only a path (a GET without headers or query). */
public enum PathOnly implements RequestView<String> {
    VIEW;

    @Override
    public String method(String request) {
        return "GET";
    }

    @Override
    public String path(String request) {
        return request;
    }

    @Override
    public List<String> headerValues(String request, String name) {
        return List.of();
    }

    @Override
    public List<String> queryValues(String request, String name) {
        return List.of();
    }
}
