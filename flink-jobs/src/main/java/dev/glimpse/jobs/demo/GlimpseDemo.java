package dev.glimpse.jobs.demo;

import dev.glimpse.jobs.cluster.FlinkRestClient;
import dev.glimpse.jobs.kafka.DeliveryAudit;
import dev.glimpse.jobs.kafka.ImageEventProducer;
import dev.glimpse.jobs.kafka.OutputTopicsReader;
import dev.glimpse.jobs.local.LocalFiles;
import dev.glimpse.schemas.AnalysisTask;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The one-command local demo: an embedded Kafka broker, the Glimpse job on a local Flink cluster
 * with its web UI, synthetic cameras / text pages / moderation images, and a live console of the
 * committed results and dead letters; with {@code --cluster processes} the broker, a JobManager and
 * TaskManagers run as separate JVMs ({@link ProcessDemoCluster}), optionally with TaskManager
 * kills.
 *
 * <pre>
 * mvn -q -pl flink-jobs -am -DskipTests package exec:java [-Dexec.args="--duration 60"]
 * </pre>
 *
 * Stops after {@code --duration} seconds of streaming, or on Ctrl-C: producers first, then (the job
 * still running) a bounded wait until every sent event is accounted for and the audit line, then
 * the job (cancelled), the console's consumer and the cluster. {@link #run(DemoOptions,
 * PrintStream)} is the same demo for tests.
 */
public final class GlimpseDemo {

    public static final String IMAGES_TOPIC = "glimpse.images";
    public static final String RESULTS_TOPIC = "glimpse.results";
    public static final String DLQ_TOPIC = "glimpse.dlq";

    private static final long SEED = 2026;

    /** What the demo did. */
    public record Summary(
            String webUiUrl,
            Map<AnalysisTask, Long> sent,
            long broken,
            Map<AnalysisTask, Long> results,
            long deadLetters,
            DeliveryAudit.Report audit) {}

    private final DemoOptions options;
    private final PrintStream out;
    private final DemoKafkaSecurity kafkaSecurity;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String stopReason;
    private DemoCluster cluster;
    private DemoAudit audit;
    private DeliveryAudit.Report report;
    private LiveConsole console;
    private SyntheticProducers producers;
    private String webUiUrl;
    private Path checkpointDir;
    private DemoMetrics metrics;
    private FlinkRestClient.CheckpointCounts checkpointsAtStart;

    GlimpseDemo(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.kafkaSecurity = new DemoKafkaSecurity(options.secure());
    }

    /**
     * {@code --duration SECONDS --rate N --web-port P --model-dir DIR --cluster in-jvm|processes
     * --taskmanagers N --kill-taskmanager-every SECONDS --secure} and the load flags of {@link
     * LoadOptions} ({@link DemoOptions#USAGE}); Ctrl-C stops it.
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(DemoOptions.USAGE);
            return;
        }
        GlimpseDemo demo = new GlimpseDemo(DemoOptions.parse(args), System.out);
        Thread hook =
                new Thread(
                        () -> {
                            demo.requestStop("Ctrl-C");
                            demo.awaitStopped(Duration.ofSeconds(90));
                        },
                        "glimpse-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            demo.run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down (Ctrl-C): the hook is running
            }
        }
    }

    /**
     * Runs the demo until {@code options.duration()} of streaming has passed (or forever when it is
     * zero), printing to {@code out}; everything it started is stopped when it returns.
     */
    public static Summary run(DemoOptions options, PrintStream out) throws Exception {
        return new GlimpseDemo(options, out).run();
    }

    Summary run() throws Exception {
        try {
            start();
            if (options.bounded()) {
                out.printf(
                        Locale.ROOT,
                        "Streaming for %d s (Ctrl-C stops earlier).%n",
                        options.duration().toSeconds());
                if (!stopRequested.await(options.duration().toMillis(), TimeUnit.MILLISECONDS)) {
                    requestStop("--duration " + options.duration().toSeconds() + " s reached");
                }
            } else {
                out.println("Streaming until Ctrl-C.");
                stopRequested.await();
            }
            out.println("Stopping (" + stopReason + ") ...");
        } finally {
            shutdown();
            stopped.countDown();
        }
        return summarize();
    }

