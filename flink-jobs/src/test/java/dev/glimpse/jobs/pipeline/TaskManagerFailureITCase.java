package dev.glimpse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.kafka.EmbeddedKafkaExtension;
import dev.glimpse.jobs.local.LoopbackClusterConfig;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TaskManagers die mid-stream, three times; the job recovers from its last checkpoint and the
 * committed output still holds every result exactly once.
 */
class TaskManagerFailureITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private MiniCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(LoopbackClusterConfig.create())
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(2)
                                .build());
        cluster.start();
        TestStreamEnvironment.setAsContext(cluster, 1);
    }

    @AfterEach
    void stopCluster() throws Exception {
        TestStreamEnvironment.unsetAsContext();
        cluster.close();
    }

    @Test
    void killingTheTaskManagerThreeTimesMidStreamLosesAndDuplicatesNothing() throws Exception {
        int batches = 4;
        int perBatch = 30;
        List<String> ids = new ArrayList<>();
        int recoveries = 0;
        try (PipelineHarness pipeline = new PipelineHarness(KAFKA.broker())) {
            JobClient job = pipeline.start();
            for (int b = 0; b < batches; b++) {
                List<ImageEvent> batch = batch(b, perBatch);
                batch.forEach(e -> ids.add(e.getEventId()));
                pipeline.produce(batch);
                if (b < batches - 1) {
                    // Let the job work on the batch (and checkpoint), then kill its only
                    // TaskManager in the middle of it and give it a new one.
                    awaitAllTasksRunning(job.getJobID());
                    int attempt = maxAttempt(job.getJobID());
                    Thread.sleep(2_000);
                    // startTaskManager appends: the live TaskManager is the newest, index b.
                    cluster.terminateTaskManager(b).get();
                    cluster.startTaskManager();
                    // The tasks are redeployed (a new execution attempt) on the new TaskManager.
                    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                    while (maxAttempt(job.getJobID()) == attempt && System.nanoTime() < deadline) {
                        Thread.sleep(200);
                    }
                    recoveries += maxAttempt(job.getJobID()) > attempt ? 1 : 0;
                }
            }
            List<AnalysisResult> results = pipeline.drainResults(ids.size(), Duration.ofMinutes(6));

            assertThat(results).hasSize(ids.size());
            assertThat(PipelineHarness.byId(results, AnalysisResult::getEventId).keySet())
                    .containsExactlyInAnyOrderElementsOf(ids);
            // Each TaskManager loss restarted the job from its last checkpoint.
            assertThat(recoveries).isEqualTo(batches - 1);
        }
    }

    /** The highest execution attempt number of the job's tasks (0 before any restart). */
    private int maxAttempt(JobID job) throws Exception {
        return cluster.getExecutionGraph(job).get().getAllVertices().values().stream()
                .flatMap(v -> Arrays.stream(v.getTaskVertices()))
                .mapToInt(t -> t.getCurrentExecutionAttempt().getAttemptNumber())
                .max()
                .orElse(0);
    }

    private void awaitAllTasksRunning(JobID job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            AccessExecutionGraph graph = cluster.getExecutionGraph(job).get();
            boolean running =
                    graph.getState() == JobStatus.RUNNING
                            && graph.getAllVertices().values().stream()
                                    .flatMap(v -> Arrays.stream(v.getTaskVertices()))
                                    .allMatch(t -> t.getExecutionState() == ExecutionState.RUNNING);
            if (running) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "job " + job + " did not get all its tasks running within 2 minutes");
    }

    private static List<ImageEvent> batch(int b, int n) {
        String[] tasks = {"CAPTION", "OCR", "MODERATION"};
        return IntStream.range(0, n)
                .mapToObj(
                        i ->
                                ImageEvent.newBuilder()
                                        .setEventId("evt-" + b + "-" + i)
                                        .setSourceId("camera-" + (i % 3))
                                        .setEventTime(Instant.now())
                                        .setTask(tasks[i % 3])
                                        .setImage(
                                                new InlineImage(
                                                        ByteBuffer.wrap(
                                                                TestImages.scene(
                                                                        b * 100 + i % 7,
                                                                        112,
                                                                        112))))
                                        .setAttributes(Map.of())
                                        .build())
                .toList();
    }
}
