package dev.glimpse.jobs.demo.soak;

import dev.glimpse.jobs.cluster.FlinkRestClient;
import java.net.URI;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the recorder samples besides the results topic.
 *
 * @param rest the cluster's REST endpoint (checkpoint statistics)
 * @param jobId the running job
 * @param taskManagerPids the TaskManager processes running the engine, read at each sample (they
 *     change when one is replaced); null when the engine runs in this JVM, whose own memory beans
 *     are then read too
 * @param engineMetrics the engine's Prometheus endpoint ({@code .../metrics}), or null for none
 */
public record SoakTargets(
        FlinkRestClient rest,
        String jobId,
        Supplier<List<Long>> taskManagerPids,
        URI engineMetrics) {

    public SoakTargets {
        if (rest == null || jobId == null) {
            throw new IllegalArgumentException("rest and jobId are required");
        }
    }

    /** Whether the engine runs in this JVM. */
    public boolean inThisJvm() {
        return taskManagerPids == null;
    }
}
