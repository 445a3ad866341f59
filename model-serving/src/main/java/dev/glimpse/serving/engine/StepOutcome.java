package dev.glimpse.serving.engine;

import java.util.List;

/**
 * What one engine step did (ORT-GenAI's step outcome).
 *
 * @param kind which of the four outcomes
 * @param culpritRequestIds {@link Kind#FAILED}: the requests whose runs failed (and only those were
 *     failed); empty otherwise
 */
record StepOutcome(Kind kind, List<String> culpritRequestIds) {
    enum Kind {
        /** Nothing waiting or running. */
        NO_WORK,
        /**
         * Sequences wait, but none could be scheduled. A safety value: running sequences always get
         * a token and a head that can never fit is rejected, so no current plan yields it.
         */
        CAPACITY_DEFERRED,
        /** Every scheduled sequence ran and its output was applied. */
        COMMITTED,
        /**
         * A run failed: its culprits were isolated and failed, every other scheduled sequence ran
         * and its output was applied.
         */
        FAILED
    }

    static final StepOutcome NO_WORK = new StepOutcome(Kind.NO_WORK, List.of());
    static final StepOutcome CAPACITY_DEFERRED = new StepOutcome(Kind.CAPACITY_DEFERRED, List.of());
    static final StepOutcome COMMITTED = new StepOutcome(Kind.COMMITTED, List.of());

    StepOutcome {
        culpritRequestIds = List.copyOf(culpritRequestIds);
        if ((kind == Kind.FAILED) == culpritRequestIds.isEmpty()) {
            throw new IllegalArgumentException(
                    "a FAILED step names its culprits, no other does: " + kind + culpritRequestIds);
        }
    }

    static StepOutcome failed(List<String> culprits) {
        return new StepOutcome(Kind.FAILED, culprits);
    }

    /** Whether the step computed anything (the loop waits for new requests otherwise). */
    boolean didWork() {
        return kind == Kind.COMMITTED || kind == Kind.FAILED;
    }
}
