package dev.glimpse.operators.analyze;

import dev.glimpse.schemas.ReasonCode;
import dev.glimpse.serving.engine.DeadlineExceededException;
import dev.glimpse.serving.engine.EngineClosedException;
import dev.glimpse.serving.engine.EngineException;
import dev.glimpse.serving.engine.EngineOverloadedException;
import java.lang.reflect.Method;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What Analyze does with a failed submission. Three kinds:
 *
 * <ul>
 *   <li>{@link Kind#RETRY}: the engine's queue was full ({@link EngineOverloadedException});
 *       retried a bounded number of times, then an OVERLOADED dead letter.
 *   <li>{@link Kind#DEAD_LETTER}: this request failed, the engine is fine: a deadline (TIMEOUT), an
 *       admission rejection (its own reason, e.g. PROMPT_TOO_LONG, when the Avro {@link ReasonCode}
 *       has a symbol of that name), anything else INFERENCE_FAILED.
 *   <li>{@link Kind#FAIL_TASK}: the engine is closed or dead ({@link EngineClosedException} and its
 *       kind, an engine-failure exception, an {@link Error}): the record fails the Flink task,
 *       which restarts from the last checkpoint and re-issues it on a fresh engine, instead of
 *       dead-lettering every in-flight event.
 * </ul>
 */
final class EngineFailures {

    /** Simple name of the engine's "engine loop died" exception, matched by name (see below). */
    static final String ENGINE_FAILED = "EngineFailedException";

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
        if (engineDead(cause)) {
            return new Failure(Kind.FAIL_TASK, ReasonCode.INFERENCE_FAILED, cause);
        }
        if (cause instanceof DeadlineExceededException) {
            return new Failure(Kind.DEAD_LETTER, ReasonCode.TIMEOUT, cause);
        }
        return new Failure(Kind.DEAD_LETTER, ownReason(cause), cause);
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
     * True when no request can succeed on this engine any more. The engine's failure exception is
     * matched by its simple name as well as by type, so that the mapping holds whether it extends
     * {@link EngineClosedException} or {@link EngineException} directly.
     */
    private static boolean engineDead(Throwable cause) {
        return cause instanceof EngineClosedException
                || cause instanceof Error
                || (cause instanceof EngineException
                        && cause.getClass().getSimpleName().equals(ENGINE_FAILED));
    }

    /**
     * The Avro reason of an engine exception that carries its own reason enum (a {@code reason()}
     * method, as the engine's admission rejections have), matched by symbol name; INFERENCE_FAILED
     * for any other failure, or a reason the schema does not know.
     */
    static ReasonCode ownReason(Throwable cause) {
        if (cause instanceof EngineException) {
            try {
                Method reason = cause.getClass().getMethod("reason");
                if (reason.invoke(cause) instanceof Enum<?> e) {
                    return ReasonCode.valueOf(e.name());
                }
            } catch (ReflectiveOperationException | IllegalArgumentException e) {
                // no reason() or no such symbol: the generic reason below
            }
        }
        return ReasonCode.INFERENCE_FAILED;
    }
}
