package dev.glimpse.jobs.demo.soak;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.jobs.cluster.FlinkRestClient;

/** The job's checkpoint statistics from Flink REST {@code GET /jobs/:jobid/checkpoints}. */
final class CheckpointProbe {

    /**
     * @param latestDurationMs the latest completed checkpoint's {@code end_to_end_duration}, NaN
     *     before the first
     * @param latestSizeBytes its {@code checkpointed_size} (what this checkpoint wrote; with full
     *     snapshots the state size), NaN before the first
     */
    record Stats(double latestDurationMs, double latestSizeBytes, long completed, long failed) {
        static final Stats UNKNOWN = new Stats(Double.NaN, Double.NaN, -1, -1);
    }

    private final FlinkRestClient rest;
    private final String jobId;

    CheckpointProbe(FlinkRestClient rest, String jobId) {
        this.rest = rest;
        this.jobId = jobId;
    }

    /** The statistics now; {@link Stats#UNKNOWN} when the REST endpoint does not answer. */
    Stats read() {
        try {
            return parse(rest.get("jobs/" + jobId + "/checkpoints"));
        } catch (java.io.IOException e) {
            return Stats.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Stats.UNKNOWN;
        }
    }

    static Stats parse(JsonNode answer) {
        JsonNode counts = answer.path("counts");
        JsonNode latest = answer.path("latest").path("completed");
        boolean any = latest.isObject();
        return new Stats(
                any ? latest.path("end_to_end_duration").asDouble() : Double.NaN,
                any ? latest.path("checkpointed_size").asDouble() : Double.NaN,
                counts.path("completed").asLong(-1),
                counts.path("failed").asLong(-1));
    }
}
