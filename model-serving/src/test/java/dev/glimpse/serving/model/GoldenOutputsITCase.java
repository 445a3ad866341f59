package dev.glimpse.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.ImageSlice;
import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.engine.kv.KvStyle;
import dev.glimpse.serving.image.DecodeLimits;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Java outputs equal the PyTorch reference in {@code golden/golden.json} of the bundled model:
 * slicing (tgt sizes, first pixels), prompt ids, first image-feature values (1e-4 relative), greedy
 * tokens (exact) and moderation P(yes) (1e-4).
 */
class GoldenOutputsITCase {
    private static ModelDirectory model;
    private static OrtModelExecutor executor;
    private static final Map<KvStyle, InferenceEngine> engines = new EnumMap<>(KvStyle.class);
    private static ImagePreprocessor preprocessor;

    @BeforeAll
    static void open() throws Exception {
        model = ModelDirectory.open(BundledModel.dir());
        executor = model.newExecutor(ExecutorOptions.cpu());
        for (KvStyle style : model.manifest().llm().decoderFiles().keySet()) {
            engines.put(
                    style,
                    model.newEngine(
                            EngineConfig.builder().validateInvariants(true).build(),
                            ExecutorOptions.cpu().withDecoderStyle(style),
                            new PrometheusRegistry()));
        }
        preprocessor = new ImagePreprocessor(model.manifest(), DecodeLimits.DEFAULTS);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            engines.values().forEach(InferenceEngine::close);
            executor.close();
            model.close();
        }
    }

    static Stream<Arguments> cases() throws Exception {
        Path golden = BundledModel.dir().resolve("golden/golden.json");
        JsonNode root = new ObjectMapper().readTree(golden.toFile());
        List<Arguments> out = new ArrayList<>();
        root.get("cases").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
        return out.stream();
    }

    /** Every golden case once per decoder graph of the model. */
    static Stream<Arguments> casesPerDecoder() throws Exception {
        List<KvStyle> styles = BundledModel.decoderStyles();
        return cases().flatMap(
                        a -> styles.stream().map(st -> Arguments.of(a.get()[0], a.get()[1], st)));
    }

    private static Task task(JsonNode c) {
        return Task.valueOf(c.get("task").asText().toUpperCase(Locale.ROOT));
    }

    private static EngineImage image(JsonNode c) throws Exception {
        byte[] png =
                Files.readAllBytes(
                        BundledModel.dir().resolve("golden").resolve(c.get("image").asText()));
        return preprocessor.prepare(png, c.get("image").asText(), task(c));
    }

    private static int[] ints(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).asInt();
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void slicingMatchesTheReference(String name, JsonNode c) throws Exception {
        EngineImage img = image(c);
        JsonNode tgt = c.get("tgtSizes");
        assertThat(img.slices()).hasSize(tgt.size());
        for (int i = 0; i < tgt.size(); i++) {
            assertThat(img.slices().get(i).patchRows()).isEqualTo(tgt.get(i).get(0).asInt());
            assertThat(img.slices().get(i).patchCols()).isEqualTo(tgt.get(i).get(1).asInt());
        }
        ImageSlice overview = img.slices().get(0);
        JsonNode first8 = c.get("pixelValuesSlice0").get("first8");
        for (int i = 0; i < 8; i++) {
            assertThat((double) overview.pixels()[i])
                    .isCloseTo(first8.get(i).asDouble(), within(1e-6));
        }
        double sum = 0;
        for (float f : overview.pixels()) {
            sum += f;
        }
        assertThat(sum).isCloseTo(c.get("pixelValuesSlice0").get("sum").asDouble(), within(1e-2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void promptIdsMatchTheReference(String name, JsonNode c) throws Exception {
        Optional<String> category =
                c.has("category") ? Optional.of(c.get("category").asText()) : Optional.empty();
        int[] ids =
                model.prompts().encode(task(c), Optional.empty(), category, image(c)).tokenIds();
        assertThat(ids).containsExactly(ints(c.get("promptIds")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void imageFeaturesMatchTheReference(String name, JsonNode c) throws Exception {
        EngineImage img = image(c);
        float[] f = executor.encodeImages(List.of(img), List.of(name)).get(0);
        int perSlice = model.manifest().vision().queryNum() * model.manifest().llm().hidden();
        int last = (img.slices().size() - 1) * perSlice;
        for (int i = 0; i < 8; i++) {
            double e0 = c.get("imageFeaturesFirst8").get(i).asDouble();
            double e1 = c.get("imageFeaturesLastSliceFirst8").get(i).asDouble();
            assertThat((double) f[i])
                    .as("overview[%d]", i)
                    .isCloseTo(e0, within(1e-4 * Math.max(1, Math.abs(e0))));
            assertThat((double) f[last + i])
                    .as("last slice[%d]", i)
                    .isCloseTo(e1, within(1e-4 * Math.max(1, Math.abs(e1))));
        }
        assertThat(executor.numLiveTensors()).isZero();
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("casesPerDecoder")
    void greedyOutputsMatchTheReference(String name, JsonNode c, KvStyle style) throws Exception {
        InferenceEngine engine = engines.get(style);
        Task task = task(c);
        EngineRequest.Builder b = EngineRequest.builder(name, image(c), task);
        if (task == Task.MODERATION) {
            b.categories(List.of(c.get("category").asText()));
        }
        EngineResult r = engine.submit(b.build()).get(60, TimeUnit.SECONDS);
        if (task == Task.MODERATION) {
            assertThat(r.scores()).hasSize(1);
            assertThat(r.scores().get(0).probabilityYes())
                    .isCloseTo(c.get("pYes").asDouble(), within(1e-4));
            int expected = c.get("outputIds").get(0).asInt();
            assertThat(r.scores().get(0).probabilityYes() >= 0.5)
                    .isEqualTo(expected == model.prompts().yesTokenId());
        } else {
            List<Integer> expected = new ArrayList<>();
            for (int t : ints(c.get("outputIds"))) {
                expected.add(t);
            }
            // the reference lists the stop token; the engine ends on it without returning it
            if (!expected.isEmpty()
                    && model.prompts().stopTokenIds().contains(expected.get(expected.size() - 1))) {
                expected.remove(expected.size() - 1);
            }
            assertThat(r.tokenIds()).isEqualTo(expected);
            assertThat(r.text()).isEqualTo(c.get("outputText").asText());
        }
    }
}
