package dev.glimpse.operators;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Files the operator tests read from the repository: the bundled model and the real-image corpus
 * ({@code testdata/real-images}). The repository root is the nearest directory above the module
 * whose pom.xml lists modules.
 */
public final class TestPaths {

    /**
     * One row of the corpus's {@code expected.tsv}.
     *
     * @param expected {@code decodes}, {@code rejected}, {@code either} or {@code n/a}
     * @param width the decoded width as stored (before EXIF orientation), 0 unless "decodes"
     */
    public record CorpusFile(int number, String path, String expected, int width, int height) {}

    private TestPaths() {}

    private static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                .toAbsolutePath()
                .normalize();
    }

    /** The repository root: the nearest directory above the module whose pom.xml has modules. */
    public static Path repositoryRoot() {
        for (Path dir = moduleDir(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            try {
                if (Files.isRegularFile(pom) && Files.readString(pom).contains("<modules>")) {
                    return dir;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no pom.xml with <modules> above " + moduleDir());
    }

    /** The bundled tiny model ({@code model-serving/models/glimpse-tiny}); fails if missing. */
    public static Path modelDir() {
        Path dir = repositoryRoot().resolve("model-serving/models/glimpse-tiny");
        if (!Files.isRegularFile(dir.resolve("model.json"))) {
            fail("bundled model not found: " + dir.resolve("model.json") + " does not exist");
        }
        return dir;
    }

    /** The real-image corpus of the repository ({@code testdata/real-images}); fails if missing. */
    public static Path corpus() {
        Path dir = repositoryRoot().resolve("testdata/real-images");
        if (!Files.isRegularFile(dir.resolve("expected.tsv"))) {
            fail("real-image corpus not found: " + dir.resolve("expected.tsv") + " does not exist");
        }
        return dir;
    }

    /** Every file of the corpus with its expected outcome, in the order of {@code expected.tsv}. */
    public static List<CorpusFile> corpusFiles() {
        List<CorpusFile> files = new ArrayList<>();
        try {
            for (String line :
                    Files.readAllLines(corpus().resolve("expected.tsv"), StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("number\t")) {
                    continue;
                }
                String[] c = line.split("\t", -1);
                files.add(
                        new CorpusFile(
                                Integer.parseInt(c[0]),
                                c[1],
                                c[4],
                                c[5].isEmpty() ? 0 : Integer.parseInt(c[5]),
                                c[6].isEmpty() ? 0 : Integer.parseInt(c[6])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}
