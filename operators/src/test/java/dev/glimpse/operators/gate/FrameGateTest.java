package dev.glimpse.operators.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.operators.DeadLetters;
import dev.glimpse.operators.MetricCapture;
import dev.glimpse.operators.TestEvents;
import dev.glimpse.operators.TestImages;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.serving.image.DecodeLimits;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameGateTest {

    private static final String METRIC =
            "taskmanager_job_task_operator_glimpse_pipeline_reason_frames_skipped";
    private static final Instant T0 = TestEvents.T0;
    private static final byte[] SCENE_A = TestImages.png(TestImages.sceneA());
    private static final byte[] SCENE_B = TestImages.png(TestImages.sceneB());

    private final MetricCapture metrics = new MetricCapture();
    private KeyedOneInputStreamOperatorTestHarness<String, ImageEvent, ImageEvent> harness;

    private void open(FrameGateConfig config) throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new FrameGate(config, DecodeLimits.DEFAULTS)),
                        ImageEvent::getSourceId,
                        Types.STRING,
                        metrics.environment());
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    /** Processes {@code event}, with processing time 100 ms after its event time. */
    private void send(ImageEvent event) throws Exception {
        harness.setProcessingTime(event.getEventTime().toEpochMilli() + 100);
        harness.processElement(event, event.getEventTime().toEpochMilli());
    }

    private static ImageEvent frame(String id, String camera, byte[] png, long offsetMillis) {
        return TestEvents.inline(id, camera, "CAPTION", png, T0.plusMillis(offsetMillis));
    }

    private List<String> passedIds() {
        return harness.extractOutputValues().stream().map(ImageEvent::getEventId).toList();
    }

    private long skipped(String reason) {
        return metrics.counter(METRIC + "{reason=" + reason + "}").getCount();
    }

    @Test
    void thirtyNearIdenticalFramesOfOneCameraProduceExactlyOneOutput() throws Exception {
        open(FrameGateConfig.DEFAULTS);
        for (int i = 0; i < 30; i++) {
            byte[] noisy = TestImages.png(TestImages.withNoise(TestImages.sceneA(), i, 4));
            send(frame("f" + i, "cam-1", noisy, i * 1000L));
        }

        assertThat(passedIds()).containsExactly("f0");
        assertThat(skipped("duplicate")).isEqualTo(29);
        assertThat(skipped("rate_limited")).isZero();
        assertThat(skipped("too_old")).isZero();
        assertThat(harness.getSideOutput(DeadLetters.OUTPUT)).isNull();
    }

    @Test
    void everySkippedFrameLeavesASkipRecordNamingItsEventAndReason() throws Exception {
        open(FrameGateConfig.DEFAULTS);
        for (int i = 0; i < 4; i++) {
            byte[] noisy = TestImages.png(TestImages.withNoise(TestImages.sceneA(), i, 4));
            send(frame("f" + i, "cam-1", noisy, i * 1000L));
        }

        assertThat(passedIds()).containsExactly("f0");
        var skips =
                harness.getSideOutput(SkipRecords.OUTPUT).stream().map(r -> r.getValue()).toList();
        assertThat(skips)
                .extracting(r -> r.getEventId() + ":" + r.getSkipped().getReason())
                .containsExactly("f1:duplicate", "f2:duplicate", "f3:duplicate");
        assertThat(skips).allMatch(SkipRecords::isSkip);
        assertThat(skips)
                .extracting(r -> r.getSourceId() + ":" + r.getTask())
                .containsOnly("cam-1:CAPTION");
    }

    @Test
    void hdJpegFramesAreGatedFromTheirThumbnailsLikeSmallOnes() throws Exception {
        open(FrameGateConfig.DEFAULTS);
        BufferedImage hdA = TestImages.scaled(TestImages.sceneA(), 1280, 720);
        for (int i = 0; i < 5; i++) {
            byte[] noisy = TestImages.jpeg(TestImages.withNoise(hdA, i, 4));
            send(frame("a" + i, "cam-1", noisy, i * 1000L));
        }
        send(
                frame(
                        "b0",
                        "cam-1",
                        TestImages.jpeg(TestImages.scaled(TestImages.sceneB(), 1280, 720)),
                        5_000));

        assertThat(passedIds()).containsExactly("a0", "b0");
        assertThat(skipped("duplicate")).isEqualTo(4);
    }

    @Test
    void aChangedSceneAfterARunOfDuplicatesProducesANewOutput() throws Exception {
        open(FrameGateConfig.DEFAULTS);
        for (int i = 0; i < 30; i++) {
            byte[] noisy = TestImages.png(TestImages.withNoise(TestImages.sceneA(), i, 4));
            send(frame("a" + i, "cam-1", noisy, i * 1000L));
        }
        send(frame("b0", "cam-1", SCENE_B, 30_000));
        send(
                frame(
                        "b1",
                        "cam-1",
                        TestImages.png(TestImages.withNoise(TestImages.sceneB(), 99, 4)),
                        31_000));
        send(frame("a30", "cam-1", SCENE_A, 32_000));

        assertThat(passedIds()).containsExactly("a0", "b0", "a30");
        assertThat(skipped("duplicate")).isEqualTo(30);
    }

    @Test
    void framesCloserThanTheMinimumIntervalAreDroppedAsRateLimited() throws Exception {
        open(FrameGateConfig.DEFAULTS); // 200 ms
        send(frame("f0", "cam-1", SCENE_A, 0));
        send(frame("f1", "cam-1", SCENE_B, 100));
        send(frame("f2", "cam-1", SCENE_B, 199));
        send(frame("f3", "cam-1", SCENE_B, 200)); // exactly the interval after f0: allowed
        send(frame("f4", "cam-1", SCENE_A, 399)); // 199 ms after f3, the last accepted frame
        send(frame("f5", "cam-1", SCENE_A, 400));

        assertThat(passedIds()).containsExactly("f0", "f3", "f5");
        assertThat(skipped("rate_limited")).isEqualTo(3);
        assertThat(skipped("duplicate")).isZero();
    }

    @Test
    void aFrameOlderThanTheMaximumAgeInProcessingTimeIsDroppedAsTooOld() throws Exception {
        open(FrameGateConfig.DEFAULTS); // 5 min
        long maxAge = Duration.ofMinutes(5).toMillis();

        harness.setProcessingTime(T0.toEpochMilli() + maxAge + 1);
        harness.processElement(frame("stale", "cam-1", SCENE_A, 0), 0L);
        harness.setProcessingTime(T0.toEpochMilli() + 1000 + maxAge);
        harness.processElement(frame("just-in-time", "cam-1", SCENE_A, 1000), 0L);

        assertThat(passedIds()).containsExactly("just-in-time");
        assertThat(skipped("too_old")).isEqualTo(1);
    }

    @Test
    void aStaleFrameDoesNotUpdateTheCamerasState() throws Exception {
        open(FrameGateConfig.DEFAULTS);
        harness.setProcessingTime(T0.toEpochMilli() + Duration.ofHours(1).toMillis());
        harness.processElement(frame("stale", "cam-1", SCENE_A, 0), 0L);

        assertThat(harness.numKeyedStateEntries()).isZero();

        send(frame("fresh", "cam-1", SCENE_A, 10));
        assertThat(passedIds()).containsExactly("fresh");
    }

    @Test
    void ocrAndModerationEventsPassUngated() throws Exception {
        open(FrameGateConfig.DEFAULTS);
        for (int i = 0; i < 3; i++) {
            send(TestEvents.inline("ocr" + i, "scanner", "OCR", SCENE_A, T0));
            send(TestEvents.inline("mod" + i, "scanner", "MODERATION", SCENE_A, T0));
        }
        // ungated events are never too old either
        harness.setProcessingTime(T0.toEpochMilli() + Duration.ofDays(1).toMillis());
        harness.processElement(TestEvents.inline("old-ocr", "scanner", "OCR", SCENE_A, T0), 0L);

        assertThat(passedIds())
                .containsExactly("ocr0", "mod0", "ocr1", "mod1", "ocr2", "mod2", "old-ocr");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(skipped("duplicate") + skipped("rate_limited") + skipped("too_old")).isZero();
    }

    @Test
    void theGatedTasksAreConfigurable() throws Exception {
        open(
                new FrameGateConfig(
                        EnumSet.of(AnalysisTask.OCR),
                        Duration.ofMinutes(5),
                        Duration.ofMillis(200),
                        6,
                        Duration.ofHours(1)));
        send(TestEvents.inline("ocr0", "scanner", "OCR", SCENE_A, T0));
        send(TestEvents.inline("ocr1", "scanner", "OCR", SCENE_A, T0.plusSeconds(1)));
        send(TestEvents.inline("cap0", "scanner", "CAPTION", SCENE_A, T0.plusSeconds(2)));
        send(TestEvents.inline("cap1", "scanner", "CAPTION", SCENE_A, T0.plusSeconds(2)));

        assertThat(passedIds()).containsExactly("ocr0", "cap0", "cap1");
    }

    @Test
    void twoCamerasAreGatedIndependently() throws Exception {
        open(FrameGateConfig.DEFAULTS);
        send(frame("c1-0", "cam-1", SCENE_A, 0));
        send(frame("c2-0", "cam-2", SCENE_A, 50)); // same scene, other camera, 50 ms later
        send(frame("c1-1", "cam-1", SCENE_A, 1000));
        send(frame("c2-1", "cam-2", SCENE_B, 1050));
        send(frame("c1-2", "cam-1", SCENE_B, 1100)); // 100 ms after c2-1, 1100 ms after c1-0
        send(frame("c2-2", "cam-2", SCENE_A, 1150)); // 100 ms after c2-1: rate limited

        assertThat(passedIds()).containsExactly("c1-0", "c2-0", "c2-1", "c1-2");
        assertThat(skipped("duplicate")).isEqualTo(1);
        assertThat(skipped("rate_limited")).isEqualTo(1);
        // two cameras x (last hash, last event time)
        assertThat(harness.numKeyedStateEntries()).isEqualTo(4);
    }

    @Test
    void undecodableBytesPassSoThatPreprocessDeadLettersThem() throws Exception {
        open(FrameGateConfig.DEFAULTS);
        byte[] garbage =
                "definitely not an image".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        send(frame("g0", "cam-1", garbage, 0));
        send(frame("g1", "cam-1", garbage, 1000));

        assertThat(passedIds()).containsExactly("g0", "g1");
        assertThat(harness.getSideOutput(DeadLetters.OUTPUT)).isNull();
    }

    @Test
    void framesByUriAreRateLimitedButNotDeduplicated() throws Exception {
        open(FrameGateConfig.DEFAULTS);
        send(withTime(TestEvents.byUri("u0", "cam-1", "CAPTION", "file:///f.png"), 0));
        send(withTime(TestEvents.byUri("u1", "cam-1", "CAPTION", "file:///f.png"), 100));
        send(withTime(TestEvents.byUri("u2", "cam-1", "CAPTION", "file:///f.png"), 1000));

        assertThat(passedIds()).containsExactly("u0", "u2");
        assertThat(skipped("rate_limited")).isEqualTo(1);
    }

    @Test
    void aDisabledGateLetsEveryFrameThrough() throws Exception {
        open(FrameGateConfig.disabled());
        for (int i = 0; i < 5; i++) {
            send(frame("f" + i, "cam-1", SCENE_A, 0));
        }
        harness.setProcessingTime(Long.MAX_VALUE / 2);
        harness.processElement(frame("old", "cam-1", SCENE_A, 0), 0L);

        assertThat(passedIds()).containsExactly("f0", "f1", "f2", "f3", "f4", "old");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void skippedFramesAreCountedUnderTheMetricNamesOfTheDocs() throws Exception {
        open(FrameGateConfig.DEFAULTS);

        assertThat(metrics.all().keySet())
                .contains(
                        METRIC + "{reason=too_old}",
                        METRIC + "{reason=rate_limited}",
                        METRIC + "{reason=duplicate}");
        // docs/metrics.md:
        // flink_taskmanager_job_task_operator_glimpse_pipeline_reason_frames_skipped
        assertThat("flink_" + METRIC)
                .isEqualTo(
                        "flink_taskmanager_job_task_operator_glimpse_pipeline_reason_frames_skipped");
    }

    private static ImageEvent withTime(ImageEvent event, long offsetMillis) {
        event.setEventTime(T0.plusMillis(offsetMillis));
        return event;
    }
}
