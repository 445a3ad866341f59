package dev.glimpse.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.serving.engine.AdmissionException;
import dev.glimpse.serving.engine.AdmissionReason;
import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.ExecutionFailedException;
import dev.glimpse.serving.engine.ExecutionStage;
import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.engine.ModelExecutor;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.engine.kv.KvState;
import dev.glimpse.serving.engine.kv.KvStyle;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real ONNX Runtime on the bundled model: a request that cannot run fails alone. A prompt too long
 * for the model's positions (which used to fail its whole batch inside ONNX Runtime: "cos_cache
 * dimension 0 shall not be less than total_sequence_length") is refused at submit, and a poisoned
 * request among innocents in one batched prefill or decode run fails alone; the innocents get
 * exactly the tokens they get alone.
 */
class PoisonRequestITCase {
    private static ModelDirectory model;
    private static List<EngineRequest> innocents;

    @BeforeAll
    static void open() throws Exception {
        model = ModelDirectory.open(BundledModel.dir());
        innocents = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // one image layout: equal prompt lengths, so the fresh prompts prefill as one group
            innocents.add(request("i" + i, BundledModel.synthetic(60 + i, 8, 0, 0), 5));
        }
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    private static EngineRequest request(String id, EngineImage img, int maxNew) {
        return EngineRequest.builder(id, img, Task.CAPTION)
                .maxNewTokens(maxNew)
                .ignoreStopTokens(true)
                .build();
    }

    private static EngineConfig.Builder base() {
        return EngineConfig.builder()
                .maxNumBatchedTokens(2048)
                .maxNumSeqs(8)
                .maxTokensPerPrefillRun(2048)
                .prefixCaching(false)
                .validateInvariants(true);
    }

    private static InferenceEngine engine(
            KvStyle style, Optional<String> poison, ExecutionStage at) {
        ModelExecutor ort = model.newExecutor(ExecutorOptions.cpu().withDecoderStyle(style));
        ModelExecutor executor =
                poison.isEmpty() ? ort : new PoisonedExecutor(ort, poison.get(), at);
        return new InferenceEngine(
                base().build(), executor, model.prompts(), new PrometheusRegistry());
    }

    private static List<List<Integer>> alone(KvStyle style) throws Exception {
        List<List<Integer>> out = new ArrayList<>();
        try (InferenceEngine e = engine(style, Optional.empty(), null)) {
            for (EngineRequest r : innocents) {
                out.add(e.submit(r).get(60, TimeUnit.SECONDS).tokenIds());
            }
        }
        return out;
    }

    static Stream<Arguments> stylesAndStages() throws Exception {
        List<Arguments> args = new ArrayList<>();
        for (KvStyle style : BundledModel.decoderStyles()) {
            args.add(Arguments.of(style, ExecutionStage.PREFILL));
            args.add(Arguments.of(style, ExecutionStage.DECODE));
        }
        return args.stream();
    }

    @ParameterizedTest
    @MethodSource("stylesAndStages")
    void poisonAmongInnocentsInOneBatchFailsAlone(KvStyle style, ExecutionStage stage)
            throws Exception {
        List<List<Integer>> expected = alone(style);
        EngineRequest poison = request("poison", BundledModel.synthetic(70, 8, 0, 0), 5);
        try (InferenceEngine engine = engine(style, Optional.of("poison"), stage)) {
            List<CompletableFuture<EngineResult>> fs = new ArrayList<>();
            fs.add(engine.submit(innocents.get(0)));
            fs.add(engine.submit(innocents.get(1)));
            CompletableFuture<EngineResult> bad = engine.submit(poison);
            fs.add(engine.submit(innocents.get(2)));
            fs.add(engine.submit(innocents.get(3)));
            assertThatThrownBy(() -> bad.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ExecutionFailedException.class)
                    .hasMessage(stage.label() + " failed for requests [poison]: poisoned row");
            for (int i = 0; i < fs.size(); i++) {
                assertThat(fs.get(i).get(60, TimeUnit.SECONDS).tokenIds())
                        .as("i" + i)
                        .isEqualTo(expected.get(i));
            }
            assertThat(engine.stats().numIsolationRuns()).isPositive();
        }
    }

