package dev.glimpse.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.jobs.kafka.AvroRecordSerializer;
import dev.glimpse.jobs.kafka.ImageEventDeserializer;
import dev.glimpse.operators.ingest.IngestedRecord;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.codec.SchemaHistory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

class DeadLetterSizeCheckTest {

    /** Kafka's longest legal topic name. */
    private static final String LONGEST_TOPIC = "t".repeat(249);

    /**
     * The dead letter of an undecodable record as large as the cap, with every envelope field at
     * its largest: the longest topic, partition and offset, and a version header that makes the
     * decoder's problem text far longer than the deserializer keeps.
     */
    private static DeadLetter maximalDeadLetter(int cap) {
        byte[] value = new byte[cap];
        Arrays.fill(value, (byte) 0xFF);
        ConsumerRecord<byte[], byte[]> record =
                new ConsumerRecord<>(LONGEST_TOPIC, Integer.MAX_VALUE, Long.MAX_VALUE, null, value);
        // Non-ASCII bytes read back as U+FFFD, three bytes each in the message's UTF-8.
        byte[] header = new byte[100_000];
        Arrays.fill(header, (byte) 0xFF);
        record.headers().add(SchemaHistory.VERSION_HEADER, header);
        List<IngestedRecord> out = new ArrayList<>();
        new ImageEventDeserializer(cap)
                .deserialize(
                        record,
                        new Collector<>() {
                            @Override
                            public void collect(IngestedRecord r) {
                                out.add(r);
                            }

                            @Override
                            public void close() {}
                        });
        return out.get(0).getDeadLetter();
    }

    /** The bytes Kafka's producer counts against max.request.size for {@code deadLetter}. */
    private static int producerRequestBytes(DeadLetter deadLetter) {
        ProducerRecord<byte[], byte[]> record =
                new AvroRecordSerializer<>(DeadLetter.class, LONGEST_TOPIC, DeadLetter::getEventId)
                        .serialize(deadLetter, null, null);
        return AbstractRecords.estimateSizeInBytesUpperBound(
                RecordBatch.CURRENT_MAGIC_VALUE,
                CompressionType.NONE,
                record.key(),
                record.value(),
                record.headers().toArray());
    }

    @Test
    void aMaximalDeadLetterUnderTheDefaultCapFitsKafkasDefaultMaxRequestSize() {
        int cap = DeadLetterSizeCheck.DEFAULT_MAX_DEAD_LETTER_BYTES;
        DeadLetter deadLetter = maximalDeadLetter(cap);
        assertThat(deadLetter.getOriginalBytes().remaining()).isEqualTo(cap);
        assertThat(deadLetter.getMessage().length()).isLessThan(1400);

        int size = producerRequestBytes(deadLetter);
        int envelope = size - cap;

        assertThat(size).isLessThanOrEqualTo(DeadLetterSizeCheck.KAFKA_DEFAULT_MAX_REQUEST_SIZE);
        // Measured: 3,556 bytes = 3,444 of Avro envelope (the message is 1,282 chars, 3,158 bytes
        // of UTF-8; the topic 249) + 112 of Kafka record batch, record and header overhead. The
        // 64 KiB allowance (DeadLetterSizeCheck) leaves 61,980 bytes spare.
        assertThat(envelope).isBetween(3_000, 4 * 1024);
        assertThat(envelope).isLessThan(DeadLetterSizeCheck.ENVELOPE_ALLOWANCE_BYTES / 8);
    }

    @Test
    void kafkasDefaultMaxRequestSizeIsOneMebibyteAndTheDefaultCapLeavesTheAllowance() {
        assertThat(DeadLetterSizeCheck.KAFKA_DEFAULT_MAX_REQUEST_SIZE).isEqualTo(1_048_576);
        assertThat(
                        DeadLetterSizeCheck.DEFAULT_MAX_DEAD_LETTER_BYTES
                                + DeadLetterSizeCheck.ENVELOPE_ALLOWANCE_BYTES)
                .isEqualTo(DeadLetterSizeCheck.KAFKA_DEFAULT_MAX_REQUEST_SIZE);
    }

    @Test
    void aCapThatLeavesNoRoomForTheEnvelopeIsAConfigErrorNamingBothKeys() {
        assertThatThrownBy(() -> DeadLetterSizeCheck.check(1_048_576, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "kafka.maxDeadLetterBytes (1048576) plus 65536 bytes for the dead-letter"
                                + " envelope must not exceed kafka.properties.max.request.size"
                                + " (1048576, Kafka's default): set kafka.maxDeadLetterBytes to at"
                                + " most 983040 or raise kafka.properties.max.request.size (and the"
                                + " topic's max.message.bytes)");
        assertThatThrownBy(
                        () ->
                                DeadLetterSizeCheck.check(
                                        983_041, Map.of("max.request.size", "1048576")))
                .hasMessage(
                        "kafka.maxDeadLetterBytes (983041) plus 65536 bytes for the dead-letter"
                                + " envelope must not exceed kafka.properties.max.request.size"
                                + " (1048576): set kafka.maxDeadLetterBytes to at most 983040 or"
                                + " raise kafka.properties.max.request.size (and the topic's"
                                + " max.message.bytes)");
    }

    @Test
    void aLargerMaxRequestSizeAdmitsALargerCap() {
        DeadLetterSizeCheck.check(983_040, Map.of());
        DeadLetterSizeCheck.check((16 << 20) - 65_536, Map.of("max.request.size", " 16777216 "));

        assertThat(DeadLetterSizeCheck.maxRequestSize(Map.of("max.request.size", "16777216")))
                .isEqualTo(16 << 20);
    }

    @Test
    void aMaxRequestSizeThatIsNotAPositiveIntegerIsRejectedByKey() {
        assertThatThrownBy(() -> DeadLetterSizeCheck.check(1000, Map.of("max.request.size", "1MB")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "kafka.properties.max.request.size must be a positive integer, was '1MB'");
        assertThatThrownBy(
                        () -> DeadLetterSizeCheck.maxRequestSize(Map.of("max.request.size", "0")))
                .hasMessage(
                        "kafka.properties.max.request.size must be a positive integer, was '0'");
    }

    @Test
    void theJobConfigAppliesTheCheck() {
        assertThatThrownBy(
                        () ->
                                GlimpseJobConfig.from(
                                        ConfigSource.of(
                                                Map.of(
                                                        "kafka.bootstrapServers", "b:1",
                                                        "model.dir", "/m",
                                                        "kafka.maxDeadLetterBytes", "1048576"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("kafka.maxDeadLetterBytes (1048576) plus 65536 bytes")
                .hasMessageContaining(
                        "kafka.properties.max.request.size (1048576, Kafka's default)");
    }
}
