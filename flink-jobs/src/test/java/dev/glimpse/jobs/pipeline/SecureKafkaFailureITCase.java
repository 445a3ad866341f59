package dev.glimpse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.glimpse.jobs.kafka.EmbeddedKafkaExtension;
import dev.glimpse.jobs.kafka.security.AclPolicy;
import dev.glimpse.jobs.kafka.security.BrokerSecurity;
import dev.glimpse.jobs.kafka.security.CertificateAuthority;
import dev.glimpse.jobs.local.LoopbackMiniCluster;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job that cannot log in, does not trust the broker, or may not write its results topic fails (no
 * restarts in these tests) with the Kafka exception that names the cause, and nothing reaches its
 * output topics: not even an uncommitted record.
 */
class SecureKafkaFailureITCase {

    static final String JOB_USER = "glimpse-job";

    static final BrokerSecurity SECURITY = BrokerSecurity.generate(AclPolicy.none(), JOB_USER);

    @RegisterExtension
    @Order(1)
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.secured(SECURITY);

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = LoopbackMiniCluster.withSlots(2);

    @Test
    void wrongPasswordFailsTheJobWithAnAuthenticationError() throws Exception {
        try (PipelineHarness pipeline = harness()) {
            grantJob(pipeline);
            String wrong = "not-the-password-" + System.nanoTime();
            pipeline.jobClientProperties(
                    SECURITY.clientProperties(KAFKA.broker().bootstrapServers(), JOB_USER, wrong));
            Throwable failure = runToFailure(pipeline);

            assertThat(ExceptionUtils.findThrowable(failure, SaslAuthenticationException.class))
                    .get()
                    .asString()
                    .contains("invalid credentials with SASL mechanism SCRAM-SHA-512");
            assertThat(stackTrace(failure))
                    .doesNotContain(wrong)
                    .doesNotContain(SECURITY.users().password(JOB_USER));
            assertNothingWritten(pipeline);
        }
    }

    @Test
    void untrustedBrokerCertificateFailsTheJobWithAnSslError() throws Exception {
        try (PipelineHarness pipeline = harness()) {
            grantJob(pipeline);
            Properties client = KAFKA.broker().clientProperties(JOB_USER);
            client.put(
                    "ssl.truststore.certificates",
                    CertificateAuthority.create("not-the-brokers-ca").certificatePem());
            pipeline.jobClientProperties(client);
            Throwable failure = runToFailure(pipeline);

            assertThat(ExceptionUtils.findThrowable(failure, SslAuthenticationException.class))
                    .get()
                    .asString()
                    .contains("SSL handshake failed");
            assertThat(stackTrace(failure)).contains("PKIX path building failed");
            assertNothingWritten(pipeline);
        }
    }

    @Test
    void principalWithoutWriteOnResultsFailsTheJobWithAnAuthorizationError() throws Exception {
        try (PipelineHarness pipeline = harness()) {
            KAFKA.broker().grant(jobPolicy(pipeline).without(pipeline.results, AclOperation.WRITE));
            pipeline.jobClientProperties(KAFKA.broker().clientProperties(JOB_USER));
            Throwable failure = runToFailure(pipeline);

            assertThat(ExceptionUtils.findThrowable(failure, TopicAuthorizationException.class))
                    .get()
                    .satisfies(
                            e ->
                                    assertThat(
                                                    ((TopicAuthorizationException) e)
                                                            .unauthorizedTopics())
                                            .containsExactly(pipeline.results));
            assertNothingWritten(pipeline);
        }
    }

    private static PipelineHarness harness() {
        PipelineHarness pipeline = new PipelineHarness(KAFKA.broker());
        pipeline.restartAttempts = 0;
        return pipeline;
    }

    private static AclPolicy jobPolicy(PipelineHarness pipeline) {
        return AclPolicy.job(
                JOB_USER,
                pipeline.images,
                pipeline.settings.get("kafka.groupId"),
                pipeline.results,
                pipeline.dlq,
                pipeline.settings.get("kafka.transactionalIdPrefix"));
    }

    private static void grantJob(PipelineHarness pipeline) {
        KAFKA.broker().grant(jobPolicy(pipeline));
    }

    /** Produces valid events, runs the job and returns what it failed with (3 min at most). */
    private static Throwable runToFailure(PipelineHarness pipeline) throws Exception {
        pipeline.produce(events(6));
        JobClient job = pipeline.start();
        try {
            job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        return fail("the job finished although it should have failed");
    }

    /** Neither output topic holds any record, committed or not (their end offsets are 0). */
    private static void assertNothingWritten(PipelineHarness pipeline) throws Exception {
        try (Admin admin = Admin.create(KAFKA.broker().clientProperties())) {
            for (String topic : List.of(pipeline.results, pipeline.dlq)) {
                int partitions =
                        admin.describeTopics(List.of(topic))
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS)
                                .get(topic)
                                .partitions()
                                .size();
                for (int p = 0; p < partitions; p++) {
                    TopicPartition tp = new TopicPartition(topic, p);
                    long end =
                            admin.listOffsets(Map.of(tp, OffsetSpec.latest()))
                                    .partitionResult(tp)
                                    .get(30, TimeUnit.SECONDS)
                                    .offset();
                    assertThat(end).as("end offset of %s", tp).isZero();
                }
            }
        }
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    private static List<ImageEvent> events(int n) {
        return IntStream.range(0, n)
                .mapToObj(
                        i ->
                                ImageEvent.newBuilder()
                                        .setEventId("denied-" + i)
                                        .setSourceId("camera-" + i % 2)
                                        .setEventTime(Instant.now())
                                        .setTask("CAPTION")
                                        .setImage(
                                                new InlineImage(
                                                        ByteBuffer.wrap(
                                                                TestImages.scene(i, 112, 112))))
                                        .setAttributes(Map.of())
                                        .build())
                .toList();
    }
}
