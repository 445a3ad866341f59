package dev.glimpse.jobs.kafka;

import dev.glimpse.operators.DeadLetters;
import dev.glimpse.operators.KafkaOrigin;
import dev.glimpse.operators.ingest.IngestedRecord;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ReasonCode;
import dev.glimpse.schemas.codec.AvroCodec;
import dev.glimpse.schemas.codec.MalformedRecordException;
import dev.glimpse.schemas.codec.SchemaHistory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Kafka record → {@link IngestedRecord}: the {@link ImageEvent} decoded with the writer schema
 * version named by the {@code glimpse-schema-version} header (current when absent), tagged with its
 * topic, partition and offset; or, for anything that does not decode, a dead letter carrying the
 * raw bytes (up to a cap). Never throws, so a malformed record can never fail the job.
 */
public final class ImageEventDeserializer
        implements KafkaRecordDeserializationSchema<IngestedRecord> {

    private static final long serialVersionUID = 1L;

    /**
     * Longest problem text copied into a dead letter's message: a hostile record can make the
     * decoder's message as long as itself (a header value quoted back), and the dead letter must
     * still fit the producer's max.request.size beside the copied bytes (DeadLetterSizeCheck).
     */
    public static final int MAX_PROBLEM_CHARS = 1000;

    private final int maxDeadLetterBytes;
    private transient AvroCodec<ImageEvent> codec;

    /**
     * @param maxDeadLetterBytes undecodable values up to this size are copied into the dead letter
     */
    public ImageEventDeserializer(int maxDeadLetterBytes) {
        this.maxDeadLetterBytes = maxDeadLetterBytes;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<IngestedRecord> out) {
        if (codec == null) {
            codec = AvroCodec.of(ImageEvent.class);
        }
        IngestedRecord result;
        try {
            ImageEvent event = codec.decode(record.value(), version(record));
            Map<String, String> attributes = new HashMap<>(event.getAttributes());
            KafkaOrigin.record(attributes, record.topic(), record.partition(), record.offset());
            event.setAttributes(attributes);
            result = IngestedRecord.of(event);
        } catch (MalformedRecordException | IllegalArgumentException e) {
            result = rejected(record, e.getMessage());
        } catch (RuntimeException e) {
            // Anything else Avro or a header throws is still this record's fault, not the job's.
            result = rejected(record, e.toString());
        }
        // Outside the try: a failure downstream of the collector (chained operators) is not a
        // malformed record.
        out.collect(result);
    }

    private IngestedRecord rejected(ConsumerRecord<byte[], byte[]> record, String problem) {
        return IngestedRecord.rejected(
                DeadLetters.forRawRecord(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.value(),
                        maxDeadLetterBytes,
                        ReasonCode.MALFORMED_RECORD,
                        String.format(
                                "%s-%d@%d: %s",
                                record.topic(),
                                record.partition(),
                                record.offset(),
                                truncate(problem)),
                        Instant.now()));
    }

    /** At most {@link #MAX_PROBLEM_CHARS} chars, never splitting a surrogate pair. */
    static String truncate(String problem) {
        if (problem == null || problem.length() <= MAX_PROBLEM_CHARS) {
            return problem;
        }
        int end = MAX_PROBLEM_CHARS - 1;
        if (Character.isHighSurrogate(problem.charAt(end - 1))) {
            end--;
        }
        return problem.substring(0, end) + "…";
    }

    private int version(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(SchemaHistory.VERSION_HEADER);
        if (header == null) {
            return SchemaHistory.currentVersion(ImageEvent.class);
        }
        // Kafka allows a header without a value
        byte[] value = header.value();
        String text = value == null ? "" : new String(value, StandardCharsets.US_ASCII).strip();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "header "
                            + SchemaHistory.VERSION_HEADER
                            + " must be a decimal version, was '"
                            + text
                            + "'");
        }
    }

    @Override
    public TypeInformation<IngestedRecord> getProducedType() {
        return TypeInformation.of(IngestedRecord.class);
    }
}
