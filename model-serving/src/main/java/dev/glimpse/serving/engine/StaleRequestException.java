package dev.glimpse.serving.engine;

import java.time.Duration;
import java.util.List;

/**
 * The request was skipped, never analysed: it had not started when its age (from its event time)
 * passed its {@code deadline} ({@link EngineRequest#deadline()}), or when its age plus the task's
 * recent service time would have passed it (it could only have been answered late). Under overload
 * stale work is dropped so that fresh work is answered in time; a caller records it as skipped, not
 * as a failure of the request.
 */
public final class StaleRequestException extends EngineException {
    private final Task task;
    private final Duration deadline;

    public StaleRequestException(String requestId, Task task, Duration deadline) {
        this(requestId, task, deadline, 0);
    }

    /**
     * @param expectedServiceNanos 0 when the request was already older than its deadline, else the
     *     service time that would have taken it past the deadline
     */
    public StaleRequestException(
            String requestId, Task task, Duration deadline, long expectedServiceNanos) {
        super(
                "request "
                        + requestId
                        + " ("
                        + task
                        + ") skipped: "
                        + (expectedServiceNanos == 0
                                ? "older than its deadline of "
                                        + deadline
                                        + " before it could start"
                                : "it could not finish within its deadline of "
                                        + deadline
                                        + " (the task's recent service time is "
                                        + Duration.ofNanos(expectedServiceNanos).toMillis()
                                        + " ms)"),
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
