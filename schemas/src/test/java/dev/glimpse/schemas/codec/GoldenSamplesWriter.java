package dev.glimpse.schemas.codec;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ImageEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes the golden binary samples of the CURRENT schema version into {@code
 * src/test/resources/golden/<Type>/v<N>/}. Run it once when a new schema version is published
 * (never for an existing version: refuses to overwrite):
 *
 * <pre>MAVEN_OPTS=-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.glimpse.schemas \
 * mvn -pl schemas test-compile exec:java -Dexec.skip=false -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.glimpse.schemas.codec.GoldenSamplesWriter -Dexec.args="schemas/src/test/resources/golden [RecordType]"
 * </pre>
 */
public final class GoldenSamplesWriter {

    private GoldenSamplesWriter() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources/golden");
        // optional second argument: the one record type whose new version is being published
        String only = args.length > 1 ? args[1] : null;
        for (Map.Entry<String, SpecificRecord> e : currentSamples().entrySet()) {
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

    private static Map<String, SpecificRecord> currentSamples() {
        Map<String, SpecificRecord> all = new TreeMap<>();
        for (Class<? extends SpecificRecord> type :
                List.of(ImageEvent.class, AnalysisResult.class, DeadLetter.class)) {
            all.putAll(GoldenSamples.of(type, SchemaHistory.currentVersion(type)));
        }
        return all;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static byte[] encode(SpecificRecord record) {
        return AvroCodec.of((Class) record.getClass()).encode(record);
    }
}
