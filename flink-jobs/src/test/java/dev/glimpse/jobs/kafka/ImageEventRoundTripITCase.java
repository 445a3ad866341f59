package dev.glimpse.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.schemas.codec.AvroCodec;
import dev.glimpse.schemas.codec.SchemaHistory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ImageEventRoundTripITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void hundredMixedEventsTravelThroughTheRealBrokerAndComeBackEqual() throws Exception {
        String topic = KAFKA.uniqueTopic("images", 3);
        List<ImageEvent> sent = TestEvents.mixed(100, 42);
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);

        Properties producerProps = KAFKA.broker().clientProperties();
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(
                        producerProps, new StringSerializer(), new ByteArraySerializer())) {
            for (ImageEvent event : sent) {
                ProducerRecord<String, byte[]> record =
                        new ProducerRecord<>(topic, event.getSourceId(), codec.encode(event));
                record.headers()
                        .add(SchemaHistory.VERSION_HEADER, "1".getBytes(StandardCharsets.US_ASCII));
                producer.send(record);
            }
            producer.flush();
        }

        List<ImageEvent> received = new ArrayList<>();
        Properties consumerProps = KAFKA.broker().clientProperties();
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "roundtrip");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(
                        consumerProps, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (received.size() < sent.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Header version = r.headers().lastHeader(SchemaHistory.VERSION_HEADER);
                    int v =
                            Integer.parseInt(
                                    new String(version.value(), StandardCharsets.US_ASCII));
                    received.add(codec.decode(r.value(), v));
                }
            }
        }

        assertThat(received).hasSize(100).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(received.stream().filter(e -> e.getImage() instanceof InlineImage)).hasSize(50);
        assertThat(received.stream().filter(e -> e.getImage() instanceof ImageReference))
                .hasSize(50);
        assertThat(received.stream().map(ImageEvent::getTask).distinct())
                .containsExactlyInAnyOrder("CAPTION", "OCR", "MODERATION");
        // Within one partition (one key = one camera) the order is preserved.
        Map<String, List<String>> sentByCamera = byCamera(sent);
        assertThat(byCamera(received)).isEqualTo(sentByCamera);
    }

    private static Map<String, List<String>> byCamera(List<ImageEvent> events) {
        Map<String, List<String>> ids = new java.util.TreeMap<>();
        for (ImageEvent e : events) {
            ids.computeIfAbsent(e.getSourceId(), k -> new ArrayList<>()).add(e.getEventId());
        }
        return ids;
    }
}
