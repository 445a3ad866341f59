package dev.glimpse.serving.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.serving.engine.DeadlineExceededException;
import dev.glimpse.serving.engine.EngineClosedException;
import dev.glimpse.serving.engine.EngineException;
import dev.glimpse.serving.engine.EngineOverloadedException;
import dev.glimpse.serving.engine.ExecutionFailedException;
import java.lang.reflect.Method;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns a failure of {@code submit} or of a request's future into the {@code error} object of an
 * output line: {@code {"reason":..,"type":..,"message":..}}.
 *
 * <p>The reason is the exception's own reason enum where it has one (a {@code reason()} method, as
 * the engine's admission rejections carry: PROMPT_TOO_LONG, TOO_MANY_CATEGORIES, ...), else named
 * for its type (OVERLOADED, TIMEOUT, ENGINE_CLOSED, EXECUTION_FAILED, ENGINE_FAILED for another
 * {@link EngineException}, BAD_REQUEST for an {@link IllegalArgumentException}, INTERNAL
 * otherwise). The reason enum is read by name so that every engine exception type that gains one is
 * reported with it, without a case here per type.
 */
final class EngineErrors {

    private EngineErrors() {}

    /** The error object for {@code failure}; wrappers of the futures API are unwrapped. */
    static ObjectNode describe(Throwable failure) {
        Throwable cause = unwrap(failure);
        ObjectNode error = JsonLines.object();
        error.put("reason", reason(cause));
        error.put("type", cause.getClass().getSimpleName());
        error.put("message", String.valueOf(cause.getMessage()));
        return error;
    }

    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static String reason(Throwable cause) {
        String own = ownReason(cause);
        if (own != null) {
            return own;
        }
        if (cause instanceof EngineOverloadedException) {
            return "OVERLOADED";
        }
        if (cause instanceof DeadlineExceededException) {
            return "TIMEOUT";
        }
        if (cause instanceof EngineClosedException) {
            return "ENGINE_CLOSED";
        }
        if (cause instanceof ExecutionFailedException) {
            return "EXECUTION_FAILED";
        }
        if (cause instanceof EngineException) {
            return "ENGINE_FAILED";
        }
        if (cause instanceof IllegalArgumentException) {
            return "BAD_REQUEST";
        }
        return "INTERNAL";
    }

    /** The name of an engine exception's {@code reason()} enum, or null if it has none. */
    private static String ownReason(Throwable cause) {
        if (!(cause instanceof EngineException)) {
            return null;
        }
        try {
            Method reason = cause.getClass().getMethod("reason");
            Object value = reason.invoke(cause);
            return value instanceof Enum<?> e ? e.name() : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
