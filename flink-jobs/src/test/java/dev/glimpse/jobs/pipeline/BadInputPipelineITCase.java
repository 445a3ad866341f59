package dev.glimpse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.RepositoryRoot;
import dev.glimpse.jobs.kafka.EmbeddedKafkaExtension;
import dev.glimpse.jobs.local.LoopbackMiniCluster;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.schemas.ReasonCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Bad input reaches the dead-letter topic with its reason; the job keeps running. */
class BadInputPipelineITCase {

    /** The real-image corpus of the repository. */
    static final Path CORPUS = RepositoryRoot.find().resolve("testdata/real-images");

    static final Set<ReasonCode> DECODE_REASONS =
            EnumSet.of(
                    ReasonCode.UNSUPPORTED_FORMAT,
                    ReasonCode.CORRUPT_IMAGE,
                    ReasonCode.TRUNCATED_IMAGE,
                    ReasonCode.IMAGE_TOO_LARGE,
                    ReasonCode.TOO_MANY_PIXELS,
                    ReasonCode.IMAGE_TOO_SMALL,
                    ReasonCode.PAYLOAD_TOO_LARGE);

    @RegisterExtension
    @Order(1)
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = LoopbackMiniCluster.withSlots(2);

    @TempDir Path tmp;

    @Test
    void everyKindOfBadInputIsDeadLetteredWithItsReasonWhileGoodEventsInterleavedStillGetResults()
            throws Exception {
        List<Path> rejectable = mustBeRejectedFiles();
        assertThat(rejectable)
                .as("corpus files marked 'must be rejected cleanly'")
                .hasSizeGreaterThanOrEqualTo(30);

        Map<String, Set<ReasonCode>> expectedReason = new HashMap<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<ImageEvent> events = new ArrayList<>();
        List<String> goodIds = new ArrayList<>();
        int n = 0;
        for (Path file : rejectable) {
            String id = "bad-" + (n++);
            byte[] bytes = Files.readAllBytes(file);
            expectedReason.put(id, expectedReasons(file, bytes));
            events.add(event(id, "OCR", new InlineImage(ByteBuffer.wrap(bytes))));
            String good = "good-" + n;
            goodIds.add(good);
            events.add(
                    event(
                            good,
                            n % 2 == 0 ? "CAPTION" : "MODERATION",
                            inline(TestImages.scene(n, 112, 112))));
        }
        // Oversized inline payload (over kafka.maxInlineBytes, still under the broker's 1 MB
        // limit).
        events.add(event("bad-oversized", "CAPTION", inline(TestImages.noise(3, 420, 420))));
        expectedReason.put("bad-oversized", EnumSet.of(ReasonCode.PAYLOAD_TOO_LARGE));
        events.add(event("bad-unknown-task", "SUMMARIZE", inline(TestImages.scene(1, 112, 112))));
        expectedReason.put("bad-unknown-task", EnumSet.of(ReasonCode.UNKNOWN_TASK));
        events.add(
                event(
                        "bad-missing-file",
                        "OCR",
                        new ImageReference(tmp.resolve("nope.png").toUri().toString())));
        expectedReason.put("bad-missing-file", EnumSet.of(ReasonCode.FETCH_FAILED));
        Path bomb = tmp.resolve("bomb.png");
        Files.copy(CORPUS.resolve("hostile/bomb_100000x100000.png"), bomb);
        events.add(event("bad-bomb-by-uri", "OCR", new ImageReference(bomb.toUri().toString())));
        expectedReason.put(
                "bad-bomb-by-uri",
                EnumSet.of(ReasonCode.TOO_MANY_PIXELS, ReasonCode.IMAGE_TOO_LARGE));
        events.add(event("good-last", "OCR", inline(TestImages.text("THE END", 224, 56))));
        goodIds.add("good-last");

        try (PipelineHarness pipeline = new PipelineHarness(KAFKA.broker())) {
            pipeline.settings.put("kafka.maxInlineBytes", Integer.toString(400_000));
            pipeline.settings.put("images.allowedUris", tmp.toUri().toString());
            pipeline.start();
            pipeline.produce(events.subList(0, events.size() / 2));
            // Not Avro at all, between two batches of events.
            records.add(
                    new ProducerRecord<>(
                            pipeline.images, "garbage".getBytes(StandardCharsets.UTF_8)));
            records.add(
                    new ProducerRecord<>(
                            pipeline.images, new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2, 3}));
            pipeline.produceRaw(records);
            pipeline.produce(events.subList(events.size() / 2, events.size()));

            int badEvents = expectedReason.size();
            List<DeadLetter> deadLetters =
                    pipeline.drainDeadLetters(badEvents + 2, Duration.ofMinutes(4));
            List<AnalysisResult> results =
                    pipeline.drainResults(goodIds.size(), Duration.ofMinutes(4));

            assertThat(results)
                    .extracting(AnalysisResult::getEventId)
                    .containsExactlyInAnyOrderElementsOf(goodIds);
            assertThat(deadLetters).hasSize(badEvents + 2);
            List<DeadLetter> malformed =
                    deadLetters.stream().filter(d -> d.getEventId() == null).toList();
            assertThat(malformed)
                    .hasSize(2)
                    .allSatisfy(
                            d -> {
                                assertThat(d.getReason()).isEqualTo(ReasonCode.MALFORMED_RECORD);
                                assertThat(d.getStage()).isEqualTo(FailureStage.DESERIALIZE);
                                assertThat(d.getOriginalTopic()).isEqualTo(pipeline.images);
                                assertThat(d.getOriginalOffset()).isNotNull();
                                assertThat(d.getOriginalBytes()).isNotNull();
                            });
            Map<String, DeadLetter> byId =
                    PipelineHarness.byId(
                            deadLetters.stream().filter(d -> d.getEventId() != null).toList(),
                            DeadLetter::getEventId);
            assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(expectedReason.keySet());
            for (Map.Entry<String, DeadLetter> e : byId.entrySet()) {
                DeadLetter d = e.getValue();
                assertThat(d.getReason())
                        .as("reason of %s: %s", e.getKey(), d.getMessage())
                        .isIn(expectedReason.get(e.getKey()));
                assertThat(d.getMessage()).as(e.getKey()).contains(e.getKey());
                assertThat(d.getOriginalTopic()).isEqualTo(pipeline.images);
            }
            assertThat(byId.get("bad-missing-file").getStage()).isEqualTo(FailureStage.FETCH);
            assertThat(byId.get("bad-unknown-task").getStage()).isEqualTo(FailureStage.VALIDATE);
        }
    }

    private static Set<ReasonCode> expectedReasons(Path file, byte[] bytes) {
        String name = file.getFileName().toString();
        if (bytes.length == 0) {
            return EnumSet.of(
                    ReasonCode.MISSING_IMAGE); // an empty inline image is caught by validation
        }
        if (name.startsWith("truncated")) {
            return EnumSet.of(ReasonCode.TRUNCATED_IMAGE, ReasonCode.CORRUPT_IMAGE);
        }
        if (name.equals("random_bytes.jpg")) {
            return EnumSet.of(ReasonCode.UNSUPPORTED_FORMAT);
        }
        return DECODE_REASONS;
    }

    /** Every file the corpus's expected.tsv marks "rejected" (must be rejected cleanly). */
    static List<Path> mustBeRejectedFiles() throws Exception {
        assertThat(CORPUS.resolve("expected.tsv"))
                .as("real-image corpus of the repository")
                .exists();
        List<Path> files = new ArrayList<>();
        for (String line : Files.readAllLines(CORPUS.resolve("expected.tsv"))) {
            String[] columns = line.split("\t", -1);
            if (!line.startsWith("#") && columns.length > 4 && columns[4].equals("rejected")) {
                files.add(CORPUS.resolve(columns[1]));
            }
        }
        return files;
    }

    private static InlineImage inline(byte[] bytes) {
        return new InlineImage(ByteBuffer.wrap(bytes));
    }

    private static ImageEvent event(String id, String task, Object image) {
        return ImageEvent.newBuilder()
                .setEventId(id)
                .setSourceId("source-" + id.hashCode() % 4)
                .setEventTime(Instant.now())
                .setTask(task)
                .setImage(image)
                .setAttributes(Map.of())
                .build();
    }
}
