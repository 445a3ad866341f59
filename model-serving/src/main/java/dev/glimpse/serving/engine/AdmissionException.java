package dev.glimpse.serving.engine;

import java.util.List;

/**
 * The request can never run on this engine: refused at {@code submit}, before it was queued (or, as
 * a safety net, taken off the queue by the scheduler when the KV pool can never hold it); {@link
 * #reason()} says which check it failed. A per-request failure: the engine goes on.
 */
public final class AdmissionException extends EngineException {
    private final AdmissionReason reason;

    public AdmissionException(String requestId, AdmissionReason reason, String detail) {
        super(
                "request " + requestId + " rejected (" + reason + "): " + detail,
                List.of(requestId),
                null);
        this.reason = reason;
    }

    public AdmissionReason reason() {
        return reason;
    }

    /** The id of the refused request. */
    public String requestId() {
        return requestIds().get(0);
    }
}
