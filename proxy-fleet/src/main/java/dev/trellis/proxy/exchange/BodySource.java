package dev.trellis.proxy.exchange;

/**
 * A request body an upstream attempt sends: the caller's, streamed as it arrives, or a fixed copy
 * (a mirror's). A body can be sent again to a second sink only while it is {@link #replayable()}.
 */
public interface BodySource {

    /** Sends {@code sink} the body from its start: what is held now, then the rest as it arrives. */
    void attach(BodySink sink);

    /** {@code sink} (an attempt that ended) takes nothing more. */
    void detach(BodySink sink);

    /** Whether the whole body from its first byte can still be sent again. */
    boolean replayable();

    /** The attached sink may take more: reads on from the caller when the body is not complete. */
    void demand();
}
