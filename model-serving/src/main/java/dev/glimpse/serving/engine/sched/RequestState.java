package dev.glimpse.serving.engine.sched;

import java.util.EnumSet;
import java.util.Set;

/**
 * Lifecycle of a sequence. Legal moves:
 *
 * <pre>
 *   WAITING ──▶ RUNNING ──▶ FINISHED_STOPPED | FINISHED_LENGTH | FINISHED_SCORED
 *      │           │
 *      └───────────┴──────▶ FINISHED_CANCELLED | FINISHED_DEADLINE | FINISHED_FAILED | FINISHED_CLOSED
 *      │
 *      └──────────────────▶ FINISHED_SKIPPED (stale: older than its freshness deadline, never run)
 * </pre>
 */
public enum RequestState {
    WAITING,
    RUNNING,
    FINISHED_STOPPED,
    FINISHED_LENGTH,
    FINISHED_SCORED,
    FINISHED_CANCELLED,
    FINISHED_DEADLINE,
    FINISHED_FAILED,
    FINISHED_CLOSED,
    FINISHED_SKIPPED;

    private static final Set<RequestState> ABORTS =
            EnumSet.of(FINISHED_CANCELLED, FINISHED_DEADLINE, FINISHED_FAILED, FINISHED_CLOSED);

    public boolean isFinished() {
        return ordinal() >= FINISHED_STOPPED.ordinal();
    }

    /** Finished with an answer (as opposed to aborted). */
    public boolean isSuccess() {
        return this == FINISHED_STOPPED || this == FINISHED_LENGTH || this == FINISHED_SCORED;
    }

    public boolean holdsKv() {
        return this == RUNNING;
    }

    public boolean canTransitionTo(RequestState next) {
        return switch (this) {
            case WAITING -> next == RUNNING || next == FINISHED_SKIPPED || ABORTS.contains(next);
            case RUNNING -> next.isFinished();
            default -> false;
        };
    }
}
