package dev.glimpse.jobs.demo.soak;

import dev.glimpse.schemas.AnalysisTask;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the results topic delivered since the last {@link #drain}: counts per task, dead letters,
 * and the latencies of the results. Thread-safe: the reader thread adds, the sampler drains.
 */
final class IntervalResults {

    /** One interval's totals; latencies in milliseconds. */
    record Interval(
            Map<AnalysisTask, Long> results,
            long deadLetters,
            double[] endToEndMs,
            double[] visibleMs) {

        long total() {
            return results.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private Map<AnalysisTask, Long> results = new EnumMap<>(AnalysisTask.class);
    private long deadLetters;
    private double[] endToEnd = new double[64];
    private double[] visible = new double[64];
    private int n;

    synchronized void result(AnalysisTask task, double endToEndMs, double visibleMs) {
        results.merge(task, 1L, Long::sum);
        if (n == endToEnd.length) {
            endToEnd = java.util.Arrays.copyOf(endToEnd, n * 2);
            visible = java.util.Arrays.copyOf(visible, n * 2);
        }
        endToEnd[n] = endToEndMs;
        visible[n] = visibleMs;
        n++;
    }

    synchronized void deadLetter() {
        deadLetters++;
    }

    /** The interval since the previous drain; starts the next one. */
    synchronized Interval drain() {
        Map<AnalysisTask, Long> counts = new EnumMap<>(AnalysisTask.class);
        for (AnalysisTask t : AnalysisTask.values()) {
            counts.put(t, results.getOrDefault(t, 0L));
        }
        Interval interval =
                new Interval(
                        counts,
                        deadLetters,
                        java.util.Arrays.copyOf(endToEnd, n),
                        java.util.Arrays.copyOf(visible, n));
        results = new EnumMap<>(AnalysisTask.class);
        deadLetters = 0;
        n = 0;
        return interval;
    }
}
