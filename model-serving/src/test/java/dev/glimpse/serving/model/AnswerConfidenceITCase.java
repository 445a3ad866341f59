package dev.glimpse.serving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glimpse.serving.engine.AnswerConfidence;
import dev.glimpse.serving.engine.ConfidenceSummary;
import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.engine.LineConfidence;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.engine.WordConfidence;
import dev.glimpse.serving.image.DecodeLimits;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On the bundled model, every caption and OCR answer carries one probability per token, each in (0,
 * 1] and the largest of its step (the engine decodes greedily), while the tokens stay those of the
 * PyTorch reference; the per-word summaries cover exactly the words of the text.
 */
class AnswerConfidenceITCase {
    private static ModelDirectory model;
    private static InferenceEngine engine;
    private static ImagePreprocessor preprocessor;

    @BeforeAll
    static void open() throws Exception {
        model = ModelDirectory.open(BundledModel.dir());
        engine =
                model.newEngine(
                        EngineConfig.builder().validateInvariants(true).build(),
                        ExecutorOptions.cpu(),
                        new PrometheusRegistry());
        preprocessor = new ImagePreprocessor(model.manifest(), DecodeLimits.DEFAULTS);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            engine.close();
            model.close();
        }
    }

    static Stream<Arguments> generatedCases() throws Exception {
        JsonNode root =
                new ObjectMapper()
                        .readTree(BundledModel.dir().resolve("golden/golden.json").toFile());
        List<Arguments> out = new ArrayList<>();
        root.get("cases")
                .forEach(
                        c -> {
                            if (!c.get("task").asText().equals("moderation")) {
                                out.add(Arguments.of(c.get("name").asText(), c));
                            }
                        });
        return out.stream();
    }

    /**
     * PyTorch's probabilities of the tokens of the golden text line, the stop token left out
     * ({@code training/checks/confidence_reference.py ocr_line_sliced.png}); float32 graphs on ONNX
     * Runtime agree to about 1e-5.
     */
    private static final double[] PYTORCH_OCR_LINE = {
        0.999775, 0.999544, 0.999257, 0.997772, 0.985415, 0.999460, 0.979623, 0.937131, 0.896622,
        0.681328, 0.874029, 0.865385, 0.972742, 0.770366, 0.805389, 0.960358, 0.892744, 0.991815,
        0.996351, 0.791401
    };

    @Test
    void tokenProbabilitiesEqualThePyTorchReference() throws Exception {
        byte[] png = Files.readAllBytes(BundledModel.dir().resolve("golden/ocr_line_sliced.png"));
        EngineResult r =
                engine.submit(
                                EngineRequest.builder(
                                                "ref",
                                                preprocessor.prepare(png, "ref", Task.OCR),
                                                Task.OCR)
                                        .build())
                        .get(60, TimeUnit.SECONDS);

        List<Double> p = r.confidence().orElseThrow().tokenProbabilities();
        assertThat(p).hasSize(PYTORCH_OCR_LINE.length);
        for (int i = 0; i < p.size(); i++) {
            assertThat(p.get(i)).as("token %d", i).isCloseTo(PYTORCH_OCR_LINE[i], within(1e-4));
        }
        // the misread words of "zwrr doblh srdwch utou" (truth "zwrr dobih srdhwch utoou") are the
        // three least confident
        assertThat(r.confidence().orElseThrow().lines().get(0).words())
                .extracting(w -> w.text() + "<" + (w.confidence().min() < 0.9))
                .containsExactly("zwrr<false", "doblh<true", "srdwch<true", "utou<true");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("generatedCases")
    void everyTokenCarriesItsProbabilityAndTheTokensAreUnchanged(String name, JsonNode c)
            throws Exception {
        Task task = Task.valueOf(c.get("task").asText().toUpperCase(Locale.ROOT));
        byte[] png =
                Files.readAllBytes(
                        BundledModel.dir().resolve("golden").resolve(c.get("image").asText()));
        EngineResult r =
                engine.submit(
                                EngineRequest.builder(
                                                name, preprocessor.prepare(png, name, task), task)
                                        .build())
                        .get(60, TimeUnit.SECONDS);

        List<Integer> expected = new ArrayList<>();
        c.get("outputIds").forEach(t -> expected.add(t.asInt()));
        if (model.prompts().stopTokenIds().contains(expected.get(expected.size() - 1))) {
            expected.remove(expected.size() - 1);
        }
        assertThat(r.tokenIds()).isEqualTo(expected);
        assertThat(r.text()).isEqualTo(c.get("outputText").asText());

        AnswerConfidence confidence = r.confidence().orElseThrow();
        int vocab = model.manifest().llm().vocab();
        assertThat(confidence.tokenProbabilities())
                .hasSize(expected.size())
                // greedy: the chosen token is the most probable, so at least 1/V
                .allSatisfy(p -> assertThat(p).isBetween(1.0 / vocab, 1.0));
        ConfidenceSummary answer = confidence.answer().orElseThrow();
        double mean =
                confidence.tokenProbabilities().stream()
                        .mapToDouble(Double::doubleValue)
                        .average()
                        .orElseThrow();
        assertThat(answer.mean()).isCloseTo(mean, within(1e-12));
        assertThat(answer.min())
                .isEqualTo(
                        confidence.tokenProbabilities().stream()
                                .mapToDouble(Double::doubleValue)
                                .min()
                                .orElseThrow());
        List<String> words =
                confidence.lines().stream()
                        .flatMap(l -> l.words().stream())
                        .map(WordConfidence::text)
                        .toList();
        assertThat(words).isEqualTo(Arrays.asList(r.text().trim().split("\\s+")));
        for (LineConfidence line : confidence.lines()) {
            for (WordConfidence w : line.words()) {
                assertThat(r.text().substring(w.start(), w.end())).isEqualTo(w.text());
                assertThat(w.confidence().min()).isGreaterThanOrEqualTo(answer.min());
                assertThat(w.confidence().min()).isGreaterThanOrEqualTo(line.confidence().min());
            }
        }
    }
}
