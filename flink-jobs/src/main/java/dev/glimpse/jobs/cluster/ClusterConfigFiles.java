package dev.glimpse.jobs.cluster;

import dev.glimpse.jobs.local.LoopbackClusterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * The configuration directory of the process cluster ({@code conf/config.yaml} and {@code
 * conf/log4j.properties}) and the JVM options that Flink's start scripts would derive from it
 * ({@code jobmanager.sh} / {@code taskmanager.sh} compute -Xmx, -XX:MaxDirectMemorySize and the
 * memory dynamic properties with the same Flink utilities).
 */
final class ClusterConfigFiles {

    /** The module opens of Flink's default {@code env.java.default-opts.all} (JDK 17). */
    static final List<String> JAVA_MODULE_OPTS =
            Arrays.asList(
                    ("--add-exports=java.base/sun.net.util=ALL-UNNAMED"
                                    + " --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED"
                                    + " --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED"
                                    + " --add-opens=java.base/java.lang=ALL-UNNAMED"
                                    + " --add-opens=java.base/java.net=ALL-UNNAMED"
                                    + " --add-opens=java.base/java.io=ALL-UNNAMED"
                                    + " --add-opens=java.base/java.nio=ALL-UNNAMED"
                                    + " --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
                                    + " --add-opens=java.base/java.lang.reflect=ALL-UNNAMED"
                                    + " --add-opens=java.base/java.text=ALL-UNNAMED"
                                    + " --add-opens=java.base/java.time=ALL-UNNAMED"
                                    + " --add-opens=java.base/java.util=ALL-UNNAMED"
                                    + " --add-opens=java.base/java.util.concurrent=ALL-UNNAMED"
                                    + " --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED"
                                    + " --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED")
                            .split(" "));

    private final Path confDir;
    private final Configuration config;

    private ClusterConfigFiles(Path confDir, Configuration config) {
        this.confDir = confDir;
        this.config = config;
    }

    /**
     * The cluster's settings: loopback addresses, the given ports, small memory sized for the
     * bundled model, a fixed-delay restart strategy and short heartbeats (a killed TaskManager is
     * noticed within seconds), file checkpoints and savepoints under {@code workDir}; then {@code
     * overrides}.
     */
    static ClusterConfigFiles write(
            Path workDir, int restPort, int rpcPort, int slots, Map<String, String> overrides)
            throws IOException {
        Map<String, String> c = new TreeMap<>();
        Configuration loopback = LoopbackClusterConfig.create(restPort);
        c.putAll(loopback.toMap());
        c.put("rest.port", Integer.toString(restPort));
        c.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(slots));
        c.put("parallelism.default", "1");
        // JobManager: runs the job's main() (graph building) and coordinates checkpoints
        c.put("jobmanager.memory.heap.size", "384m");
        c.put("jobmanager.memory.off-heap.size", "64m");
        c.put("jobmanager.memory.jvm-metaspace.size", "160m");
        c.put("jobmanager.memory.jvm-overhead.min", "64m");
        // TaskManager: a 22 MB model; ONNX Runtime's own memory is native, outside these limits,
        // its tensors' direct buffers are task off-heap; metaspace for a few user-code loaders
        c.put("taskmanager.memory.framework.heap.size", "96m");
        c.put("taskmanager.memory.task.heap.size", "384m");
        c.put("taskmanager.memory.managed.size", "16m");
        c.put("taskmanager.memory.network.min", "32m");
        c.put("taskmanager.memory.network.max", "32m");
        c.put("taskmanager.memory.framework.off-heap.size", "64m");
        c.put("taskmanager.memory.task.off-heap.size", "256m");
        c.put("taskmanager.memory.jvm-metaspace.size", "192m");
        c.put("taskmanager.memory.jvm-overhead.min", "64m");
        c.put("taskmanager.memory.jvm-overhead.max", "192m");
        // recover within seconds on a slow shared machine
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", Integer.toString(Integer.MAX_VALUE));
        c.put("restart-strategy.fixed-delay.delay", "2 s");
        c.put("heartbeat.interval", "2000");
        c.put("heartbeat.timeout", "20000");
        // REST answers (job details, exception history, metrics) at most 1 s old
        c.put("web.refresh-interval", "1000");
        c.put("metrics.fetcher.update-interval", "1000");
        // restarts are counted in the exception history (FlinkRestClient#numRestarts): keep enough
        // entries for a chaos demo killing a TaskManager every few seconds (16 by default)
        c.put("web.exception-history-size", "256");
        c.put("execution.checkpointing.dir", workDir.resolve("checkpoints").toUri().toString());
        c.put(
                "execution.checkpointing.savepoint-dir",
                workDir.resolve("savepoints").toUri().toString());
        c.put("web.upload.dir", workDir.resolve("uploads").toString());
        c.put("web.tmpdir", workDir.resolve("web-tmp").toString());
        c.put("io.tmp.dirs", workDir.resolve("tmp").toString());
        c.put("blob.storage.directory", workDir.resolve("blobs").toString());
        // the job jar bundles ONNX Runtime for four platforms: larger than the 100 MB default
        c.put("rest.server.max-content-length", Integer.toString(1 << 30));
        c.put("rest.client.max-content-length", Integer.toString(1 << 30));
        // what the Helm chart passes too: Avro 1.12 instantiates only trusted record classes
        c.put(
                "env.java.opts.all",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.glimpse.schemas,java.lang,java.util,java.math");
        c.putAll(overrides);

        Path conf = Files.createDirectories(workDir.resolve("conf"));
        Files.createDirectories(workDir.resolve("tmp"));
        StringBuilder yaml = new StringBuilder("# written by ProcessCluster\n");
        for (Map.Entry<String, String> e : c.entrySet()) {
            yaml.append(e.getKey())
                    .append(": '")
                    .append(e.getValue().replace("'", "''"))
                    .append("'\n");
        }
        Files.writeString(conf.resolve("config.yaml"), yaml);
        Files.writeString(conf.resolve("log4j.properties"), LOG4J);
        return new ClusterConfigFiles(conf, Configuration.fromMap(c));
    }

