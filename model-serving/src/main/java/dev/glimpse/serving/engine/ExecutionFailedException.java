package dev.glimpse.serving.engine;

import java.util.List;

/**
 * A model run failed. Thrown once, at the executor boundary, wrapping the native error with the
 * stage and the ids of every request in the failed run; only those requests fail.
 */
public final class ExecutionFailedException extends EngineException {
    private final ExecutionStage stage;

    public ExecutionFailedException(
            ExecutionStage stage, List<String> requestIds, String detail, Throwable cause) {
        super(
                stage.label() + " failed for requests " + requestIds + ": " + detail,
                requestIds,
                cause);
        this.stage = stage;
    }

    public ExecutionStage stage() {
        return stage;
    }
}
