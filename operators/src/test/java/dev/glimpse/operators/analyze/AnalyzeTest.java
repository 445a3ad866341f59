package dev.glimpse.operators.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.operators.TaskSettings;
import dev.glimpse.operators.TestEvents;
import dev.glimpse.operators.TestPaths;
import dev.glimpse.operators.preprocess.PreparedRequest;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ReasonCode;
import dev.glimpse.serving.engine.AdmissionException;
import dev.glimpse.serving.engine.AdmissionReason;
import dev.glimpse.serving.engine.DeadlineExceededException;
import dev.glimpse.serving.engine.EngineClosedException;
import dev.glimpse.serving.engine.EngineFailedException;
import dev.glimpse.serving.engine.EngineOverloadedException;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.ExecutionFailedException;
import dev.glimpse.serving.engine.ExecutionStage;
import dev.glimpse.serving.engine.FinishReason;
import dev.glimpse.serving.engine.StaleRequestException;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.image.RgbImage;
import dev.glimpse.serving.model.ImagePreprocessor;
import dev.glimpse.serving.model.ModelManifest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Analyze in Flink's async operator (the test harness, as Flink's own AsyncWaitOperatorTest uses
 * it) against a fake engine: overload retries, deadlines, the async timeout, admission reasons, and
 * a dead engine failing the task instead of dead-lettering.
 */
class AnalyzeTest {

    private static final long ASYNC_TIMEOUT_MS = 10_000;
    private static final int MAX_RETRIES = 3;

    private static ModelManifest manifest;
    private static PreparedRequest request;

    @BeforeAll
    static void prepareOneImage() throws Exception {
        manifest = ModelManifest.read(TestPaths.modelDir().resolve("model.json"));
        ImagePreprocessor preprocessor = new ImagePreprocessor(manifest, DecodeLimits.DEFAULTS);
        RgbImage grey = RgbImage.wrap(28, 28, new byte[28 * 28 * 3]);
        ImageEvent event = TestEvents.inline("e1", "cam-1", "CAPTION", new byte[] {1});
        request =
                PreparedRequest.of(
                        event,
                        preprocessor.prepareBytes(grey, Task.CAPTION),
                        preprocessor.normalization(),
                        28,
                        28,
                        TestEvents.T0.toEpochMilli());
    }

    /** Requests the fake engine saw, in order. */
    private final List<EngineRequest> submitted = new CopyOnWriteArrayList<>();

    private FakeEngineSource source(Function<EngineRequest, CompletableFuture<EngineResult>> f) {
        return FakeEngineSource.of(
                getClass().getSimpleName() + System.nanoTime(),
                r -> {
                    submitted.add(r);
                    return f.apply(r);
                },
                manifest);
    }

    private static OneInputStreamOperatorTestHarness<PreparedRequest, AnalysisOutcome> harness(
            EngineSource source) throws Exception {
        Analyze analyze =
                new Analyze(
                        source,
                        Map.of(AnalysisTask.CAPTION, TaskSettings.DEFAULT),
                        Duration.ofSeconds(5),
                        MAX_RETRIES,
                        1);
        OneInputStreamOperatorTestHarness<PreparedRequest, AnalysisOutcome> h =
                new OneInputStreamOperatorTestHarness<>(
                        new AsyncWaitOperatorFactory<>(
                                analyze, ASYNC_TIMEOUT_MS, 4, AsyncDataStream.OutputMode.UNORDERED),
                        TypeInformation.of(PreparedRequest.class)
                                .createSerializer(new SerializerConfigImpl()));
        h.getEnvironment().setExpectedExternalFailureCause(Throwable.class);
        h.open();
        return h;
    }

    /** Processes {@link #request}, waits for its answer (endInput drains the async queue). */
    private static List<AnalysisOutcome> runOne(
            OneInputStreamOperatorTestHarness<PreparedRequest, AnalysisOutcome> h)
            throws Exception {
        h.processElement(new StreamRecord<>(request, 1L));
        h.endInput();
        List<AnalysisOutcome> out = h.extractOutputValues();
        h.close();
        return out;
    }

    private static DeadLetter onlyDeadLetter(List<AnalysisOutcome> outcomes) {
        assertThat(outcomes).hasSize(1);
        assertThat(outcomes.get(0).getResult()).isNull();
        DeadLetter d = outcomes.get(0).getDeadLetter();
        assertThat(d.getEventId()).isEqualTo("e1");
        assertThat(d.getStage()).isEqualTo(FailureStage.INFERENCE);
        return d;
    }

