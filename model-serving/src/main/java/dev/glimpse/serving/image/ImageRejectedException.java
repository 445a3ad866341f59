package dev.glimpse.serving.image;

import java.util.Objects;

/**
 * An input that cannot be decoded within the limits, with a typed reason and a message that names
 * the input and what was expected. The only exception {@link ImageDecoder#decode} throws for bad
 * input.
 */
public final class ImageRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;
    private final String inputLabel;

    public ImageRejectedException(RejectionReason reason, String inputLabel, String detail) {
        this(reason, inputLabel, detail, null);
    }

    public ImageRejectedException(
            RejectionReason reason, String inputLabel, String detail, Throwable cause) {
        super(inputLabel + ": " + reason + ": " + detail, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.inputLabel = inputLabel;
    }

    public RejectionReason reason() {
        return reason;
    }

    /** The caller's name for the input (e.g. a request or object id). */
    public String inputLabel() {
        return inputLabel;
    }
}
