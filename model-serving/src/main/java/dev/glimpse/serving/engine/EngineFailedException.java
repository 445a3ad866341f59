package dev.glimpse.serving.engine;

import java.util.List;

/**
 * The engine thread died of an unexpected error (its cause, e.g. an {@link OutOfMemoryError} of
 * direct memory): the engine closed itself, and every pending and later request fails with this.
 * Unlike a per-request failure it says the engine is gone: the caller should fail its task (and be
 * restarted) rather than dead-letter the request.
 */
public final class EngineFailedException extends EngineException {
    public EngineFailedException(String requestId, Throwable cause) {
        super(
                "engine failed ("
                        + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
                        + "); request "
                        + requestId
                        + " not completed",
                List.of(requestId),
                cause);
    }
}
