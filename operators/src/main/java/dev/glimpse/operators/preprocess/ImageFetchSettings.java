package dev.glimpse.operators.preprocess;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How events' image URIs are fetched: which URIs are allowed at all, the deadline of one event's
 * fetch (every attempt and pause included), how often a transient error is retried and after what
 * pause, and how many fetch threads a subtask runs.
 *
 * @param allowedUris the allow-list; {@link ImageUriPolicy#INLINE_ONLY} by default
 * @param timeout deadline of one event's fetch, from its arrival at the fetch stage (FETCH_TIMEOUT)
 * @param maxAttempts reads of one URI at most (1 = no retry)
 * @param backoff pause before the second read; doubled before each further one
 * @param threads fetch threads per subtask (a read that hangs holds one until it returns)
 */
public record ImageFetchSettings(
        ImageUriPolicy allowedUris,
        Duration timeout,
        int maxAttempts,
        Duration backoff,
        int threads)
        implements Serializable {

    /** Inline images only; 10 s per fetch, 3 reads 200 ms / 400 ms apart, 4 threads. */
    public static final ImageFetchSettings DEFAULTS =
            new ImageFetchSettings(
                    ImageUriPolicy.INLINE_ONLY,
                    Duration.ofSeconds(10),
                    3,
                    Duration.ofMillis(200),
                    4);

    /** How much longer than a fetch's deadline the async operator waits before its own timeout. */
    static final Duration ASYNC_MARGIN = Duration.ofSeconds(5);

    public ImageFetchSettings {
        Objects.requireNonNull(allowedUris, "allowedUris");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("images.fetch.timeout must be > 0, was " + timeout);
        }
        if (maxAttempts < 1 || maxAttempts > 10) {
            throw new IllegalArgumentException(
                    "images.fetch.maxAttempts must be in [1, 10], was " + maxAttempts);
        }
        if (backoff.isNegative()) {
            throw new IllegalArgumentException("images.fetch.backoff must be >= 0, was " + backoff);
        }
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException(
                    "images.fetch.threads must be in [1, 256], was " + threads);
        }
    }

    /**
     * The fetch stage's async timeout: the fetch deadline plus {@link #ASYNC_MARGIN}, so that the
     * fetch pool's own FETCH_TIMEOUT comes first and Flink's timeout is only a backstop.
     */
    public Duration asyncTimeout() {
        return timeout.plus(ASYNC_MARGIN);
    }

    /**
     * Events in flight in the fetch stage per subtask. Inline events pass through at once; the rest
     * is room for URI events queued behind busy threads, each of which leaves by its deadline.
     */
    public int capacity() {
        return Math.max(32, 8 * threads);
    }
}
