package dev.glimpse.operators.analyze;

import dev.glimpse.operators.DeadLetters;
import dev.glimpse.operators.TaskSettings;
import dev.glimpse.operators.ingest.EventValidator;
import dev.glimpse.operators.preprocess.PreparedRequest;
import dev.glimpse.operators.preprocess.Preprocess;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ReasonCode;
import dev.glimpse.serving.engine.DeadlineExceededException;
import dev.glimpse.serving.engine.EngineClosedException;
import dev.glimpse.serving.engine.EngineOverloadedException;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.engine.StaleRequestException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Runs each prepared image through the TaskManager's shared {@link InferenceEngine} without
 * blocking the task thread (use with {@code AsyncDataStream.unorderedWait}: the operator's capacity
 * bounds the in-flight requests, which is where Flink's backpressure sits).
 *
 * <p>Outcomes: a result, or a dead letter (TIMEOUT, INFERENCE_FAILED, or OVERLOADED after {@code
 * maxOverloadRetries} retries). Only a closed engine (the task is shutting down) fails the record,
 * so that Flink restarts it from the last checkpoint, which re-issues the in-flight requests;
 * greedy decoding answers them identically, and the transactional sink keeps the output exactly
 * once.
 *
 * <p>The GPU index comes from Flink's external-resource framework ({@code gpu}) when configured.
 */
public final class Analyze extends RichAsyncFunction<PreparedRequest, AnalysisOutcome> {

    private static final long serialVersionUID = 1L;
    static final String GPU_RESOURCE = "gpu";

    private final EngineSettings settings;
    private final Map<AnalysisTask, TaskSettings> tasks;
    private final Duration requestTimeout;
    private final int maxOverloadRetries;
    private final long overloadRetryMillis;

    private transient EngineRegistry.Lease lease;
    private transient ResultBuilder results;
    private transient Clock clock;
    private transient ScheduledExecutorService retries;
    private transient Map<PreparedRequest, CompletableFuture<EngineResult>> inFlight;
    private transient Counter overloadRetries;

    /**
     * @param requestTimeout engine-side deadline per request (keep it below the async operator's
     *     timeout so the engine frees the request first)
     * @param maxOverloadRetries resubmissions when the engine's queue is full, then OVERLOADED
     * @param overloadRetryMillis pause before each resubmission
     */
    public Analyze(
            EngineSettings settings,
            Map<AnalysisTask, TaskSettings> tasks,
            Duration requestTimeout,
            int maxOverloadRetries,
            long overloadRetryMillis) {
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be > 0, was " + requestTimeout);
        }
        if (maxOverloadRetries < 0 || overloadRetryMillis < 1) {
            throw new IllegalArgumentException(
                    "maxOverloadRetries must be >= 0 and overloadRetryMillis >= 1, were "
                            + maxOverloadRetries
                            + " and "
                            + overloadRetryMillis);
        }
        this.settings = settings;
        this.tasks = Map.copyOf(tasks);
        this.requestTimeout = requestTimeout;
        this.maxOverloadRetries = maxOverloadRetries;
        this.overloadRetryMillis = overloadRetryMillis;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        lease = EngineRegistry.acquire(settings, gpuIndex());
        results = new ResultBuilder(lease.manifest(), tasks);
        clock = Clock.systemUTC();
        retries =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "glimpse-analyze-retry");
                            t.setDaemon(true);
                            return t;
                        });
        inFlight = new ConcurrentHashMap<>();
        overloadRetries = getRuntimeContext().getMetricGroup().counter("engineOverloadRetries");
    }

    private int gpuIndex() {
        Collection<ExternalResourceInfo> gpus;
        try {
            gpus = getRuntimeContext().getExternalResourceInfos(GPU_RESOURCE);
        } catch (RuntimeException e) {
            return -1;
        }
        for (ExternalResourceInfo gpu : gpus) {
            Optional<String> index = gpu.getProperty("index");
            if (index.isPresent()) {
                return Integer.parseInt(index.get().trim());
            }
        }
        return -1;
    }

    @Override
    public void asyncInvoke(PreparedRequest request, ResultFuture<AnalysisOutcome> resultFuture) {
        submit(request, resultFuture, 0);
    }

    private void submit(PreparedRequest request, ResultFuture<AnalysisOutcome> out, int attempt) {
        AnalysisTask task = EventValidator.parseTask(request.event.getTask()).orElseThrow();
        EngineRequest engineRequest;
        try {
            engineRequest = engineRequest(request, task);
        } catch (IllegalArgumentException e) {
            out.complete(
                    List.of(failed(request.event, ReasonCode.INFERENCE_FAILED, e.getMessage())));
            return;
        }
        long submittedAt = clock.millis();
        CompletableFuture<EngineResult> future = lease.engine().submit(engineRequest);
        inFlight.put(request, future);
        future.whenComplete(
                (answer, error) -> {
                    inFlight.remove(request);
                    if (error == null) {
                        out.complete(
                                List.of(
                                        AnalysisOutcome.of(
                                                results.build(
                                                        request,
                                                        task,
                                                        answer,
                                                        submittedAt,
                                                        clock.instant()))));
                        return;
                    }
                    Throwable cause =
                            error instanceof CompletionException ? error.getCause() : error;
                    if (cause instanceof EngineOverloadedException
                            && attempt < maxOverloadRetries) {
                        overloadRetries.inc();
                        retries.schedule(
                                () -> submit(request, out, attempt + 1),
                                overloadRetryMillis,
                                TimeUnit.MILLISECONDS);
                    } else if (cause instanceof EngineOverloadedException) {
                        out.complete(
                                List.of(
                                        failed(
                                                request.event,
                                                ReasonCode.OVERLOADED,
                                                cause.getMessage())));
                    } else if (cause instanceof StaleRequestException) {
                        out.complete(
                                List.of(
                                        failed(
                                                request.event,
                                                ReasonCode.STALE_SKIPPED,
                                                cause.getMessage())));
                    } else if (cause instanceof DeadlineExceededException) {
                        out.complete(
                                List.of(
                                        failed(
                                                request.event,
                                                ReasonCode.TIMEOUT,
                                                cause.getMessage())));
                    } else if (cause instanceof EngineClosedException
                            || cause instanceof java.util.concurrent.CancellationException) {
                        out.completeExceptionally(cause);
                    } else {
                        out.complete(
                                List.of(
                                        failed(
                                                request.event,
                                                ReasonCode.INFERENCE_FAILED,
                                                "event "
                                                        + request.event.getEventId()
                                                        + ": "
                                                        + cause)));
                    }
                });
    }

    private EngineRequest engineRequest(PreparedRequest request, AnalysisTask task) {
        ImageEvent event = request.event;
        TaskSettings taskSettings = tasks.getOrDefault(task, TaskSettings.DEFAULT);
        EngineRequest.Builder b =
                EngineRequest.builder(
                                event.getEventId(),
                                request.toEngineImage(),
                                Preprocess.engineTask(task))
                        .timeout(requestTimeout)
                        .priority(taskSettings.priorityOf(task))
                        .eventTime(event.getEventTime());
        taskSettings.deadlineOf(task).ifPresent(b::deadline);
        if (task == AnalysisTask.MODERATION) {
            List<String> categories =
                    event.getModerationCategories() != null
                                    && !event.getModerationCategories().isEmpty()
                            ? event.getModerationCategories()
                            : taskSettings.categories();
            b.categories(categories);
        } else {
            Optional<String> question =
                    Optional.ofNullable(event.getPrompt())
                            .filter(p -> !p.isBlank())
                            .or(taskSettings::defaultPrompt);
            question.ifPresent(b::question);
        }
        return b.build();
    }

    @Override
    public void timeout(PreparedRequest request, ResultFuture<AnalysisOutcome> resultFuture) {
        CompletableFuture<EngineResult> future = inFlight.remove(request);
        if (future != null) {
            future.cancel(false);
        }
        resultFuture.complete(
                List.of(
                        failed(
                                request.event,
                                ReasonCode.TIMEOUT,
                                "event "
                                        + request.event.getEventId()
                                        + ": no answer within the async timeout")));
    }

    private AnalysisOutcome failed(ImageEvent event, ReasonCode reason, String message) {
        return AnalysisOutcome.failed(
                DeadLetters.forEvent(
                        event, FailureStage.INFERENCE, reason, message, clock.instant()));
    }

    @Override
    public void close() throws Exception {
        if (retries != null) {
            retries.shutdownNow();
        }
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }
}
