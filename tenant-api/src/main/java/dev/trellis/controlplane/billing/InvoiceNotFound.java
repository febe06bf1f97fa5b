package dev.trellis.controlplane.billing;

import dev.trellis.controlplane.web.NotFound;

/** No such invoice in the caller's tenant (another tenant's is not found either). Maps to 404. */
public class InvoiceNotFound extends NotFound {
    public InvoiceNotFound(String id) {
        super("no invoice " + id);
    }
}
