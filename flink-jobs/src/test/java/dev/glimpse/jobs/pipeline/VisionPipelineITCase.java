package dev.glimpse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glimpse.jobs.kafka.EmbeddedKafkaExtension;
import dev.glimpse.jobs.local.LoopbackMiniCluster;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.CategoryScore;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.schemas.ModerationVerdict;
import dev.glimpse.schemas.OcrText;
import dev.glimpse.schemas.TokenConfidence;
import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.model.ExecutorOptions;
import dev.glimpse.serving.model.ImagePreprocessor;
import dev.glimpse.serving.model.ModelDirectory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on the MiniCluster with the real broker and the bundled model. */
class VisionPipelineITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = LoopbackMiniCluster.withSlots(2);

    @TempDir Path images;

    @Test
    void threeHundredMixedEventsGiveExactlyThreeHundredResultsEqualToTheEngineAnsweringDirectly()
            throws Exception {
        // Distinct pictures: small and sliced scenes, wide text lines, and two noise images over
        // Kafka's 1 MB record limit that can only travel by file:// URI.
        List<byte[]> pictures = new ArrayList<>();
        for (int s = 0; s < 5; s++) {
            pictures.add(TestImages.scene(s, 112, 112));
        }
        pictures.add(TestImages.scene(7, 240, 180));
        pictures.add(TestImages.text("GLIMPSE", 224, 56));
        pictures.add(TestImages.text("STREAM 42", 336, 64));
        pictures.add(TestImages.text("hello world", 448, 96));
        pictures.add(TestImages.noise(1, 700, 700));
        pictures.add(TestImages.noise(2, 720, 640));
        List<String> uris = new ArrayList<>();
        for (int p = 0; p < pictures.size(); p++) {
            Path file = images.resolve("picture-" + p + ".png");
            Files.write(file, pictures.get(p));
            uris.add(file.toUri().toString());
        }
        assertThat(pictures.get(9).length).isGreaterThan(1 << 20);

        String[] tasks = {"CAPTION", "OCR", "MODERATION"};
        List<ImageEvent> events = new ArrayList<>();
        Map<String, Integer> pictureOf = new HashMap<>();
        Instant t0 = Instant.now();
        for (int i = 0; i < 300; i++) {
            int p = (i * 7) % pictures.size();
            boolean large = pictures.get(p).length > 900_000;
            boolean byUri = large || i % 10 == 3;
            String id = String.format("evt-%04d", i);
            pictureOf.put(id, p);
            events.add(
                    ImageEvent.newBuilder()
                            .setEventId(id)
                            .setSourceId("source-" + (i % 5))
                            .setEventTime(t0.plusMillis(i))
                            .setTask(tasks[i % 3])
                            .setImage(
                                    byUri
                                            ? new ImageReference(uris.get(p))
                                            : new InlineImage(ByteBuffer.wrap(pictures.get(p))))
                            .setAttributes(Map.of("i", Integer.toString(i)))
                            .build());
        }

        List<AnalysisResult> results;
        try (PipelineHarness pipeline = new PipelineHarness(KAFKA.broker())) {
            pipeline.settings.put("pipeline.asyncCapacity", "48");
            pipeline.settings.put("images.allowedUris", images.toUri().toString());
            pipeline.start();
            pipeline.produce(events);
            results = pipeline.drainResults(300, Duration.ofMinutes(6));
            assertThat(pipeline.drainDeadLetters(0, Duration.ofSeconds(1))).isEmpty();
        }

        assertThat(results).hasSize(300);
        Map<String, AnalysisResult> byId =
                PipelineHarness.byId(results, AnalysisResult::getEventId);
        assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(pictureOf.keySet());

        Map<String, EngineResult> expected = answerDirectly(pictures);
        for (AnalysisResult r : results) {
            int p = pictureOf.get(r.getEventId());
            EngineResult direct = expected.get(r.getTask().name() + "/" + p);
            assertThat(r.getAttributes())
                    .containsEntry("i", r.getEventId().substring(4).replaceFirst("^0+(?=.)", ""));
            switch (r.getTask()) {
                case CAPTION -> {
                    Caption caption = (Caption) r.getOutput();
                    assertThat(caption.getText()).isEqualTo(direct.text());
                    assertSameConfidence(caption.getConfidence(), direct);
                }
                case OCR -> {
                    OcrText ocr = (OcrText) r.getOutput();
                    assertThat(ocr.getText()).isEqualTo(direct.text());
                    assertSameConfidence(ocr.getConfidence(), direct);
                    assertThat(ocr.getLines())
                            .hasSameSizeAs(direct.confidence().orElseThrow().lines());
                }
                case MODERATION -> {
                    List<CategoryScore> scores = ((ModerationVerdict) r.getOutput()).getScores();
                    assertThat(scores).hasSameSizeAs(direct.scores());
                    for (int c = 0; c < scores.size(); c++) {
                        assertThat(scores.get(c).getCategory())
                                .isEqualTo(direct.scores().get(c).category());
                        assertThat(scores.get(c).getProbability())
                                .isCloseTo(direct.scores().get(c).probabilityYes(), within(1e-4));
                    }
                }
            }
            assertThat(r.getTokens().getVisualTokens()).isPositive();
            assertThat(r.getTimings().getEndToEndMs()).isPositive();
        }
    }

    /** The result's token confidence is the engine's, whatever shared its batches. */
    private static void assertSameConfidence(TokenConfidence actual, EngineResult direct) {
        var summary = direct.confidence().orElseThrow().answer();
        if (summary.isEmpty()) {
            assertThat(actual).isNull();
            return;
        }
        assertThat(actual.getMin()).isCloseTo(summary.get().min(), within(1e-4));
        assertThat(actual.getMean()).isCloseTo(summary.get().mean(), within(1e-4));
        assertThat(actual.getMin()).isGreaterThan(0).isLessThanOrEqualTo(actual.getMean());
    }

    /** Each (task, picture) answered by an engine of its own, outside Flink. */
    private static Map<String, EngineResult> answerDirectly(List<byte[]> pictures)
            throws Exception {
        Map<String, EngineResult> answers = new HashMap<>();
        try (ModelDirectory model = ModelDirectory.open(Path.of(PipelineHarness.bundledModel()));
                InferenceEngine engine =
                        model.newEngine(
                                EngineConfig.builder().build(),
                                ExecutorOptions.cpu(),
                                new PrometheusRegistry())) {
            ImagePreprocessor preprocessor =
                    new ImagePreprocessor(model.manifest(), DecodeLimits.DEFAULTS);
            Map<String, CompletableFuture<EngineResult>> futures = new HashMap<>();
            for (Task task : Task.values()) {
                for (int p = 0; p < pictures.size(); p++) {
                    String key = task.name() + "/" + p;
                    futures.put(
                            key,
                            engine.submit(
                                    EngineRequest.builder(
                                                    key,
                                                    preprocessor.prepare(
                                                            pictures.get(p), key, task),
                                                    task)
                                            .build()));
                }
            }
            for (Map.Entry<String, CompletableFuture<EngineResult>> e : futures.entrySet()) {
                answers.put(e.getKey(), e.getValue().get());
            }
        }
        return answers;
    }
}
