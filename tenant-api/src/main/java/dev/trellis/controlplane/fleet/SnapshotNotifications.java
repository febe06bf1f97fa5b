package dev.trellis.controlplane.fleet;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One {@code LISTEN trellis_snapshots} connection per replica, outside the pool, so every replica
 * wakes its own held polls when any replica commits a snapshot change (the V50 trigger notifies).
 * Wake-ups run on virtual threads, so a slow read never delays the next notification. When the
 * connection drops it reconnects and wakes every held poll, since notifications may have been missed.
 */
@Component
class SnapshotNotifications implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(SnapshotNotifications.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ConfigLongPoll polls;
    private final Environment environment;
    private final ExecutorService wakers = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean running;
    private volatile Thread listener;
    private volatile Connection connection;

    SnapshotNotifications(ConfigLongPoll polls, Environment environment) {
        this.polls = polls;
        this.environment = environment;
    }

    @Override
    public void start() {
        running = true;
        listener = Thread.ofPlatform().daemon().name("snapshot-notifications").start(this::listen);
    }

    private void listen() {
        boolean reconnecting = false;
        while (running) {
            try (Connection opened = connect(); Statement statement = opened.createStatement()) {
                connection = opened;
                statement.execute("LISTEN trellis_snapshots");
                if (reconnecting) wakers.execute(polls::changedAll);
                reconnecting = true;
                PGConnection notifications = opened.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] received = notifications.getNotifications(10_000);
                    if (received == null) continue;
                    for (PGNotification notification : received) wake(notification.getParameter());
                }
            } catch (SQLException e) {
                if (!running) return;
                log.warn("snapshot notifications interrupted ({}); reconnecting", e.getMessage());
                pause();
            }
        }
    }

    private void wake(String payload) {
        JsonNode change = JSON.readTree(payload);
        SnapshotKey key = new SnapshotKey(change.get("tenant").asString(), change.get("mesh").asString(),
                change.get("service").asString());
        wakers.execute(() -> polls.changed(key));
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(environment.getRequiredProperty("spring.datasource.url"),
                environment.getProperty("spring.datasource.username"), environment.getProperty("spring.datasource.password"));
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        running = false;
        try {
            Connection open = connection;
            if (open != null) open.close();
        } catch (SQLException ignored) {
            // Closing only ends the listening loop.
        }
        wakers.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Stops after the web server (and after the drain that answers held polls, see health.Shutdown):
     * until the last held poll is answered, a change must still wake it.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
