package dev.glimpse.serving.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.serving.engine.kv.KvStyle;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code submit} refuses a request that can never run, with its reason and id, and the requests
 * around it run as they would alone. FakePrompts: a caption of a one-slice image is 24 tokens, a
 * moderation category c is {@code 21 + c.length()}.
 */
class EngineAdmissionTest {
    private final List<InferenceEngine> engines = new ArrayList<>();

    private static EngineConfig.Builder config() {
        return EngineConfig.builder()
                .maxNumBatchedTokens(64)
                .maxNumSeqs(4)
                .blockSize(4)
                .numKvBlocks(64)
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

    private static EngineRequest caption(String id, int maxNew) {
        return EngineRequest.builder(id, FakePrompts.image(id, 3, 0, 0), Task.CAPTION)
                .maxNewTokens(maxNew)
                .build();
    }

    private static EngineRequest moderation(String id, List<String> categories) {
        return EngineRequest.builder(id, FakePrompts.image(id, 3, 0, 0), Task.MODERATION)
                .categories(categories)
                .build();
    }

    private static void assertRejected(
            CompletableFuture<EngineResult> f, AdmissionReason reason, String message) {
        assertThat(f).isCompletedExceptionally(); // at once: never queued
        assertThatThrownBy(f::join)
                .cause()
                .isInstanceOfSatisfying(
                        AdmissionException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(reason);
                            assertThat(e.requestId()).isEqualTo("bad");
                        })
                .hasMessage(message);
    }

    @Test
    void promptPlusMaxNewTokensBeyondMaxPositionsIsRejectedAndInnocentsRunAsAlone()
            throws Exception {
        InferenceEngine alone = engine(config().maxNumSeqs(1).build(), new FakeModelExecutor());
        List<Integer> expected0 =
                alone.submit(caption("ok0", 16)).get(10, TimeUnit.SECONDS).tokenIds();
        List<Integer> expected1 =
                alone.submit(caption("ok1", 5)).get(10, TimeUnit.SECONDS).tokenIds();

        InferenceEngine engine =
                engine(config().build(), new FakeModelExecutor(KvStyle.SHARED, 40));
        CompletableFuture<EngineResult> ok0 = engine.submit(caption("ok0", 16)); // 24 + 16 = 40
        CompletableFuture<EngineResult> bad = engine.submit(caption("bad", 17));
        CompletableFuture<EngineResult> ok1 = engine.submit(caption("ok1", 5));
        assertRejected(
                bad,
                AdmissionReason.PROMPT_TOO_LONG,
                "request bad rejected (PROMPT_TOO_LONG): prompt of 24 tokens + maxNewTokens 17 ="
                        + " 41 tokens, the model has 40 positions");
        assertThat(ok0.get(10, TimeUnit.SECONDS).tokenIds()).isEqualTo(expected0);
        assertThat(ok1.get(10, TimeUnit.SECONDS).tokenIds()).isEqualTo(expected1);
    }

    @Test
    void moreCategoriesThanTheCapAreRejected() {
        InferenceEngine engine = engine(config().maxCategories(2).build(), new FakeModelExecutor());
        assertRejected(
                engine.submit(moderation("bad", List.of("a", "b", "c"))),
                AdmissionReason.TOO_MANY_CATEGORIES,
                "request bad rejected (TOO_MANY_CATEGORIES): 3 moderation categories, at most 2"
                        + " are allowed");
    }

    @Test
    void categoryLongerThanTheCapIsRejected() {
        InferenceEngine engine =
                engine(config().maxCategoryChars(8).build(), new FakeModelExecutor());
        assertRejected(
                engine.submit(moderation("bad", List.of("weapons", "ninecharz"))),
                AdmissionReason.CATEGORY_TOO_LONG,
                "request bad rejected (CATEGORY_TOO_LONG): moderation category 1 has 9"
                        + " characters, at most 8 are allowed");
    }

    @Test
    void blankCategoryIsRejected() {
        InferenceEngine engine = engine(config().build(), new FakeModelExecutor());
        assertRejected(
                engine.submit(moderation("bad", List.of("weapons", " \t"))),
                AdmissionReason.BLANK_CATEGORY,
                "request bad rejected (BLANK_CATEGORY): moderation category 1 is blank");
    }

    @Test
    void duplicateCategoryIsRejectedWithTheRequestId() {
        InferenceEngine engine = engine(config().build(), new FakeModelExecutor());
        assertRejected(
                engine.submit(moderation("bad", List.of("weapons", "nudity", "weapons"))),
                AdmissionReason.DUPLICATE_CATEGORY,
                "request bad rejected (DUPLICATE_CATEGORY): moderation category \"weapons\""
                        + " appears more than once");
    }

    @Test
    void everyCategoryIsCheckedAgainstTheKvPoolNotJustTheFirst() throws Exception {
        // 16 blocks of 4 = 64 tokens: "a" needs 22 + 1, the second category 21 + 50 + 1 = 72
        InferenceEngine engine = engine(config().numKvBlocks(16).build(), new FakeModelExecutor());
        String big = "x".repeat(50);
        assertRejected(
                engine.submit(moderation("bad", List.of("a", big))),
                AdmissionReason.EXCEEDS_KV_CAPACITY,
                "request bad rejected (EXCEEDS_KV_CAPACITY): prompt of 71 tokens (category \""
                        + big
                        + "\") + maxNewTokens 1 = 72 tokens, the KV pool holds 64 tokens");
        // nothing waits behind it: the engine keeps serving
        assertThat(engine.submit(caption("after", 3)).get(10, TimeUnit.SECONDS).tokenIds())
                .hasSize(3);
    }

    @Test
    void captionLargerThanTheKvPoolIsRejected() {
        InferenceEngine engine = engine(config().numKvBlocks(8).build(), new FakeModelExecutor());
        assertRejected(
                engine.submit(caption("bad", 9)),
                AdmissionReason.EXCEEDS_KV_CAPACITY,
                "request bad rejected (EXCEEDS_KV_CAPACITY): prompt of 24 tokens + maxNewTokens 9"
                        + " = 33 tokens, the KV pool holds 32 tokens");
    }
}
