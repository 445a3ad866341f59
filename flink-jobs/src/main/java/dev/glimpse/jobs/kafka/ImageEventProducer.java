package dev.glimpse.jobs.kafka;

import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.codec.AvroCodec;
import dev.glimpse.schemas.codec.SchemaHistory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends {@link ImageEvent}s to an images topic the way the job expects them: plain Avro binary,
 * keyed by source id (one camera's frames stay in order), with the {@code glimpse-schema-version}
 * header. Thread-safe.
 */
public final class ImageEventProducer implements AutoCloseable {

    private static final byte[] VERSION =
            Integer.toString(SchemaHistory.currentVersion(ImageEvent.class))
                    .getBytes(StandardCharsets.US_ASCII);

    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
    private final String topic;

    /**
     * @param clientProperties at least {@code bootstrap.servers}
     * @param topic the images topic
     */
    public ImageEventProducer(Properties clientProperties, String topic) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(1 << 20));
        this.producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    /** Sends {@code event} asynchronously. */
    public Future<RecordMetadata> send(ImageEvent event) {
        return send(event, null);
    }

    /**
     * Sends {@code event} asynchronously; {@code onAck} (may be null) runs on the producer's I/O
     * thread once the broker answered, with the exception when it failed.
     */
    public Future<RecordMetadata> send(ImageEvent event, Callback onAck) {
        byte[] value;
        synchronized (codec) {
            value = codec.encode(event);
        }
        ProducerRecord<byte[], byte[]> record =
                new ProducerRecord<>(
                        topic, event.getSourceId().getBytes(StandardCharsets.UTF_8), value);
        record.headers().add(SchemaHistory.VERSION_HEADER, VERSION);
        return producer.send(record, onAck);
    }

    /** Waits until every sent event is acknowledged. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
