package dev.glimpse.serving.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.serving.engine.kv.KvStyle;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A failing run fails only its culprit (batched prefill, decode batch, vision batch), and an error
 * that kills the engine thread fails every pending and later request with a typed exception.
 */
class EngineFailureTest {
    private final List<InferenceEngine> engines = new ArrayList<>();

    private static EngineConfig.Builder config() {
        return EngineConfig.builder()
                .maxNumBatchedTokens(256)
                .maxNumSeqs(8)
                .blockSize(4)
                .numKvBlocks(256)
                .prefixCaching(false) // every prompt runs as a fresh prefill: they group
                .validateInvariants(true);
    }

    private InferenceEngine engine(EngineConfig cfg, FakeModelExecutor m) {
        InferenceEngine e =
                new InferenceEngine(cfg, m, new FakePrompts(), new PrometheusRegistry());
        engines.add(e);
        return e;
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(InferenceEngine::close);
    }

    /** Four captions of distinct images of one layout: equal prompt lengths. */
    private static List<EngineRequest> captions() {
        List<EngineRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reqs.add(
                    EngineRequest.builder(
                                    "p" + i, FakePrompts.image("p" + i, 2 + i, 0, 0), Task.CAPTION)
                            .maxNewTokens(5)
                            .build());
        }
        return reqs;
    }

    private List<List<Integer>> alone(List<EngineRequest> reqs, KvStyle style) throws Exception {
        InferenceEngine e = engine(config().maxNumSeqs(1).build(), new FakeModelExecutor(style));
        List<List<Integer>> out = new ArrayList<>();
        for (EngineRequest r : reqs) {
            out.add(e.submit(r).get(10, TimeUnit.SECONDS).tokenIds());
        }
        return out;
    }

    /** Submits every request while the engine thread is held, so they run as one batch. */
    private static List<CompletableFuture<EngineResult>> submitTogether(
            InferenceEngine engine, FakeModelExecutor model, List<EngineRequest> reqs)
            throws InterruptedException {
        model.gate = new CountDownLatch(1);
        List<CompletableFuture<EngineResult>> fs = new ArrayList<>();
        fs.add(
                engine.submit(
                        EngineRequest.builder(
                                        "blocker", FakePrompts.image("b", 1, 0, 0), Task.CAPTION)
                                .maxNewTokens(1)
                                .build()));
        while (model.decodeRuns.get() == 0) {
            Thread.sleep(1); // the engine thread now waits inside the blocker's prefill
        }
        for (EngineRequest r : reqs) {
            fs.add(engine.submit(r));
        }
        model.gate.countDown();
        model.gate = null;
        return fs.subList(1, fs.size());
    }

    private void assertOnlyP2Failed(
            List<CompletableFuture<EngineResult>> fs, List<List<Integer>> alone, String message)
            throws Exception {
        for (int i = 0; i < fs.size(); i++) {
            if (i == 2) {
                int k = i;
                assertThatThrownBy(() -> fs.get(k).get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(ExecutionFailedException.class)
                        .hasMessage(message);
            } else {
                assertThat(fs.get(i).get(10, TimeUnit.SECONDS).tokenIds())
                        .as("p" + i)
                        .isEqualTo(alone.get(i));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(KvStyle.class)
    void poisonInABatchedPrefillFailsOnlyThePoison(KvStyle style) throws Exception {
        List<EngineRequest> reqs = captions();
        List<List<Integer>> alone = alone(reqs, style);
        FakeModelExecutor model = new FakeModelExecutor(style);
        InferenceEngine engine = engine(config().build(), model);
        model.poison("p2", ExecutionStage.PREFILL);
        var fs = submitTogether(engine, model, reqs);
        assertOnlyP2Failed(fs, alone, "prefill failed for requests [p2]: poisoned row");
        EngineStats stats = engine.stats();
        assertThat(stats.numIsolationRuns()).isEqualTo(4); // the group's four rows, each alone
        assertThat(stats.numGroupedPrefills()).isZero();
    }

    @ParameterizedTest
    @EnumSource(KvStyle.class)
    void poisonInTheDecodeBatchFailsOnlyThePoison(KvStyle style) throws Exception {
        List<EngineRequest> reqs = captions();
        List<List<Integer>> alone = alone(reqs, style);
        FakeModelExecutor model = new FakeModelExecutor(style);
        InferenceEngine engine = engine(config().build(), model);
        model.poison("p2", ExecutionStage.DECODE);
        var fs = submitTogether(engine, model, reqs);
        assertOnlyP2Failed(fs, alone, "decode failed for requests [p2]: poisoned row");
        EngineStats stats = engine.stats();
        assertThat(stats.numGroupedPrefills()).isEqualTo(4);
        // the four rows alone once, then the three innocents batched again
        assertThat(stats.numIsolationRuns()).isEqualTo(4);
        assertThat(stats.kvBytesCopiedInPlainDecodeSteps()).isZero();
    }

    @Test
    void poisonedImageInABatchedVisionRunFailsOnlyItsRequest() throws Exception {
        List<EngineRequest> reqs = captions();
        List<List<Integer>> alone = alone(reqs, KvStyle.CONCAT);
        FakeModelExecutor model = new FakeModelExecutor();
        InferenceEngine engine = engine(config().build(), model);
        model.poison("p2", ExecutionStage.VISION);
        var fs = submitTogether(engine, model, reqs);
        assertOnlyP2Failed(fs, alone, "vision failed for requests [p2]: poisoned image");
        assertThat(engine.stats().numImagesEncoded()).isEqualTo(1 + 3); // blocker + innocents
    }

    @Test
    void runThatWouldPassTheKvMemoryBudgetFailsItsRequestNotTheEngine() throws Exception {
        // the fake's KV is 16 bytes a token: a 24-token prompt's two concat buffers take 768
        FakeModelExecutor model = new FakeModelExecutor();
        InferenceEngine engine = engine(config().kvMemoryBytes(600).build(), model);
        for (String id : List.of("x", "y")) {
            CompletableFuture<EngineResult> f =
                    engine.submit(
                            EngineRequest.builder(id, FakePrompts.image(id, 1, 0, 0), Task.CAPTION)
                                    .build());
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(ExecutionFailedException.class)
                    .hasMessage(
                            "prefill failed for requests ["
                                    + id
                                    + "]: KV memory budget exhausted: 384 more bytes asked for,"
                                    + " 384 of 600 held");
        }
        assertThat(engine.failureCause()).isEmpty();
        assertThat(engine.stats().kvNativeBytes()).isLessThanOrEqualTo(600);
    }

    @Test
    void budgetTooSmallForThePrefixCacheIsRefusedWithTheSettingsName() {
        EngineConfig cfg = config().prefixCaching(true).kvMemoryBytes(1000).build();
        assertThatThrownBy(() -> engine(cfg, new FakeModelExecutor()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "kvMemoryBytes (1000) must hold at least the prefix cache's block store of"
                                + " numKvBlocks * blockSize tokens (16384 bytes)");
    }

    @Test
    void errorInTheEngineThreadFailsPendingAndLaterRequestsWithEngineFailed() throws Exception {
        FakeModelExecutor model = new FakeModelExecutor();
        InferenceEngine engine = engine(config().maxNumSeqs(1).build(), model);
        model.gate = new CountDownLatch(1);
        EngineImage img = FakePrompts.image("a", 1, 0, 0);
        CompletableFuture<EngineResult> running =
                engine.submit(EngineRequest.builder("running", img, Task.CAPTION).build());
        while (model.decodeRuns.get() == 0) {
            Thread.sleep(1);
        }
        CompletableFuture<EngineResult> queued =
                engine.submit(EngineRequest.builder("queued", img, Task.CAPTION).build());
        OutOfMemoryError oom =
                new OutOfMemoryError("Cannot reserve 1048576 bytes of direct buffer memory");
        model.fatalError = oom;
        model.gate.countDown();

        for (CompletableFuture<EngineResult> f : List.of(running, queued)) {
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(EngineFailedException.class)
                    .hasCauseReference(oom);
        }
        assertThatThrownBy(
                        () ->
                                engine.submit(
                                                EngineRequest.builder("late", img, Task.CAPTION)
                                                        .build())
                                        .get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(EngineFailedException.class)
                .hasMessage(
                        "engine failed (OutOfMemoryError: Cannot reserve 1048576 bytes of direct"
                                + " buffer memory); request late not completed");
        assertThat(engine.failureCause()).containsSame(oom);
        engine.close(); // still idempotent: waits for the dead engine thread's cleanup
        assertThat(model.closed).isTrue();
        assertThat(engine.stats().kvNativeBytes()).isZero();
    }

    @Test
    void unexpectedRuntimeExceptionInAStepAlsoClosesTheEngine() throws Exception {
        FakeModelExecutor model = new FakeModelExecutor();
        model.bug = new IllegalStateException("a bug, not a failed run");
        InferenceEngine engine = engine(config().build(), model);
        CompletableFuture<EngineResult> f =
                engine.submit(
                        EngineRequest.builder("x", FakePrompts.image("a", 1, 0, 0), Task.CAPTION)
                                .build());
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(EngineFailedException.class)
                .hasRootCauseMessage("a bug, not a failed run");
        assertThat(engine.failureCause()).isPresent();
    }
}