    /** The broker process's log4j2 configuration (WARN and up, to its standard output). */
    static Path writeBrokerLogConfig(Path workDir) throws IOException {
        Path file =
                Files.createDirectories(workDir.resolve("conf"))
                        .resolve("broker-log4j2.properties");
        Files.writeString(
                file,
                "rootLogger.level = WARN\n"
                        + "rootLogger.appenderRef.out.ref = Out\n"
                        + "appender.out.name = Out\n"
                        + "appender.out.type = Console\n"
                        + "appender.out.layout.type = PatternLayout\n"
                        + "appender.out.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c - %m%n\n");
        return file;
    }

    Path confDir() {
        return confDir;
    }

    String get(String key) {
        return config.toMap().get(key);
    }

    /** JVM options of the JobManager, as {@code jobmanager.sh} derives them. */
    List<String> jobManagerJvmOptions(Path logFile) {
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(config);
        return jvmOptions(JobManagerProcessUtils.generateJvmParametersStr(spec, config), logFile);
    }

    /** Arguments of StandaloneSessionClusterEntrypoint. */
    List<String> jobManagerArgs() {
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(config);
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(split(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
        return args;
    }

    /** JVM options of a TaskManager, as {@code taskmanager.sh} derives them. */
    List<String> taskManagerJvmOptions(Path logFile) {
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(config);
        return jvmOptions(ProcessMemoryUtils.generateJvmParametersStr(spec), logFile);
    }

    /** Arguments of TaskManagerRunner: the config dir, its resource id and the memory sizes. */
    List<String> taskManagerArgs(String resourceId) {
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(config);
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.add("-Dtaskmanager.resource-id=" + resourceId);
        args.addAll(split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
        return args;
    }

    private List<String> jvmOptions(String memory, Path logFile) {
        List<String> opts = new ArrayList<>(split(memory));
        opts.addAll(JAVA_MODULE_OPTS);
        // the start scripts append env.java.opts.all to every Flink JVM's command line
        String extra = config.toMap().get("env.java.opts.all");
        if (extra != null) {
            opts.addAll(split(extra));
        }
        opts.add("-Djava.awt.headless=true");
        opts.add("-Dlog.file=" + logFile);
        opts.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        opts.add("-Dlog4j2.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        return opts;
    }

    private static List<String> split(String s) {
        List<String> parts = new ArrayList<>();
        for (String p : s.trim().split("\\s+")) {
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        // "-D key=value" pairs as one token each
        List<String> merged = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i).equals("-D") && i + 1 < parts.size()) {
                merged.add("-D" + parts.get(++i));
            } else {
                merged.add(parts.get(i));
            }
        }
        return merged;
    }

    private static final String LOG4J =
            String.join(
                    "\n",
                    "# Flink's log4j.properties, shortened: INFO to ${sys:log.file}",
                    "rootLogger.level = INFO",
                    "rootLogger.appenderRef.file.ref = MainAppender",
                    "logger.kafka.name = org.apache.kafka",
                    "logger.kafka.level = WARN",
                    "logger.kafkaserver.name = kafka",
                    "logger.kafkaserver.level = WARN",
                    "logger.pekko.name = org.apache.pekko",
                    "logger.pekko.level = WARN",
                    "appender.main.name = MainAppender",
                    "appender.main.type = File",
                    "appender.main.append = true",
                    "appender.main.fileName = ${sys:log.file}",
                    "appender.main.layout.type = PatternLayout",
                    "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                    "");
}
