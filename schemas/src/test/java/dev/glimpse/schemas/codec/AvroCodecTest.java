package dev.glimpse.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.InlineImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

    private final AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);

    @Test
    void inlineAndUriEventsRoundTripEqual() throws Exception {
        ImageEvent inline = GoldenSamples.inlineCaption();
        ImageEvent uri = GoldenSamples.uriOcr();

        assertThat(codec.decode(codec.encode(inline))).isEqualTo(inline);
        assertThat(codec.decode(codec.encode(uri))).isEqualTo(uri);
        assertThat(codec.decode(codec.encode(uri)).getImage()).isInstanceOf(ImageReference.class);
        assertThat(codec.decode(codec.encode(inline)).getImage()).isInstanceOf(InlineImage.class);
    }

    @Test
    void encodingIsPlainBinaryWithoutTheSingleObjectHeader() {
        byte[] bytes = codec.encode(GoldenSamples.inlineCaption());
        // Single-object encoding starts with C3 01; Flink's AvroDeserializationSchema cannot read
        // it.
        assertThat(bytes[0] == (byte) 0xC3 && bytes[1] == 0x01).isFalse();
        // First field is the event id string: zig-zag length 8 -> 0x10, then the bytes.
        assertThat(bytes[0]).isEqualTo((byte) 0x10);
        assertThat(new String(Arrays.copyOfRange(bytes, 1, 9))).isEqualTo("evt-0001");
    }

    @Test
    void randomBytesAreRejectedAsMalformedNamingTypeAndLength() {
        byte[] garbage = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 1, 2};
        assertThatThrownBy(() -> codec.decode(garbage))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageStartingWith("ImageEvent v1 payload of 7 bytes is not valid Avro");
    }

    @Test
    void truncatedRecordIsRejectedAsMalformed() {
        byte[] full = codec.encode(GoldenSamples.moderation());
        byte[] cut = Arrays.copyOf(full, full.length / 2);
        assertThatThrownBy(() -> codec.decode(cut))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("payload of " + cut.length + " bytes is not valid Avro");
    }

    @Test
    void trailingBytesAfterARecordAreRejected() {
        byte[] full = codec.encode(GoldenSamples.uriOcr());
        byte[] longer = Arrays.copyOf(full, full.length + 3);
        assertThatThrownBy(() -> codec.decode(longer))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage(
                        "ImageEvent v1 payload of "
                                + longer.length
                                + " bytes has trailing bytes after the record");
    }

    @Test
    void aStringLengthPastTheVmArrayLimitIsMalformed() {
        // eventId's length prefix: zigzag varint of 2^31
        byte[] bytes = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x10};

        assertThatThrownBy(() -> AvroCodec.of(ImageEvent.class).decode(bytes))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageStartingWith("ImageEvent v1 payload of 5 bytes is not valid Avro: ");
    }

    @Test
    void aStringLengthBeyondTheHeapIsMalformedAndTheCodecStaysUsable() throws Exception {
        // eventId's length prefix: zigzag varint of 2^31 - 16, past the test JVM's heap
        byte[] bytes = {(byte) 0xe0, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);

        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageStartingWith("ImageEvent v1 payload of 5 bytes is not valid Avro: ");
        ImageEvent event = GoldenSamples.inlineCaption();
        assertThat(codec.decode(codec.encode(event))).isEqualTo(event);
    }

    @Test
    void nullPayloadIsMalformed() {
        assertThatThrownBy(() -> codec.decode(null))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage("ImageEvent payload is null");
    }

    @Test
    void unknownWriterVersionIsRejectedWithTheExpectedRange() {
        AvroCodec<DeadLetter> dl = AvroCodec.of(DeadLetter.class);
        assertThatThrownBy(() -> dl.decode(new byte[0], 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown schema version 7 of DeadLetter; expected 1..2");
    }
}
