package dev.glimpse.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ImageEvent;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Coverage-guided fuzz target (Jazzer) for the Kafka payload codec: every record type at every
 * schema version a producer may name in its version header. In {@code mvn test} it runs the seeds
 * of {@code AvroCodecFuzzTestInputs/decodeEveryVersion/} (golden samples behind a selector byte);
 * with {@code JAZZER_FUZZ=1} it fuzzes (docs/fuzzing.md).
 *
 * <p>Contract: any bytes decode to a record or throw {@link MalformedRecordException}; nothing else
 * escapes (no other exception, no OutOfMemoryError from a length that claims gigabytes). A record
 * that decodes re-encodes to bytes that decode and re-encode to the same bytes.
 */
class AvroCodecFuzzTest {

    private static final List<Class<? extends SpecificRecord>> TYPES =
            List.of(ImageEvent.class, AnalysisResult.class, DeadLetter.class);

    /**
     * Byte 0 selects the type ({@code b % 3}) and the writer version ({@code 1 + (b / 3) %
     * versions}); the rest is the payload.
     */
    @FuzzTest(maxDuration = "5m")
    void decodeEveryVersion(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        int selector = input[0] & 0xff;
        Class<? extends SpecificRecord> type = TYPES.get(selector % TYPES.size());
        int version = 1 + (selector / TYPES.size()) % SchemaHistory.currentVersion(type);
        byte[] payload = Arrays.copyOfRange(input, 1, input.length);
        roundTrip(AvroCodec.of(type), payload, version);
    }

    private static <T extends SpecificRecord> void roundTrip(
            AvroCodec<T> codec, byte[] payload, int version) throws Exception {
        T record;
        try {
            record = codec.decode(payload, version);
        } catch (MalformedRecordException e) {
            assertThat(e.getMessage()).contains(" v" + version + " payload of ");
            return;
        }
        // compared as bytes: a NaN double decodes faithfully, but the generated equals() says
        // NaN != NaN (AvroCodecFuzzTestInputs/.../finding-nan-timing-round-trip)
        byte[] encoded = codec.encode(record);
        assertThat(codec.encode(codec.decode(encoded))).isEqualTo(encoded);
    }
}
