package dev.glimpse.jobs.demo;

import dev.glimpse.jobs.VisionAnalysisJob;
import dev.glimpse.jobs.cluster.FlinkDistribution;
import dev.glimpse.jobs.cluster.FlinkRestClient;
import dev.glimpse.jobs.cluster.ProcessCluster;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code --cluster processes}: a JobManager, N TaskManagers and the broker as separate JVMs ({@link
 * ProcessCluster}), the shaded job jar submitted over REST. With {@code --kill-taskmanager-every S}
 * a chaos thread kills a random TaskManager with SIGKILL every S seconds and starts a fresh one, as
 * a cluster manager replaces a lost worker.
 */
final class ProcessDemoCluster implements DemoCluster {

    private static final Duration JOB_START_TIMEOUT = Duration.ofMinutes(4);
    private static final Set<String> ENDED = Set.of("FINISHED", "FAILED", "CANCELED", "SUSPENDED");

    private final ProcessCluster cluster;
    private final Duration killEvery;
    private final int taskManagers;
    private final PrintStream out;
    private final ScheduledExecutorService chaos =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "glimpse-demo-chaos");
                        t.setDaemon(true);
                        return t;
                    });
    private final Random random = new Random(2026);
    private String jobId;
    private volatile boolean ended;

    ProcessDemoCluster(
            int taskManagers, Duration killEvery, int webPort, PrintStream out, String... topics)
            throws Exception {
        this.killEvery = killEvery;
        this.taskManagers = taskManagers;
        this.out = out;
        this.cluster =
                ProcessCluster.builder()
                        .taskManagers(taskManagers)
                        // one slot each and the job at parallelism N (startJob): every
                        // TaskManager runs a share of the job, so every kill is felt
                        .slotsPerTaskManager(1)
                        .restPort(webPort)
                        .topics(topics)
                        .build()
                        .start();
    }

    @Override
    public Properties clientProperties() {
        return cluster.kafkaClientProperties();
    }

    @Override
    public Properties clientProperties(String user) {
        throw new UnsupportedOperationException(
                "The process cluster's broker runs PLAINTEXT: no login as " + user);
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public String webUiUrl() {
        return cluster.rest().baseUrl();
    }

    @Override
    public String describe() {
        return "process cluster: JobManager + "
                + cluster.taskManagerPids().size()
                + " TaskManager JVMs (pids "
                + cluster.taskManagerPids()
                + "), Kafka broker process "
                + cluster.bootstrapServers()
                + "; logs in "
                + cluster.workDir().resolve("log");
    }

    @Override
    public String startJob(Map<String, String> settings, Consumer<String> onEnd) throws Exception {
        Map<String, String> withParallelism = new java.util.LinkedHashMap<>(settings);
        withParallelism.put("pipeline.parallelism", Integer.toString(taskManagers));
        List<String> args = new ArrayList<>();
        withParallelism.forEach(
                (k, v) -> {
                    args.add("--set");
                    args.add(k + "=" + v);
                });
        jobId =
                cluster.submit(
                        FlinkDistribution.jobJar(),
                        VisionAnalysisJob.class.getName(),
                        args,
                        0,
                        null);
        cluster.awaitJobRunning(jobId, JOB_START_TIMEOUT);
        chaos.scheduleWithFixedDelay(() -> watch(onEnd), 1, 1, TimeUnit.SECONDS);
        if (!killEvery.isZero()) {
            chaos.scheduleWithFixedDelay(
                    this::killOne,
                    killEvery.toMillis(),
                    killEvery.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return jobId;
    }

    private void watch(Consumer<String> onEnd) {
        try {
            String state = cluster.rest().jobState(jobId);
            if (!ended && ENDED.contains(state)) {
                ended = true;
                onEnd.accept(state);
            }
        } catch (Exception e) {
            // the JobManager is busy; the next poll will tell
        }
    }

    private void killOne() {
        try {
            long pid = cluster.killRandomTaskManager(random);
            long fresh = cluster.startTaskManager();
            out.printf(
                    "Chaos: killed TaskManager pid %d (SIGKILL), started a fresh one (pid %d).%n",
                    pid, fresh);
        } catch (Exception e) {
            out.println("Chaos: " + GlimpseDemo.rootMessage(e));
        }
    }

    /** The TaskManager processes running now (they change when chaos replaces one). */
    java.util.List<Long> taskManagerPids() {
        return cluster.taskManagerPids();
    }

    /** Stops the chaos thread: no kill while the job drains and is audited. */
    void stopChaos() throws InterruptedException {
        chaos.shutdownNow();
        chaos.awaitTermination(30, TimeUnit.SECONDS);
    }

    @Override
    public long restarts() throws Exception {
        return jobId == null ? 0 : cluster.rest().numRestarts(jobId);
    }

    @Override
    public FlinkRestClient.CheckpointCounts checkpoints() throws Exception {
        return jobId == null
                ? new FlinkRestClient.CheckpointCounts(0, 0, 0, "")
                : cluster.rest().checkpointCounts(jobId);
    }

    @Override
    public void cancelJob() throws Exception {
        stopChaos();
        if (jobId == null || ENDED.contains(cluster.rest().jobState(jobId))) {
            return;
        }
        cluster.rest().cancel(jobId);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!ENDED.contains(cluster.rest().jobState(jobId))
                && !cluster.rest().jobState(jobId).equals("CANCELED")
                && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
    }

    @Override
    public void close() throws Exception {
        stopChaos();
        cluster.close();
    }
}
