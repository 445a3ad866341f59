package dev.glimpse.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.jobs.kafka.EmbeddedKafkaExtension;
import dev.glimpse.jobs.kafka.OutputTopicsReader;
import dev.glimpse.jobs.kafka.security.AclPolicy;
import dev.glimpse.jobs.kafka.security.BrokerSecurity;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ReasonCode;
import dev.glimpse.schemas.codec.AvroCodec;
import dev.glimpse.schemas.codec.SchemaHistory;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ProduceImages and TailResults reach a secured broker with {@code --command-config}, each as its
 * own least-privilege principal.
 */
class SecureToolsITCase {

    static final String IMAGES = "glimpse.images";
    static final String RESULTS = "glimpse.results";
    static final String DLQ = "glimpse.dlq";

    static final BrokerSecurity SECURITY =
            BrokerSecurity.generate(
                    AclPolicy.producer("glimpse-producer", IMAGES)
                            .and(
                                    AclPolicy.reader(
                                            "glimpse-reader",
                                            AclPolicy.TAIL_GROUP_PREFIX,
                                            RESULTS,
                                            DLQ)));

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.secured(SECURITY);

    @BeforeAll
    static void topics() {
        for (String topic : List.of(IMAGES, RESULTS, DLQ)) {
            KAFKA.broker().createTopic(topic, 1);
        }
    }

    @Test
    void produceImagesSendsAsTheProducerPrincipal(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectory(dir.resolve("images"));
        Files.write(images.resolve("a.png"), new byte[100]);
        Files.write(images.resolve("b.png"), new byte[100]);
        long before = endOffset(IMAGES);

        ProduceImages.main(args(commandConfig(dir, "glimpse-producer"), IMAGES, images));

        assertThat(endOffset(IMAGES)).isEqualTo(before + 2);
    }

    @Test
    void produceImagesFailsNamingTheTopicWhenItsPrincipalMayNotWrite(@TempDir Path dir)
            throws Exception {
        Path images = Files.createDirectory(dir.resolve("images"));
        Files.write(images.resolve("a.png"), new byte[100]);
        long before = endOffset(IMAGES);

        assertThatThrownBy(
                        () ->
                                ProduceImages.main(
                                        args(commandConfig(dir, "glimpse-reader"), IMAGES, images)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Kafka did not accept a.png on topic " + IMAGES)
                .hasCauseInstanceOf(TopicAuthorizationException.class);
        assertThat(endOffset(IMAGES)).isEqualTo(before);
    }

    @Test
    void tailResultsReadsAsTheReaderPrincipal(@TempDir Path dir) throws Exception {
        DeadLetter letter =
                DeadLetter.newBuilder()
                        .setEventId("tail-1")
                        .setSourceId("scanner-1")
                        .setOriginalBytes(ByteBuffer.wrap(new byte[] {1, 2}))
                        .setStage(FailureStage.DECODE)
                        .setReason(ReasonCode.TRUNCATED_IMAGE)
                        .setMessage("cut off")
                        .setFailedAt(Instant.parse("2026-12-07T03:00:00Z"))
                        .build();
        ProducerRecord<byte[], byte[]> record =
                new ProducerRecord<>(DLQ, AvroCodec.of(DeadLetter.class).encode(letter));
        record.headers()
                .add(
                        SchemaHistory.VERSION_HEADER,
                        Integer.toString(SchemaHistory.currentVersion(DeadLetter.class))
                                .getBytes(StandardCharsets.US_ASCII));
        try (KafkaProducer<byte[], byte[]> admin =
                new KafkaProducer<>(
                        KAFKA.broker().clientProperties(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            admin.send(record).get(30, TimeUnit.SECONDS);
        }

        List<String> seen = new CopyOnWriteArrayList<>();
        OutputTopicsReader reader =
                TailResults.reader(
                        new String[] {
                            "--bootstrap-servers",
                            KAFKA.broker().bootstrapServers(),
                            "--topic",
                            RESULTS,
                            "--dlq-topic",
                            DLQ,
                            "--command-config",
                            commandConfig(dir, "glimpse-reader").toString()
                        });
        Thread stopper =
                new Thread(
                        () -> {
                            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                            while (seen.isEmpty() && System.nanoTime() < deadline) {
                                Thread.onSpinWait();
                            }
                            reader.stop();
                        });
        stopper.start();
        try {
            reader.run(
                    new OutputTopicsReader.Listener() {
                        @Override
                        public void onResult(AnalysisResult result, long at) {
                            seen.add(TailResults.json(result));
                        }

                        @Override
                        public void onDeadLetter(DeadLetter deadLetter, long at) {
                            seen.add(TailResults.json(deadLetter));
                        }
                    });
        } finally {
            reader.close();
            stopper.join();
        }
        assertThat(seen).singleElement().asString().contains("\"eventId\": \"tail-1\"");
    }

    /** A client properties file that logs in as {@code user}, as Kafka's tools read it. */
    private static Path commandConfig(Path dir, String user) throws IOException {
        Properties client = KAFKA.broker().clientProperties(user);
        client.remove("bootstrap.servers");
        Path file = dir.resolve(user + ".properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            client.store(out, null);
        }
        return file;
    }

    private static String[] args(Path commandConfig, String topic, Path images) {
        return new String[] {
            "--bootstrap-servers",
            KAFKA.broker().bootstrapServers(),
            "--topic",
            topic,
            "--task",
            "OCR",
            "--command-config",
            commandConfig.toString(),
            images.toString()
        };
    }

    private static long endOffset(String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Admin.create(KAFKA.broker().clientProperties())) {
            return admin.listOffsets(java.util.Map.of(tp, OffsetSpec.latest()))
                    .partitionResult(tp)
                    .get(30, TimeUnit.SECONDS)
                    .offset();
        }
    }
}
