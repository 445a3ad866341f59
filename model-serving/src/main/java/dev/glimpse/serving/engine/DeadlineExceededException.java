package dev.glimpse.serving.engine;

import java.time.Duration;
import java.util.List;

/** The request's timeout passed before it completed; its KV blocks were freed. */
public final class DeadlineExceededException extends EngineException {
    public DeadlineExceededException(String requestId, Duration timeout) {
        super(
                "request " + requestId + " exceeded its timeout of " + timeout,
                List.of(requestId),
                null);
    }
}
