package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.kv.BlockHasher;
import dev.glimpse.serving.engine.kv.ImageSpan;
import dev.glimpse.serving.engine.metrics.EngineMetrics;
import dev.glimpse.serving.engine.sched.Sequence;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous-batching VLM inference: {@link #submit} returns at once with a future; one engine
 * thread runs steps (schedule → vision → prefill chunks → batched decode → sample) over every
 * running request.
 *
 * <p>Threading: {@code submit}, {@code stats} and {@code close} are safe from any thread. Prompts
 * are tokenised on the caller's thread; futures are completed on a separate completion thread, so
 * callbacks never run on (or block) the engine thread.
 *
 * <p>Admission: at most {@code maxQueuedRequests} requests may be accepted but not yet started;
 * beyond that {@code submit} returns a future failed with {@link EngineOverloadedException} without
 * queueing. Cancel a request with {@code future.cancel(...)}; a request whose timeout passes fails
 * with {@link DeadlineExceededException}. Either way its KV is freed within a step.
 *
 * <p>{@link #close} is idempotent: it fails unfinished requests with {@link EngineClosedException},
 * stops the thread and closes the executor (all native memory).
 */
public final class InferenceEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceEngine.class);
    private static final Object WAKE = new Object();
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final EngineConfig config;
    private final ModelExecutor executor;
    private final PromptEncoder prompts;
    private final EngineMetrics metrics;
    private final LongSupplier nanoTime;
    private final AtomicInteger numQueued = new AtomicInteger();
    private final AtomicLong numRejected = new AtomicLong();
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final ExecutorService completions;
    private final EngineCore core;
    private final Thread thread;
    private final Object lifecycle = new Object();
    private boolean closed; // guarded by lifecycle
    private volatile boolean stopping;

    /** Starts the engine thread. The engine owns (and closes) the executor. */
    public InferenceEngine(
            EngineConfig config,
            ModelExecutor executor,
            PromptEncoder prompts,
            PrometheusRegistry registry) {
        this(config, executor, prompts, registry, System::nanoTime);
    }

    InferenceEngine(
            EngineConfig config,
            ModelExecutor executor,
            PromptEncoder prompts,
            PrometheusRegistry registry,
            LongSupplier nanoTime) {
        this.config = config;
        this.executor = executor;
        this.prompts = prompts;
        this.nanoTime = nanoTime;
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
        this.core =
                new EngineCore(
                        config, executor, prompts, metrics, completions, numQueued, nanoTime);
        this.thread = new Thread(this::loop, "glimpse-engine-" + n);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues a request. Never blocks: returns a future that completes with the result, or
     * exceptionally with an {@link EngineException} (overloaded, deadline, closed, execution
     * failure) or {@link IllegalArgumentException} (bad request).
     */
    public CompletableFuture<EngineResult> submit(EngineRequest request) {
        synchronized (lifecycle) {
            if (closed) {
                return CompletableFuture.failedFuture(new EngineClosedException(request.id()));
            }
        }
        int q;
        do {
            q = numQueued.get();
            if (q >= config.maxQueuedRequests()) {
                numRejected.incrementAndGet();
                metrics.rejected();
                return CompletableFuture.failedFuture(
                        new EngineOverloadedException(request.id(), config.maxQueuedRequests()));
            }
        } while (!numQueued.compareAndSet(q, q + 1));
        ActiveRequest active;
        try {
            active = prepare(request);
        } catch (RuntimeException e) {
            numQueued.decrementAndGet();
            metrics.error(ExecutionStage.PROMPT.label());
            return CompletableFuture.failedFuture(e);
        }
        synchronized (lifecycle) {
            if (closed) {
                numQueued.decrementAndGet();
                return CompletableFuture.failedFuture(new EngineClosedException(request.id()));
            }
            inbox.add(active);
        }
        return active.future;
    }

    private ActiveRequest prepare(EngineRequest request) {
        long now = nanoTime.getAsLong();
        Set<Integer> stops = new HashSet<>();
        if (!request.ignoreStopTokens()) {
            stops.addAll(prompts.stopTokenIds());
            stops.addAll(request.extraStopTokenIds());
        }
        List<String> categories = List.of();
        List<Optional<String>> perSequence = new ArrayList<>();
        int maxNew;
        if (request.task() == Task.MODERATION) {
            categories =
                    request.categories().isEmpty()
                            ? prompts.moderationCategories()
                            : request.categories();
            if (categories.isEmpty()) {
                throw new IllegalArgumentException(
                        "moderation request "
                                + request.id()
                                + " has no categories and the model defines none");
            }
            categories.forEach(c -> perSequence.add(Optional.of(c)));
            maxNew = 1;
        } else {
            perSequence.add(Optional.empty());
            maxNew =
                    request.sampling()
                            .maxNewTokens()
                            .orElse(prompts.defaultMaxNewTokens(request.task()));
        }
        List<Sequence> sequences = new ArrayList<>();
        for (int i = 0; i < perSequence.size(); i++) {
            EncodedPrompt p =
                    prompts.encode(
                            request.task(),
                            request.question(),
                            perSequence.get(i),
                            request.image());
            int expectedRows = request.image().slices().size() * executor.shape().queryNum();
            if (p.visualPositions().length != expectedRows) {
                throw new IllegalArgumentException(
                        "prompt of "
                                + request.id()
                                + " has "
                                + p.visualPositions().length
                                + " image placeholder tokens, the image needs "
                                + expectedRows);
            }
            int[] vis = p.visualPositions();
            List<ImageSpan> spans =
                    vis.length == 0
                            ? List.of()
                            : List.of(
                                    new ImageSpan(
                                            vis[0],
                                            vis[vis.length - 1] + 1,
                                            request.image().contentHash()));
            var hashes =
                    config.prefixCaching()
                            ? BlockHasher.hashFullBlocks(
                                    p.tokenIds(), p.tokenIds().length, config.blockSize(), spans)
                            : List.<dev.glimpse.serving.engine.kv.BlockHash>of();
            String seqId = perSequence.size() == 1 ? request.id() : request.id() + "#" + i;
            sequences.add(
                    new Sequence(
                            seqId,
                            request.id(),
                            p.tokenIds(),
                            vis,
                            spans,
                            hashes,
                            maxNew,
                            stops,
                            request.sampling()));
        }
        if (sequences.get(0).maxTotalTokens() > config.numKvBlocks() * config.blockSize()) {
            throw new IllegalArgumentException(
                    "request "
                            + request.id()
                            + " needs "
                            + sequences.get(0).maxTotalTokens()
                            + " tokens of KV, the pool holds "
                            + config.numKvBlocks() * config.blockSize());
        }
        return new ActiveRequest(request, now, sequences, categories);
    }

    private void loop() {
        try {
            while (!stopping) {
                drain();
                boolean worked;
                try {
                    worked = core.step();
                } catch (RuntimeException e) {
                    LOG.error("engine step failed; failing every active request", e);
                    core.failAll(e);
                    worked = false;
                }
                if (!worked && !stopping) {
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
        } finally {
            drain();
            core.shutdown();
            try {
                executor.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the model executor failed", e);
            }
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
        return core.stats(numRejected.get());
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

    /** Fails pending requests, stops the engine thread, frees native memory. Idempotent. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
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
