package dev.glimpse.schemas.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain Avro binary encoding of one record type, as it travels on Kafka (the same bytes Flink's
 * {@code AvroSerializationSchema.forSpecific} writes; not the single-object encoding of {@code
 * toByteBuffer()}, which Flink's deserializer cannot read).
 *
 * <p>Not thread-safe (it reuses its encoder and decoder); create one per thread or task.
 *
 * @param <T> the generated record class
 */
public final class AvroCodec<T extends SpecificRecord> {

    private final Class<T> type;
    private final Schema currentSchema;
    private final SpecificDatumWriter<T> writer;
    private final SpecificDatumReader<T> currentReader;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private BinaryEncoder encoder;
    private BinaryDecoder decoder;

    private AvroCodec(Class<T> type) {
        this.type = type;
        this.currentSchema = SpecificData.get().getSchema(type);
        this.writer = new SpecificDatumWriter<>(currentSchema);
        this.currentReader = new SpecificDatumReader<>(currentSchema);
    }

    /** A codec for the generated record class {@code type}. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type);
    }

    /** The current (reader and writer) schema. */
    public Schema schema() {
        return currentSchema;
    }

    /** Encodes {@code record} with the current schema. */
    public byte[] encode(T record) {
        buffer.reset();
        encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode " + type.getSimpleName(), e);
        }
        return buffer.toByteArray();
    }

    /** Decodes bytes written with the current schema. */
    public T decode(byte[] bytes) throws MalformedRecordException {
        return read(currentReader, bytes, SchemaHistory.currentVersion(type));
    }

    /**
     * Decodes bytes written with schema version {@code writerVersion} of this type, resolving them
     * against the current schema (fields added since get their defaults).
     */
    public T decode(byte[] bytes, int writerVersion) throws MalformedRecordException {
        if (writerVersion == SchemaHistory.currentVersion(type)) {
            return decode(bytes);
        }
        Schema writerSchema = SchemaHistory.writerSchema(type, writerVersion);
        return read(new SpecificDatumReader<>(writerSchema, currentSchema), bytes, writerVersion);
    }

    private T read(SpecificDatumReader<T> reader, byte[] bytes, int version)
            throws MalformedRecordException {
        if (bytes == null) {
            throw new MalformedRecordException(type.getSimpleName() + " payload is null");
        }
        decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
        try {
            T record = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new MalformedRecordException(
                        String.format(
                                "%s v%d payload of %d bytes has trailing bytes after the record",
                                type.getSimpleName(), version, bytes.length));
            }
            return record;
        } catch (IOException
                | AvroRuntimeException
                | IndexOutOfBoundsException
                | NegativeArraySizeException
                | UnsupportedOperationException e) {
            // Avro reports garbage as any of these (EOF, negative lengths, bad union/enum indexes,
            // a string or bytes length past the VM's array limit: found by AvroCodecFuzzTest).
            throw malformed(version, bytes, e);
        } catch (OutOfMemoryError e) {
            // A length prefix of a few bytes claiming a string or array of gigabytes: Avro
            // allocates it before reading. The failed allocation is released, so the process
            // continues; the record is garbage like any other.
            throw malformed(version, bytes, e);
        }
    }

    private MalformedRecordException malformed(int version, byte[] bytes, Throwable e) {
        return new MalformedRecordException(
                String.format(
                        "%s v%d payload of %d bytes is not valid Avro: %s",
                        type.getSimpleName(), version, bytes.length, e),
                e);
    }
}
