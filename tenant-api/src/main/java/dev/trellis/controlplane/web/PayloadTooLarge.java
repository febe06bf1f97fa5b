package dev.trellis.controlplane.web;

/** The request body is larger than {@link JsonBody#MAX_BYTES}. Maps to 413. */
public class PayloadTooLarge extends RuntimeException {
    public PayloadTooLarge() {
        super("request body too large", null, false, false);
    }
}
