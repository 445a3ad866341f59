package dev.glimpse.jobs.demo.soak;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.jobs.cluster.FlinkRestClient;

/**
 * The job's checkpoint statistics from Flink REST {@code GET /jobs/:jobid/checkpoints}, per
 * interval: the longest end-to-end duration among the checkpoints completed since the previous read
 * (from the answer's {@code history}, which keeps the latest 10 by default), so that one slow
 * checkpoint between two samples is not missed. Called by one thread (the sampler).
 */
final class CheckpointProbe {

    /**
     * @param maxDurationMs the longest {@code end_to_end_duration} of the checkpoints completed
     *     after checkpoint {@code afterId}; NaN if none did
     * @param latestSizeBytes the latest completed checkpoint's {@code checkpointed_size} (what it
     *     wrote; with full snapshots the state size), NaN before the first
     * @param latestId the latest completed checkpoint's id, -1 before the first
     */
    record Stats(
            double maxDurationMs,
            double latestSizeBytes,
            long completed,
            long failed,
            long latestId) {
        static final Stats UNKNOWN = new Stats(Double.NaN, Double.NaN, -1, -1, -1);
    }

    private final FlinkRestClient rest;
    private final String jobId;
    private long lastId = -1;

    CheckpointProbe(FlinkRestClient rest, String jobId) {
        this.rest = rest;
        this.jobId = jobId;
    }

    /**
     * The statistics of the checkpoints since the previous read; {@link Stats#UNKNOWN} when the
     * REST endpoint does not answer.
     */
    Stats read() {
        try {
            Stats s = parse(rest.get("jobs/" + jobId + "/checkpoints"), lastId);
            lastId = Math.max(lastId, s.latestId());
            return s;
        } catch (java.io.IOException e) {
            return Stats.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Stats.UNKNOWN;
        }
    }

    /**
     * The statistics of an answer, durations over the completed checkpoints after {@code afterId}.
     */
    static Stats parse(JsonNode answer, long afterId) {
        JsonNode counts = answer.path("counts");
        JsonNode latest = answer.path("latest").path("completed");
        double max = Double.NaN;
        for (JsonNode c : answer.path("history")) {
            if ("COMPLETED".equals(c.path("status").asText()) && c.path("id").asLong() > afterId) {
                double d = c.path("end_to_end_duration").asDouble();
                max = Double.isNaN(max) ? d : Math.max(max, d);
            }
        }
        boolean any = latest.isObject();
        return new Stats(
                max,
                any ? latest.path("checkpointed_size").asDouble() : Double.NaN,
                counts.path("completed").asLong(-1),
                counts.path("failed").asLong(-1),
                any ? latest.path("id").asLong(-1) : -1);
    }
}
