package dev.glimpse.serving.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.ExecutionStage;
import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.engine.ModelExecutor;
import dev.glimpse.serving.engine.StaleRequestException;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.engine.kv.KvState;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scheduling rules of docs/engine.md ("Priorities, freshness and the starvation bound") on the
 * real engine: its engine thread, real ONNX Runtime on the bundled model, one sequence slot ({@code
 * maxNumSeqs 1}), so requests run one at a time and their admission order is their completion
 * order.
 *
 * <p>Determinism: the first request (the blocker) is held inside its first prefill run, on the
 * engine thread, until every other request has been submitted; they all reach the engine in one
 * drain, while the blocker occupies the only slot. So the orders asserted are the scheduler's
 * choices, not races with the engine thread. The executor here is the real one, wrapped only to
 * hold that run and to record which request each prefill run served (what the model saw). Staleness
 * comes from event times and lower bounds on waits, never from how fast the machine is.
 */
class EngineSchedulingRulesITCase {
    private static final long WAIT_S = 120;
    private static ModelDirectory model;

    private PrometheusRegistry registry;
    private GatedExecutor executor;
    private InferenceEngine engine;
    private final List<String> completed = new CopyOnWriteArrayList<>();
    private int seed = 100;

    @BeforeAll
    static void open() throws Exception {
        model = ModelDirectory.open(BundledModel.dir());
    }

    @AfterAll
    static void closeModel() {
        if (model != null) {
            model.close();
        }
    }

    /**
     * Starts an engine with one sequence slot whose executor holds the first prefill run of {@code
     * heldId}.
     */
    private void start(String heldId) {
        registry = new PrometheusRegistry();
        executor = new GatedExecutor(model.newExecutor(ExecutorOptions.cpu()), heldId);
        EngineConfig config =
                EngineConfig.builder()
                        .maxNumBatchedTokens(2048)
                        .maxTokensPerPrefillRun(2048)
                        .maxNumSeqs(1)
                        .prefixCaching(false)
                        .validateInvariants(true)
                        .oldestFirstEvery(4)
                        .build();
        engine = new InferenceEngine(config, executor, model.prompts(), registry);
    }

    @AfterEach
    void closeEngine() {
        if (engine != null) {
            executor.release(); // never leave the engine thread held, even when a test failed
            engine.close(); // closes the executor
        }
    }

    /** The job's default priorities (tasks.<task>.priority): moderation 0, captions 1, OCR 2. */
    private static int defaultPriority(Task task) {
        return switch (task) {
            case MODERATION -> 0;
            case CAPTION -> 1;
            case OCR -> 2;
        };
    }

    private EngineRequest.Builder request(String id, Task task) {
        EngineImage img = BundledModel.synthetic(seed++, 8, 0, 0);
        EngineRequest.Builder b =
                EngineRequest.builder(id, img, task).priority(defaultPriority(task));
        if (task == Task.MODERATION) {
            return b.categories(List.of("skull")); // one category: one sequence, one admission
        }
        return b.maxNewTokens(3).ignoreStopTokens(true);
    }

    private CompletableFuture<EngineResult> submit(EngineRequest.Builder b) {
        EngineRequest r = b.build();
        CompletableFuture<EngineResult> f = engine.submit(r);
        f.whenComplete((res, e) -> completed.add(r.id()));
        return f;
    }

    /** Submits the blocker and returns once the engine thread is held inside its prefill. */
    private CompletableFuture<EngineResult> blockerHeld() throws InterruptedException {
        start("blocker");
        CompletableFuture<EngineResult> f = submit(request("blocker", Task.OCR).maxNewTokens(4));
        assertThat(executor.entered.await(WAIT_S, TimeUnit.SECONDS))
                .as("the blocker's prefill started")
                .isTrue();
        return f;
    }

