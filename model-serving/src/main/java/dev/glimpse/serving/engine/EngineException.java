package dev.glimpse.serving.engine;

import java.util.List;

/** Base of the typed failures a request's future can complete with. */
public abstract class EngineException extends RuntimeException {
    private final List<String> requestIds;

    protected EngineException(String message, List<String> requestIds, Throwable cause) {
        super(message, cause);
        this.requestIds = List.copyOf(requestIds);
    }

    /** The ids of the requests this failure concerns. */
    public List<String> requestIds() {
        return requestIds;
    }
}
