package dev.glimpse.jobs.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the pieces of the local process cluster come from in a checkout of this repository: the
 * Flink class path (module {@code flink-dist} writes it to {@code
 * flink-dist/target/flink-dist.classpath}: what a Flink binary distribution has in {@code lib/}),
 * the shaded job jar ({@code flink-jobs/target/glimpse-job.jar}, built in the {@code package}
 * phase), and this JVM's own class path (for the Kafka broker process).
 *
 * <p>Paths are searched from the working directory and its parent, so that both the repository root
 * (the demo) and a module directory (tests) work; system properties {@value #CLASSPATH_PROPERTY}
 * and {@value #JOB_JAR_PROPERTY} override the search.
 */
public final class FlinkDistribution {

    public static final String CLASSPATH_PROPERTY = "glimpse.flinkDist.classpathFile";
    public static final String JOB_JAR_PROPERTY = "glimpse.jobJar";
    public static final String NATIVE_PROPERTY = "glimpse.flinkDist.nativeClasspathFile";

    private FlinkDistribution() {}

    /** The Flink distribution's class path (jars only; no class of the job). */
    public static List<Path> classpath() {
        return readClasspath(locate(CLASSPATH_PROPERTY, "flink-dist/target/flink-dist.classpath"));
    }

    private static List<Path> readClasspath(Path file) {
        try {
            List<Path> entries = new ArrayList<>();
            for (String entry : Files.readString(file).strip().split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    entries.add(Path.of(entry));
                }
            }
            return List.copyOf(entries);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the Flink class path file " + file, e);
        }
    }

    /**
     * ONNX Runtime and the DJL tokenizers with their dependencies: the jars to copy into Flink's
     * {@code lib/} so that their native libraries load once per TaskManager JVM ({@code
     * flink-dist/target/flink-lib-native.classpath}).
     */
    public static List<Path> nativeLibraries() {
        return readClasspath(
                locate(NATIVE_PROPERTY, "flink-dist/target/flink-lib-native.classpath"));
    }

    /** The shaded job jar that {@code mvn -pl flink-jobs -am package} builds. */
    public static Path jobJar() {
        return locate(JOB_JAR_PROPERTY, "flink-jobs/target/glimpse-job.jar");
    }

    /**
     * The class path of this JVM's application class loader chain: the URLs of a URLClassLoader (as
     * under {@code mvn exec:java}), else {@code java.class.path}.
     */
    public static List<Path> currentClasspath() {
        Set<Path> entries = new LinkedHashSet<>();
        for (ClassLoader cl = FlinkDistribution.class.getClassLoader();
                cl != null;
                cl = cl.getParent()) {
            if (cl instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    if ("file".equals(url.getProtocol())) {
                        try {
                            entries.add(Path.of(url.toURI()));
                        } catch (URISyntaxException e) {
                            throw new IllegalStateException("Odd class path URL " + url, e);
                        }
                    }
                }
            }
        }
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                entries.add(Path.of(entry));
            }
        }
        return List.copyOf(entries);
    }

    private static Path locate(String property, String relative) {
        String override = System.getProperty(property);
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(property + "=" + override + " is not a file");
            }
            return p.toAbsolutePath();
        }
        for (Path base : List.of(Path.of(""), Path.of(".."))) {
            Path p = base.resolve(relative).toAbsolutePath().normalize();
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalStateException(
                relative
                        + " not found from "
                        + Path.of("").toAbsolutePath()
                        + " or its parent: build it first with"
                        + " `mvn -B -ntp -pl flink-jobs -am -DskipTests package`");
    }
}