    private static Throwable failureOf(CompletableFuture<EngineResult> f) throws Exception {
        try {
            f.get(WAIT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the request to fail, it completed");
    }

    private double counter(String name, String label, String value) {
        for (var s : registry.scrape()) {
            if (s instanceof CounterSnapshot c
                    && c.getMetadata().getPrometheusName().equals(name)) {
                return c.getDataPoints().stream()
                        .filter(d -> value.equals(d.getLabels().get(label)))
                        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
                        .sum();
            }
        }
        throw new AssertionError("no " + name + "_total in the registry");
    }

    @Test
    void moderationThenCaptionThenOcrWhateverTheSubmitOrder() throws Exception {
        CompletableFuture<EngineResult> blocker = blockerHeld();
        List<CompletableFuture<EngineResult>> fs = new ArrayList<>();
        fs.add(submit(request("ocr", Task.OCR)));
        fs.add(submit(request("caption", Task.CAPTION)));
        fs.add(submit(request("moderation", Task.MODERATION)));
        executor.release();

        assertThat(blocker.get(WAIT_S, TimeUnit.SECONDS).tokenIds()).hasSize(4);
        for (CompletableFuture<EngineResult> f : fs) {
            f.get(WAIT_S, TimeUnit.SECONDS);
        }
        assertThat(completed).containsExactly("blocker", "moderation", "caption", "ocr");
        assertThat(executor.prefillOrder())
                .containsExactly("blocker", "moderation", "caption", "ocr");
    }

    @Test
    void aCaptionOlderThanItsDeadlineByItsEventTimeIsSkippedNeverRunAndOcrStillCompletes()
            throws Exception {
        CompletableFuture<EngineResult> blocker = blockerHeld();
        Instant anHourAgo = Instant.now().minus(Duration.ofHours(1));
        CompletableFuture<EngineResult> caption =
                submit(
                        request("caption", Task.CAPTION)
                                .eventTime(anHourAgo)
                                .deadline(Duration.ofSeconds(60)));
        CompletableFuture<EngineResult> ocr = submit(request("ocr", Task.OCR).eventTime(anHourAgo));
        executor.release();

        assertThat(failureOf(caption))
                .isInstanceOf(StaleRequestException.class)
                .hasMessage(
                        "request caption (CAPTION) skipped: older than its deadline of PT1M before"
                                + " it could start");
        assertThat(ocr.get(WAIT_S, TimeUnit.SECONDS).tokenIds()).hasSize(3);
        blocker.get(WAIT_S, TimeUnit.SECONDS);
        assertThat(completed).containsExactly("caption", "blocker", "ocr");
        assertThat(executor.seenRequestIds()).containsExactlyInAnyOrder("blocker", "ocr");
        assertThat(counter("glimpse_engine_skipped", "task", "caption")).isEqualTo(1.0);
        assertThat(counter("glimpse_engine_skipped", "task", "ocr")).isEqualTo(0.0);
        assertThat(counter("glimpse_engine_requests", "outcome", "skipped")).isEqualTo(1.0);
        assertThat(counter("glimpse_engine_requests", "outcome", "ok")).isEqualTo(2.0);
    }

    @Test
    void aCaptionThatAgesPastItsDeadlineWhileWaitingIsSkippedNeverRun() throws Exception {
        CompletableFuture<EngineResult> blocker = blockerHeld();
        CompletableFuture<EngineResult> caption =
                submit(
                        request("caption", Task.CAPTION)
                                .eventTime(Instant.now())
                                .deadline(Duration.ofSeconds(1)));
        CompletableFuture<EngineResult> ocr = submit(request("ocr", Task.OCR));
        // fresh at submit; the blocker holds the only slot for longer than the deadline
        long heldSince = System.nanoTime();
        while (System.nanoTime() - heldSince < TimeUnit.MILLISECONDS.toNanos(1500)) {
            Thread.sleep(100);
        }
        executor.release();

        assertThat(failureOf(caption))
                .isInstanceOf(StaleRequestException.class)
                .hasMessage(
                        "request caption (CAPTION) skipped: older than its deadline of PT1S before"
                                + " it could start");
        assertThat(ocr.get(WAIT_S, TimeUnit.SECONDS).tokenIds()).hasSize(3);
        blocker.get(WAIT_S, TimeUnit.SECONDS);
        assertThat(executor.seenRequestIds()).containsExactlyInAnyOrder("blocker", "ocr");
        assertThat(counter("glimpse_engine_skipped", "task", "caption")).isEqualTo(1.0);
    }

    @Test
    void aCaptionThatCouldNotBeAnsweredBeforeItsDeadlineInTheRecentServiceTimeIsSkipped()
            throws Exception {
        // the held request is a caption this time: held 5 s, the captions' service time is >= 5 s
        start("first");
        long hold = TimeUnit.SECONDS.toNanos(5);
        CompletableFuture<EngineResult> first =
                submit(request("first", Task.CAPTION).deadline(Duration.ofSeconds(60)));
        assertThat(executor.entered.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        long heldSince = System.nanoTime();
        while (System.nanoTime() - heldSince < hold) {
            Thread.sleep(100);
        }
        executor.release();
        assertThat(first.get(WAIT_S, TimeUnit.SECONDS).tokenIds()).hasSize(3);

        // 55.2 s old of 60: fresh, but 55.2 s + a service time of at least 5 s passes 60 s. The
        // engine has 4.8 s (and the samples 10 s) to look at it before it is plainly too old.
        CompletableFuture<EngineResult> late =
                submit(
                        request("late", Task.CAPTION)
                                .eventTime(Instant.now().minusMillis(55_200))
                                .deadline(Duration.ofSeconds(60)));

        Throwable error = failureOf(late);
        assertThat(error).isInstanceOf(StaleRequestException.class);
        Matcher m =
                Pattern.compile(
                                "request late \\(CAPTION\\) skipped: it could not finish within its"
                                        + " deadline of PT1M \\(the task's recent service time is"
                                        + " (\\d+) ms\\)")
                        .matcher(error.getMessage());
        assertThat(m.matches()).as(error.getMessage()).isTrue();
        assertThat(Long.parseLong(m.group(1))).isGreaterThanOrEqualTo(5000);
        assertThat(executor.seenRequestIds()).containsExactly("first");
        assertThat(counter("glimpse_engine_skipped", "task", "caption")).isEqualTo(1.0);
    }

    @Test
    void anOcrRequestWaitingBehindAStreamOfModerationIsAdmittedWithinOldestFirstEvery()
            throws Exception {
        CompletableFuture<EngineResult> blocker = blockerHeld();
        List<CompletableFuture<EngineResult>> fs = new ArrayList<>();
        fs.add(submit(request("ocr", Task.OCR)));
        for (int i = 0; i < 6; i++) {
            fs.add(submit(request("m" + i, Task.MODERATION)));
        }
        executor.release();

        blocker.get(WAIT_S, TimeUnit.SECONDS);
        for (CompletableFuture<EngineResult> f : fs) {
            f.get(WAIT_S, TimeUnit.SECONDS);
        }
        // oldestFirstEvery 4: three admissions to the more urgent moderation, the fourth to the
        // oldest waiting request (the OCR), then moderation again
        List<String> expected = List.of("blocker", "m0", "m1", "m2", "ocr", "m3", "m4", "m5");
        assertThat(executor.prefillOrder()).containsExactlyElementsOf(expected);
        assertThat(completed).containsExactlyElementsOf(expected);
        assertThat(executor.prefillOrder().indexOf("ocr") - executor.prefillOrder().indexOf("m0"))
                .isEqualTo(engine.config().oldestFirstEvery() - 1);
    }

    /**
     * The real executor; holds the engine thread in the first prefill run of {@code heldId} until
     * {@link #release}, and records which requests each prefill run served.
     */
    private static final class GatedExecutor extends ForwardingModelExecutor {
        private final String heldId;
        private final AtomicBoolean held = new AtomicBoolean();
        final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private final List<List<String>> prefills = new CopyOnWriteArrayList<>();
        private final List<String> seen = new CopyOnWriteArrayList<>();

        GatedExecutor(ModelExecutor delegate, String heldId) {
            super(delegate);
            this.heldId = heldId;
        }

        void release() {
            released.countDown();
        }

        /** Requests in the order of their first prefill run (with one slot: admission order). */
        List<String> prefillOrder() {
            List<String> order = new ArrayList<>();
            for (List<String> ids : prefills) {
                for (String id : ids) {
                    if (!order.contains(id)) {
                        order.add(id);
                    }
                }
            }
            return order;
        }

        /** Every request any graph ran for. */
        List<String> seenRequestIds() {
            return List.copyOf(seen);
        }

        private void see(List<String> requestIds) {
            for (String id : requestIds) {
                if (!seen.contains(id)) {
                    seen.add(id);
                }
            }
        }

        @Override
        public List<float[]> encodeImages(List<EngineImage> images, List<String> requestIds) {
            see(requestIds);
            return delegate.encodeImages(images, requestIds);
        }

        @Override
        public float[] embed(int[] tokenIds, List<String> requestIds) {
            see(requestIds);
            return delegate.embed(tokenIds, requestIds);
        }

        @Override
        public float[] decode(
                KvState kv,
                float[] inputsEmbeds,
                int newTokens,
                List<String> requestIds,
                ExecutionStage stage) {
            see(requestIds);
            if (stage == ExecutionStage.PREFILL) {
                prefills.add(List.copyOf(requestIds));
                if (requestIds.contains(heldId) && held.compareAndSet(false, true)) {
                    entered.countDown();
                    try {
                        released.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while held", e);
                    }
                }
            }
            return delegate.decode(kv, inputsEmbeds, newTokens, requestIds, stage);
        }
    }
}
