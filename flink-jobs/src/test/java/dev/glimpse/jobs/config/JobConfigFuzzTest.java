package dev.glimpse.jobs.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzz target (Jazzer) for the job's configuration entry point: a YAML file given
 * with {@code --config}, read by {@link ConfigSource#fromArgs} and checked by {@link
 * GlimpseJobConfig#from}. The required keys come from {@code --set} so that the fuzzed file reaches
 * every other check. In {@code mvn test} it runs the seeds of {@code
 * JobConfigFuzzTestInputs/parseConfigFile/}; with {@code JAZZER_FUZZ=1} it fuzzes
 * (docs/fuzzing.md).
 *
 * <p>Contract: any file gives a configuration, or an {@link IOException} (not YAML) or {@link
 * IllegalArgumentException} naming the bad key; nothing else escapes.
 */
class JobConfigFuzzTest {

    private static Path file;

    @BeforeAll
    static void createFile() throws IOException {
        file = Files.createTempFile("glimpse-fuzz", ".yaml");
    }

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    @FuzzTest(maxDuration = "5m")
    void parseConfigFile(byte[] yaml) throws IOException {
        Files.write(file, yaml);
        ConfigSource source;
        try {
            source =
                    ConfigSource.fromArgs(
                            new String[] {
                                "--config",
                                file.toString(),
                                "--set",
                                "kafka.bootstrapServers=localhost:9092",
                                "--set",
                                "model.dir=/models/glimpse-tiny"
                            });
        } catch (IOException | IllegalArgumentException e) {
            return;
        }
        try {
            GlimpseJobConfig.from(source);
        } catch (IllegalArgumentException e) {
            // a rejected value: the documented outcome
        }
    }
}
