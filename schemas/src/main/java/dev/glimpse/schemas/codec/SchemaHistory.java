package dev.glimpse.schemas.codec;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ImageEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every published version of the topic schemas, as the exact writer schemas that produced them.
 *
 * <p>Kafka payloads are plain Avro binary (no schema registry). A reader therefore needs the
 * writer's schema to decode a record written by an older producer: producers put the version in the
 * {@value #VERSION_HEADER} record header, and {@link AvroCodec#decode(byte[], int)} resolves that
 * version's schema against the current one. Version files live in {@code
 * dev/glimpse/schemas/history/<Record>.v<N>.avsc} and are never edited once published.
 *
 * <p>Thread-safe: parsed schemas are cached in a concurrent map.
 */
public final class SchemaHistory {

    /** Kafka record header that carries the schema version (decimal ASCII) of the value. */
    public static final String VERSION_HEADER = "glimpse-schema-version";

    /** The version that the generated classes of this build implement, per record type. */
    private static final Map<Class<?>, Integer> CURRENT =
            Map.of(ImageEvent.class, 1, AnalysisResult.class, 3, DeadLetter.class, 2);

    private static final Map<String, Schema> PARSED = new ConcurrentHashMap<>();

    private SchemaHistory() {}

    /** The schema version the generated class of {@code type} implements. */
    public static int currentVersion(Class<? extends SpecificRecord> type) {
        Integer version = CURRENT.get(type);
        if (version == null) {
            throw new IllegalArgumentException(
                    "No schema history for "
                            + type.getName()
                            + "; expected one of "
                            + CURRENT.keySet());
        }
        return version;
    }

    /** All stored versions of {@code type}'s schema, oldest first (1..current). */
    public static List<Integer> versions(Class<? extends SpecificRecord> type) {
        List<Integer> versions = new ArrayList<>();
        for (int v = 1; v <= currentVersion(type); v++) {
            versions.add(v);
        }
        return versions;
    }

    /**
     * The writer schema of {@code type} at {@code version}.
     *
     * @throws IllegalArgumentException if that version was never published
     */
    public static Schema writerSchema(Class<? extends SpecificRecord> type, int version) {
        int current = currentVersion(type);
        if (version < 1 || version > current) {
            throw new IllegalArgumentException(
                    "Unknown schema version "
                            + version
                            + " of "
                            + type.getSimpleName()
                            + "; expected 1.."
                            + current);
        }
        String resource = type.getSimpleName() + ".v" + version + ".avsc";
        return PARSED.computeIfAbsent(resource, SchemaHistory::load);
    }

    private static Schema load(String resource) {
        try (InputStream in =
                SchemaHistory.class.getResourceAsStream(
                        "/dev/glimpse/schemas/history/" + resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "Schema history file missing from the classpath: " + resource);
            }
            return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read schema history file " + resource, e);
        }
    }
}
