package dev.glimpse.serving.engine;

import java.util.List;

/** The engine was closed before (or while) the request ran. */
public final class EngineClosedException extends EngineException {
    public EngineClosedException(String requestId) {
        super("engine closed; request " + requestId + " not completed", List.of(requestId), null);
    }
}
