package dev.glimpse.serving.image;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The real-image corpus of the repository ({@code testdata/real-images} in the repository root,
 * found by walking up from the module directory to the pom that lists the modules) and the expected
 * outcome of each file, read from its {@code expected.tsv}.
 */
final class RealImageCorpus {

    /** What the pipeline must do with a file ({@code expected} column). */
    enum Expected {
        DECODES,
        REJECTED,
        EITHER,
        /** not an image (the generator script of {@code hostile/}) */
        N_A
    }

    /**
     * One row of {@code expected.tsv}.
     *
     * @param width the decoded width as stored (before EXIF orientation), 0 unless {@link
     *     Expected#DECODES}
     */
    record Entry(int number, String path, long bytes, Expected expected, int width, int height) {}

    private RealImageCorpus() {}

    /** The corpus folder; fails the test if the repository has none. */
    static Path dir() {
        Path dir = repositoryRoot().resolve("testdata/real-images");
        if (!Files.isRegularFile(dir.resolve("expected.tsv"))) {
            fail("real-image corpus not found: " + dir.resolve("expected.tsv") + " does not exist");
        }
        return dir;
    }

    /** Every row of {@code expected.tsv}, in file order. */
    static List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        try {
            for (String line :
                    Files.readAllLines(dir().resolve("expected.tsv"), StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("number\t")) {
                    continue;
                }
                String[] c = line.split("\t", -1);
                entries.add(
                        new Entry(
                                Integer.parseInt(c[0]),
                                c[1],
                                Long.parseLong(c[3]),
                                Expected.valueOf(c[4].replace('/', '_').toUpperCase(Locale.ROOT)),
                                c[5].isEmpty() ? 0 : Integer.parseInt(c[5]),
                                c[6].isEmpty() ? 0 : Integer.parseInt(c[6])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /** The nearest directory above the module whose pom.xml lists modules: the repository root. */
    static Path repositoryRoot() {
        Path start =
                Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                        .toAbsolutePath()
                        .normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            try {
                if (Files.isRegularFile(pom) && Files.readString(pom).contains("<modules>")) {
                    return dir;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no pom.xml with <modules> above " + start);
    }
}
