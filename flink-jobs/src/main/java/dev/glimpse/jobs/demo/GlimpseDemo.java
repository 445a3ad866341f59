package dev.glimpse.jobs.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glimpse.jobs.VisionAnalysisJob;
import dev.glimpse.jobs.config.ConfigSource;
import dev.glimpse.jobs.config.GlimpseJobConfig;
import dev.glimpse.jobs.kafka.EmbeddedKafkaBroker;
import dev.glimpse.jobs.kafka.ImageEventProducer;
import dev.glimpse.jobs.kafka.OutputTopicsReader;
import dev.glimpse.jobs.local.LocalFiles;
import dev.glimpse.jobs.local.LoopbackClusterConfig;
import dev.glimpse.schemas.AnalysisTask;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The one-command local demo: an embedded Kafka broker, the Glimpse job on a local Flink cluster
 * with its web UI, synthetic cameras / text pages / moderation images, and a live console of the
 * committed results and dead letters.
 *
 * <pre>
 * mvn -q -pl flink-jobs -am -DskipTests package exec:java [-Dexec.args="--duration 60"]
 * </pre>
 *
 * Stops after {@code --duration} seconds of streaming, or on Ctrl-C: producers first, then the job
 * (cancelled), the console's consumer and the broker. {@link #run(DemoOptions, PrintStream)} is the
 * same demo for tests.
 */
public final class GlimpseDemo {

    public static final String IMAGES_TOPIC = "glimpse.images";
    public static final String RESULTS_TOPIC = "glimpse.results";
    public static final String DLQ_TOPIC = "glimpse.dlq";

    private static final Duration JOB_START_TIMEOUT = Duration.ofMinutes(3);
    private static final long SEED = 2026;

    /** What the demo did. */
    public record Summary(
            String webUiUrl,
            Map<AnalysisTask, Long> sent,
            long broken,
            Map<AnalysisTask, Long> results,
            long deadLetters) {}

    private final DemoOptions options;
    private final PrintStream out;
    private final DemoKafkaSecurity kafkaSecurity;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String stopReason;
    private EmbeddedKafkaBroker broker;
    private JobClient job;
    private LiveConsole console;
    private SyntheticProducers producers;
    private String webUiUrl;
    private Path userClasspath;
    private Path checkpointDir;

    GlimpseDemo(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.kafkaSecurity = new DemoKafkaSecurity(options.secure());
    }

    /** {@code --duration SECONDS --rate N --web-port P --model-dir DIR}; Ctrl-C stops it. */
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
        broker = kafkaSecurity.newBroker().start();
        for (String topic : new String[] {IMAGES_TOPIC, RESULTS_TOPIC, DLQ_TOPIC}) {
            broker.createTopic(topic, 1);
        }
        out.printf(
                "Kafka broker: %s (topics %s, %s, %s)%n",
                broker.bootstrapServers(), IMAGES_TOPIC, RESULTS_TOPIC, DLQ_TOPIC);
        out.println("Kafka clients: " + kafkaSecurity.describe());

        checkpointDir = Files.createTempDirectory("glimpse-demo-checkpoints");
        GlimpseJobConfig config =
                GlimpseJobConfig.from(
                        ConfigSource.of(kafkaSecurity.withJobLogin(broker, jobSettings())));
        int port = WebPort.choose(options.webPort());
        if (options.webPort() > 0 && port != options.webPort()) {
            out.printf("Port %d is taken; the web UI uses port %d.%n", options.webPort(), port);
        }
        Configuration conf = LoopbackClusterConfig.create(port);
        conf.set(RestOptions.PORT, port);
        // A job without jars or classpaths gets the JVM's system class loader as its user-code
        // class loader, which under `mvn exec:java` does not see Flink (the plugin's class loader
        // does): an empty classpath entry makes Flink build a user-code class loader whose parent
        // is the one that loaded Flink, so the demo runs the same in Maven and in tests.
        userClasspath = Files.createTempDirectory("glimpse-demo-classpath");
        conf.set(PipelineOptions.CLASSPATHS, List.of(userClasspath.toUri().toURL().toString()));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        new VisionAnalysisJob(config).buildOnKafka(env);
        job = env.executeAsync("glimpse-demo");
        webUiUrl = "http://" + LoopbackClusterConfig.LOOPBACK + ":" + port + "/";
        out.println("Flink web UI: " + webUiUrl + " (job " + job.getJobID() + ")");
        job.getJobExecutionResult()
                .whenComplete(
                        (result, error) -> {
                            if (stopRequested.getCount() > 0) {
                                out.println(
                                        "The job ended by itself: "
                                                + (error == null
                                                        ? "finished"
                                                        : rootMessage(error)));
                                requestStop("job ended");
                            }
                        });
        awaitTasksRunning();

