package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.metrics.EngineMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous-batching VLM inference: {@link #submit} returns at once with a future; one engine
 * thread runs steps (schedule → run the model → update from its output) over every running request.
 *
 * <p>Threading: {@code submit}, {@code stats} and {@code close} are safe from any thread. Prompts
 * are tokenised on the caller's thread; futures are completed on a separate completion thread, so
 * callbacks never run on (or block) the engine thread.
 *
 * <p>Admission: a request that can never run (too long for the model's positions or the KV pool,
 * bad moderation categories) is refused at {@code submit} with an {@link AdmissionException} naming
 * the {@link AdmissionReason}. At most {@code maxQueuedRequests} requests may be accepted but not
 * yet started; beyond that {@code submit} returns a future failed with {@link
 * EngineOverloadedException} without queueing. Cancel a request with {@code future.cancel(...)}; a
 * request whose timeout passes fails with {@link DeadlineExceededException}. Either way its KV is
 * freed within a step. A request with a freshness {@code deadline} that is older than it (from its
 * event time) before it starts is skipped: {@link StaleRequestException}. Waiting requests are
 * admitted by priority within a starvation bound ({@link EngineConfig#oldestFirstEvery()}).
 *
 * <p>{@link #close} is idempotent: it fails unfinished requests with {@link EngineClosedException},
 * stops the thread and closes the executor (all native memory). If the engine thread dies of an
 * unexpected error, the engine closes itself: pending and later requests fail with {@link
 * EngineFailedException} carrying the error ({@link #failureCause}).
 */
public final class InferenceEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceEngine.class);
    private static final Object WAKE = new Object();
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final EngineConfig config;
    private final ModelExecutor executor;
    private final EngineMetrics metrics;
    private final LongSupplier nanoTime;
    private final Clock clock; // event times are wall-clock instants
    private final RequestAdmission admission;
    private final EngineCounters counters = new EngineCounters();
    private final AtomicInteger numQueued = new AtomicInteger();
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final ExecutorService completions;
    private final EngineCore core;
    private final Thread thread;
    private final Object lifecycle = new Object();
    private boolean closed; // guarded by lifecycle: submit refuses
    private boolean closeCalled; // guarded by lifecycle
    private volatile Throwable failure; // what killed the engine thread, if anything
    private volatile boolean stopping;

    /** Starts the engine thread. The engine owns (and closes) the executor. */
    public InferenceEngine(
            EngineConfig config,
            ModelExecutor executor,
            PromptEncoder prompts,
            PrometheusRegistry registry) {
        this(config, executor, prompts, registry, System::nanoTime, Clock.systemUTC());
    }

    InferenceEngine(
            EngineConfig config,
            ModelExecutor executor,
            PromptEncoder prompts,
            PrometheusRegistry registry,
            LongSupplier nanoTime,
            Clock clock) {
        this.config = config;
        this.executor = executor;
        this.nanoTime = nanoTime;
        this.clock = clock;
        this.admission = new RequestAdmission(config, prompts, executor.shape());
        this.metrics =
                new EngineMetrics(
                        registry,
                        executor.executionProvider(),
                        executor.shape().kv().style().manifestName());
        int n = INSTANCES.incrementAndGet();
        this.completions =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "glimpse-engine-" + n + "-completions");
                            t.setDaemon(true);
                            return t;
                        });
        try {
            this.core =
                    new EngineCore(
                            config,
                            executor,
                            prompts,
                            metrics,
                            counters,
                            completions,
                            numQueued,
                            nanoTime);
        } catch (RuntimeException e) {
            completions.shutdown();
            executor.close(); // the engine owns it, even when it never starts
            throw e;
        }
        this.thread = new Thread(this::loop, "glimpse-engine-" + n);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues a request. Never blocks: returns a future that completes with the result, or
     * exceptionally with an {@link EngineException}: {@link AdmissionException} (can never run,
     * with its reason), {@link EngineOverloadedException}, {@link DeadlineExceededException},
     * {@link ExecutionFailedException} (a run of this request failed), {@link
     * EngineClosedException}, {@link EngineFailedException} (the engine died: every request fails);
     * or with {@link IllegalArgumentException} (the prompt encoder and the image disagree).
     */
    public CompletableFuture<EngineResult> submit(EngineRequest request) {
        synchronized (lifecycle) {
            if (closed) {
                return CompletableFuture.failedFuture(closedError(request.id()));
            }
        }
        int q;
        do {
            q = numQueued.get();
            if (q >= config.maxQueuedRequests()) {
                counters.rejected();
                metrics.rejected();
                return CompletableFuture.failedFuture(
                        new EngineOverloadedException(request.id(), config.maxQueuedRequests()));
            }
        } while (!numQueued.compareAndSet(q, q + 1));
        ActiveRequest active;
        try {
            active = admission.admit(request, nanoTime.getAsLong(), ageNanos(request));
        } catch (RuntimeException e) {
            numQueued.decrementAndGet();
            metrics.error(ExecutionStage.PROMPT.label());
            return CompletableFuture.failedFuture(e);
        }
        synchronized (lifecycle) {
            if (closed) {
                numQueued.decrementAndGet();
                return CompletableFuture.failedFuture(closedError(request.id()));
            }
            inbox.add(active);
        }
        return active.future;
    }

    /** Age at submit from the event time; 0 without one or for an event time in the future. */
    private long ageNanos(EngineRequest request) {
        return request.eventTime()
                .map(t -> Math.max(0, clock.millis() - t.toEpochMilli()) * 1_000_000L)
                .orElse(0L);
    }

    private EngineException closedError(String requestId) {
        Throwable cause = failure;
        return cause == null
                ? new EngineClosedException(requestId)
                : new EngineFailedException(requestId, cause);
    }

    private void loop() {
        try {
            while (!stopping) {
                drain();
                StepOutcome outcome = core.step();
                if (outcome.kind() == StepOutcome.Kind.FAILED) {
                    LOG.warn(
                            "runs of requests {} failed; only they were failed",
                            outcome.culpritRequestIds());
                }
                if (!outcome.didWork() && !stopping) {
                    long wait = TimeUnit.MILLISECONDS.toNanos(20);
                    long deadline = core.nextDeadline();
                    if (deadline != Long.MAX_VALUE) {
                        wait = Math.max(0, Math.min(wait, deadline - nanoTime.getAsLong()));
                    }
                    Object o = inbox.poll(wait, TimeUnit.NANOSECONDS);
                    if (o instanceof ActiveRequest r) {
                        core.add(r);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            // anything but a per-request failure is a bug or a dead process (e.g. direct memory
            // exhausted): the engine cannot be trusted any more, so it closes itself loudly
            // instead of leaving futures that nothing completes
            LOG.error("engine thread failed; closing the engine and failing every request", t);
            failure = t;
        } finally {
            stop();
        }
    }

    /** Refuses new requests, fails the pending ones and frees everything (engine thread). */
    private void stop() {
        synchronized (lifecycle) {
            closed = true;
            stopping = true;
        }
        List<ActiveRequest> pending = new ArrayList<>();
        Object o;
        while ((o = inbox.poll()) != null) {
            if (o instanceof ActiveRequest r) {
                pending.add(r);
            }
        }
        for (ActiveRequest r : pending) {
            numQueued.decrementAndGet();
            EngineException error = closedError(r.id());
            completions.execute(() -> r.future.completeExceptionally(error));
        }
        try {
            core.shutdown(this::closedError);
        } catch (Throwable t) {
            LOG.error("failing the active requests of a stopping engine failed", t);
        }
        try {
            executor.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the model executor failed", e);
        }
    }

    private void drain() {
        Object o;
        while ((o = inbox.poll()) != null) {
            if (o instanceof ActiveRequest r) {
                core.add(r);
            }
        }
    }

    /** Counters since start; safe from any thread. */
    public EngineStats stats() {
        return core.stats();
    }

    /** Native tensors held by the executor right now (0 when idle: the leak check). */
    public long numLiveTensors() {
        return executor.numLiveTensors();
    }

    public String executionProvider() {
        return executor.executionProvider();
    }

    public EngineConfig config() {
        return config;
    }

    /** The error that killed the engine thread, if it died; the engine is closed then. */
    public Optional<Throwable> failureCause() {
        return Optional.ofNullable(failure);
    }

    /** Fails pending requests, stops the engine thread, frees native memory. Idempotent. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closeCalled) {
                return;
            }
            closeCalled = true;
            closed = true;
            stopping = true;
            inbox.add(WAKE);
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        completions.shutdown();
        try {
            completions.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
