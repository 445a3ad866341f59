package dev.glimpse.jobs.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Settings of a {@link ProcessCluster}; {@link #build()} validates them. Not thread-safe. */
public final class ProcessClusterBuilder {
    /** Flink's key for class name prefixes loaded from lib/ before the job jar. */
    public static final String PARENT_FIRST_KEY = "classloader.parent-first-patterns.additional";

    /** The prefixes of the native-library jars this builder puts into lib/. */
    public static final String NATIVE_PARENT_FIRST = "ai.onnxruntime.;ai.djl.";

    int taskManagers = 1;
    int slots = 2;
    int restPort;
    Path workDir;
    final Map<String, String> config = new HashMap<>();
    final List<String> topics = new ArrayList<>();
    List<Path> flinkClasspath;
    List<Path> brokerClasspath;
    final List<Path> libJars = new ArrayList<>();
    boolean nativeLibrariesInLib = true;

    ProcessClusterBuilder() {}

    /** TaskManager processes to start (default 1). */
    public ProcessClusterBuilder taskManagers(int count) {
        this.taskManagers = count;
        return this;
    }

    /** {@code taskmanager.numberOfTaskSlots} (default 2). */
    public ProcessClusterBuilder slotsPerTaskManager(int slots) {
        this.slots = slots;
        return this;
    }

    /** The REST / web UI port (default: a free one). */
    public ProcessClusterBuilder restPort(int port) {
        this.restPort = port;
        return this;
    }

    /** Where logs, config, checkpoints and the broker's data go (default: a temp dir). */
    public ProcessClusterBuilder workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    /** A Flink setting for {@code config.yaml}, over the cluster's defaults. */
    public ProcessClusterBuilder config(String key, String value) {
        this.config.put(key, value);
        return this;
    }

    /** Topics the broker creates (one partition each). */
    public ProcessClusterBuilder topics(String... names) {
        this.topics.addAll(List.of(names));
        return this;
    }

    /**
     * Jars added to every Flink process's system class path, as if copied into Flink's {@code lib/}
     * (e.g. ONNX Runtime; pair with {@code classloader.parent-first-patterns.additional}).
     */
    public ProcessClusterBuilder libJar(Path jar) {
        this.libJars.add(jar);
        return this;
    }

    /**
     * Whether ONNX Runtime and the DJL tokenizers are in Flink's {@code lib/} (on every Flink
     * process's system class path) and loaded parent-first ({@code
     * classloader.parent-first-patterns.additional: ai.onnxruntime.;ai.djl.}), as a cluster that
     * runs the job must be set up (default true). With false they load from the job jar through the
     * user-code class loader, and a second job (or restart) on the same TaskManager fails with
     * "Native Library ... already loaded in another classloader".
     */
    public ProcessClusterBuilder nativeLibrariesInLib(boolean inLib) {
        this.nativeLibrariesInLib = inLib;
        return this;
    }

    /** Flink's class path (default: {@link FlinkDistribution#classpath()}). */
    public ProcessClusterBuilder flinkClasspath(List<Path> classpath) {
        this.flinkClasspath = List.copyOf(classpath);
        return this;
    }

    public ProcessCluster build() throws IOException {
        if (taskManagers < 1 || taskManagers > 16) {
            throw new IllegalArgumentException("taskManagers must be 1..16, was " + taskManagers);
        }
        if (slots < 1) {
            throw new IllegalArgumentException("slotsPerTaskManager must be >= 1, was " + slots);
        }
        if (flinkClasspath == null) {
            flinkClasspath = FlinkDistribution.classpath();
        }
        if (nativeLibrariesInLib) {
            libJars.addAll(FlinkDistribution.nativeLibraries());
            config.putIfAbsent(PARENT_FIRST_KEY, NATIVE_PARENT_FIRST);
        }
        if (brokerClasspath == null) {
            brokerClasspath = FlinkDistribution.currentClasspath();
        }
        return new ProcessCluster(this);
    }
}
