package dev.glimpse.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.operators.KafkaOrigin;
import dev.glimpse.operators.ingest.IngestedRecord;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.schemas.ReasonCode;
import dev.glimpse.schemas.codec.AvroCodec;
import dev.glimpse.schemas.codec.SchemaHistory;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class ImageEventDeserializerTest {

    private static final String TOPIC = "glimpse.images";
    private static final int CAP = 64;

    private final ImageEventDeserializer deserializer = new ImageEventDeserializer(CAP);

    private static ImageEvent event() {
        return ImageEvent.newBuilder()
                .setEventId("evt-1")
                .setSourceId("cam-1")
                .setEventTime(Instant.parse("2026-11-26T10:00:00Z"))
                .setTask("CAPTION")
                .setImage(new InlineImage(ByteBuffer.wrap(new byte[] {1, 2, 3})))
                .setAttributes(Map.of("zone", "north"))
                .build();
    }

    private static byte[] encoded(ImageEvent event) {
        return AvroCodec.of(ImageEvent.class).encode(event);
    }

    private static ConsumerRecord<byte[], byte[]> record(
            int partition, long offset, byte[] value, String versionHeader) {
        ConsumerRecord<byte[], byte[]> r =
                new ConsumerRecord<>(TOPIC, partition, offset, null, value);
        if (versionHeader != null) {
            r.headers()
                    .add(
                            SchemaHistory.VERSION_HEADER,
                            versionHeader.getBytes(StandardCharsets.US_ASCII));
        }
        return r;
    }

    private IngestedRecord only(ConsumerRecord<byte[], byte[]> record) {
        List<IngestedRecord> out = new ArrayList<>();
        deserializer.deserialize(
                record,
                new Collector<>() {
                    @Override
                    public void collect(IngestedRecord r) {
                        out.add(r);
                    }

                    @Override
                    public void close() {}
                });
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private DeadLetter deadLetterOf(ConsumerRecord<byte[], byte[]> record) {
        IngestedRecord r = only(record);
        assertThat(r.isRejected()).isTrue();
        assertThat(r.getEvent()).isNull();
        DeadLetter dl = r.getDeadLetter();
        assertThat(dl.getStage()).isEqualTo(FailureStage.DESERIALIZE);
        assertThat(dl.getReason()).isEqualTo(ReasonCode.MALFORMED_RECORD);
        assertThat(dl.getOriginalTopic()).isEqualTo(TOPIC);
        assertThat(dl.getOriginalPartition()).isEqualTo(record.partition());
        assertThat(dl.getOriginalOffset()).isEqualTo(record.offset());
        assertThat(dl.getEventId()).isNull();
        return dl;
    }

    private static byte[] bytesOf(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    @Test
    void aGoodRecordBecomesItsEventTaggedWithTopicPartitionAndOffset() {
        IngestedRecord r = only(record(3, 1_234_567_890_123L, encoded(event()), "1"));

        assertThat(r.isRejected()).isFalse();
        ImageEvent expected = event();
        expected.setAttributes(
                Map.of(
                        "zone",
                        "north",
                        KafkaOrigin.TOPIC_ATTRIBUTE,
                        TOPIC,
                        KafkaOrigin.PARTITION_ATTRIBUTE,
                        "3",
                        KafkaOrigin.OFFSET_ATTRIBUTE,
                        "1234567890123"));
        assertThat(r.getEvent()).isEqualTo(expected);
    }

    @Test
    void aRecordWithoutAVersionHeaderIsReadAsTheCurrentVersion() {
        IngestedRecord r = only(record(0, 5, encoded(event()), null));

        assertThat(r.isRejected()).isFalse();
        assertThat(r.getEvent().getEventId()).isEqualTo("evt-1");
    }

    @Test
    void aVersionHeaderWithSurroundingSpacesIsAccepted() {
        assertThat(only(record(0, 5, encoded(event()), " 1 ")).isRejected()).isFalse();
    }

    @Test
    void garbageBecomesAMalformedRecordDeadLetterWithTheOriginalBytes() {
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.US_ASCII);

        DeadLetter dl = deadLetterOf(record(2, 17, garbage, "1"));

        assertThat(bytesOf(dl.getOriginalBytes())).isEqualTo(garbage);
        assertThat(dl.getMessage())
                .startsWith(
                        "glimpse.images-2@17: ImageEvent v1 payload of 15 bytes is not valid Avro: ");
    }

    @Test
    void aRecordWithTrailingBytesIsMalformed() {
        byte[] good = encoded(event());
        byte[] longer = Arrays.copyOf(good, good.length + 1);

        DeadLetter dl = deadLetterOf(record(0, 1, longer, null));

        assertThat(dl.getMessage())
                .isEqualTo(
                        "glimpse.images-0@1: ImageEvent v1 payload of "
                                + longer.length
                                + " bytes has trailing bytes after the record");
    }

    @Test
    void garbageUpToTheCapIsCopiedAndAboveItIsNot() {
        byte[] atCap = new byte[CAP];
        Arrays.fill(atCap, (byte) 0x7f);
        byte[] overCap = new byte[CAP + 1];
        Arrays.fill(overCap, (byte) 0x7f);

        assertThat(bytesOf(deadLetterOf(record(0, 1, atCap, null)).getOriginalBytes()))
                .isEqualTo(atCap);
        assertThat(deadLetterOf(record(0, 2, overCap, null)).getOriginalBytes()).isNull();
    }

    @Test
    void aTombstoneBecomesADeadLetterWithoutBytes() {
        DeadLetter dl = deadLetterOf(record(1, 9, null, null));

        assertThat(dl.getOriginalBytes()).isNull();
        assertThat(dl.getMessage()).isEqualTo("glimpse.images-1@9: ImageEvent payload is null");
    }

    @Test
    void aVersionHeaderThatIsNotANumberBecomesADeadLetter() {
        DeadLetter dl = deadLetterOf(record(0, 5, encoded(event()), "v1"));

        assertThat(dl.getMessage())
                .isEqualTo(
                        "glimpse.images-0@5: header glimpse-schema-version must be a decimal version, was 'v1'");
        // the value decoded fine, but it is kept for replay with a corrected header
        assertThat(dl.getOriginalBytes()).isNotNull();
    }

    @Test
    void anUnknownSchemaVersionBecomesADeadLetter() {
        DeadLetter dl = deadLetterOf(record(0, 6, encoded(event()), "2"));

        assertThat(dl.getMessage())
                .isEqualTo(
                        "glimpse.images-0@6: Unknown schema version 2 of ImageEvent; expected 1..1");
    }

    @Test
    void aVersionHeaderWithoutAValueBecomesADeadLetter() {
        ConsumerRecord<byte[], byte[]> r = record(0, 7, encoded(event()), null);
        r.headers().add(SchemaHistory.VERSION_HEADER, null);

        DeadLetter dl = deadLetterOf(r);

        assertThat(dl.getMessage())
                .isEqualTo(
                        "glimpse.images-0@7: header glimpse-schema-version must be a decimal version, was ''");
    }

    @Test
    void aProblemTextAsLongAsTheRecordIsCutSoTheDeadLetterStaysSmall() {
        String hostile = "9".repeat(50_000) + "x";

        DeadLetter dl = deadLetterOf(record(0, 8, encoded(event()), hostile));

        String prefix =
                "glimpse.images-0@8: header glimpse-schema-version must be a decimal version, was '999";
        assertThat(dl.getMessage()).startsWith(prefix).endsWith("…");
        assertThat(dl.getMessage())
                .hasSize(
                        "glimpse.images-0@8: ".length() + ImageEventDeserializer.MAX_PROBLEM_CHARS);
    }

    @Test
    void cuttingAProblemTextNeverSplitsASurrogatePair() {
        String cut = ImageEventDeserializer.truncate("a".repeat(998) + "😀" + "b".repeat(10));

        assertThat(cut).isEqualTo("a".repeat(998) + "…");
        assertThat(ImageEventDeserializer.truncate("short")).isEqualTo("short");
    }

    @Test
    void aRecordClaimingAHugeArrayIsADeadLetterNotAnAllocation() {
        // eventId "", sourceId "", eventTime 0, task "", prompt null, then
        // moderationCategories = array claiming 2^28 items, and nothing after it
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0, 0, 0, 0, 0, 2});
        writeVarLong(b, 1L << 28);

        DeadLetter dl = deadLetterOf(record(0, 8, b.toByteArray(), null));

        assertThat(dl.getMessage()).startsWith("glimpse.images-0@8: ImageEvent v1 payload of ");
    }

    @Test
    void aFailureDownstreamOfTheCollectorIsNotTurnedIntoADeadLetter() {
        List<IngestedRecord> collected = new ArrayList<>();
        Collector<IngestedRecord> failing =
                new Collector<>() {
                    @Override
                    public void collect(IngestedRecord r) {
                        collected.add(r);
                        throw new IllegalArgumentException("chained operator failed");
                    }

                    @Override
                    public void close() {}
                };

        assertThatThrownBy(
                        () ->
                                deserializer.deserialize(
                                        record(0, 1, encoded(event()), null), failing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("chained operator failed");
        assertThat(collected).hasSize(1);
        assertThat(collected.get(0).isRejected()).isFalse();
    }

    private static void writeVarLong(ByteArrayOutputStream out, long value) {
        long n = (value << 1) ^ (value >> 63); // zig-zag
        while ((n & ~0x7FL) != 0) {
            out.write((int) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
    }
}
