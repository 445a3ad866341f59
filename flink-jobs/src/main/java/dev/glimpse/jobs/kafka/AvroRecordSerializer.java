package dev.glimpse.jobs.kafka;

import dev.glimpse.schemas.codec.AvroCodec;
import dev.glimpse.schemas.codec.SchemaHistory;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A Glimpse record → Kafka: plain Avro binary value, the key chosen by {@code key} (the event id,
 * so one event's result lands in one partition), and the {@code glimpse-schema-version} header.
 *
 * @param <T> the generated record class
 */
public final class AvroRecordSerializer<T extends SpecificRecord>
        implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final String topic;
    private final SerializableFunction<T, String> key;
    private transient AvroCodec<T> codec;
    private transient byte[] version;

    public AvroRecordSerializer(Class<T> type, String topic, SerializableFunction<T, String> key) {
        this.type = type;
        this.topic = topic;
        this.key = key;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        if (codec == null) {
            codec = AvroCodec.of(type);
            version =
                    Integer.toString(SchemaHistory.currentVersion(type))
                            .getBytes(StandardCharsets.US_ASCII);
        }
        String k = key.apply(element);
        ProducerRecord<byte[], byte[]> record =
                new ProducerRecord<>(
                        topic,
                        null,
                        timestamp,
                        k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                        codec.encode(element));
        record.headers().add(SchemaHistory.VERSION_HEADER, version);
        return record;
    }
}
