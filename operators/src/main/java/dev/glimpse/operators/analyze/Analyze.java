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
import dev.glimpse.serving.engine.EngineException;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.InferenceEngine;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
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
 * <p>Outcomes ({@link EngineFailures}): a result, or a dead letter (TIMEOUT, an admission reason
 * such as PROMPT_TOO_LONG, INFERENCE_FAILED, or OVERLOADED after {@code maxOverloadRetries}
 * retries). Only a closed or dead engine fails the record, so that Flink restarts the task from the
 * last checkpoint, which re-issues the in-flight requests on a fresh engine; greedy decoding
 * answers them identically, and the transactional sink keeps the output exactly once.
 *
 * <p>The GPU index comes from Flink's external-resource framework ({@code gpu}) when configured.
 */
public final class Analyze extends RichAsyncFunction<PreparedRequest, AnalysisOutcome> {

    private static final long serialVersionUID = 1L;
    static final String GPU_RESOURCE = "gpu";

    private final EngineSource engineSource;
    private final Map<AnalysisTask, TaskSettings> tasks;
    private final Duration requestTimeout;
    private final int maxOverloadRetries;
    private final long overloadRetryMillis;

    private transient EngineSource.Handle lease;
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
        this(
                EngineSource.shared(settings),
                tasks,
                requestTimeout,
                maxOverloadRetries,
                overloadRetryMillis);
    }

    /** As above, with the engine from {@code engineSource} (tests pass a fake engine). */
    Analyze(
            EngineSource engineSource,
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
        this.engineSource = engineSource;
        this.tasks = Map.copyOf(tasks);
        this.requestTimeout = requestTimeout;
        this.maxOverloadRetries = maxOverloadRetries;
        this.overloadRetryMillis = overloadRetryMillis;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        lease = engineSource.open(gpuIndex());
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
        } catch (RuntimeException e) { // the event's request is refused as built
            onFailure(request, out, attempt, e);
            return;
        }
        long submittedAt = clock.millis();
        CompletableFuture<EngineResult> future;
        try {
            future = lease.engine().submit(engineRequest);
        } catch (RuntimeException e) { // a refusal thrown at submit rather than returned
            future = CompletableFuture.failedFuture(e);
        }
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
                    } else if (!(error instanceof CancellationException)) {
                        // a cancellation comes from timeout(), which answered the record
                        onFailure(request, out, attempt, error);
                    }
                });
    }

    private void onFailure(
            PreparedRequest request,
            ResultFuture<AnalysisOutcome> out,
            int attempt,
            Throwable error) {
        EngineFailures.Failure failure = EngineFailures.classify(error);
        Throwable cause = failure.cause();
        switch (failure.kind()) {
            case RETRY -> {
                if (attempt < maxOverloadRetries) {
                    overloadRetries.inc();
                    retries.schedule(
                            () -> submit(request, out, attempt + 1),
                            overloadRetryMillis,
                            TimeUnit.MILLISECONDS);
                } else {
                    out.complete(
                            List.of(failed(request.event, failure.reason(), cause.getMessage())));
                }
            }
            case FAIL_TASK -> out.completeExceptionally(cause);
            case DEAD_LETTER ->
                    out.complete(
                            List.of(
                                    failed(
                                            request.event,
                                            failure.reason(),
                                            "event "
                                                    + request.event.getEventId()
                                                    + ": "
                                                    + describe(cause))));
        }
    }

    /** The engine's own message for its typed failures; the exception itself for anything else. */
    private static String describe(Throwable cause) {
        return cause instanceof EngineException ? cause.getMessage() : cause.toString();
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
        // Answer first: cancelling the engine future runs its callback, which must find the
        // record answered (a cancellation is not an engine failure).
        resultFuture.complete(
                List.of(
                        failed(
                                request.event,
                                ReasonCode.TIMEOUT,
                                "event "
                                        + request.event.getEventId()
                                        + ": no answer within the async timeout")));
        CompletableFuture<EngineResult> future = inFlight.remove(request);
        if (future != null) {
            future.cancel(false);
        }
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
