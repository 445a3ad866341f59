package dev.glimpse.jobs.demo.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The soak run's figures over its window (the samples after the warm-up). For each column: the mean
 * of the window's first third and of its last third and the change between them in percent ({@link
 * SoakStatistics#thirdsChangePercent}), and the least-squares slope per minute with the growth it
 * implies over the window in percent of the mean ({@link SoakStatistics#trendPercent}). RSS drift
 * is the thirds change of RSS; the run's criterion is |drift| &lt; 5 %. Heap after GC also gets its
 * floor, the lowest sample of the first and of the last third: after young collections that figure
 * includes garbage promoted since the last marking cycle, a saw-tooth whose period can be as long
 * as a third, so the means move with its phase while the floor (what is left after a mixed
 * collection, about the live set) rises only with what the job keeps.
 *
 * @param warmup the start left out
 * @param samples samples in the window
 * @param fromSeconds elapsed time of the window's first sample (NaN without a window)
 * @param toSeconds elapsed time of its last sample
 * @param trends one per reported column, in {@link #REPORTED} order
 */
public record SoakSummary(
        Duration warmup,
        int samples,
        double fromSeconds,
        double toSeconds,
        List<Trend> trends,
        double checkpointsCompleted,
        double checkpointsFailed,
        double heapFloorFirstThird,
        double heapFloorLastThird) {

    /** The limit on |RSS drift| that a soak run must stay under, in percent. */
    public static final double RSS_DRIFT_LIMIT_PERCENT = 5;

    /** The columns the summary reports, in order. */
    public static final List<SoakColumn> REPORTED =
            List.of(
                    SoakColumn.RESULTS_PER_S,
                    SoakColumn.LATENCY_P50_MS,
                    SoakColumn.LATENCY_P99_MS,
                    SoakColumn.MODERATION_P99_MS,
                    SoakColumn.HEAP_AFTER_GC_BYTES,
                    SoakColumn.RSS_BYTES,
                    SoakColumn.NATIVE_ESTIMATE_BYTES,
                    SoakColumn.KV_NATIVE_BYTES,
                    SoakColumn.CHECKPOINT_DURATION_MS,
                    SoakColumn.CHECKPOINT_SIZE_BYTES);

    /** The minimum window: three samples make a first and a last third. */
    public static final int MIN_SAMPLES = 3;

    /**
     * One column over the window.
     *
     * @param slopePerMinute least-squares slope, column units per minute
     */
    public record Trend(
            SoakColumn column,
            double firstThird,
            double lastThird,
            double changePercent,
            double slopePerMinute,
            double trendPercent) {}

    /** The summary of {@code rows} (in time order) leaving out the first {@code warmup}. */
    public static SoakSummary of(List<SoakRow> rows, Duration warmup) {
        double start = warmup.toMillis() / 1000.0;
        List<SoakRow> window = rows.stream().filter(r -> r.elapsedSeconds() >= start).toList();
        double[] x = column(window, SoakColumn.ELAPSED_S);
        List<Trend> trends = new ArrayList<>();
        for (SoakColumn c : REPORTED) {
            double[] y = column(window, c);
            trends.add(
                    new Trend(
                            c,
                            SoakStatistics.mean(SoakStatistics.firstThird(y)),
                            SoakStatistics.mean(SoakStatistics.lastThird(y)),
                            SoakStatistics.thirdsChangePercent(y),
                            SoakStatistics.slope(x, y) * 60,
                            SoakStatistics.trendPercent(x, y)));
        }
        double[] heap = column(window, SoakColumn.HEAP_AFTER_GC_BYTES);
        double[] completed = column(window, SoakColumn.CHECKPOINTS_COMPLETED);
        double[] failed = column(window, SoakColumn.CHECKPOINTS_FAILED);
        return new SoakSummary(
                warmup,
                window.size(),
                x.length == 0 ? Double.NaN : x[0],
                x.length == 0 ? Double.NaN : x[x.length - 1],
                List.copyOf(trends),
                increase(completed),
                increase(failed),
                SoakStatistics.min(SoakStatistics.firstThird(heap)),
                SoakStatistics.min(SoakStatistics.lastThird(heap)));
    }

    /** Change of the heap-after-GC floor from the first third to the last, in percent. */
    public double heapFloorChangePercent() {
        return SoakStatistics.changePercent(heapFloorFirstThird, heapFloorLastThird);
    }

    private static double[] column(List<SoakRow> rows, SoakColumn c) {
        return rows.stream().mapToDouble(r -> r.get(c)).toArray();
    }

    /** Last minus first non-NaN value; NaN if there is none. */
    private static double increase(double[] v) {
        double first = Double.NaN;
        double last = Double.NaN;
        for (double d : v) {
            if (!Double.isNaN(d)) {
                first = Double.isNaN(first) ? d : first;
                last = d;
            }
        }
        return last - first;
    }

    /** The trend of {@code column} (one of {@link #REPORTED}). */
    public Trend trend(SoakColumn column) {
        return trends.stream()
                .filter(t -> t.column() == column)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(column + " is not reported"));
    }

    /** RSS drift in percent: change from the window's first third to its last third. */
    public double rssDriftPercent() {
        return trend(SoakColumn.RSS_BYTES).changePercent();
    }

    /** Whether the window has enough samples for the figures. */
    public boolean complete() {
        return samples >= MIN_SAMPLES;
    }

    /** The figures as console lines. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        if (!complete()) {
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "Soak summary: %d samples after the %d s warm-up; at least %d are"
                                    + " needed (run longer or pass a shorter --metrics-warmup).",
                            samples,
                            warmup.toSeconds(),
                            MIN_SAMPLES));
            return lines;
        }
        lines.add(
                String.format(
                        Locale.ROOT,
                        "Soak summary: window %.0f-%.0f s (%d samples, after a %d s warm-up);"
                                + " first third -> last third (change), fitted trend over the"
                                + " window:",
                        fromSeconds,
                        toSeconds,
                        samples,
                        warmup.toSeconds()));
        for (Trend t : trends) {
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "  %-24s %s -> %s (%s), trend %s",
                            t.column().header(),
                            value(t.column(), t.firstThird()),
                            value(t.column(), t.lastThird()),
                            percent(t.changePercent()),
                            percent(t.trendPercent())));
        }
        lines.add(
                String.format(
                        Locale.ROOT,
                        "  heap after GC floor (lowest sample) %s -> %s (%s)",
                        value(SoakColumn.HEAP_AFTER_GC_BYTES, heapFloorFirstThird),
                        value(SoakColumn.HEAP_AFTER_GC_BYTES, heapFloorLastThird),
                        percent(heapFloorChangePercent())));
        lines.add(
                String.format(
                        Locale.ROOT,
                        "  RSS drift %s (limit +-%.0f %%: %s); checkpoints in the window: %.0f"
                                + " completed, %.0f failed",
                        percent(rssDriftPercent()),
                        RSS_DRIFT_LIMIT_PERCENT,
                        Double.isNaN(rssDriftPercent())
                                ? "not measured"
                                : Math.abs(rssDriftPercent()) < RSS_DRIFT_LIMIT_PERCENT
                                        ? "within"
                                        : "exceeded",
                        checkpointsCompleted,
                        checkpointsFailed));
        return lines;
    }

    /** The figures as a markdown table (for docs/benchmarks.md) and a closing line. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        if (!complete()) {
            return lines().get(0) + "\n";
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "Window %.0f–%.0f s (%d samples, after a %d s warm-up).%n%n",
                        fromSeconds,
                        toSeconds,
                        samples,
                        warmup.toSeconds()));
        md.append("| Column | First third (mean) | Last third (mean) | Change | Fitted trend |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        for (Trend t : trends) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| `%s` | %s | %s | %s | %s |%n",
                            t.column().header(),
                            value(t.column(), t.firstThird()),
                            value(t.column(), t.lastThird()),
                            percent(t.changePercent()),
                            percent(t.trendPercent())));
        }
        List<String> lines = lines();
        md.append('\n').append(lines.get(lines.size() - 2).strip()).append('\n');
        md.append('\n').append(lines.get(lines.size() - 1).strip()).append('\n');
        return md.toString();
    }

    /** Bytes in MiB (KiB under 1 MiB), others with one decimal; "n/a" for NaN. */
    static String value(SoakColumn c, double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (c.header().endsWith("_bytes")) {
            return Math.abs(v) < 1024 * 1024
                    ? String.format(Locale.ROOT, "%.1f KiB", v / 1024)
                    : String.format(Locale.ROOT, "%.1f MiB", v / (1024 * 1024));
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String percent(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%+.1f %%", v);
    }
}
