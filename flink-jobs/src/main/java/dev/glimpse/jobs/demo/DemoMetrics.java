package dev.glimpse.jobs.demo;

import dev.glimpse.jobs.cluster.FlinkRestClient;
import dev.glimpse.jobs.demo.soak.SoakOptions;
import dev.glimpse.jobs.demo.soak.SoakRecorder;
import dev.glimpse.jobs.demo.soak.SoakTargets;
import dev.glimpse.jobs.kafka.OutputTopicsReader;
import java.io.PrintStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The demo's {@code --metrics-out}: wires a {@link SoakRecorder} to the demo's cluster. On the
 * in-JVM cluster the engine serves its Prometheus endpoint on a free loopback port (for the KV
 * gauge) and the recorder reads this JVM's memory; on the process cluster it sums the TaskManagers'
 * RSS and their JVM memory from Flink REST (no heap after GC, no native estimate, no KV gauge: one
 * endpoint port cannot serve several TaskManagers on one host).
 */
final class DemoMetrics implements AutoCloseable {

    private final SoakOptions options;
    private final boolean processes;
    private final int enginePort;
    private SoakRecorder recorder;

    DemoMetrics(SoakOptions options, boolean processes) {
        this.options = options;
        this.processes = processes;
        this.enginePort = processes ? -1 : WebPort.choose(0);
    }

    /** {@code settings} plus the engine's metrics endpoint (in-JVM cluster only). */
    Map<String, String> withEngineEndpoint(Map<String, String> settings) {
        if (enginePort < 0) {
            return settings;
        }
        Map<String, String> with = new LinkedHashMap<>(settings);
        with.put("engine.metrics.port", Integer.toString(enginePort));
        with.put("engine.metrics.host", "127.0.0.1");
        return with;
    }

    /** Starts sampling the running job {@code jobId}; {@code readerProperties} reach the broker. */
    void start(DemoCluster cluster, String jobId, Properties readerProperties, PrintStream out)
            throws Exception {
        SoakTargets targets =
                new SoakTargets(
                        new FlinkRestClient(cluster.webUiUrl()),
                        jobId,
                        cluster instanceof ProcessDemoCluster p ? p::taskManagerPids : null,
                        enginePort < 0
                                ? null
                                : URI.create("http://127.0.0.1:" + enginePort + "/metrics"));
        recorder =
                SoakRecorder.start(
                        options,
                        new OutputTopicsReader(
                                readerProperties,
                                GlimpseDemo.RESULTS_TOPIC,
                                GlimpseDemo.DLQ_TOPIC,
                                true),
                        targets,
                        out);
        out.printf(
                "Soak metrics: a sample every %d s into %s (%s)%n",
                options.interval().toSeconds(),
                options.csv(),
                processes
                        ? "TaskManagers' RSS and JVM memory, checkpoints, results"
                        : "this JVM's memory, the engine's KV gauge, checkpoints, results");
    }

    /** Stops sampling, renders the charts and writes the summary (before the demo drains). */
    @Override
    public void close() throws Exception {
        if (recorder != null) {
            recorder.close();
            recorder = null;
        }
    }
}
