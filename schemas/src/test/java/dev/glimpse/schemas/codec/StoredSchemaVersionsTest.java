package dev.glimpse.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ImageEvent;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every published schema version stays readable by the current generated classes. */
class StoredSchemaVersionsTest {

    private static final List<Class<? extends SpecificRecord>> TYPES =
            List.of(ImageEvent.class, AnalysisResult.class, DeadLetter.class);

    /** Every golden sample of every stored version of every type. */
    static Stream<Arguments> goldenSamples() {
        return TYPES.stream()
                .flatMap(
                        type ->
                                SchemaHistory.versions(type).stream()
                                        .flatMap(
                                                v ->
                                                        GoldenSamples.of(type, v)
                                                                .entrySet()
                                                                .stream()
                                                                .map(
                                                                        e ->
                                                                                Arguments.of(
                                                                                        e.getKey(),
                                                                                        v,
                                                                                        e
                                                                                                .getValue()))));
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("goldenSamples")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void currentReaderDecodesEveryStoredGoldenSample(
            String sample, int version, SpecificRecord expected) throws Exception {
        String[] typeAndName = sample.split("/");
        byte[] bytes =
                readResource(
                        "/golden/"
                                + typeAndName[0]
                                + "/v"
                                + version
                                + "/"
                                + typeAndName[1]
                                + ".bin");

        AvroCodec codec = AvroCodec.of((Class) expected.getClass());
        Object decoded = codec.decode(bytes, version);

        assertThat(decoded).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(classes = {ImageEvent.class, AnalysisResult.class, DeadLetter.class})
    void currentSchemaCanReadEveryStoredWriterVersion(Class<? extends SpecificRecord> type) {
        for (int version : SchemaHistory.versions(type)) {
            SchemaCompatibility.SchemaPairCompatibility compatibility =
                    SchemaCompatibility.checkReaderWriterCompatibility(
                            SpecificData.get().getSchema(type),
                            SchemaHistory.writerSchema(type, version));
            assertThat(compatibility.getType())
                    .as("%s v%d: %s", type.getSimpleName(), version, compatibility.getDescription())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
    }

    @ParameterizedTest
    @ValueSource(classes = {ImageEvent.class, AnalysisResult.class, DeadLetter.class})
    void latestStoredVersionIsExactlyTheGeneratedSchema(Class<? extends SpecificRecord> type) {
        // Changing an .avsc without publishing a new history version (and golden samples) fails
        // here.
        int current = SchemaHistory.currentVersion(type);
        assertThat(SchemaHistory.writerSchema(type, current))
                .isEqualTo(SpecificData.get().getSchema(type));
    }

    @ParameterizedTest
    @ValueSource(classes = {ImageEvent.class, AnalysisResult.class, DeadLetter.class})
    void everyStoredVersionHasGoldenSamples(Class<? extends SpecificRecord> type) {
        for (int version : SchemaHistory.versions(type)) {
            List<String> names = List.copyOf(GoldenSamples.of(type, version).keySet());
            assertThat(names)
                    .as("golden samples of %s v%d", type.getSimpleName(), version)
                    .hasSizeGreaterThanOrEqualTo(2);
            for (String name : names) {
                String resource = "/golden/" + name.replace("/", "/v" + version + "/") + ".bin";
                assertThat(getClass().getResource(resource)).as(resource).isNotNull();
            }
        }
    }

    private static byte[] readResource(String name) throws IOException {
        try (InputStream in = StoredSchemaVersionsTest.class.getResourceAsStream(name)) {
            assertThat(in).as("golden resource %s", name).isNotNull();
            return in.readAllBytes();
        }
    }
}
