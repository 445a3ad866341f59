package dev.glimpse.operators.analyze;

import dev.glimpse.schemas.ReasonCode;
import dev.glimpse.serving.engine.AdmissionException;
import dev.glimpse.serving.engine.DeadlineExceededException;
import dev.glimpse.serving.engine.EngineClosedException;
import dev.glimpse.serving.engine.EngineFailedException;
import dev.glimpse.serving.engine.EngineOverloadedException;
import dev.glimpse.serving.engine.StaleRequestException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What Analyze does with a failed submission. Three kinds:
 *
 * <ul>
 *   <li>{@link Kind#RETRY}: the engine's queue was full ({@link EngineOverloadedException});
 *       retried a bounded number of times, then an OVERLOADED dead letter.
 *   <li>{@link Kind#DEAD_LETTER}: this request failed, the engine is fine: a deadline (TIMEOUT), a
 *       stale frame skipped (STALE_SKIPPED), an admission rejection (the {@link ReasonCode} of its
 *       {@link dev.glimpse.serving.engine.AdmissionReason}, e.g. PROMPT_TOO_LONG), anything else
 *       INFERENCE_FAILED.
 *   <li>{@link Kind#FAIL_TASK}: the engine is closed or dead ({@link EngineClosedException}, {@link
 *       EngineFailedException}, an {@link Error}): the record fails the Flink task, which restarts
 *       from the last checkpoint and re-issues it on a fresh engine, instead of dead-lettering
 *       every in-flight event.
 * </ul>
 */
final class EngineFailures {

    enum Kind {
        RETRY,
        DEAD_LETTER,
        FAIL_TASK
    }

    /** A classified failure: its kind, the dead-letter reason, and the unwrapped cause. */
    record Failure(Kind kind, ReasonCode reason, Throwable cause) {}

    private EngineFailures() {}

    static Failure classify(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof EngineOverloadedException) {
            return new Failure(Kind.RETRY, ReasonCode.OVERLOADED, cause);
        }
        if (cause instanceof EngineClosedException
                || cause instanceof EngineFailedException
                || cause instanceof Error) {
            return new Failure(Kind.FAIL_TASK, ReasonCode.INFERENCE_FAILED, cause);
        }
        if (cause instanceof DeadlineExceededException) {
            return new Failure(Kind.DEAD_LETTER, ReasonCode.TIMEOUT, cause);
        }
        if (cause instanceof StaleRequestException) {
            return new Failure(Kind.DEAD_LETTER, ReasonCode.STALE_SKIPPED, cause);
        }
        if (cause instanceof AdmissionException rejected) {
            return new Failure(Kind.DEAD_LETTER, reasonCode(rejected), cause);
        }
        return new Failure(Kind.DEAD_LETTER, ReasonCode.INFERENCE_FAILED, cause);
    }

    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * The dead-letter reason of an admission rejection: the Avro symbol of the same name (every
     * {@link dev.glimpse.serving.engine.AdmissionReason} has one, which a test checks).
     */
    static ReasonCode reasonCode(AdmissionException rejected) {
        return ReasonCode.valueOf(rejected.reason().name());
    }
}