        console =
                new LiveConsole(
                        new OutputTopicsReader(
                                kafkaSecurity.reader(broker), RESULTS_TOPIC, DLQ_TOPIC, true),
                        out);
        console.start();
        producers =
                new SyntheticProducers(
                        new ImageEventProducer(kafkaSecurity.producer(broker), IMAGES_TOPIC),
                        options.rate(),
                        SEED,
                        out::println);
        producers.start();
        out.printf(
                Locale.ROOT,
                "Producing %.1f images/s: cameras camera-1..3 (CAPTION, near-duplicate frames),"
                        + " %s (OCR), %s (MODERATION). Results appear as checkpoints commit"
                        + " them (every 2 s).%n",
                options.rate(),
                SyntheticProducers.SCANNER,
                SyntheticProducers.UPLOADS);
    }

    private Map<String, String> jobSettings() {
        return Map.of(
                "kafka.bootstrapServers",
                broker.bootstrapServers(),
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
     * Waits until every task of the job is RUNNING, which Flink reports once the operators are open
     * (the model loaded), so that the first images are not queued behind the start.
     */
    private void awaitTasksRunning() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(webUiUrl + "jobs/" + job.getJobID()))
                        .timeout(Duration.ofSeconds(10))
                        .build();
        ObjectMapper json = new ObjectMapper();
        long t0 = System.nanoTime();
        long deadline = t0 + JOB_START_TIMEOUT.toNanos();
        while (true) {
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && allRunning(json.readTree(r.body()))) {
                    out.printf(
                            Locale.ROOT,
                            "Job running: all tasks open, model loaded (%.1f s).%n",
                            (System.nanoTime() - t0) / 1e9);
                    return;
                }
            } catch (IOException e) {
                // the REST endpoint is not answering yet
            }
            if (job.getJobExecutionResult().isDone() || stopRequested.getCount() == 0) {
                throw new IllegalStateException("The job did not start: " + failure());
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(
                        "The job's tasks are not running after " + JOB_START_TIMEOUT);
            }
            Thread.sleep(250);
        }
    }

    private static boolean allRunning(JsonNode jobDetails) {
        JsonNode vertices = jobDetails.path("vertices");
        if (vertices.isEmpty()) {
            return false;
        }
        for (JsonNode v : vertices) {
            if (!"RUNNING".equals(v.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    private String failure() {
        try {
            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
            return "no error";
        } catch (Exception e) {
            return rootMessage(e);
        }
    }

    /** Producers, job, console, broker: each stopped even if an earlier one fails. */
    private void shutdown() {
        if (producers != null) {
            quietly("producers", producers::close);
        }
        if (job != null) {
            quietly("job", this::cancelJob);
        }
        if (console != null) {
            quietly("console", console::close);
        }
        if (broker != null) {
            quietly("broker", broker::close);
        }
        if (userClasspath != null) {
            quietly("class path directory", () -> Files.deleteIfExists(userClasspath));
        }
        if (checkpointDir != null) {
            quietly("checkpoint directory", () -> LocalFiles.deleteRecursively(checkpointDir));
        }
        out.println("Stopped: producers closed, job cancelled, consumer closed, broker closed.");
    }

    private void cancelJob() throws Exception {
        if (!job.getJobExecutionResult().isDone()) {
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // it ended between the check and the cancel
            }
        }
        try {
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // cancelled: the expected outcome
        }
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
        return new Summary(webUiUrl, sent, broken, results, dead);
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

    private static String rootMessage(Throwable t) {
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
