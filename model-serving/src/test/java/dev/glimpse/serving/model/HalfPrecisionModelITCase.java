package dev.glimpse.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.ExecutionStage;
import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.engine.kv.ElementType;
import dev.glimpse.serving.engine.kv.KvStyle;
import dev.glimpse.serving.engine.kv.SequenceKv;
import dev.glimpse.serving.image.DecodeLimits;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The float16 variant of the bundled model ({@code models/glimpse-tiny-fp16}, made by {@code
 * training/to_fp16.py}) runs through the same engine on ONNX Runtime's CPU kernels, with both
 * decoder graphs: float16 pixels, visual tokens, embeddings, logits and KV cache. It is compared
 * with the float32 model on the golden cases: greedy tokens equal on every case, moderation P(yes)
 * within 0.02, and the decoder's logits on a teacher-forced prompt within 0.05 (the float32 logits
 * span about ±20; float16 weights and KV give ~1e-2 differences).
 */
class HalfPrecisionModelITCase {
    private static final double LOGITS_TOLERANCE = 0.05;
    private static final double P_YES_TOLERANCE = 0.02;

    static Path fp16Dir() {
        Path bundled = BundledModel.dir();
        Path dir = bundled.resolveSibling(bundled.getFileName() + "-fp16");
        assumeTrue(ModelDirectory.isComplete(dir), "no float16 variant at " + dir);
        return dir;
    }

    @ParameterizedTest
    @EnumSource(KvStyle.class)
    void theFloat16ModelGivesTheFloat32ModelsGreedyTokensOnEveryGoldenCase(KvStyle style)
            throws Exception {
        JsonNode root =
                new ObjectMapper()
                        .readTree(BundledModel.dir().resolve("golden/golden.json").toFile());
        try (ModelDirectory full = ModelDirectory.open(BundledModel.dir());
                ModelDirectory half = ModelDirectory.open(fp16Dir());
                InferenceEngine e32 = engine(full, style);
                InferenceEngine e16 = engine(half, style)) {
            ImagePreprocessor pre = new ImagePreprocessor(full.manifest(), DecodeLimits.DEFAULTS);
            int cases = 0;
            for (JsonNode c : root.get("cases")) {
                Task task = Task.valueOf(c.get("task").asText().toUpperCase(Locale.ROOT));
                byte[] png =
                        Files.readAllBytes(
                                BundledModel.dir()
                                        .resolve("golden")
                                        .resolve(c.get("image").asText()));
                String name = c.get("name").asText();
                EngineResult r32 = run(e32, pre, png, name, task, c);
                EngineResult r16 = run(e16, pre, png, name, task, c);
                if (task == Task.MODERATION) {
                    double p32 = r32.scores().get(0).probabilityYes();
                    double p16 = r16.scores().get(0).probabilityYes();
                    assertThat(Math.abs(p16 - p32))
                            .as("%s P(yes)", name)
                            .isLessThan(P_YES_TOLERANCE);
                    assertThat(p16 >= 0.5).as(name).isEqualTo(p32 >= 0.5);
                } else {
                    assertThat(r16.tokenIds()).as(name).isEqualTo(r32.tokenIds());
                    assertThat(r16.text()).as(name).isEqualTo(r32.text());
                    // token confidences come from float16 logits, converted, softmax in double
                    List<Double> c32 = r32.confidence().orElseThrow().tokenProbabilities();
                    List<Double> c16 = r16.confidence().orElseThrow().tokenProbabilities();
                    assertThat(c16).hasSameSizeAs(c32);
                    for (int i = 0; i < c32.size(); i++) {
                        assertThat(Math.abs(c16.get(i) - c32.get(i)))
                                .as("%s token %d probability", name, i)
                                .isLessThan(P_YES_TOLERANCE);
                    }
                }
                cases++;
            }
            assertThat(cases).isEqualTo(root.get("cases").size()).isPositive();
        }
    }

    private static InferenceEngine engine(ModelDirectory model, KvStyle style) {
        return model.newEngine(
                EngineConfig.builder().validateInvariants(true).build(),
                ExecutorOptions.cpu().withDecoderStyle(style),
                new PrometheusRegistry());
    }

    private static EngineResult run(
            InferenceEngine engine,
            ImagePreprocessor pre,
            byte[] png,
            String name,
            Task task,
            JsonNode c)
            throws Exception {
        EngineRequest.Builder b = EngineRequest.builder(name, pre.prepare(png, name, task), task);
        if (task == Task.MODERATION) {
            b.categories(List.of(c.get("category").asText()));
        }
        return engine.submit(b.build()).get(120, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(KvStyle.class)
    void theFloat16DecodersLogitsStayWithinToleranceOfFloat32(KvStyle style) throws Exception {
        try (ModelDirectory full = ModelDirectory.open(BundledModel.dir());
                ModelDirectory half = ModelDirectory.open(fp16Dir());
                OrtModelExecutor x32 =
                        full.newExecutor(ExecutorOptions.cpu().withDecoderStyle(style));
                OrtModelExecutor x16 =
                        half.newExecutor(ExecutorOptions.cpu().withDecoderStyle(style))) {
            assertThat(x16.types())
                    .isEqualTo(
                            new GraphTypes(
                                    ElementType.FLOAT16,
                                    ElementType.FLOAT16,
                                    ElementType.FLOAT16,
                                    ElementType.FLOAT16,
                                    ElementType.FLOAT16,
                                    ElementType.FLOAT16));
            assertThat(x32.types().halfPrecision()).isFalse();
            assertThat(x16.shape().kv().bytesPerToken() * 2)
                    .isEqualTo(x32.shape().kv().bytesPerToken());
            int[] prompt =
                    full.prompts()
                            .encode(
                                    Task.OCR,
                                    Optional.empty(),
                                    Optional.empty(),
                                    BundledModel.synthetic(7, 4, 1, 2))
                            .tokenIds();
            SequenceKv kv32 = new SequenceKv(x32.shape().kv(), prompt.length + 8, null);
            SequenceKv kv16 = new SequenceKv(x16.shape().kv(), prompt.length + 8, null);
            List<String> ids = List.of("fp16");
            float[] l32 =
                    x32.decode(
                            kv32,
                            x32.embed(prompt, ids),
                            prompt.length,
                            ids,
                            ExecutionStage.PREFILL);
            float[] l16 =
                    x16.decode(
                            kv16,
                            x16.embed(prompt, ids),
                            prompt.length,
                            ids,
                            ExecutionStage.PREFILL);
            double maxDiff = maxAbsDiff(l32, l16);
            List<Integer> tokens = new ArrayList<>();
            for (int step = 0; step < 6; step++) {
                int next = argmax(l32);
                assertThat(argmax(l16)).as("step %d", step).isEqualTo(next);
                tokens.add(next);
                int[] one = {next};
                l32 = x32.decode(kv32, x32.embed(one, ids), 1, ids, ExecutionStage.DECODE);
                l16 = x16.decode(kv16, x16.embed(one, ids), 1, ids, ExecutionStage.DECODE);
                maxDiff = Math.max(maxDiff, maxAbsDiff(l32, l16));
            }
            assertThat(maxDiff)
                    .as("max |logit16 - logit32| over 7 steps")
                    .isLessThan(LOGITS_TOLERANCE);
            System.out.printf(
                    "fp16 %s decoder: max |logit16 - logit32| = %.5f over %d steps, tokens %s%n",
                    style.manifestName(), maxDiff, 7, tokens);
            kv32.release();
            kv16.release();
            assertThat(x16.numLiveTensors()).isZero();
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(b).hasSameSizeAs(a);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
