package dev.glimpse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.kafka.EmbeddedKafkaExtension;
import dev.glimpse.jobs.kafka.security.AclPolicy;
import dev.glimpse.jobs.kafka.security.BrokerSecurity;
import dev.glimpse.jobs.local.LoopbackClusterConfig;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real job over SASL_SSL against a broker that enforces least-privilege ACLs: its principal
 * reads images and writes results and dead letters exactly once, through a TaskManager failure; and
 * no password or private key shows up in the logs, the dead letters or the metrics of the run.
 */
class SecurePipelineITCase {

    static final String JOB_USER = "glimpse-job";

    static final BrokerSecurity SECURITY = BrokerSecurity.generate(AclPolicy.none(), JOB_USER);

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.secured(SECURITY);

    private static SecretScanningAppender logs;
    private static MiniCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        logs = SecretScanningAppender.install(secrets());
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(
                                        CapturingMetricReporter.configure(
                                                LoopbackClusterConfig.create()))
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(2)
                                .build());
        cluster.start();
        TestStreamEnvironment.setAsContext(cluster, 1);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        TestStreamEnvironment.unsetAsContext();
        if (cluster != null) {
            cluster.close();
        }
        if (logs != null) {
            logs.close();
        }
        CapturingMetricReporter.clear();
    }

    @Test
    void jobOverSaslSslWritesEveryResultOnceThroughATaskManagerFailureAndLeaksNoCredential()
            throws Exception {
        List<String> ids = new ArrayList<>();
        try (PipelineHarness pipeline = new PipelineHarness(KAFKA.broker())) {
            KAFKA.broker()
                    .grant(
                            AclPolicy.job(
                                    JOB_USER,
                                    pipeline.images,
                                    pipeline.settings.get("kafka.groupId"),
                                    pipeline.results,
                                    pipeline.dlq,
                                    pipeline.settings.get("kafka.transactionalIdPrefix")));
            pipeline.jobClientProperties(KAFKA.broker().clientProperties(JOB_USER));
            JobClient job = pipeline.start();

            List<ImageEvent> first = batch(0, 20);
            first.forEach(e -> ids.add(e.getEventId()));
            pipeline.produce(first);
            // one record that is not an ImageEvent: its dead letter must not carry credentials
            pipeline.produceRaw(
                    List.of(
                            new ProducerRecord<>(
                                    pipeline.images,
                                    "camera-0".getBytes(StandardCharsets.UTF_8),
                                    "not avro".getBytes(StandardCharsets.UTF_8))));
            awaitAllTasksRunning(job.getJobID());
            int attempt = maxAttempt(job.getJobID());
            Thread.sleep(2_000);
            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (maxAttempt(job.getJobID()) == attempt && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(maxAttempt(job.getJobID()))
                    .as("restarts after the TaskManager loss")
                    .isGreaterThan(attempt);

            List<ImageEvent> second = batch(1, 20);
            second.forEach(e -> ids.add(e.getEventId()));
            pipeline.produce(second);

            List<AnalysisResult> results = pipeline.drainResults(ids.size(), Duration.ofMinutes(5));
            assertThat(results).hasSize(ids.size());
            assertThat(PipelineHarness.byId(results, AnalysisResult::getEventId).keySet())
                    .containsExactlyInAnyOrderElementsOf(ids);
            List<DeadLetter> deadLetters = pipeline.drainDeadLetters(1, Duration.ofMinutes(2));
            assertThat(deadLetters).hasSize(1);

            assertNoSecretIn("dead letters", deadLetters.toString());
            assertNoSecretIn("results", results.toString());
            assertNoSecretIn("metrics", String.join("\n", CapturingMetricReporter.render()));
        }
        assertThat(CapturingMetricReporter.render())
                .as("the reporter saw the Kafka clients' metrics")
                .anyMatch(line -> line.contains("KafkaSourceReader"));
        assertThat(logs.events()).as("log events captured").isGreaterThan(100);
        assertThat(logs.jaasConfigSample())
                .as("Kafka's configuration dumps were captured, with the JAAS line hidden")
                .contains("sasl.jaas.config = [hidden]");
        assertThat(logs.leaks())
                .as("log lines that contain a password or the private key")
                .isEmpty();
    }

    /** Every password and the body of the broker's private key. */
    private static Set<String> secrets() {
        Set<String> secrets = new HashSet<>();
        SECURITY.users().names().forEach(u -> secrets.add(SECURITY.users().password(u)));
        String key = SECURITY.brokerProperties("127.0.0.1", 1, 2).get("ssl.keystore.key");
        secrets.add(key.lines().skip(1).findFirst().orElseThrow());
        return secrets;
    }

    private static void assertNoSecretIn(String what, String text) {
        for (String secret : secrets()) {
            assertThat(text).as("%s contain a password", what).doesNotContain(secret);
        }
    }

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
            if (graph.getState() == JobStatus.RUNNING
                    && graph.getAllVertices().values().stream()
                            .flatMap(v -> Arrays.stream(v.getTaskVertices()))
                            .allMatch(t -> t.getExecutionState() == ExecutionState.RUNNING)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + job + " did not get all its tasks running in 2 minutes");
    }

    private static List<ImageEvent> batch(int b, int n) {
        String[] tasks = {"CAPTION", "OCR", "MODERATION"};
        return IntStream.range(0, n)
                .mapToObj(
                        i ->
                                ImageEvent.newBuilder()
                                        .setEventId("secure-" + b + "-" + i)
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
