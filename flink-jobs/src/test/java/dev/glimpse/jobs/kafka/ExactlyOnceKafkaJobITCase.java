package dev.glimpse.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.local.LoopbackMiniCluster;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.codec.AvroCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.AvroDeserializationSchema;
import org.apache.flink.formats.avro.AvroSerializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ExactlyOnceKafkaJobITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = LoopbackMiniCluster.withSlots(2);

    @Test
    void kafkaToKafkaJobCommitsEveryRecordExactlyOnceForReadCommittedConsumers() throws Exception {
        String in = KAFKA.uniqueTopic("eo-in", 2);
        String out = KAFKA.uniqueTopic("eo-out", 2);
        List<ImageEvent> sent = TestEvents.mixed(60, 7);
        produce(in, sent);

        String bootstrap = KAFKA.broker().bootstrapServers();
        KafkaSource<ImageEvent> source =
                KafkaSource.<ImageEvent>builder()
                        .setBootstrapServers(bootstrap)
                        .setTopics(in)
                        .setGroupId("eo-it")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .setDeserializer(
                                KafkaRecordDeserializationSchema.valueOnly(
                                        AvroDeserializationSchema.forSpecific(ImageEvent.class)))
                        .build();
        KafkaSink<ImageEvent> sink =
                KafkaSink.<ImageEvent>builder()
                        .setBootstrapServers(bootstrap)
                        .setRecordSerializer(
                                KafkaRecordSerializationSchema.<ImageEvent>builder()
                                        .setTopic(out)
                                        .setValueSerializationSchema(
                                                AvroSerializationSchema.forSpecific(
                                                        ImageEvent.class))
                                        .build())
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix("glimpse-eo-" + UUID.randomUUID())
                        // must not exceed the broker's transaction.max.timeout.ms
                        // (docs/toolchain.md G2)
                        .setProperty("transaction.timeout.ms", "900000")
                        .build();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(300);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "images")
                .map(ExactlyOnceKafkaJobITCase::stamp)
                .sinkTo(sink);
        env.execute("exactly-once-it");

        List<ImageEvent> committed = drainReadCommitted(out, sent.size());
        assertThat(committed).hasSize(sent.size());
        assertThat(committed.stream().map(ImageEvent::getEventId))
                .containsExactlyInAnyOrderElementsOf(
                        sent.stream().map(ImageEvent::getEventId).toList());
        assertThat(committed)
                .allSatisfy(e -> assertThat(e.getAttributes()).containsEntry("stage", "passed"));
    }

    private static ImageEvent stamp(ImageEvent event) {
        Map<String, String> attributes = new HashMap<>(event.getAttributes());
        attributes.put("stage", "passed");
        return ImageEvent.newBuilder(event).setAttributes(attributes).build();
    }

    private static void produce(String topic, List<ImageEvent> events) {
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        KAFKA.broker().clientProperties(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (ImageEvent e : events) {
                producer.send(new ProducerRecord<>(topic, codec.encode(e)));
            }
            producer.flush();
        }
    }

    /** Reads until {@code expected} records arrived, then 2 s more to catch any duplicate. */
    private static List<ImageEvent> drainReadCommitted(String topic, int expected)
            throws Exception {
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        Properties props = KAFKA.broker().clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "drain-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ImageEvent> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records.add(codec.decode(r.value()));
                }
                if (records.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return records;
    }
}
