package dev.glimpse.serving.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.serving.engine.metrics.EngineMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Priorities and freshness deadlines through the whole step (admission, schedule, run, results),
 * driven step by step on the test's thread with a hand-moved clock and the model double.
 */
class EnginePriorityTest {
    private final FakeModelExecutor model = new FakeModelExecutor();
    private final EngineConfig config =
            EngineConfig.builder()
                    .maxNumBatchedTokens(64)
                    .maxNumSeqs(1)
                    .blockSize(4)
                    .numKvBlocks(64)
                    .prefixCaching(false)
                    .validateInvariants(true)
                    .oldestFirstEvery(5)
                    .build();
    private final FakePrompts prompts = new FakePrompts();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final EngineCore core =
            new EngineCore(
                    config,
                    model,
                    prompts,
                    new EngineMetrics(registry, "fake", "concat"),
                    new EngineCounters(),
                    Runnable::run,
                    new AtomicInteger(100),
                    now::get);
    private final RequestAdmission admission = new RequestAdmission(config, prompts, model.shape());
    private final List<String> completed = new CopyOnWriteArrayList<>();

    private ActiveRequest add(EngineRequest.Builder b, long ageNanos) {
        ActiveRequest req = admission.admit(b.build(), now.get(), ageNanos);
        req.future.whenComplete((r, e) -> completed.add(req.id()));
        core.add(req);
        return req;
    }

    private static EngineRequest.Builder request(String id, Task task, int priority) {
        EngineRequest.Builder b =
                EngineRequest.builder(id, FakePrompts.image(id, 2, 0, 0), task).priority(priority);
        return task == Task.MODERATION ? b : b.maxNewTokens(2);
    }

    private void runUntilIdle() {
        for (int i = 0; i < 200; i++) {
            if (core.step() == StepOutcome.NO_WORK) {
                return;
            }
        }
        throw new AssertionError("engine still busy after 200 steps");
    }

    private double skipped(String task) {
        for (var s : registry.scrape()) {
            if (s instanceof CounterSnapshot c
                    && c.getMetadata().getPrometheusName().equals("glimpse_engine_skipped")) {
                return c.getDataPoints().stream()
                        .filter(d -> d.getLabels().get("task").equals(task))
                        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
                        .sum();
            }
        }
        throw new AssertionError("no glimpse_engine_skipped_total");
    }

    @Test
    void moderationCompletesBeforeCaptionsBeforeOcrWhateverTheSubmitOrder() {
        add(request("busy", Task.OCR, 2), 0); // runs first: the queue was empty
        core.step();
        add(request("ocr", Task.OCR, 2), 0);
        add(request("cap", Task.CAPTION, 1), 0);
        add(request("mod", Task.MODERATION, 0), 0); // three categories: three admissions

        runUntilIdle();
        assertThat(completed).containsExactly("busy", "mod", "cap", "ocr");
    }

    @Test
    void lowerPrioritiesGetOneAdmissionInOldestFirstEveryUnderAStreamOfUrgentWork() {
        add(request("busy", Task.OCR, 2), 0);
        core.step();
        add(request("ocr-old", Task.OCR, 2), 0);
        for (int i = 0; i < 5; i++) {
            add(request("urgent" + i, Task.CAPTION, 0), 0);
        }

        runUntilIdle();
        // oldestFirstEvery 5: four urgent admissions, then the oldest waiting one
        assertThat(completed)
                .containsExactly(
                        "busy", "urgent0", "urgent1", "urgent2", "urgent3", "ocr-old", "urgent4");
    }

