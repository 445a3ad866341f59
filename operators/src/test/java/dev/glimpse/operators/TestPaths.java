package dev.glimpse.operators;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files the operator tests read from next to the module: the bundled model and the corpus. */
public final class TestPaths {

    private TestPaths() {}

    private static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    }

    /** The bundled tiny model ({@code ../model-serving/models/glimpse-tiny}); fails if missing. */
    public static Path modelDir() {
        Path dir = moduleDir().resolve("../model-serving/models/glimpse-tiny").normalize();
        if (!Files.isRegularFile(dir.resolve("model.json"))) {
            fail("bundled model not found: " + dir.resolve("model.json") + " does not exist");
        }
        return dir;
    }

    /**
     * The shared real-image corpus ({@code ../shared/testdata/real-images} next to the repository
     * root, as model-serving's RealImageCorpusITCase finds it); fails if missing.
     */
    public static Path corpus() {
        Path dir = moduleDir().resolve("../../shared/testdata/real-images").normalize();
        if (!Files.isRegularFile(dir.resolve("README.md"))) {
            fail(
                    "real-image corpus not found at "
                            + dir
                            + " (expected ../shared/testdata/real-images next to the repository root)");
        }
        return dir;
    }
}
