package dev.glimpse.jobs.kafka.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.jobs.kafka.EmbeddedKafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The secured embedded broker enforces {@link AclPolicy}: each of Glimpse's principals can do what
 * its role needs and is denied the rest, with the authorization error naming the resource. One
 * broker for the class; plain Kafka clients, no Flink.
 */
class LeastPrivilegeITCase {

    static final String IMAGES = "glimpse.images";
    static final String RESULTS = "glimpse.results";
    static final String DLQ = "glimpse.dlq";
    static final String JOB = "glimpse-job";
    static final String PRODUCER = "glimpse-producer";
    static final String READER = "glimpse-reader";
    static final String NOBODY = "nobody";

    static final BrokerSecurity SECURITY =
            BrokerSecurity.generate(
                    AclPolicy.job(JOB, IMAGES, "glimpse", RESULTS, DLQ, "glimpse")
                            .and(AclPolicy.producer(PRODUCER, IMAGES))
                            .and(
                                    AclPolicy.reader(
                                            READER, AclPolicy.TAIL_GROUP_PREFIX, RESULTS, DLQ)),
                    NOBODY);

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.secured(SECURITY);

    @BeforeAll
    static void topics() {
        for (String topic : List.of(IMAGES, RESULTS, DLQ)) {
            KAFKA.broker().createTopic(topic, 1);
        }
    }

    @Test
    void producerWritesImagesButIsDeniedTheResultsTopic() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(PRODUCER, null)) {
            producer.send(record(IMAGES, "from-producer")).get(30, TimeUnit.SECONDS);
            assertThatThrownBy(
                            () ->
                                    producer.send(record(RESULTS, "forged"))
                                            .get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining(RESULTS);
        }
    }

    @Test
    void jobReadsImagesInItsOwnGroupOnly() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(PRODUCER, null)) {
            producer.send(record(IMAGES, "for-the-job")).get(30, TimeUnit.SECONDS);
        }
        assertThat(readUntil(JOB, "glimpse", IMAGES, "for-the-job")).contains("for-the-job");
        assertThatThrownBy(() -> readUntil(JOB, "someone-elses-group", IMAGES, "for-the-job"))
                .isInstanceOf(GroupAuthorizationException.class)
                .hasMessageContaining("someone-elses-group");
    }

    @Test
    void jobWritesResultsInTransactionsWithItsPrefixOnly() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(JOB, "glimpse-results-0")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(record(RESULTS, "result-1"));
            producer.send(record(DLQ, "dead-letter-1"));
            producer.commitTransaction();
        }
        assertThat(readUntil(READER, AclPolicy.TAIL_GROUP_PREFIX + "it", RESULTS, "result-1"))
                .contains("result-1");
        try (KafkaProducer<byte[], byte[]> producer = producer(JOB, "not-glimpse-0")) {
            assertThatThrownBy(producer::initTransactions)
                    .isInstanceOf(TransactionalIdAuthorizationException.class);
        }
    }

    @Test
    void jobCannotWriteImagesReadResultsOrCreateTopics() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(JOB, null)) {
            assertThatThrownBy(
                            () -> producer.send(record(IMAGES, "forged")).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining(IMAGES);
        }
        assertThatThrownBy(() -> readUntil(JOB, "glimpse", RESULTS, "result-1"))
                .isInstanceOf(TopicAuthorizationException.class)
                .hasMessageContaining(RESULTS);
        try (Admin admin = Admin.create(KAFKA.broker().clientProperties(JOB))) {
            assertThatThrownBy(
                            () ->
                                    admin.createTopics(
                                                    List.of(new NewTopic("sneaky", 1, (short) 1)))
                                            .all()
                                            .get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            // Topics it may not describe are not even listed.
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .containsExactlyInAnyOrder(IMAGES, RESULTS, DLQ);
        }
    }

    @Test
    void readerReadsResultsButNotImages() {
        assertThatThrownBy(
                        () ->
                                readUntil(
                                        READER,
                                        AclPolicy.TAIL_GROUP_PREFIX + "x",
                                        IMAGES,
                                        "for-the-job"))
                .isInstanceOf(TopicAuthorizationException.class)
                .hasMessageContaining(IMAGES);
    }

    @Test
    void aUserWithoutAclsSeesNoTopic() throws Exception {
        try (Admin admin = Admin.create(KAFKA.broker().clientProperties(NOBODY))) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    void wrongPasswordIsRejectedAsAuthenticationFailure() {
        Properties props =
                SECURITY.clientProperties(KAFKA.broker().bootstrapServers(), JOB, "wrong-password");
        try (Admin admin = Admin.create(props)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("invalid credentials");
        }
    }

    @Test
    void certificateFromAnotherAuthorityIsRejectedAsUntrusted() {
        Properties props = KAFKA.broker().clientProperties(JOB);
        props.put(
                "ssl.truststore.certificates",
                CertificateAuthority.create("someone-else").certificatePem());
        try (Admin admin = Admin.create(props)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SslAuthenticationException.class)
                    .hasMessageContaining("SSL handshake failed");
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String user, String transactionalId) {
        Properties props = KAFKA.broker().clientProperties(user);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        if (transactionalId != null) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String value) {
        return new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The committed values of {@code topic}, read as {@code user} in {@code group}, until {@code
     * expected} is among them (15 s at most).
     */
    private static List<String> readUntil(
            String user, String group, String topic, String expected) {
        Properties props = KAFKA.broker().clientProperties(user);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < deadline && !values.contains(expected)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }
}
