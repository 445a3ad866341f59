package dev.glimpse.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The root of the repository checkout, for tests that read files of other modules or of the root
 * ({@code testdata/}, {@code docs/}): the nearest directory above this module whose pom.xml lists
 * modules.
 */
public final class RepositoryRoot {

    private RepositoryRoot() {}

    /** The repository root; throws if no pom.xml above the module lists modules. */
    public static Path find() {
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
