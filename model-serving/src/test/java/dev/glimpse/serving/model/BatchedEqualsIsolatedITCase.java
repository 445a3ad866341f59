package dev.glimpse.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glimpse.serving.engine.CategoryScore;
import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.EngineStats;
import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.engine.SamplingParams;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.engine.kv.KvStyle;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 64 requests of mixed tasks over a handful of images, arriving staggered, give exactly the tokens
 * each request gives alone; with the prefix cache or the encoder cache turned off too. Real ONNX
 * Runtime on the bundled model, invariants validated after every step; each test once per decoder
 * graph of the model (GroupQueryAttention with its shared KV buffer, concat), against that graph's
 * own isolated outputs.
 */
class BatchedEqualsIsolatedITCase {
    private static final int MAX_NEW = 6;
    private static ModelDirectory model;
    private static List<EngineRequest> requests;
    private static final Map<KvStyle, List<EngineResult>> isolated = new EnumMap<>(KvStyle.class);

    @BeforeAll
    static void runIsolated() throws Exception {
        model = ModelDirectory.open(BundledModel.dir());
        List<EngineImage> images =
                List.of(
                        BundledModel.synthetic(11, 8, 0, 0),
                        BundledModel.synthetic(12, 8, 1, 2),
                        BundledModel.synthetic(13, 6, 0, 0),
                        BundledModel.synthetic(14, 8, 2, 2),
                        BundledModel.synthetic(15, 4, 1, 3));
        List<String> categories = model.manifest().tasks().get(Task.MODERATION).categories();
        requests = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            EngineImage img = images.get((i * 7) % images.size());
            Task task = Task.values()[i % 3];
            EngineRequest.Builder b = EngineRequest.builder("r" + i, img, task);
            if (task == Task.MODERATION) {
                b.categories(categories.subList(0, 1 + i % categories.size()));
            } else {
                b.maxNewTokens(1 + i % MAX_NEW);
                if (i % 8 == 1) {
                    // seeded temperature/top-p: each request owns its generator, so batching
                    // must not change the draws
                    b.sampling(
                            new SamplingParams(
                                    0.8, 0.9, i, java.util.OptionalInt.of(1 + i % MAX_NEW)));
                }
                if (i % 5 == 0) {
                    b.question("What is shown?");
                }
            }
            requests.add(b.build());
        }
        for (KvStyle style : styles()) {
            try (InferenceEngine alone =
                    engine(base().maxNumSeqs(1).prefixCaching(false).encoderCacheBytes(0), style)) {
                List<EngineResult> out = new ArrayList<>();
                for (EngineRequest r : requests) {
                    out.add(alone.submit(r).get(60, TimeUnit.SECONDS));
                }
                isolated.put(style, out);
            }
        }
    }

    /** The model's decoder graphs. */
    static List<KvStyle> styles() throws Exception {
        return BundledModel.decoderStyles();
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    private static EngineConfig.Builder base() {
        return EngineConfig.builder()
                .maxNumBatchedTokens(256)
                .maxNumSeqs(16)
                .blockSize(16)
                .numKvBlocks(1024)
                .validateInvariants(true);
    }

    private static InferenceEngine engine(EngineConfig.Builder cfg, KvStyle style) {
        return model.newEngine(
                cfg.build(),
                ExecutorOptions.cpu().withDecoderStyle(style),
                new PrometheusRegistry());
    }

    private static EngineStats runBatched(EngineConfig.Builder cfg, KvStyle style)
            throws Exception {
        List<EngineResult> expected = isolated.get(style);
        try (InferenceEngine engine = engine(cfg, style)) {
            List<CompletableFuture<EngineResult>> futures = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                futures.add(engine.submit(requests.get(i)));
                if (i % 4 == 3) {
                    Thread.sleep(3); // staggered arrivals: requests join a running batch
                }
            }
            for (int i = 0; i < requests.size(); i++) {
                assertSame(expected.get(i), futures.get(i).get(60, TimeUnit.SECONDS));
            }
            return engine.stats();
        }
    }

    private static void assertSame(EngineResult expected, EngineResult actual) {
        assertThat(actual.requestId()).isEqualTo(expected.requestId());
        assertThat(actual.tokenIds()).as(expected.requestId()).isEqualTo(expected.tokenIds());
        assertThat(actual.text()).isEqualTo(expected.text());
        assertThat(actual.finishReason()).isEqualTo(expected.finishReason());
        // a token's confidence does not depend on what shares its batch
        List<Double> p = actual.confidence().map(c -> c.tokenProbabilities()).orElse(List.of());
        List<Double> q = expected.confidence().map(c -> c.tokenProbabilities()).orElse(List.of());
        assertThat(p).hasSameSizeAs(q);
        for (int i = 0; i < q.size(); i++) {
            assertThat(p.get(i))
                    .as(expected.requestId() + " token " + i)
                    .isCloseTo(q.get(i), within(1e-4));
        }
        assertThat(actual.scores()).hasSameSizeAs(expected.scores());
        for (int c = 0; c < expected.scores().size(); c++) {
            CategoryScore e = expected.scores().get(c);
            CategoryScore a = actual.scores().get(c);
            assertThat(a.category()).isEqualTo(e.category());
            assertThat(a.probabilityYes())
                    .as(expected.requestId() + " " + e.category())
                    .isCloseTo(e.probabilityYes(), within(1e-4));
        }
    }

    @ParameterizedTest
    @MethodSource("styles")
    void batchedWithBothCachesEqualsIsolated(KvStyle style) throws Exception {
        EngineStats stats = runBatched(base(), style);
        assertThat(stats.numPrefixHitTokens()).isPositive();
        assertThat(stats.kvBytesCopiedInPlainDecodeSteps()).isZero();
        assertThat(stats.numImagesEncoded()).isLessThan(64);
    }

    @ParameterizedTest
    @MethodSource("styles")
    void prefixCacheOffEqualsIsolated(KvStyle style) throws Exception {
        EngineStats stats = runBatched(base().prefixCaching(false), style);
        assertThat(stats.numPrefixHitTokens()).isZero();
    }

    @ParameterizedTest
    @MethodSource("styles")
    void encoderCacheOffEqualsIsolated(KvStyle style) throws Exception {
        EngineStats stats = runBatched(base().encoderCacheBytes(0), style);
        assertThat(stats.numEncoderHits()).isZero();
    }

    @ParameterizedTest
    @MethodSource("styles")
    void freshPromptsPrefilledTogetherEqualIsolated(KvStyle style) throws Exception {
        // 8 captions over distinct images of one layout: equal prompt lengths, no prefix hits
        List<EngineRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            reqs.add(
                    EngineRequest.builder(
                                    "f" + i, BundledModel.synthetic(40 + i, 8, 1, 2), Task.CAPTION)
                            .maxNewTokens(4)
                            .build());
        }
        List<EngineResult> alone = new ArrayList<>();
        try (InferenceEngine engine = engine(base().maxNumSeqs(1), style)) {
            for (EngineRequest r : reqs) {
                alone.add(engine.submit(r).get(60, TimeUnit.SECONDS));
            }
        }
        try (InferenceEngine engine = engine(base().maxNumBatchedTokens(1024), style)) {
            List<CompletableFuture<EngineResult>> fs = new ArrayList<>();
            for (EngineRequest r : reqs) {
                fs.add(engine.submit(r));
            }
            for (int i = 0; i < reqs.size(); i++) {
                assertSame(alone.get(i), fs.get(i).get(60, TimeUnit.SECONDS));
            }
            assertThat(engine.stats().numGroupedPrefills()).isGreaterThanOrEqualTo(2);
        }
    }

    @ParameterizedTest
    @MethodSource("styles")
    void smallTokenBudgetForcesChunkedPrefillAndStillEqualsIsolated(KvStyle style)
            throws Exception {
        runBatched(base().maxNumBatchedTokens(48).maxNumSeqs(8), style);
    }
}
