package dev.glimpse.jobs.cluster;

import dev.glimpse.jobs.local.LocalFiles;
import dev.glimpse.jobs.local.LoopbackClusterConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local Flink session cluster of separate processes, built from Maven artifacts the way a binary
 * distribution runs: a JobManager ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers
 * ({@code TaskManagerRunner}), each its own JVM with only Flink's distribution on its system class
 * path and a {@code conf/config.yaml}, plus a single-node Kafka broker in its own JVM. Jobs are
 * submitted as jar + entry class over the REST API ({@link #submit}), so their classes load through
 * Flink's user-code class loader.
 *
 * <p>Chaos: {@link #killTaskManager} sends SIGKILL; {@link #startTaskManager} adds a fresh one (as
 * a cluster manager replaces a lost worker); {@link #restartBroker} stops the broker process and
 * starts a new one on the same ports and log directory. {@link #checkAlive} reports a process that
 * died without being told to.
 *
 * <p>A work directory the builder did not name is temporary and deleted on close (set system
 * property {@value #KEEP_PROPERTY} to keep its logs). Thread-safe (a chaos thread may kill and
 * start TaskManagers while the owner submits jobs). {@link #close()} stops every process it
 * started.
 */
public final class ProcessCluster implements AutoCloseable {

    private static final String JOB_MANAGER_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_MAIN =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String BROKER_MAIN = "dev.glimpse.jobs.kafka.BrokerProcess";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    /** System property: keep a temporary work directory (logs) after close. */
    public static final String KEEP_PROPERTY = "glimpse.processCluster.keepWorkDir";

    private static final Pattern BOOTSTRAP = Pattern.compile("BOOTSTRAP=(\\S+)");

    private final ProcessClusterBuilder settings;
    private final Path workDir;
    private final Path logDir;

    /** A temporary work directory is deleted on close (it holds ~1 GB: jar blobs, Kafka logs). */
    private final boolean ownsWorkDir;

    private final List<JvmProcess> taskManagers = new ArrayList<>();
    private final Map<Path, String> uploadedJars = new HashMap<>();
    private ClusterConfigFiles config;
    private JvmProcess jobManager;
    private JvmProcess broker;
    private FlinkRestClient rest;
    private String bootstrapServers;
    private int brokerPort;
    private int controllerPort;
    private final Thread killOnExit = new Thread(this::killAll, "process-cluster-exit");
    private int taskManagersStarted;
    private int brokerStarts;

    ProcessCluster(ProcessClusterBuilder settings) throws IOException {
        this.settings = settings;
        this.ownsWorkDir = settings.workDir == null && !Boolean.getBoolean(KEEP_PROPERTY);
        this.workDir =
                settings.workDir != null
                        ? Files.createDirectories(settings.workDir)
                        : Files.createTempDirectory("glimpse-process-cluster-");
        this.logDir = Files.createDirectories(workDir.resolve("log"));
    }

    public static ProcessClusterBuilder builder() {
        return new ProcessClusterBuilder();
    }

    /** Starts the broker, the JobManager and the TaskManagers; returns once all answer. */
    public ProcessCluster start() throws IOException, InterruptedException {
        // children outlive a JVM that exits without close() (a killed test run): kill them then
        Runtime.getRuntime().addShutdownHook(killOnExit);
        try {
            brokerPort = freePort();
            controllerPort = freePort();
            startBroker();
            int restPort = settings.restPort > 0 ? settings.restPort : freePort();
            config =
                    ClusterConfigFiles.write(
                            workDir, restPort, freePort(), settings.slots, settings.config);
            List<Path> flinkClasspath = new ArrayList<>(settings.flinkClasspath);
            flinkClasspath.addAll(settings.libJars);
            jobManager =
                    JvmProcess.start(
                            "jobmanager",
                            flinkClasspath,
                            config.jobManagerJvmOptions(logDir.resolve("jobmanager.log")),
                            JOB_MANAGER_MAIN,
                            config.jobManagerArgs(),
                            logDir);
            rest =
                    new FlinkRestClient(
                            "http://" + LoopbackClusterConfig.LOOPBACK + ":" + restPort + "/");
            for (int i = 0; i < settings.taskManagers; i++) {
                startTaskManager();
            }
            awaitTaskManagers(settings.taskManagers, START_TIMEOUT);
            return this;
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The broker's {@code host:port}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Client properties that reach the broker. */
    public Properties kafkaClientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        return p;
    }

    /** The REST client of the JobManager (its base URL is the web UI). */
    public FlinkRestClient rest() {
        return rest;
    }

    /** Logs, configuration, checkpoints and savepoints live here. */
    public Path workDir() {
        return workDir;
    }

    /**
     * Uploads {@code jar} (once per cluster) and runs {@code entryClass} with {@code args}, like
     * {@code flink run [-p parallelism] [-s savepoint] -c entryClass jar args}; returns the job id.
     */
    public String submit(
            Path jar, String entryClass, List<String> args, int parallelism, String savepoint)
            throws IOException, InterruptedException {
        String jarId = uploadedJars.get(jar);
        if (jarId == null) {
            jarId = rest.uploadJar(jar);
            uploadedJars.put(jar, jarId);
        }
        return rest.runJar(jarId, entryClass, args, parallelism, savepoint);
    }

    /** Waits until every task of {@code jobId} runs; fails early if a process died. */
    public void awaitJobRunning(String jobId, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!rest.allTasksRunning(jobId)) {
            checkAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Job " + jobId + " not running after " + timeout + ": " + rest.job(jobId));
            }
            Thread.sleep(250);
        }
    }

    /** Waits until {@code count} TaskManagers are registered with the JobManager. */
    public void awaitTaskManagers(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            checkAlive();
            try {
                if (rest.taskManagerCount() >= count) {
                    return;
                }
            } catch (IOException e) {
                // the REST endpoint is not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        count + " TaskManagers not registered after " + timeout);
            }
            Thread.sleep(250);
        }
    }

    /** Starts one more TaskManager process, {@code tm-<n>}; returns its pid. */
    public synchronized long startTaskManager() throws IOException {
        String id = "tm-" + (++taskManagersStarted);
        List<Path> classpath = new ArrayList<>(settings.flinkClasspath);
        classpath.addAll(settings.libJars);
        JvmProcess tm =
                JvmProcess.start(
                        id,
                        classpath,
                        config.taskManagerJvmOptions(logDir.resolve(id + ".log")),
                        TASK_MANAGER_MAIN,
                        config.taskManagerArgs(id),
                        logDir);
        taskManagers.add(tm);
        return tm.pid();
    }

    /** Pids of the TaskManager processes this cluster runs, oldest first. */
    public synchronized List<Long> taskManagerPids() {
        return taskManagers.stream().map(JvmProcess::pid).toList();
    }

    /**
     * SIGKILL to the {@code index}-th TaskManager (see {@link #taskManagerPids}); returns its pid.
     */
    public synchronized long killTaskManager(int index) throws InterruptedException {
        JvmProcess tm = taskManagers.remove(index);
        tm.kill();
        return tm.pid();
    }

    /** SIGKILL to the TaskManager with {@code resourceId} ({@code tm-<n>}); returns its pid. */
    public synchronized long killTaskManager(String resourceId) throws InterruptedException {
        for (int i = 0; i < taskManagers.size(); i++) {
            if (taskManagers.get(i).name().equals(resourceId)) {
                return killTaskManager(i);
            }
        }
        throw new IllegalArgumentException("No running TaskManager " + resourceId);
    }

    /** Resource ids ({@code tm-<n>}) of the running TaskManagers, oldest first. */
    public synchronized List<String> taskManagerIds() {
        return taskManagers.stream().map(JvmProcess::name).toList();
    }

    /** SIGKILL to a TaskManager chosen by {@code random}; returns its pid. */
    public synchronized long killRandomTaskManager(Random random) throws InterruptedException {
        if (taskManagers.isEmpty()) {
            throw new IllegalStateException("No TaskManager to kill");
        }
        return killTaskManager(random.nextInt(taskManagers.size()));
    }

    /**
     * Stops the broker process ({@code kill} = SIGKILL, else SIGTERM) and starts a new one on the
     * same ports and log directory; returns once it answers.
     */
    public void restartBroker(boolean kill) throws IOException, InterruptedException {
        if (kill) {
            broker.kill();
        } else {
            broker.stop();
        }
        startBroker();
    }

    /** Throws naming the process that exited while it should run, with its last output. */
    public synchronized void checkAlive() {
        List<JvmProcess> all = new ArrayList<>(taskManagers);
        all.add(jobManager);
        all.add(broker);
        for (JvmProcess p : all) {
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException(
                        p.name()
                                + " (pid "
                                + p.pid()
                                + ") exited with "
                                + p.exitCode()
                                + "; its output ends with:\n"
                                + p.outputTail(3000));
            }
        }
    }

    /** Stops the TaskManagers, the JobManager and the broker (SIGTERM, then SIGKILL). */
    @Override
    public synchronized void close() throws InterruptedException {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // the JVM is exiting (the hook runs) or start() never registered it
        }
        for (JvmProcess tm : taskManagers) {
            tm.stop();
        }
        taskManagers.clear();
        if (jobManager != null) {
            jobManager.stop();
            jobManager = null;
        }
        if (broker != null) {
            broker.stop();
            broker = null;
        }
        if (ownsWorkDir) {
            try {
                LocalFiles.deleteRecursively(workDir);
            } catch (java.io.UncheckedIOException e) {
                // a file still held open; the temp directory stays behind
            }
        }
    }

    private void killAll() {
        List<JvmProcess> all = new ArrayList<>(taskManagers);
        all.add(jobManager);
        all.add(broker);
        for (JvmProcess p : all) {
            if (p != null) {
                p.destroyNow();
            }
        }
    }

    private void startBroker() throws IOException, InterruptedException {
        String name = "kafka-" + (++brokerStarts);
        List<String> args = new ArrayList<>();
        args.addAll(
                List.of(
                        "--log-dir",
                        workDir.resolve("kafka-logs").toString(),
                        "--port",
                        Integer.toString(brokerPort),
                        "--controller-port",
                        Integer.toString(controllerPort)));
        args.addAll(settings.topics);
        Path conf = ClusterConfigFiles.writeBrokerLogConfig(workDir);
        broker =
                JvmProcess.start(
                        name,
                        settings.brokerClasspath,
                        List.of("-Xmx512m", "-Dlog4j2.configurationFile=" + conf.toUri()),
                        BROKER_MAIN,
                        args,
                        logDir);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            Matcher m = BOOTSTRAP.matcher(broker.outputTail(1 << 20));
            if (m.find()) {
                bootstrapServers = m.group(1);
                return;
            }
            if (!broker.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "The broker process printed no BOOTSTRAP= line (alive="
                                + broker.isAlive()
                                + "):\n"
                                + broker.outputTail(3000));
            }
            Thread.sleep(100);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s =
                new ServerSocket(0, 1, InetAddress.getByName(LoopbackClusterConfig.LOOPBACK))) {
            return s.getLocalPort();
        }
    }
}
