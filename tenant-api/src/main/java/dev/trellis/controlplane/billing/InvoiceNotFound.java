package dev.trellis.controlplane.billing;

/** No such invoice in the caller's tenant (another tenant's is not found either). Maps to 404. */
public class InvoiceNotFound extends RuntimeException {
    public InvoiceNotFound(String id) {
        super("no invoice " + id, null, false, false);
    }
}