    private static EngineResult caption(String id, String text) {
        return new EngineResult(
                id,
                Task.CAPTION,
                text,
                List.of(5, 6),
                List.of(),
                FinishReason.STOP,
                40,
                0,
                1_000_000L,
                2_000_000L,
                3_000_000L,
                4_000_000L,
                Optional.empty());
    }

    @Test
    void anAnswerBecomesAResultAndTheEngineHandleIsClosedWithTheOperator() throws Exception {
        FakeEngineSource source =
                source(r -> CompletableFuture.completedFuture(caption(r.id(), "a grey square")));
        var h = harness(source);
        assertThat(source.openHandles()).isEqualTo(1);

        List<AnalysisOutcome> out = runOne(h);

        assertThat(out).hasSize(1);
        assertThat(out.get(0).getDeadLetter()).isNull();
        assertThat(out.get(0).getResult().getEventId()).isEqualTo("e1");
        assertThat(out.get(0).getResult().getOutput()).isInstanceOf(Caption.class);
        assertThat(((Caption) out.get(0).getResult().getOutput()).getText())
                .isEqualTo("a grey square");
        assertThat(submitted).extracting(EngineRequest::id).containsExactly("e1");
        assertThat(submitted.get(0).timeout()).contains(Duration.ofSeconds(5));
        assertThat(source.openHandles()).isZero();
    }

    @Test
    void anEngineThatStaysOverloadedIsRetriedMaxRetriesTimesThenDeadLetteredAsOverloaded()
            throws Exception {
        var h =
                harness(
                        source(
                                r ->
                                        CompletableFuture.failedFuture(
                                                new EngineOverloadedException(r.id(), 8))));

        DeadLetter d = onlyDeadLetter(runOne(h));

        assertThat(d.getReason()).isEqualTo(ReasonCode.OVERLOADED);
        assertThat(d.getMessage()).contains("engine overloaded");
        assertThat(submitted).hasSize(1 + MAX_RETRIES);
    }

    @Test
    void anOverloadThatClearsWithinTheRetriesGivesTheResult() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        var h =
                harness(
                        source(
                                r ->
                                        calls.incrementAndGet() <= 2
                                                ? CompletableFuture.failedFuture(
                                                        new EngineOverloadedException(r.id(), 8))
                                                : CompletableFuture.completedFuture(
                                                        caption(r.id(), "late"))));

        List<AnalysisOutcome> out = runOne(h);

