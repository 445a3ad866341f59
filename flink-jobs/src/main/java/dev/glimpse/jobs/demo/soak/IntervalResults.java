package dev.glimpse.jobs.demo.soak;

import dev.glimpse.schemas.AnalysisTask;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the results topic delivered since the last {@link #drain}: counts per task, dead letters,
 * and the latencies of the results. Thread-safe: the reader thread adds, the sampler drains.
 */
final class IntervalResults {

    /**
     * One interval's totals; latencies in milliseconds, {@code tasks[i]} the task of the result
     * whose latencies are {@code endToEndMs[i]} and {@code visibleMs[i]}.
     */
    record Interval(
            Map<AnalysisTask, Long> results,
            long deadLetters,
            double[] endToEndMs,
            double[] visibleMs,
            AnalysisTask[] tasks) {

        long total() {
            return results.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The end-to-end latencies of {@code task}'s results alone. */
        double[] endToEndMs(AnalysisTask task) {
            double[] out = new double[endToEndMs.length];
            int n = 0;
            for (int i = 0; i < endToEndMs.length; i++) {
                if (tasks[i] == task) {
                    out[n++] = endToEndMs[i];
                }
            }
            return java.util.Arrays.copyOf(out, n);
        }
    }

    private Map<AnalysisTask, Long> results = new EnumMap<>(AnalysisTask.class);
    private long deadLetters;
    private double[] endToEnd = new double[64];
    private double[] visible = new double[64];
    private AnalysisTask[] tasks = new AnalysisTask[64];
    private int n;

    synchronized void result(AnalysisTask task, double endToEndMs, double visibleMs) {
        results.merge(task, 1L, Long::sum);
        if (n == endToEnd.length) {
            endToEnd = java.util.Arrays.copyOf(endToEnd, n * 2);
            visible = java.util.Arrays.copyOf(visible, n * 2);
            tasks = java.util.Arrays.copyOf(tasks, n * 2);
        }
        endToEnd[n] = endToEndMs;
        visible[n] = visibleMs;
        tasks[n] = task;
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
                        java.util.Arrays.copyOf(visible, n),
                        java.util.Arrays.copyOf(tasks, n));
        results = new EnumMap<>(AnalysisTask.class);
        deadLetters = 0;
        n = 0;
        return interval;
    }
}