    @ParameterizedTest
    @MethodSource("stylesAndStages")
    void promptCrossingMaxPositionsIsRejectedAtSubmitAndInnocentsRunAsAlone(
            KvStyle style, ExecutionStage crossedIn) throws Exception {
        List<List<Integer>> expected = alone(style);
        int maxPositions = model.manifest().llm().maxPositions();
        EngineImage img = BundledModel.synthetic(80, 8, 0, 0);
        // about 970 characters: the prompt fits, prompt + maxNewTokens does not (the former
        // decode failure); or the prompt alone does not fit (the former prefill failure)
        String question = "Describe every object and its colour in great detail. ".repeat(18);
        int promptTokens =
                model.prompts()
                        .encode(Task.CAPTION, Optional.of(question), Optional.empty(), img)
                        .tokenIds()
                        .length;
        int maxNew;
        if (crossedIn == ExecutionStage.DECODE) {
            assertThat(promptTokens).isLessThan(maxPositions);
            maxNew = maxPositions - promptTokens + 1;
        } else {
            question = question.repeat(3);
            maxNew = 4;
        }
        EngineRequest longOne =
                EngineRequest.builder("long", img, Task.CAPTION)
                        .question(question)
                        .maxNewTokens(maxNew)
                        .ignoreStopTokens(true)
                        .build();
        try (InferenceEngine engine = engine(style, Optional.empty(), null)) {
            List<CompletableFuture<EngineResult>> fs = new ArrayList<>();
            fs.add(engine.submit(innocents.get(0)));
            fs.add(engine.submit(innocents.get(1)));
            CompletableFuture<EngineResult> bad = engine.submit(longOne);
            fs.add(engine.submit(innocents.get(2)));
            fs.add(engine.submit(innocents.get(3)));
            assertThat(bad).isCompletedExceptionally();
            assertThatThrownBy(bad::join)
                    .cause()
                    .isInstanceOfSatisfying(
                            AdmissionException.class,
                            e -> assertThat(e.reason()).isEqualTo(AdmissionReason.PROMPT_TOO_LONG))
                    .hasMessageContaining("the model has " + maxPositions + " positions");
            for (int i = 0; i < fs.size(); i++) {
                assertThat(fs.get(i).get(60, TimeUnit.SECONDS).tokenIds())
                        .as("i" + i)
                        .isEqualTo(expected.get(i));
            }
            if (crossedIn == ExecutionStage.DECODE) {
                // one token less fits exactly, and runs to its last position without error
                EngineRequest fits =
                        EngineRequest.builder("fits", img, Task.CAPTION)
                                .question(question)
                                .maxNewTokens(maxNew - 1)
                                .ignoreStopTokens(true)
                                .build();
                assertThat(engine.submit(fits).get(120, TimeUnit.SECONDS).tokenIds())
                        .hasSize(maxNew - 1);
            }
        }
    }

    /** The real executor, except that every run of {@code stage} holding {@code poison} fails. */
    private static final class PoisonedExecutor extends ForwardingModelExecutor {
        private final String poison;
        private final ExecutionStage stage;

        PoisonedExecutor(ModelExecutor delegate, String poison, ExecutionStage stage) {
            super(delegate);
            this.poison = poison;
            this.stage = stage;
        }

        @Override
        public float[] decode(
                KvState kv,
                float[] inputsEmbeds,
                int newTokens,
                List<String> requestIds,
                ExecutionStage runStage) {
            if (runStage == stage && requestIds.contains(poison)) {
                throw new ExecutionFailedException(runStage, requestIds, "poisoned row", null);
            }
            return delegate.decode(kv, inputsEmbeds, newTokens, requestIds, runStage);
        }
    }
}
