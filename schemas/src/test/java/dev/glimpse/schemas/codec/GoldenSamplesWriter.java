package dev.glimpse.schemas.codec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes the golden binary samples of the CURRENT schema version into {@code
 * src/test/resources/golden/<Type>/v<N>/}. Run it once when a new schema version is published
 * (never for an existing version: refuses to overwrite):
 *
 * <pre>mvn -pl schemas test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.glimpse.schemas.codec.GoldenSamplesWriter -Dexec.args="schemas/src/test/resources/golden [RecordType]"
 * </pre>
 */
public final class GoldenSamplesWriter {

    private GoldenSamplesWriter() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources/golden");
        // optional second argument: the one record type whose new version is being published
        String only = args.length > 1 ? args[1] : null;
        for (Map.Entry<String, SpecificRecord> e : GoldenSamples.v1().entrySet()) {
            SpecificRecord record = e.getValue();
            if (only != null && !record.getClass().getSimpleName().equals(only)) {
                continue;
            }
            int version = SchemaHistory.currentVersion(record.getClass());
            String[] typeAndName = e.getKey().split("/");
            Path file =
                    root.resolve(typeAndName[0])
                            .resolve("v" + version)
                            .resolve(typeAndName[1] + ".bin");
            if (Files.exists(file)) {
                throw new IllegalStateException(
                        "Refusing to overwrite published golden sample " + file);
            }
            Files.createDirectories(file.getParent());
            Files.write(file, encode(record));
            System.out.println("wrote " + file);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static byte[] encode(SpecificRecord record) {
        return AvroCodec.of((Class) record.getClass()).encode(record);
    }
}
