package dev.glimpse.operators.preprocess;

import dev.glimpse.operators.DeadLetters;
import dev.glimpse.operators.preprocess.ImageFetcher.FetchException;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.ReasonCode;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * The fetch stage, off the task thread (use with {@code AsyncDataStream.unorderedWait}, timeout
 * {@link ImageFetchSettings#asyncTimeout()}, capacity {@link ImageFetchSettings#capacity()}).
 *
 * <p>An inline image passes at once, on the task thread. A URI is checked against the allow-list
 * there (lexically: no I/O), then read on the {@link FetchPool} with a deadline, bounded retries
 * and the byte cap; a file URI's symbolic links are resolved and checked on the fetch thread, as
 * that touches the file system. A read that hangs holds one fetch thread and its own event, nothing
 * else: other events complete past it, and checkpoints carry the pending event (a few bytes of URI)
 * without waiting for it. Every failure becomes a dead letter at the FETCH stage: URI_NOT_ALLOWED,
 * FETCH_FAILED, PAYLOAD_TOO_LARGE or FETCH_TIMEOUT.
 */
public final class ImageFetch extends RichAsyncFunction<ImageEvent, FetchOutcome> {

    private static final long serialVersionUID = 1L;

    private final ImageFetchSettings settings;
    private final long maxBytes;

    private transient FetchPool pool;
    private transient Clock clock;

    /**
     * @param maxBytes largest image read from a URI ({@code limits.maxEncodedBytes})
     */
    public ImageFetch(ImageFetchSettings settings, long maxBytes) {
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBytes must be in [1, 2^31-9], was " + maxBytes);
        }
        this.settings = java.util.Objects.requireNonNull(settings, "settings");
        this.maxBytes = maxBytes;
    }

    @Override
    public void open(OpenContext openContext) {
        clock = Clock.systemUTC();
        pool =
                new FetchPool(
                        new ImageFetcher(
                                maxBytes,
                                settings.maxAttempts(),
                                settings.backoff(),
                                ImageFetcher.FILE_SYSTEMS),
                        settings.threads(),
                        settings.timeout());
        getRuntimeContext()
                .getMetricGroup()
                .addGroup("glimpse_pipeline")
                .gauge("fetch_threads_stuck", (Gauge<Integer>) pool::stuckThreads);
    }

    @Override
    public void asyncInvoke(ImageEvent event, ResultFuture<FetchOutcome> out) {
        if (!(event.getImage() instanceof ImageReference ref)) {
            out.complete(List.of(FetchOutcome.inline(event)));
            return;
        }
        String uri = ref.getUri();
        Optional<ImageUriPolicy.AllowedUri> allowed = settings.allowedUris().check(uri);
        if (allowed.isEmpty()) {
            out.complete(List.of(failed(event, ImageFetcher.notAllowed(event.getEventId(), uri))));
            return;
        }
        pool.submit(event.getEventId(), uri, allowed.get())
                .whenComplete(
                        (bytes, error) -> {
                            if (error == null) {
                                out.complete(List.of(FetchOutcome.fetched(event, bytes)));
                                return;
                            }
                            Throwable cause =
                                    error instanceof CompletionException ? error.getCause() : error;
                            FetchException e =
                                    cause instanceof FetchException f
                                            ? f
                                            : new FetchException(
                                                    ReasonCode.FETCH_FAILED,
                                                    "event "
                                                            + event.getEventId()
                                                            + ": cannot read image at "
                                                            + uri
                                                            + ": "
                                                            + cause);
                            out.complete(List.of(failed(event, e)));
                        });
    }

    /** Flink's backstop, after the pool's own deadline should already have answered. */
    @Override
    public void timeout(ImageEvent event, ResultFuture<FetchOutcome> out) {
        out.complete(
                List.of(
                        failed(
                                event,
                                new FetchException(
                                        ReasonCode.FETCH_TIMEOUT,
                                        "event "
                                                + event.getEventId()
                                                + ": image not fetched within the async timeout"))));
    }

    private FetchOutcome failed(ImageEvent event, FetchException e) {
        return FetchOutcome.failed(
                DeadLetters.forEvent(
                        event, FailureStage.FETCH, e.reason(), e.getMessage(), clock.instant()));
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }
}
