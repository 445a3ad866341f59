package dev.glimpse.jobs.demo;

import dev.glimpse.jobs.VisionAnalysisJob;
import dev.glimpse.jobs.cluster.FlinkRestClient;
import dev.glimpse.jobs.config.ConfigSource;
import dev.glimpse.jobs.config.GlimpseJobConfig;
import dev.glimpse.jobs.kafka.EmbeddedKafkaBroker;
import dev.glimpse.jobs.local.LoopbackClusterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The demo's default: an embedded broker and a local Flink cluster with its web UI, in this JVM.
 */
final class InJvmDemoCluster implements DemoCluster {

    private static final Duration JOB_START_TIMEOUT = Duration.ofMinutes(3);

    private final EmbeddedKafkaBroker broker;
    private final int port;
    private final FlinkRestClient rest;
    private Path userClasspath;
    private JobClient job;

    /** Starts {@code broker} (PLAINTEXT or secured) and creates {@code topics} on it. */
    InJvmDemoCluster(EmbeddedKafkaBroker broker, int webPort, String... topics) {
        this.broker = broker.start();
        for (String topic : topics) {
            broker.createTopic(topic, 1);
        }
        port = webPort;
        rest = new FlinkRestClient("http://" + LoopbackClusterConfig.LOOPBACK + ":" + port + "/");
    }

    @Override
    public Properties clientProperties() {
        return broker.clientProperties();
    }

    @Override
    public Properties clientProperties(String user) {
        return broker.clientProperties(user);
    }

    @Override
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    @Override
    public String webUiUrl() {
        return rest.baseUrl();
    }

    @Override
    public String describe() {
        return "in-JVM Flink cluster, embedded Kafka broker " + broker.bootstrapServers();
    }

    @Override
    public String startJob(Map<String, String> settings, Consumer<String> onEnd) throws Exception {
        GlimpseJobConfig config = GlimpseJobConfig.from(ConfigSource.of(settings));
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
        String jobId = job.getJobID().toString();
        job.getJobExecutionResult()
                .whenComplete(
                        (result, error) ->
                                onEnd.accept(
                                        error == null
                                                ? "finished"
                                                : GlimpseDemo.rootMessage(error)));
        long deadline = System.nanoTime() + JOB_START_TIMEOUT.toNanos();
        while (!allRunning(jobId)) {
            if (job.getJobExecutionResult().isDone()) {
                throw new IllegalStateException("The job did not start: " + failure());
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(
                        "The job's tasks are not running after " + JOB_START_TIMEOUT);
            }
            Thread.sleep(250);
        }
        return jobId;
    }

    private boolean allRunning(String jobId) {
        try {
            return rest.allTasksRunning(jobId);
        } catch (Exception e) {
            return false; // the REST endpoint is not answering yet
        }
    }

    private String failure() {
        try {
            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
            return "no error";
        } catch (Exception e) {
            return GlimpseDemo.rootMessage(e);
        }
    }

    @Override
    public long restarts() throws Exception {
        return job == null ? 0 : rest.numRestarts(job.getJobID().toString());
    }

    @Override
    public FlinkRestClient.CheckpointCounts checkpoints() throws Exception {
        return job == null
                ? new FlinkRestClient.CheckpointCounts(0, 0, 0, "")
                : rest.checkpointCounts(job.getJobID().toString());
    }

    @Override
    public void cancelJob() throws Exception {
        if (job == null) {
            return;
        }
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

    @Override
    public void close() throws Exception {
        broker.close();
        if (userClasspath != null) {
            Files.deleteIfExists(userClasspath);
        }
    }
}
