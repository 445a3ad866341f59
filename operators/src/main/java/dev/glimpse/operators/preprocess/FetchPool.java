package dev.glimpse.operators.preprocess;

import dev.glimpse.operators.preprocess.ImageFetcher.FetchException;
import dev.glimpse.schemas.ReasonCode;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs {@link ImageFetcher#fetch} on a fixed number of daemon threads, each fetch under a deadline
 * counted from its submission (queueing included). At the deadline a watchdog completes the fetch
 * with FETCH_TIMEOUT, interrupts its thread and closes its stream (on a separate closer thread, as
 * a close can hang too). A read stuck in the kernel (a FIFO, a hard NFS mount) may ignore both: its
 * thread then stays <em>stuck</em> until the read returns, and while every thread is stuck, new
 * fetches fail at once with FETCH_TIMEOUT instead of queueing behind them.
 *
 * <p>Thread-safe. {@link #submit} never blocks; the futures it returns complete on a fetch or
 * watchdog thread.
 */
public final class FetchPool implements AutoCloseable {

    private final ImageFetcher fetcher;
    private final int threads;
    private final Duration timeout;
    private final ExecutorService workers;
    private final ScheduledExecutorService watchdog;
    private final ExecutorService closer;
    private final AtomicInteger stuck = new AtomicInteger();

    public FetchPool(ImageFetcher fetcher, int threads, Duration timeout) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        this.fetcher = fetcher;
        this.threads = threads;
        this.timeout = timeout;
        this.workers =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        0,
                        TimeUnit.MILLISECONDS,
                        new LinkedBlockingQueue<>(),
                        daemons("glimpse-fetch"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemons("glimpse-fetch-watch"));
        this.closer = Executors.newSingleThreadExecutor(daemons("glimpse-fetch-close"));
    }

    /**
     * The bytes at {@code allowed}; completes exceptionally with a {@link FetchException}
     * (FETCH_TIMEOUT, FETCH_FAILED, PAYLOAD_TOO_LARGE or URI_NOT_ALLOWED).
     */
    public CompletableFuture<byte[]> submit(
            String eventId, String uri, ImageUriPolicy.AllowedUri allowed) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        if (stuck.get() >= threads) {
            result.completeExceptionally(
                    new FetchException(
                            ReasonCode.FETCH_TIMEOUT,
                            String.format(
                                    "event %s: image at %s not fetched: all %d fetch threads are"
                                            + " stuck on earlier reads past their deadline",
                                    eventId, uri, threads)));
            return result;
        }
        Job job = new Job(eventId, uri, allowed, result, System.nanoTime() + timeout.toNanos());
        workers.execute(job::run);
        watchdog.schedule(job::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        return result;
    }

    /** Threads whose read went past its deadline and has not returned yet. */
    public int stuckThreads() {
        return stuck.get();
    }

    /** Stops every thread (interrupting running reads); pending futures stay incomplete. */
    @Override
    public void close() {
        watchdog.shutdownNow();
        workers.shutdownNow();
        closer.shutdownNow();
    }

    /** One event's fetch: its result, its deadline, the thread and stream while it runs. */
    private final class Job {
        private final String eventId;
        private final String uri;
        private final ImageUriPolicy.AllowedUri allowed;
        private final CompletableFuture<byte[]> result;
        private final long deadlineNanos;

        // guarded by this
        private Thread runner;
        private Closeable stream;
        private boolean expired;

        Job(
                String eventId,
                String uri,
                ImageUriPolicy.AllowedUri allowed,
                CompletableFuture<byte[]> result,
                long deadlineNanos) {
            this.eventId = eventId;
            this.uri = uri;
            this.allowed = allowed;
            this.result = result;
            this.deadlineNanos = deadlineNanos;
        }

        void run() {
            synchronized (this) {
                if (expired) {
                    return; // timed out while queued: its FETCH_TIMEOUT is already out
                }
                runner = Thread.currentThread();
            }
            try {
                result.complete(fetcher.fetch(eventId, uri, allowed, deadlineNanos, this::opened));
            } catch (FetchException e) {
                result.completeExceptionally(e);
            } catch (InterruptedException e) {
                // abandoned by the watchdog (result already complete) or by close()
                result.completeExceptionally(timedOut());
            } catch (RuntimeException e) {
                result.completeExceptionally(
                        new FetchException(
                                ReasonCode.FETCH_FAILED,
                                "event " + eventId + ": cannot read image at " + uri + ": " + e));
            } finally {
                synchronized (this) {
                    runner = null;
                    stream = null;
                    if (expired) {
                        stuck.decrementAndGet();
                    }
                }
                Thread.interrupted(); // the watchdog's interrupt must not reach the next job
            }
        }

        synchronized void opened(Closeable in) {
            stream = in;
        }

        void expire() {
            if (!result.completeExceptionally(timedOut())) {
                return; // finished in time
            }
            Closeable toClose;
            synchronized (this) {
                expired = true;
                if (runner == null) {
                    return; // still queued, or just finished
                }
                stuck.incrementAndGet();
                runner.interrupt();
                toClose = stream;
            }
            if (toClose != null) {
                closer.execute(
                        () -> {
                            try {
                                toClose.close();
                            } catch (IOException | RuntimeException e) {
                                // the read is abandoned either way
                            }
                        });
            }
        }

        private FetchException timedOut() {
            return new FetchException(
                    ReasonCode.FETCH_TIMEOUT,
                    String.format(
                            "event %s: image at %s not fetched within %d ms",
                            eventId, uri, timeout.toMillis()));
        }
    }

    private static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
