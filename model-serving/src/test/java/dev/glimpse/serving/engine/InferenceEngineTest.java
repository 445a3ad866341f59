package dev.glimpse.serving.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.serving.engine.kv.KvStyle;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine loop over test doubles, with the invariant validator run after every step. */
class InferenceEngineTest {
    private final FakeModelExecutor model = new FakeModelExecutor();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final List<InferenceEngine> engines = new ArrayList<>();

    private static EngineConfig.Builder config() {
        return EngineConfig.builder()
                .maxNumBatchedTokens(24)
                .maxNumSeqs(4)
                .blockSize(4)
                .numKvBlocks(256)
                .validateInvariants(true);
    }

    private InferenceEngine engine(EngineConfig cfg, FakeModelExecutor m, PrometheusRegistry reg) {
        InferenceEngine e = new InferenceEngine(cfg, m, new FakePrompts(), reg);
        engines.add(e);
        return e;
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(InferenceEngine::close);
    }

    private static EngineRequest caption(String id, EngineImage img, int maxNew) {
        return EngineRequest.builder(id, img, Task.CAPTION).maxNewTokens(maxNew).build();
    }

    private static List<EngineRequest> mixedRequests() {
        List<EngineRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            int k = i % 5; // 5 distinct images; even ones are sliced 1x2
            EngineImage img =
                    FakePrompts.image("img" + k, 3 + k, k % 2 == 0 ? 1 : 0, k % 2 == 0 ? 2 : 0);
            if (i % 4 == 3) {
                reqs.add(EngineRequest.builder("r" + i, img, Task.MODERATION).build());
            } else {
                EngineRequest.Builder b =
                        EngineRequest.builder("r" + i, img, i % 2 == 0 ? Task.CAPTION : Task.OCR);
                if (i % 5 == 1) {
                    // seeded sampling: the draws must not depend on what else is batched
                    b.sampling(
                            new SamplingParams(2.0, 0.95, 100 + i, java.util.OptionalInt.empty()));
                }
                reqs.add(b.maxNewTokens(3 + i % 7).build());
            }
        }
        return reqs;
    }

    private static List<String> outputs(
            InferenceEngine engine, List<EngineRequest> reqs, boolean oneAtATime) throws Exception {
        List<CompletableFuture<EngineResult>> futures = new ArrayList<>();
        for (EngineRequest r : reqs) {
            CompletableFuture<EngineResult> f = engine.submit(r);
            if (oneAtATime) {
                f.get(10, TimeUnit.SECONDS);
            }
            futures.add(f);
        }
        List<String> out = new ArrayList<>();
        for (CompletableFuture<EngineResult> f : futures) {
            EngineResult res = f.get(10, TimeUnit.SECONDS);
            out.add(res.requestId() + ":" + res.text() + res.scores() + res.finishReason());
        }
        return out;
    }

    /** Each request alone on a concat-style decoder, without caches. */
    private List<String> isolatedOutputs(List<EngineRequest> reqs) throws Exception {
        return outputs(
                engine(
                        config().maxNumSeqs(1).prefixCaching(false).encoderCacheBytes(0).build(),
                        new FakeModelExecutor(),
                        new PrometheusRegistry()),
                reqs,
                true);
    }

    @Test
    void batchedOutputsEqualIsolatedOutputsWithAndWithoutCaches() throws Exception {
        List<EngineRequest> reqs = mixedRequests();
        List<String> isolated = isolatedOutputs(reqs);
        InferenceEngine batched = engine(config().build(), model, registry);
        assertThat(outputs(batched, reqs, false)).isEqualTo(isolated);
        InferenceEngine withoutCaches =
                engine(
                        config().prefixCaching(false).encoderCacheBytes(0).build(),
                        new FakeModelExecutor(),
                        new PrometheusRegistry());
        assertThat(outputs(withoutCaches, reqs, false)).isEqualTo(isolated);

        EngineStats stats = batched.stats();
        assertThat(stats.numPrefixHitTokens()).isPositive();
        // each of the 5 images goes through the vision graph once: later requests find its rows in
        // the encoder cache or skip them entirely because the prefix cache covers the placeholder
        assertThat(stats.numImagesEncoded()).isEqualTo(5);
        assertThat(stats.numPlainDecodeSteps()).isPositive();
        assertThat(stats.kvBytesCopiedInPlainDecodeSteps()).isZero();
    }

    @Test
    void sharedBufferDecoderGivesTheConcatDecodersOutputsBatchedGroupedAndUnderEviction()
            throws Exception {
        List<EngineRequest> reqs = mixedRequests();
        List<String> isolatedConcat = isolatedOutputs(reqs);
        for (EngineConfig cfg :
                List.of(
                        config().build(),
                        config().maxNumBatchedTokens(256).prefixCaching(false).build(),
                        config().numKvBlocks(24).build())) {
            FakeModelExecutor shared = new FakeModelExecutor(KvStyle.SHARED);
            InferenceEngine engine = engine(cfg, shared, new PrometheusRegistry());
            assertThat(outputs(engine, reqs, false)).isEqualTo(isolatedConcat);
            assertThat(engine.stats().kvBytesCopiedInPlainDecodeSteps()).isZero();
        }
    }

    @Test
    void smallKvPoolForcesWaitingAndEvictionsWithoutChangingOutputs() throws Exception {
        List<EngineRequest> reqs = mixedRequests();
        List<String> isolated =
                outputs(
                        engine(
                                config().maxNumSeqs(1).prefixCaching(false).build(),
                                new FakeModelExecutor(),
                                new PrometheusRegistry()),
                        reqs,
                        true);
        // 24 blocks of 4 tokens: about three requests fit at once, cached prefixes get evicted
        InferenceEngine tight = engine(config().numKvBlocks(24).build(), model, registry);
        assertThat(outputs(tight, reqs, false)).isEqualTo(isolated);
        assertThat(tight.stats().numPrefixHitTokens()).isPositive();
        assertThat(tight.stats().numKvEvictions()).isPositive();
    }

    @Test
    void freshPromptsOfEqualLengthArePrefilledAsOneBatchWithUnchangedOutputs() throws Exception {
        List<EngineRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reqs.add(caption("g" + i, FakePrompts.image("g" + i, 2 + i, 0, 0), 4));
        }
        List<String> isolated =
                outputs(
                        engine(
                                config().maxNumSeqs(1).build(),
                                new FakeModelExecutor(),
                                new PrometheusRegistry()),
                        reqs,
                        true);
        model.gate = new CountDownLatch(1);
        // prefix caching off: the blocker's published blocks would otherwise turn the four into
        // hits
        InferenceEngine engine =
                engine(
                        config().maxNumBatchedTokens(256).prefixCaching(false).build(),
                        model,
                        registry);
        List<CompletableFuture<EngineResult>> fs = new ArrayList<>();
        fs.add(engine.submit(caption("blocker", FakePrompts.image("b", 1, 0, 0), 1)));
        while (model.decodeRuns.get() == 0) {
            Thread.sleep(1); // the engine thread now waits inside the blocker's prefill
        }
        for (EngineRequest r : reqs) {
            fs.add(engine.submit(r));
        }
        model.gate.countDown();
        model.gate = null;
        List<String> got = new ArrayList<>();
        for (CompletableFuture<EngineResult> f : fs.subList(1, fs.size())) {
            EngineResult res = f.get(10, TimeUnit.SECONDS);
            got.add(res.requestId() + ":" + res.text() + res.scores() + res.finishReason());
        }
        assertThat(got).isEqualTo(isolated);
        assertThat(engine.stats().numGroupedPrefills()).isEqualTo(4);
    }

    @Test
    void moderationScoresEveryCategoryInOrderAndSharesThePrefix() throws Exception {
        InferenceEngine engine = engine(config().build(), model, registry);
        EngineResult r =
                engine.submit(
                                EngineRequest.builder(
                                                "m",
                                                FakePrompts.image("x", 2, 0, 0),
                                                Task.MODERATION)
                                        .build())
                        .get(10, TimeUnit.SECONDS);
        assertThat(r.scores())
                .extracting(CategoryScore::category)
                .containsExactly("violence", "weapons", "nudity");
        assertThat(r.finishReason()).isEqualTo(FinishReason.SCORED);
        assertThat(r.tokenIds()).isEmpty();
        // shared: 12 instruction + 1 + 2 visual + 1 + "cat " (4) = 20 tokens = 5 blocks; the 2
        // later
        // categories hit them
        assertThat(r.cachedPromptTokens()).isEqualTo(2 * 20);
        assertThat(model.visionRuns.get()).isEqualTo(1);
        for (CategoryScore s : r.scores()) {
            assertThat(s.flagged()).isEqualTo(s.probabilityYes() >= 0.5);
        }
    }

    @Test
    void fullAdmissionQueueFailsFastWithATypedError() throws Exception {
        model.gate = new CountDownLatch(1);
        InferenceEngine engine =
                engine(config().maxQueuedRequests(2).maxNumSeqs(1).build(), model, registry);
        EngineImage img = FakePrompts.image("a", 1, 0, 0);
        CompletableFuture<EngineResult> first = engine.submit(caption("first", img, 2));
        while (model.decodeRuns.get() == 0) {
            Thread.sleep(1); // the engine thread is now blocked inside the first run
        }
        CompletableFuture<EngineResult> second = engine.submit(caption("second", img, 2));
        CompletableFuture<EngineResult> third = engine.submit(caption("third", img, 2));
        CompletableFuture<EngineResult> fourth = engine.submit(caption("fourth", img, 2));

        assertThat(fourth).isCompletedExceptionally();
        assertThatThrownBy(fourth::join)
                .cause()
                .isInstanceOf(EngineOverloadedException.class)
                .hasMessage(
                        "engine overloaded: admission queue holds its maximum of 2 requests; rejected fourth");
        assertThat(counter("glimpse_engine_rejections")).isEqualTo(1.0);
        assertThat(engine.stats().numRejected()).isEqualTo(1);

        model.gate.countDown();
        model.gate = null;
        assertThat(first.get(10, TimeUnit.SECONDS).tokenIds()).hasSize(2);
        assertThat(second.get(10, TimeUnit.SECONDS).tokenIds()).hasSize(2);
        assertThat(third.get(10, TimeUnit.SECONDS).tokenIds()).hasSize(2);
    }

    @Test
    void cancelledRequestStopsAndFreesItsKv() throws Exception {
        model.decodeSleepMillis = 5;
        InferenceEngine engine = engine(config().build(), model, registry);
        CompletableFuture<EngineResult> f =
                engine.submit(caption("c", FakePrompts.image("a", 1, 0, 0), 1000 - 20));
        while (model.decodeRuns.get() < 3) {
            Thread.sleep(1);
        }
        assertThat(f.cancel(true)).isTrue();
        assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
        awaitGauge("glimpse_engine_sequences_running", 0.0);
        awaitGauge("glimpse_engine_kv_usage_ratio", 0.0);
        // the engine keeps serving
        assertThat(
                        engine.submit(caption("after", FakePrompts.image("a", 1, 0, 0), 2))
                                .get(10, TimeUnit.SECONDS)
                                .tokenIds())
                .hasSize(2);
    }

    @Test
    void requestPastItsDeadlineFailsWithDeadlineExceeded() throws Exception {
        model.decodeSleepMillis = 10;
        InferenceEngine engine = engine(config().build(), model, registry);
        CompletableFuture<EngineResult> f =
                engine.submit(
                        EngineRequest.builder("slow", FakePrompts.image("a", 1, 0, 0), Task.CAPTION)
                                .maxNewTokens(500)
                                .timeout(Duration.ofMillis(100))
                                .build());
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(DeadlineExceededException.class)
                .hasMessage("request slow exceeded its timeout of PT0.1S");
        awaitGauge("glimpse_engine_kv_usage_ratio", 0.0);
    }

    @Test
    void closeFailsPendingRequestsAndIsIdempotent() throws Exception {
        model.gate = new CountDownLatch(1);
        InferenceEngine engine = engine(config().maxNumSeqs(1).build(), model, registry);
        CompletableFuture<EngineResult> running =
                engine.submit(caption("running", FakePrompts.image("a", 1, 0, 0), 5));
        CompletableFuture<EngineResult> queued =
                engine.submit(caption("queued", FakePrompts.image("a", 1, 0, 0), 5));
        while (model.decodeRuns.get() == 0) {
            Thread.sleep(1);
        }
        Thread opener =
                new Thread(
                        () -> {
                            try {
                                Thread.sleep(50);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            model.gate.countDown();
                        });
        opener.start();
        engine.close();
        engine.close();
        assertThat(model.closed).isTrue();
        assertThat(engine.stats().kvNativeBytes()).isZero(); // every KV buffer freed
        for (CompletableFuture<EngineResult> f : List.of(running, queued)) {
            assertThatThrownBy(f::join).cause().isInstanceOf(EngineClosedException.class);
        }
        assertThatThrownBy(
                        () ->
                                engine.submit(caption("late", FakePrompts.image("a", 1, 0, 0), 1))
                                        .join())
                .cause()
                .isInstanceOf(EngineClosedException.class)
                .hasMessage("engine closed; request late not completed");
    }

    @Test
    void failedDecodeFailsOnlyItsRequestsWithStageAndIds() throws Exception {
        InferenceEngine engine = engine(config().build(), model, registry);
        model.failDecode = true;
        CompletableFuture<EngineResult> f =
                engine.submit(caption("x", FakePrompts.image("a", 1, 0, 0), 4));
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(ExecutionFailedException.class)
                .hasMessage("decode failed for requests [x]: injected failure");
        assertThat(counterLabelled("glimpse_engine_errors", "decode")).isEqualTo(1.0);
        model.failDecode = false;
        // moderation needs no decode run: it still works, and so does a new caption
        assertThat(
                        engine.submit(caption("y", FakePrompts.image("a", 1, 0, 0), 3))
                                .get(10, TimeUnit.SECONDS)
                                .tokenIds())
                .hasSize(3);
    }

    @Test
    void stopTokenEndsGenerationWithoutBeingReturned() throws Exception {
        InferenceEngine engine = engine(config().build(), model, registry);
        EngineResult free =
                engine.submit(caption("a", FakePrompts.image("a", 1, 0, 0), 6))
                        .get(10, TimeUnit.SECONDS);
        int third = free.tokenIds().get(2);
        EngineResult stopped =
                engine.submit(
                                EngineRequest.builder(
                                                "b", FakePrompts.image("a", 1, 0, 0), Task.CAPTION)
                                        .maxNewTokens(6)
                                        .extraStopTokenId(third)
                                        .build())
                        .get(10, TimeUnit.SECONDS);
        assertThat(stopped.tokenIds()).isEqualTo(free.tokenIds().subList(0, 2));
        assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(free.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void requestWithTheWrongNumberOfPlaceholdersIsRejectedAtSubmit() {
        PromptEncoder broken =
                new FakePrompts() {
                    @Override
                    public EncodedPrompt encode(
                            Task t,
                            java.util.Optional<String> q,
                            java.util.Optional<String> c,
                            EngineImage i) {
                        return new EncodedPrompt(new int[] {1, 3, 2}, new int[] {1});
                    }
                };
        InferenceEngine engine = new InferenceEngine(config().build(), model, broken, registry);
        engines.add(engine);
        assertThatThrownBy(
                        () ->
                                engine.submit(caption("bad", FakePrompts.image("a", 1, 0, 0), 2))
                                        .join())
                .cause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("prompt of bad has 1 image placeholder tokens, the image needs 2");
    }

    private double counter(String name) {
        for (MetricSnapshot s : registry.scrape()) {
            if (s.getMetadata().getName().equals(name)) {
                return ((CounterSnapshot) s).getDataPoints().get(0).getValue();
            }
        }
        throw new AssertionError("no metric " + name);
    }

    private double counterLabelled(String name, String stage) {
        for (MetricSnapshot s : registry.scrape()) {
            if (s.getMetadata().getName().equals(name)) {
                for (var dp : ((CounterSnapshot) s).getDataPoints()) {
                    if (stage.equals(dp.getLabels().get("stage"))) {
                        return dp.getValue();
                    }
                }
            }
        }
        throw new AssertionError("no metric " + name + "{stage=" + stage + "}");
    }

    private void awaitGauge(String name, double expected) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        double last = Double.NaN;
        while (System.nanoTime() < end) {
            for (MetricSnapshot s : registry.scrape()) {
                if (s.getMetadata().getName().equals(name)) {
                    last = ((GaugeSnapshot) s).getDataPoints().get(0).getValue();
                }
            }
            if (last == expected) {
                return;
            }
            Thread.sleep(5);
        }
        assertThat(last).as(name).isEqualTo(expected);
    }
}
