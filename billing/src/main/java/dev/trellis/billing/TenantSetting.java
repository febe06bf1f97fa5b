package dev.trellis.billing;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Which tenant the current transaction has already set {@code trellis.tenant_id} to, so work that
 * joins it (billing inside a usage report's transaction) does not set it again: one database round
 * trip less per report. Remembered only while the transaction that set it runs: a synchronization
 * forgets it when that transaction completes and while a transaction started inside it
 * ({@code REQUIRES_NEW}, on a connection of its own without the setting) runs. Not knowing only
 * costs the round trip: callers set the setting whenever {@link #isSet} answers false.
 */
public final class TenantSetting {
    private static final Object KEY = TenantSetting.class;

    private TenantSetting() {
    }

    /** Whether this transaction has set {@code trellis.tenant_id} to {@code tenantId} (and said so with {@link #remember}). */
    public static boolean isSet(String tenantId) {
        return TransactionSynchronizationManager.isActualTransactionActive()
                && tenantId.equals(TransactionSynchronizationManager.getResource(KEY));
    }

    /** Call right after setting {@code trellis.tenant_id} to {@code tenantId} for the current transaction. */
    public static void remember(String tenantId) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()
                || !TransactionSynchronizationManager.isSynchronizationActive()) {
            return;
        }
        // One synchronization per transaction; a value found without one (never expected) is replaced, not trusted.
        boolean forgets = TransactionSynchronizationManager.getSynchronizations().stream().anyMatch(Forget.class::isInstance);
        TransactionSynchronizationManager.unbindResourceIfPossible(KEY);
        if (!forgets) TransactionSynchronizationManager.registerSynchronization(new Forget());
        TransactionSynchronizationManager.bindResource(KEY, tenantId);
    }

    /** Unbinds the remembered tenant when its transaction is suspended or completes; binds it again on resume. */
    private static final class Forget implements TransactionSynchronization {
        private Object suspended;

        @Override
        public void suspend() {
            suspended = TransactionSynchronizationManager.unbindResourceIfPossible(KEY);
        }

        @Override
        public void resume() {
            if (suspended != null) {
                TransactionSynchronizationManager.unbindResourceIfPossible(KEY);
                TransactionSynchronizationManager.bindResource(KEY, suspended);
            }
            suspended = null;
        }

        @Override
        public void afterCompletion(int status) {
            TransactionSynchronizationManager.unbindResourceIfPossible(KEY);
        }
    }
}
