package dev.glimpse.serving.engine;

import java.util.List;

/** The admission queue was full at {@code submit}: retry later or shed load. Fails fast. */
public final class EngineOverloadedException extends EngineException {
    public EngineOverloadedException(String requestId, int capacity) {
        super(
                "engine overloaded: admission queue holds its maximum of "
                        + capacity
                        + " requests; rejected "
                        + requestId,
                List.of(requestId),
                null);
    }
}
