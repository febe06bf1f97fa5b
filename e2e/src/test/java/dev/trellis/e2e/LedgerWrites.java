package dev.trellis.e2e;

import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client writing one resource over and over on its own thread, each write conditional on the one
 * before ({@code If-Match} with the last {@code resourceVersion} it was answered), so no accepted
 * write can be lost or applied twice without the next write being refused. Service {@code ledger}
 * (in web's scope, so every write changes web's snapshot) gets a new port each time. A 503 must carry
 * Retry-After and is retried after it; the write whose answer never came is in doubt until the
 * resource tells: if a later write is refused 412 and the resource holds the doubtful port, it was
 * committed (once); anything else is a failure.
 */
final class LedgerWrites implements AutoCloseable {
    static final String PATH = "/v1/meshes/shop/services/ledger";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    record Acked(int port, long resourceVersion) {
    }

    private final String base;
    private final String key;
    private final boolean stopWhenAnswerLost;
    private final List<Acked> acked = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger unavailable = new AtomicInteger();
    private final Thread writer;
    private volatile boolean running = true;
    private volatile Integer lostAnswer;
    private long resourceVersion;
    private int nextPort;
    private Integer doubtful;

    /**
     * Writes through {@code base} from the resource's current state. With {@code stopWhenAnswerLost}
     * the first write whose connection broke ends the run and is left to the test ({@link #lostAnswer});
     * otherwise a broken connection is a failure.
     */
    LedgerWrites(String base, String key, boolean stopWhenAnswerLost) {
        this.base = base;
        this.key = key;
        this.stopWhenAnswerLost = stopWhenAnswerLost;
        JsonNode current = current(base, key);
        resourceVersion = Long.parseLong(current.get("resourceVersion").asString());
        nextPort = current.get("port").asInt() + 1;
        writer = Thread.ofPlatform().daemon().name("ledger-writes").start(this::run);
    }

    static String document(int port) {
        return "{\"protocol\": \"http\", \"port\": " + port + ", \"versions\": [{\"name\": \"v1\"}]}";
    }

    static JsonNode current(String base, String key) {
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(base + PATH)).header("Authorization", "Bearer " + key)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) throw new IllegalStateException("GET " + PATH + " answered " + answer.statusCode() + ": " + answer.body());
            return ControlPlaneApi.JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void run() {
        while (running) {
            int port = doubtful != null ? doubtful : nextPort;
            HttpResponse<String> answer;
            try {
                answer = HTTP.send(HttpRequest.newBuilder(URI.create(base + PATH)).header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json").header("If-Match", "\"" + resourceVersion + "\"")
                        .timeout(Duration.ofSeconds(15)).PUT(HttpRequest.BodyPublishers.ofString(document(port))).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (stopWhenAnswerLost) {
                    lostAnswer = port;
                    return;
                }
                failures.add("PUT port " + port + ": " + e);
                doubtful = port;
                continue;
            } catch (InterruptedException e) {
                return;
            }
            if (answer.statusCode() == 200) {
                accept(port, Long.parseLong(ControlPlaneApi.JSON.readTree(answer.body()).get("resourceVersion").asString()));
            } else if (answer.statusCode() == 503 && answer.headers().firstValue("Retry-After").isPresent()) {
                unavailable.incrementAndGet();
                doubtful = port;
                pause(Duration.ofSeconds(Long.parseLong(answer.headers().firstValue("Retry-After").get())));
            } else if (answer.statusCode() == 412 && doubtful != null) {
                JsonNode now = current(base, key);
                if (now.get("port").asInt() != doubtful) {
                    failures.add("412 and the resource holds port " + now.get("port") + ", not the doubtful " + doubtful);
                    return;
                }
                accept(doubtful, Long.parseLong(now.get("resourceVersion").asString()));
            } else {
                failures.add("PUT port " + port + " answered " + answer.statusCode() + " " + answer.headers().firstValue("Retry-After")
                        + ": " + answer.body());
                pause(Duration.ofMillis(200));
            }
        }
    }

    private void accept(int port, long version) {
        if (version != resourceVersion + 1) failures.add("write of port " + port + " got resourceVersion " + version + " after " + resourceVersion);
        resourceVersion = version;
        acked.add(new Acked(port, version));
        nextPort = port + 1;
        doubtful = null;
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            running = false;
        }
    }

    List<Acked> acked() {
        return List.copyOf(acked);
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    int unavailable() {
        return unavailable.get();
    }

    /** The port of the write whose connection broke (the run ended there), or null. */
    Integer lostAnswer() {
        return lostAnswer;
    }

    boolean running() {
        return writer.isAlive();
    }

    /** Stops writing and waits for the write in flight to be answered. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        writer.join(Duration.ofSeconds(20));
    }
}