    @Test
    void aCaptionOlderThanItsDeadlineBeforeItStartsIsSkippedNeverAnalysed() {
        add(request("busy", Task.OCR, 2).maxNewTokens(4), 0);
        core.step(); // busy runs; the caption waits behind it (one sequence at a time)
        ActiveRequest cap = add(request("cap", Task.CAPTION, 1).deadline(Duration.ofSeconds(1)), 0);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1001));

        runUntilIdle();
        assertThat(cap.future).isCompletedExceptionally();
        assertThat(cap.future.handle((r, e) -> e).join())
                .isInstanceOf(StaleRequestException.class)
                .hasMessage(
                        "request cap (CAPTION) skipped: older than its deadline of PT1S before it"
                                + " could start");
        assertThat(model.embeddedRequestIds).doesNotContain("cap").contains("busy");
        assertThat(skipped("caption")).isEqualTo(1.0);
        assertThat(skipped("ocr")).isEqualTo(0.0);
        assertThat(core.stats().numRejected()).isZero();
    }

    @Test
    void
            aCaptionThatCouldNotFinishWithinItsDeadlineInTheRecentServiceTimeIsSkippedBeforeItIsTooOld() {
        ActiveRequest first =
                add(request("first", Task.CAPTION, 1).deadline(Duration.ofSeconds(1)), 0);
        core.step(); // admitted and prefilled
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(600));
        runUntilIdle(); // answered 600 ms after its admission: the captions' recent service time
        add(request("busy", Task.OCR, 2).maxNewTokens(4), 0);
        core.step();
        ActiveRequest late =
                add(request("late", Task.CAPTION, 1).deadline(Duration.ofSeconds(1)), 0);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500)); // 500 ms old: 500 + 600 > 1000

        runUntilIdle();
        assertThat(first.future.join().tokenIds()).hasSize(2);
        assertThat(late.future.handle((r, e) -> e).join())
                .isInstanceOf(StaleRequestException.class)
                .hasMessage(
                        "request late (CAPTION) skipped: it could not finish within its deadline of"
                                + " PT1S (the task's recent service time is 600 ms)");
        assertThat(model.embeddedRequestIds).doesNotContain("late");
        assertThat(skipped("caption")).isEqualTo(1.0);
    }

    @Test
    void serviceTimesAgeOutSoASlowPeriodDoesNotSkipLaterCaptions() {
        add(request("slow", Task.CAPTION, 1).deadline(Duration.ofSeconds(1)), 0);
        core.step();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(900));
        runUntilIdle(); // 900 ms: any later caption with under 900 ms left would be skipped
        now.addAndGet(TimeUnit.SECONDS.toNanos(ServiceTimes.MAX_AGE_SECONDS + 1));
        ActiveRequest again =
                add(
                        request("again", Task.CAPTION, 1).deadline(Duration.ofSeconds(1)),
                        TimeUnit.MILLISECONDS.toNanos(500));

        runUntilIdle();
        assertThat(again.future.join().tokenIds()).hasSize(2);
        assertThat(skipped("caption")).isEqualTo(0.0);
    }

    @Test
    void theAgeCountsFromTheEventTimeSoAnEventAlreadyTooOldIsSkippedAtTheFirstStep() {
        ActiveRequest cap =
                add(
                        request("cap", Task.CAPTION, 1).deadline(Duration.ofSeconds(5)),
                        TimeUnit.SECONDS.toNanos(6));
        ActiveRequest fresh =
                add(
                        request("fresh", Task.CAPTION, 1).deadline(Duration.ofSeconds(5)),
                        TimeUnit.SECONDS.toNanos(4));

        runUntilIdle();
        assertThat(cap.future.handle((r, e) -> e).join()).isInstanceOf(StaleRequestException.class);
        assertThat(fresh.future.join().tokenIds()).hasSize(2);
        assertThat(model.embeddedRequestIds).doesNotContain("cap");
    }

    @Test
    void aRequestThatStartedBeforeItsDeadlineRunsToTheEndEvenWhenItAgesPastIt() {
        ActiveRequest cap =
                add(
                        request("cap", Task.CAPTION, 1)
                                .maxNewTokens(4)
                                .deadline(Duration.ofSeconds(1)),
                        0);
        core.step(); // admitted and prefilled
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));

        runUntilIdle();
        assertThat(cap.future.join().tokenIds()).hasSize(4);
        assertThat(skipped("caption")).isEqualTo(0.0);
    }

    @Test
    void withoutADeadlineARequestWaitsHoweverLong() {
        add(request("busy", Task.OCR, 2).maxNewTokens(4), 0);
        core.step();
        ActiveRequest ocr = add(request("ocr", Task.OCR, 2), TimeUnit.HOURS.toNanos(1));
        now.addAndGet(TimeUnit.HOURS.toNanos(2));

        runUntilIdle();
        assertThat(ocr.future.join().tokenIds()).hasSize(2);
        assertThat(completed).containsExactly("busy", "ocr");
    }

    @Test
    void aStaleRequestLeavesTheQueueAndFreesItsSlotInTheAdmissionCount() {
        AtomicInteger queued = new AtomicInteger(1);
        EngineCore own =
                new EngineCore(
                        config,
                        new FakeModelExecutor(),
                        prompts,
                        new EngineMetrics(new PrometheusRegistry(), "fake", "concat"),
                        new EngineCounters(),
                        Runnable::run,
                        queued,
                        now::get);
        ActiveRequest cap =
                admission.admit(
                        request("cap", Task.CAPTION, 1).deadline(Duration.ofMillis(10)).build(),
                        now.get(),
                        TimeUnit.MILLISECONDS.toNanos(20));
        own.add(cap);

        assertThat(own.step()).isEqualTo(StepOutcome.NO_WORK);
        assertThat(queued.get()).isZero();
        assertThatIsStale(cap);
    }

    private static void assertThatIsStale(ActiveRequest req) {
        assertThat(req.future)
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(StaleRequestException.class);
    }
}