    /** Makes {@link #run()} stop; thread-safe. */
    synchronized void requestStop(String reason) {
        if (stopRequested.getCount() > 0) {
            stopReason = reason;
            stopRequested.countDown();
        }
    }

    boolean awaitStopped(Duration timeout) {
        try {
            return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void start() throws Exception {
        out.println("Glimpse demo: model " + options.modelDir());
        int port = WebPort.choose(options.webPort());
        if (options.webPort() > 0 && port != options.webPort()) {
            out.printf("Port %d is taken; the web UI uses port %d.%n", options.webPort(), port);
        }
        String[] topics = {IMAGES_TOPIC, RESULTS_TOPIC, DLQ_TOPIC};
        if (options.processes()) {
            out.printf(
                    "Starting a process cluster: JobManager, %d TaskManagers, Kafka broker ...%n",
                    options.taskManagers());
            cluster =
                    new ProcessDemoCluster(
                            options.taskManagers(),
                            options.killTaskManagerEvery(),
                            port,
                            out,
                            topics);
        } else {
            cluster = new InJvmDemoCluster(kafkaSecurity.newBroker(), port, topics);
        }
        out.println("Cluster: " + cluster.describe());
        out.printf(
                "Kafka broker: %s (topics %s, %s, %s)%n",
                cluster.bootstrapServers(), IMAGES_TOPIC, RESULTS_TOPIC, DLQ_TOPIC);
        out.println("Kafka clients: " + kafkaSecurity.describe());

        checkpointDir = Files.createTempDirectory("glimpse-demo-checkpoints");
        long t0 = System.nanoTime();
        webUiUrl = cluster.webUiUrl();
        Map<String, String> settings = jobSettings();
        if (options.metrics() != null) {
            metrics = new DemoMetrics(options.metrics(), options.processes());
            settings = metrics.withEngineEndpoint(settings);
        }
        String jobId =
                cluster.startJob(
                        kafkaSecurity.withJobLogin(cluster, settings),
                        reason -> {
                            if (stopRequested.getCount() > 0) {
                                out.println("The job ended by itself: " + reason);
                                requestStop("job ended");
                            }
                        });
        out.println("Flink web UI: " + webUiUrl + " (job " + jobId + ")");
        out.printf(
                Locale.ROOT,
                "Job running: all tasks open, model loaded (%.1f s).%n",
                (System.nanoTime() - t0) / 1e9);
        if (!options.killTaskManagerEvery().isZero()) {
            out.printf(
                    "Chaos: a random TaskManager is killed (SIGKILL) every %d s.%n",
                    options.killTaskManagerEvery().toSeconds());
        }

        audit = new DemoAudit().start(kafkaSecurity.reader(cluster), RESULTS_TOPIC, DLQ_TOPIC);
        console =
                new LiveConsole(
                        new OutputTopicsReader(
                                kafkaSecurity.reader(cluster), RESULTS_TOPIC, DLQ_TOPIC, true),
                        out);
        console.start();
        if (metrics != null) {
            metrics.start(cluster, jobId, kafkaSecurity.reader(cluster), out);
        }
        producers =
                new SyntheticProducers(
                        new ImageEventProducer(kafkaSecurity.producer(cluster), IMAGES_TOPIC),
                        options.rate(),
                        options.load(),
                        SEED,
                        audit.delivery(),
                        audit.tasks(),
                        out::println);
        checkpointsAtStart = cluster.checkpoints();
        producers.start();
        LoadOptions load = options.load();
        out.printf(
                Locale.ROOT,
                "Producing %.1f images/s: cameras camera-1..%d (CAPTION, near-duplicate frames),"
                        + " %s (OCR%s), %s (MODERATION)%s. Results appear as checkpoints commit"
                        + " them (every 2 s).%n",
                options.rate(),
                load.cameras(),
                SyntheticProducers.SCANNER,
                load.largePages() ? ", full-page scans" : "",
                SyntheticProducers.UPLOADS,
                load.mix().equals(LoadOptions.DEFAULT_MIX) ? "" : "; mix " + load.describeMix());
        if (load.burst() > 0) {
            out.printf("Burst: %d events at once, then the steady rate.%n", load.burst());
        }
        if (!load.ramp().isZero()) {
            out.printf(
                    Locale.ROOT,
                    "Ramp: the rate rises from 0 to %.1f images/s over %d s.%n",
                    options.rate(),
                    load.ramp().toSeconds());
        }
    }

    private Map<String, String> jobSettings() {
        Map<String, String> settings = new java.util.HashMap<>(baseJobSettings());
        settings.putAll(options.load().extraJobSettings());
        return settings;
    }

    private Map<String, String> baseJobSettings() {
        return Map.of(
                "kafka.bootstrapServers",
                cluster.bootstrapServers(),
                "kafka.topics.images",
                IMAGES_TOPIC,
                "kafka.topics.results",
                RESULTS_TOPIC,
                "kafka.topics.dlq",
                DLQ_TOPIC,
                "kafka.groupId",
                DemoKafkaSecurity.GROUP_ID,
                "kafka.transactionalIdPrefix",
                kafkaSecurity.transactionalIdPrefix(),
                "model.dir",
                options.modelDir().toString(),
                "pipeline.checkpointInterval",
                "2 s",
                "pipeline.checkpointDir",
                checkpointDir.toUri().toString());
    }

    /**
     * Producers, (drain and audit), job, console, cluster: each stopped even if an earlier one
     * fails.
     */
    private void shutdown() {
        if (metrics != null) {
            quietly("metrics", metrics::close); // before the drain: only steady-state samples
        }
        if (producers != null) {
            quietly("producers", producers::close);
        }
        if (cluster instanceof ProcessDemoCluster processes) {
            quietly("chaos", processes::stopChaos);
        }
        if (audit != null && jobStillRunning()) {
            quietly("audit", this::drainAndAudit);
        }
        if (cluster != null) {
            quietly("job", cluster::cancelJob);
        }
        if (console != null) {
            quietly("console", console::close);
        }
        if (audit != null) {
            quietly("audit reader", audit::close);
        }
        if (cluster != null) {
            quietly("cluster", cluster::close);
        }
        if (checkpointDir != null) {
            quietly("checkpoint directory", () -> LocalFiles.deleteRecursively(checkpointDir));
        }
        out.println("Stopped: producers closed, job cancelled, consumer closed, cluster closed.");
    }

    private boolean jobStillRunning() {
        return !"job ended".equals(stopReason);
    }

    /** Waits (bounded) until every sent event is accounted for, then prints the audit lines. */
    private void drainAndAudit() throws Exception {
        report = audit.drainAndPrint(options.load().drainTimeout(), cluster.restarts(), out);
        out.println(DemoAudit.checkpointLine(cluster.checkpoints().since(checkpointsAtStart)));
    }

    private Summary summarize() {
        Map<AnalysisTask, Long> sent = new java.util.EnumMap<>(AnalysisTask.class);
        Map<AnalysisTask, Long> results = new java.util.EnumMap<>(AnalysisTask.class);
        for (AnalysisTask t : AnalysisTask.values()) {
            sent.put(t, producers == null ? 0 : producers.sent(t));
            results.put(t, console == null ? 0 : console.results(t));
        }
        long dead = console == null ? 0 : console.deadLetters();
        long broken = producers == null ? 0 : producers.broken();
        out.printf(
                "Sent %d camera frames, %d text pages, %d moderation images (%d broken on"
                        + " purpose).%n",
                sent.get(AnalysisTask.CAPTION),
                sent.get(AnalysisTask.OCR),
                sent.get(AnalysisTask.MODERATION),
                broken);
        out.printf(
                "Committed %d captions (FrameGate skips near-duplicate frames), %d OCR texts, %d"
                        + " moderation verdicts, %d dead letters.%n",
                results.get(AnalysisTask.CAPTION),
                results.get(AnalysisTask.OCR),
                results.get(AnalysisTask.MODERATION),
                dead);
        return new Summary(webUiUrl, sent, broken, results, dead, report);
    }

    private void quietly(String what, ThrowingRunnable action) {
        try {
            action.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("Interrupted while stopping the " + what);
        } catch (Exception e) {
            out.println("Error while stopping the " + what + ": " + rootMessage(e));
        }
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
