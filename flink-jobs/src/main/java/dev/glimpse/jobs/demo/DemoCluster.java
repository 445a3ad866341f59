package dev.glimpse.jobs.demo;

import dev.glimpse.jobs.cluster.FlinkRestClient;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Where the demo runs the job: a Kafka broker and a Flink cluster, in this JVM ({@link
 * InJvmDemoCluster}) or as separate processes ({@link ProcessDemoCluster}). Driven by one thread
 * (the demo's), except {@link #restarts()} which any thread may call.
 */
interface DemoCluster extends AutoCloseable {

    /** Client properties that reach the broker (anonymous on a PLAINTEXT broker). */
    Properties clientProperties();

    /**
     * Client properties that log in as {@code user} on a secured broker (SASL_SSL, SCRAM).
     *
     * @throws UnsupportedOperationException if this cluster's broker is not secured
     */
    Properties clientProperties(String user);

    /** The broker's {@code host:port}, for the job's settings. */
    String bootstrapServers();

    /** The Flink web UI (REST endpoint). */
    String webUiUrl();

    /**
     * Starts the job with {@code settings} (GlimpseJobConfig keys) and returns once its tasks run;
     * {@code onEnd} is called if it ends by itself (a reason), from another thread.
     */
    String startJob(Map<String, String> settings, Consumer<String> onEnd) throws Exception;

    /** How often the job restarted ({@link FlinkRestClient#numRestarts}: its exception history). */
    long restarts() throws Exception;

    /** The job's checkpoint counts (Flink REST). */
    FlinkRestClient.CheckpointCounts checkpoints() throws Exception;

    /** Cancels the job if it still runs, and waits for it to end (bounded). */
    void cancelJob() throws Exception;

    /** One line describing the cluster, for the console. */
    String describe();

    /** Stops everything this cluster started. */
    @Override
    void close() throws Exception;
}
