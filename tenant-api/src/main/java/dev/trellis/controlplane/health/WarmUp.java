package dev.trellis.controlplane.health;

/**
 * Work a replica does once at start-up before it takes traffic: {@link Readiness} answers not ready
 * until every warm-up has {@link #warmed()}, so a load balancer sends nothing to a replica whose
 * hot paths still run in the interpreter.
 */
public interface WarmUp {
    boolean warmed();

    /** In words for the operator, while not warmed. */
    String what();
}
