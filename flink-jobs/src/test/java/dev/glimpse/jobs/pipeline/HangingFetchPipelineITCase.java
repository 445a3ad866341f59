package dev.glimpse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * An image URI whose read hangs (a FIFO without writer: the read blocks in the kernel, as on a
 * stuck network mount) among innocent inline events: the innocents are analysed and committed while
 * the read still hangs, which also shows that checkpoints complete past it; the hanging event then
 * gets its FETCH_TIMEOUT dead letter; the job never restarts.
 */
class HangingFetchPipelineITCase {

    /** Long enough that the innocents finish first even on a loaded machine. */
    private static final int FETCH_TIMEOUT_SECONDS = 75;

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
    void aHangingFetchDelaysNoOtherEventAndEndsAsFetchTimeoutWithoutARestart(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        fifo = HangingFifo.in(images, "stuck.png");
        String hangingUri = fifo.uri();

        List<ImageEvent> events = new ArrayList<>();
        events.add(event("hanging", "OCR", new ImageReference(hangingUri)));
        events.add(event("outside", "OCR", new ImageReference("file:///etc/hostname")));
        List<String> innocents = new ArrayList<>();
        String[] tasks = {"CAPTION", "OCR", "MODERATION"};
        for (int i = 0; i < 6; i++) {
            String id = "innocent-" + i;
            innocents.add(id);
            byte[] png = TestImages.scene(i, 112, 112);
            events.add(event(id, tasks[i % 3], new InlineImage(ByteBuffer.wrap(png))));
        }

        try (PipelineHarness pipeline = new PipelineHarness(KAFKA.broker())) {
            pipeline.settings.put("images.allowedUris", images.toUri().toString());
            pipeline.settings.put("images.fetch.timeout", FETCH_TIMEOUT_SECONDS + " s");
            JobClient job = pipeline.start();
            pipeline.produce(events);

            List<AnalysisResult> results =
                    pipeline.drainResults(innocents.size(), Duration.ofMinutes(4));
            // Read right after the innocents' results: the hanging read has not timed out yet.
            List<DeadLetter> early = pipeline.drainDeadLetters(1, Duration.ofSeconds(30));

            assertThat(results)
                    .extracting(AnalysisResult::getEventId)
                    .containsExactlyInAnyOrderElementsOf(innocents);
            assertThat(early)
                    .as("dead letters committed by the time every innocent had its result")
                    .extracting(DeadLetter::getEventId)
                    .containsExactly("outside");
            DeadLetter outside = early.get(0);
            assertThat(outside.getReason()).isEqualTo(ReasonCode.URI_NOT_ALLOWED);
            assertThat(outside.getStage()).isEqualTo(FailureStage.FETCH);

            List<DeadLetter> all =
                    pipeline.drainDeadLetters(
                            2, Duration.ofSeconds(FETCH_TIMEOUT_SECONDS).plusMinutes(3));
            Map<String, DeadLetter> byId = PipelineHarness.byId(all, DeadLetter::getEventId);
            assertThat(byId.keySet()).containsExactlyInAnyOrder("outside", "hanging");
            DeadLetter hanging = byId.get("hanging");
            assertThat(hanging.getReason()).isEqualTo(ReasonCode.FETCH_TIMEOUT);
            assertThat(hanging.getStage()).isEqualTo(FailureStage.FETCH);
            assertThat(hanging.getOriginalReference()).isEqualTo(hangingUri);
            assertThat(hanging.getMessage())
                    .isEqualTo(
                            "event hanging: image at "
                                    + hangingUri
                                    + " not fetched within "
                                    + FETCH_TIMEOUT_SECONDS * 1000
                                    + " ms");

            assertThat(PipelineRest.restartedAt(cluster, job))
                    .as("RESTARTING timestamp (0 = never)")
                    .isZero();
        }
    }

    private static ImageEvent event(String id, String task, Object image) {
        return ImageEvent.newBuilder()
                .setEventId(id)
                .setSourceId("source-" + id)
                .setEventTime(Instant.now())
                .setTask(task)
                .setImage(image)
                .setAttributes(Map.of())
                .build();
    }
}
