package dev.glimpse.jobs.demo.soak;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.jobs.cluster.FlinkRestClient;
import java.util.Map;

/**
 * The TaskManagers' JVM memory from Flink REST ({@code /taskmanagers/:id/metrics}), summed over the
 * TaskManagers: committed heap and non-heap, direct and mapped buffers. Flink reports no
 * heap-after-GC figure, so the process cluster's samples leave that column empty.
 */
final class TaskManagerMemory {

    static final String HEAP_COMMITTED = "Status.JVM.Memory.Heap.Committed";
    static final String NON_HEAP_COMMITTED = "Status.JVM.Memory.NonHeap.Committed";
    static final String DIRECT_USED = "Status.JVM.Memory.Direct.MemoryUsed";
    static final String MAPPED_USED = "Status.JVM.Memory.Mapped.MemoryUsed";

    /** Summed over the TaskManagers; NaN where none reported the metric. */
    record Reading(double heapCommitted, double nonHeapCommitted, double bufferPools) {
        static final Reading UNKNOWN = new Reading(Double.NaN, Double.NaN, Double.NaN);
    }

    private final FlinkRestClient rest;

    TaskManagerMemory(FlinkRestClient rest) {
        this.rest = rest;
    }

    /** The reading now; {@link Reading#UNKNOWN} when the REST endpoint does not answer. */
    Reading read() {
        try {
            double heap = 0;
            double nonHeap = 0;
            double buffers = 0;
            int reported = 0;
            for (JsonNode tm : rest.get("taskmanagers").path("taskmanagers")) {
                Map<String, Double> m =
                        values(
                                rest.get(
                                        "taskmanagers/"
                                                + tm.path("id").asText()
                                                + "/metrics?get="
                                                + String.join(
                                                        ",",
                                                        HEAP_COMMITTED,
                                                        NON_HEAP_COMMITTED,
                                                        DIRECT_USED,
                                                        MAPPED_USED)));
                if (m.containsKey(HEAP_COMMITTED)) {
                    heap += m.get(HEAP_COMMITTED);
                    nonHeap += m.getOrDefault(NON_HEAP_COMMITTED, Double.NaN);
                    buffers +=
                            m.getOrDefault(DIRECT_USED, Double.NaN)
                                    + m.getOrDefault(MAPPED_USED, Double.NaN);
                    reported++;
                }
            }
            return reported == 0 ? Reading.UNKNOWN : new Reading(heap, nonHeap, buffers);
        } catch (java.io.IOException e) {
            return Reading.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reading.UNKNOWN;
        }
    }

    /** A metrics answer ({@code [{"id": name, "value": "123"}, ...]}) as numbers by name. */
    static Map<String, Double> values(JsonNode answer) {
        Map<String, Double> values = new java.util.HashMap<>();
        for (JsonNode m : answer) {
            try {
                values.put(m.path("id").asText(), Double.parseDouble(m.path("value").asText()));
            } catch (NumberFormatException e) {
                // a metric without a numeric value: left out
            }
        }
        return values;
    }
}
