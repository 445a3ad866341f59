package dev.glimpse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.kafka.EmbeddedKafkaExtension;
import dev.glimpse.jobs.local.LoopbackMiniCluster;
import dev.glimpse.operators.gate.DifferenceHash;
import dev.glimpse.operators.gate.FrameGate;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.image.ImageDecoder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The FrameGate inside the running job (default gate settings): camera captioning skips
 * near-identical frames per source, a changed scene is captioned again, and OCR events are not
 * gated.
 */
class FrameGatePipelineITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = LoopbackMiniCluster.withSlots(2);

    private static final int SCENE_A = 3;
    private static final int SCENE_B = 4;
    private static final int SIZE = 112;

    /** More than the gate's 200 ms minimum interval: only the duplicate check may skip a frame. */
    private static final long FRAME_MILLIS = 250;

    @Test
    void thirtyNearIdenticalFramesGiveOneCaptionAndAChangedSceneGivesANewOne() throws Exception {
        assertPicturesAreWhatTheTestSays();
        Instant t0 = Instant.now();
        List<ImageEvent> events = new ArrayList<>();
        // cam-1: 30 frames of scene A, then scene B for 5 frames
        for (int f = 0; f < 30; f++) {
            events.add(frame("cam-1/a" + f, "cam-1", "CAPTION", SCENE_A, f, t0, f));
        }
        for (int f = 0; f < 5; f++) {
            events.add(frame("cam-1/b" + f, "cam-1", "CAPTION", SCENE_B, f, t0, 30 + f));
        }
        // cam-2 sees the same scene A: its own state, its own caption
        for (int f = 0; f < 10; f++) {
            events.add(frame("cam-2/a" + f, "cam-2", "CAPTION", SCENE_A, f, t0, f));
        }
        // OCR events from cam-1's source id with the same picture are not gated
        for (int f = 0; f < 3; f++) {
            events.add(frame("cam-1/ocr" + f, "cam-1", "OCR", SCENE_A, 0, t0, 40 + f));
        }

        List<AnalysisResult> results;
        try (PipelineHarness pipeline = new PipelineHarness(KAFKA.broker())) {
            pipeline.settings.put("frameGate.enabled", "true");
            pipeline.start();
            pipeline.produce(events);
            results = pipeline.drainResults(6, Duration.ofMinutes(4));
            assertThat(pipeline.drainDeadLetters(0, Duration.ofSeconds(1))).isEmpty();
            // every gated frame that was not captioned is on the results topic as a skip record
            assertThat(pipeline.drainSkips(42, Duration.ofMinutes(1)))
                    .extracting(AnalysisResult::getEventId)
                    .hasSize(42)
                    .doesNotHaveDuplicates()
                    .doesNotContain("cam-1/a0", "cam-1/b0", "cam-2/a0");
        }

        Map<String, AnalysisResult> byId =
                PipelineHarness.byId(results, AnalysisResult::getEventId);
        assertThat(byId.keySet())
                .containsExactlyInAnyOrder(
                        "cam-1/a0",
                        "cam-1/b0",
                        "cam-2/a0",
                        "cam-1/ocr0",
                        "cam-1/ocr1",
                        "cam-1/ocr2");
        for (String id : List.of("cam-1/a0", "cam-1/b0", "cam-2/a0")) {
            assertThat(byId.get(id).getTask()).isEqualTo(AnalysisTask.CAPTION);
            assertThat(((Caption) byId.get(id).getOutput()).getText()).isNotBlank();
        }
        // the same picture captioned for two cameras gets the same words
        assertThat(((Caption) byId.get("cam-2/a0").getOutput()).getText())
                .isEqualTo(((Caption) byId.get("cam-1/a0").getOutput()).getText());
    }

    private static ImageEvent frame(
            String id, String camera, String task, int scene, int frame, Instant t0, int slot) {
        return ImageEvent.newBuilder()
                .setEventId(id)
                .setSourceId(camera)
                .setEventTime(t0.plusMillis(slot * FRAME_MILLIS))
                .setTask(task)
                .setImage(
                        new InlineImage(
                                ByteBuffer.wrap(TestImages.cameraFrame(scene, SIZE, SIZE, frame))))
                .setAttributes(Map.of())
                .build();
    }

    /**
     * The premise, in the gate's own terms: every frame of a scene is within the default 6 bits of
     * its first frame, and the two scenes are further apart than that.
     */
    private static void assertPicturesAreWhatTheTestSays() throws Exception {
        long a0 = hash(SCENE_A, 0);
        long b0 = hash(SCENE_B, 0);
        for (int f = 1; f < 30; f++) {
            assertThat(DifferenceHash.distance(a0, hash(SCENE_A, f))).isLessThanOrEqualTo(6);
        }
        for (int f = 1; f < 5; f++) {
            assertThat(DifferenceHash.distance(b0, hash(SCENE_B, f))).isLessThanOrEqualTo(6);
        }
        assertThat(DifferenceHash.distance(a0, b0)).isGreaterThan(6);
    }

    private static long hash(int scene, int frame) throws Exception {
        return FrameGate.frameHash(
                new ImageDecoder(DecodeLimits.DEFAULTS),
                TestImages.cameraFrame(scene, SIZE, SIZE, frame),
                "frame");
    }
}
