package dev.glimpse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.kafka.EmbeddedKafkaExtension;
import dev.glimpse.jobs.local.LoopbackMiniCluster;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.CategoryScore;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.schemas.ModerationVerdict;
import dev.glimpse.schemas.ReasonCode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile events interleaved with innocent ones in one stream (issue: "one bad event never harms
 * another"): a prompt longer than the model's context, a moderation category of 40 KB, 2,000
 * categories, blank and duplicate categories, a URI outside the allow-list, a URI whose read hangs
 * and a palette PNG whose pixels index past its palette. Every innocent gets exactly the output it
 * gets when it runs alone, every hostile event a dead letter with its typed reason, the job never
 * restarts, and no innocent waits for the hanging fetch's deadline.
 */
class HostileNeighboursPipelineITCase {

    /** Long enough that the innocents and the other hostile events finish first. */
    private static final int FETCH_TIMEOUT_SECONDS = 60;

    @RegisterExtension
    @Order(1)
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = LoopbackMiniCluster.withSlots(2);

    @TempDir Path images;
    private HangingFifo fifo;

    @AfterEach
    void releaseTheHungRead() throws Exception {
        if (fifo != null) {
            fifo.close();
        }
    }

    @Test
    void hostileEventsGetTypedDeadLettersAndInnocentsTheirOwnOutputsWithoutARestart(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        fifo = HangingFifo.in(images, "stuck.png");

        List<ImageEvent> innocents = innocents();
        Map<String, String> alone = outputsOf(innocents, runAlone(innocents));

        Map<String, ReasonCode> expected = new LinkedHashMap<>();
        expected.put("long-prompt", ReasonCode.PROMPT_TOO_LONG);
        expected.put("huge-category", ReasonCode.CATEGORY_TOO_LONG);
        expected.put("many-categories", ReasonCode.TOO_MANY_CATEGORIES);
        expected.put("blank-category", ReasonCode.BLANK_CATEGORY);
        expected.put("duplicate-category", ReasonCode.DUPLICATE_CATEGORY);
        expected.put("outside", ReasonCode.URI_NOT_ALLOWED);
        expected.put("corrupt-palette", ReasonCode.CORRUPT_IMAGE);
        List<ImageEvent> hostile = hostile();
        List<ImageEvent> mixed = new ArrayList<>();
        mixed.add(hanging());
        for (int i = 0; i < Math.max(innocents.size(), hostile.size()); i++) {
            if (i < hostile.size()) {
                mixed.add(hostile.get(i));
            }
            if (i < innocents.size()) {
                mixed.add(innocents.get(i));
            }
        }

        try (PipelineHarness pipeline = harness()) {
            JobClient job = pipeline.start();
            pipeline.produce(mixed);

            List<AnalysisResult> results =
                    pipeline.drainResults(innocents.size(), Duration.ofMinutes(4));
            // Read right after the innocents' results: the hanging read has not timed out yet.
            List<DeadLetter> early =
                    pipeline.drainDeadLetters(expected.size(), Duration.ofSeconds(30));

            assertThat(outputsOf(innocents, results)).isEqualTo(alone);
            Map<String, DeadLetter> byId = PipelineHarness.byId(early, DeadLetter::getEventId);
            assertThat(byId.keySet())
                    .as("dead letters committed by the time every innocent had its result")
                    .containsExactlyInAnyOrderElementsOf(expected.keySet());
            expected.forEach(
                    (id, reason) -> {
                        DeadLetter dl = byId.get(id);
                        assertThat(dl.getReason()).as(id).isEqualTo(reason);
                        assertThat(dl.getMessage()).as(id).contains(id);
                    });
            assertThat(byId.get("long-prompt").getStage()).isEqualTo(FailureStage.INFERENCE);
            assertThat(byId.get("huge-category").getStage()).isEqualTo(FailureStage.INFERENCE);
            assertThat(byId.get("outside").getStage()).isEqualTo(FailureStage.FETCH);
            assertThat(byId.get("corrupt-palette").getStage()).isEqualTo(FailureStage.DECODE);

            List<DeadLetter> all =
                    pipeline.drainDeadLetters(
                            expected.size() + 1,
                            Duration.ofSeconds(FETCH_TIMEOUT_SECONDS).plusMinutes(3));
            DeadLetter hanging = PipelineHarness.byId(all, DeadLetter::getEventId).get("hanging");
            assertThat(hanging.getReason()).isEqualTo(ReasonCode.FETCH_TIMEOUT);
            assertThat(all).hasSize(expected.size() + 1);
            assertThat(PipelineRest.restartedAt(cluster, job))
                    .as("RESTARTING timestamp (0 = never)")
                    .isZero();
        }
    }

    private PipelineHarness harness() {
        PipelineHarness pipeline = new PipelineHarness(KAFKA.broker());
        pipeline.settings.put("images.allowedUris", images.toUri().toString());
        pipeline.settings.put("images.fetch.timeout", FETCH_TIMEOUT_SECONDS + " s");
        return pipeline;
    }

    private List<AnalysisResult> runAlone(List<ImageEvent> innocents) throws Exception {
        try (PipelineHarness pipeline = harness()) {
            pipeline.start();
            pipeline.produce(innocents);
            return pipeline.drainResults(innocents.size(), Duration.ofMinutes(4));
        }
    }

    /** Each innocent's output as comparable text: the answer, or the verdict to 3 decimals. */
    private static Map<String, String> outputsOf(
            List<ImageEvent> innocents, List<AnalysisResult> results) {
        Map<String, AnalysisResult> byId =
                PipelineHarness.byId(results, AnalysisResult::getEventId);
        Map<String, String> out = new LinkedHashMap<>();
        for (ImageEvent e : innocents) {
            AnalysisResult r = byId.get(e.getEventId());
            assertThat(r).as("result of %s", e.getEventId()).isNotNull();
            Object output = r.getOutput();
            if (output instanceof ModerationVerdict v) {
                StringBuilder s = new StringBuilder("flagged=" + v.getFlagged());
                for (CategoryScore c : v.getScores()) {
                    s.append(String.format(" %s=%.3f", c.getCategory(), c.getProbability()));
                }
                out.put(e.getEventId(), s.toString());
            } else {
                out.put(e.getEventId(), output.toString());
            }
        }
        return out;
    }

    private static List<ImageEvent> innocents() {
        List<ImageEvent> events = new ArrayList<>();
        String[] tasks = {"CAPTION", "OCR", "MODERATION"};
        for (int i = 0; i < 6; i++) {
            String task = tasks[i % 3];
            byte[] png =
                    task.equals("OCR")
                            ? TestImages.text("zwrr doblh " + i, 384, 48)
                            : TestImages.scene(i, 112, 112);
            events.add(event("innocent-" + i, task, inline(png)).build());
        }
        return events;
    }

    private static List<ImageEvent> hostile() {
        byte[] scene = TestImages.scene(99, 112, 112);
        String words = "what is in this picture and why ";
        List<String> many = IntStream.range(0, 2000).mapToObj(i -> "category-" + i).toList();
        return List.of(
                event("long-prompt", "CAPTION", inline(scene))
                        .setPrompt(words.repeat(4000 / words.length()))
                        .build(),
                event("huge-category", "MODERATION", inline(scene))
                        .setModerationCategories(List.of("skull", "x".repeat(40_000)))
                        .build(),
                event("many-categories", "MODERATION", inline(scene))
                        .setModerationCategories(many)
                        .build(),
                event("blank-category", "MODERATION", inline(scene))
                        .setModerationCategories(List.of("skull", "  "))
                        .build(),
                event("duplicate-category", "MODERATION", inline(scene))
                        .setModerationCategories(List.of("skull", "weapons", "skull"))
                        .build(),
                event("outside", "OCR", new ImageReference("file:///etc/hostname")).build(),
                event("corrupt-palette", "CAPTION", inline(paletteOverrunPng())).build());
    }

    private ImageEvent hanging() {
        return event("hanging", "OCR", new ImageReference(fifo.uri())).build();
    }

    private static InlineImage inline(byte[] bytes) {
        return new InlineImage(ByteBuffer.wrap(bytes));
    }

    private static ImageEvent.Builder event(String id, String task, Object image) {
        return ImageEvent.newBuilder()
                .setEventId(id)
                .setSourceId("source-" + id)
                .setEventTime(Instant.now())
                .setTask(task)
                .setImage(image)
                .setAttributes(Map.of());
    }

    /**
     * A 16x16 palette PNG (2 bits per pixel) whose PLTE has 2 entries while every pixel uses index
     * 3: valid chunks and checksums, pixels that point past the palette.
     */
    static byte[] paletteOverrunPng() {
        try {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
            DataOutputStream h = new DataOutputStream(ihdr);
            h.writeInt(16);
            h.writeInt(16);
            h.write(new byte[] {2, 3, 0, 0, 0}); // bit depth 2, palette, deflate, no filter, no
            // interlace
            chunk(png, "IHDR", ihdr.toByteArray());
            chunk(png, "PLTE", new byte[] {(byte) 255, 0, 0, 0, 0, (byte) 255});
            ByteArrayOutputStream pixels = new ByteArrayOutputStream();
            try (DeflaterOutputStream z = new DeflaterOutputStream(pixels)) {
                for (int row = 0; row < 16; row++) {
                    z.write(new byte[] {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
                }
            }
            chunk(png, "IDAT", pixels.toByteArray());
            chunk(png, "IEND", new byte[0]);
            return png.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data)
            throws IOException {
        DataOutputStream out = new DataOutputStream(png);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(name);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }
}