        assertThat(out).hasSize(1);
        assertThat(out.get(0).getResult().getOutput()).isInstanceOf(Caption.class);
        assertThat(((Caption) out.get(0).getResult().getOutput()).getText()).isEqualTo("late");
        assertThat(submitted).hasSize(3);
    }

    @Test
    void anEngineDeadlineBecomesATimeoutDeadLetter() throws Exception {
        var h =
                harness(
                        source(
                                r ->
                                        CompletableFuture.failedFuture(
                                                new DeadlineExceededException(
                                                        r.id(), Duration.ofSeconds(5)))));

        DeadLetter d = onlyDeadLetter(runOne(h));

        assertThat(d.getReason()).isEqualTo(ReasonCode.TIMEOUT);
        assertThat(d.getMessage())
                .isEqualTo(
                        "event e1: "
                                + new DeadlineExceededException("e1", Duration.ofSeconds(5))
                                        .getMessage());
    }

    @Test
    void theAsyncTimeoutCancelsTheEngineFutureAndDeadLettersAsTimeout() throws Exception {
        CompletableFuture<EngineResult> never = new CompletableFuture<>();
        var h = harness(source(r -> never));
        h.processElement(new StreamRecord<>(request, 1L));

        h.setProcessingTime(ASYNC_TIMEOUT_MS + 1);
        h.endInput();

        DeadLetter d = onlyDeadLetter(h.extractOutputValues());
        h.close();
        assertThat(d.getReason()).isEqualTo(ReasonCode.TIMEOUT);
        assertThat(d.getMessage()).isEqualTo("event e1: no answer within the async timeout");
        assertThat(never.isCancelled()).isTrue();
    }

    @Test
    void aClosedEngineFailsTheTaskInsteadOfDeadLettering() throws Exception {
        var h =
                harness(
                        source(
                                r ->
                                        CompletableFuture.failedFuture(
                                                new EngineClosedException(r.id()))));

        List<AnalysisOutcome> out = runOne(h);

        assertThat(out).isEmpty();
        assertThat(h.getEnvironment().getActualExternalFailureCause()).isPresent();
        assertThat(h.getEnvironment().getActualExternalFailureCause().get().getCause())
                .isInstanceOf(EngineClosedException.class);
    }

    @Test
    void aDeadEngineFailsTheTaskInsteadOfDeadLettering() throws Exception {
        var h =
                harness(
                        source(
                                r ->
                                        CompletableFuture.failedFuture(
                                                new EngineFailedException(
                                                        r.id(),
                                                        new OutOfMemoryError(
                                                                "Direct buffer memory")))));

        List<AnalysisOutcome> out = runOne(h);

        assertThat(out).isEmpty();
        assertThat(h.getEnvironment().getActualExternalFailureCause().get().getCause())
                .isInstanceOf(EngineFailedException.class)
                .hasRootCauseInstanceOf(OutOfMemoryError.class);
    }

    @Test
    void anExecutionFailureOfOneRequestIsAnInferenceFailedDeadLetter() throws Exception {
        var h =
                harness(
                        source(
                                r ->
                                        CompletableFuture.failedFuture(
                                                new ExecutionFailedException(
                                                        ExecutionStage.DECODE,
                                                        List.of(r.id()),
                                                        "bad tensor",
                                                        null))));

        DeadLetter d = onlyDeadLetter(runOne(h));

        assertThat(d.getReason()).isEqualTo(ReasonCode.INFERENCE_FAILED);
        assertThat(d.getMessage()).startsWith("event e1: ").contains("bad tensor");
    }

    @Test
    void anAdmissionRejectionThrownAtSubmitIsADeadLetterWithItsOwnReason() throws Exception {
        var h =
                harness(
                        source(
                                r -> {
                                    throw new AdmissionException(
                                            r.id(),
                                            AdmissionReason.PROMPT_TOO_LONG,
                                            "prompt and maxNewTokens exceed maxPositions");
                                }));

        DeadLetter d = onlyDeadLetter(runOne(h));

        assertThat(d.getReason()).isEqualTo(ReasonCode.PROMPT_TOO_LONG);
        assertThat(d.getMessage()).contains("PROMPT_TOO_LONG");
    }

    @Test
    void anAdmissionRejectionInTheFutureIsADeadLetterWithItsOwnReason() throws Exception {
        var h =
                harness(
                        source(
                                r ->
                                        CompletableFuture.failedFuture(
                                                new AdmissionException(
                                                        r.id(),
                                                        AdmissionReason.TOO_MANY_CATEGORIES,
                                                        "2000 categories"))));

        assertThat(onlyDeadLetter(runOne(h)).getReason()).isEqualTo(ReasonCode.TOO_MANY_CATEGORIES);
    }

    @Test
    void everyAdmissionReasonHasItsOwnDeadLetterReason() {
        for (AdmissionReason reason : AdmissionReason.values()) {
            assertThat(EngineFailures.reasonCode(new AdmissionException("r", reason, "detail")))
                    .isEqualTo(ReasonCode.valueOf(reason.name()));
        }
    }

    @Test
    void aStaleFrameIsAStaleSkippedDeadLetter() throws Exception {
        var h =
                harness(
                        source(
                                r ->
                                        CompletableFuture.failedFuture(
                                                new StaleRequestException(
                                                        r.id(),
                                                        Task.CAPTION,
                                                        Duration.ofSeconds(5)))));

        assertThat(onlyDeadLetter(runOne(h)).getReason()).isEqualTo(ReasonCode.STALE_SKIPPED);
    }

    @Test
    void aBadRequestThrownAtSubmitIsAnInferenceFailedDeadLetter() throws Exception {
        var h =
                harness(
                        source(
                                r -> {
                                    throw new IllegalArgumentException(
                                            "request e1 needs 52075 tokens of KV, the pool holds"
                                                    + " 16384");
                                }));

        DeadLetter d = onlyDeadLetter(runOne(h));

        assertThat(d.getReason()).isEqualTo(ReasonCode.INFERENCE_FAILED);
        assertThat(d.getMessage()).endsWith("the pool holds 16384");
    }
}
