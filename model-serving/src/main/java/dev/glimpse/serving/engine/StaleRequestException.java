package dev.glimpse.serving.engine;

import java.time.Duration;
import java.util.List;

/**
 * The request was skipped, never analysed: it had not started when its age (from its event time)
 * passed its {@code deadline} ({@link EngineRequest#deadline()}). Under overload stale work is
 * dropped so that fresh work is answered in time; a caller records it as skipped, not as a failure
 * of the request.
 */
public final class StaleRequestException extends EngineException {
    private final Task task;
    private final Duration deadline;

    public StaleRequestException(String requestId, Task task, Duration deadline) {
        super(
                "request "
                        + requestId
                        + " ("
                        + task
                        + ") skipped: older than its deadline of "
                        + deadline
                        + " before it could start",
                List.of(requestId),
                null);
        this.task = task;
        this.deadline = deadline;
    }

    public Task task() {
        return task;
    }

    public Duration deadline() {
        return deadline;
    }
}
