package dev.glimpse.jobs.demo.soak;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Renders the soak time series as PNG charts with JFreeChart (headless AWT): throughput, latency,
 * memory and checkpoints over elapsed minutes, each with a dashed marker where the warm-up ends.
 * Unmeasured (NaN) samples are left out of their line.
 *
 * <pre>
 * SoakCharts CSV OUTDIR [--warmup SECONDS]   re-renders the charts and summary.md from a CSV
 * </pre>
 */
public final class SoakCharts {

    public static final int WIDTH = 1000;
    public static final int HEIGHT = 500;

    /** The files {@link #render} writes, in its order. */
    public static final List<String> FILES =
            List.of("throughput.png", "latency.png", "memory.png", "checkpoints.png");

    private static final double MIB = 1024 * 1024;
    private static final double KIB = 1024;

    /** Series colours in order: distinguishable on white (JFreeChart's default has yellow). */
    private static final Color[] PALETTE = {
        new Color(0xD62728),
        new Color(0x1F77B4),
        new Color(0x2CA02C),
        new Color(0xFF7F0E),
        new Color(0x9467BD),
        new Color(0x8C564B)
    };

    private SoakCharts() {}

    /** Writes {@link #FILES} into {@code dir} (created if absent). */
    public static void render(List<SoakRow> rows, Duration warmup, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        double marker = warmup.toMillis() / 60_000.0;
        save(
                dir.resolve(FILES.get(0)),
                chart(
                        "Throughput (committed results per second)",
                        plot(
                                "results/s",
                                marker,
                                series(rows, SoakColumn.RESULTS_PER_S, "all tasks", 1),
                                series(rows, SoakColumn.CAPTIONS_PER_S, "caption", 1),
                                series(rows, SoakColumn.OCR_PER_S, "ocr", 1),
                                series(rows, SoakColumn.MODERATION_PER_S, "moderation", 1),
                                series(rows, SoakColumn.DEAD_LETTERS_PER_S, "dead letters", 1))));
        save(
                dir.resolve(FILES.get(1)),
                chart(
                        "End-to-end latency per interval (event time to result)",
                        plot(
                                "ms",
                                marker,
                                series(rows, SoakColumn.LATENCY_P50_MS, "p50", 1),
                                series(rows, SoakColumn.LATENCY_P99_MS, "p99", 1),
                                series(rows, SoakColumn.CAPTION_P99_MS, "caption p99", 1),
                                series(rows, SoakColumn.OCR_P99_MS, "ocr p99", 1),
                                series(rows, SoakColumn.MODERATION_P99_MS, "moderation p99", 1),
                                series(
                                        rows,
                                        SoakColumn.VISIBLE_P99_MS,
                                        "p99 visible (after commit)",
                                        1))));
        save(
                dir.resolve(FILES.get(2)),
                chart(
                        "Memory of the process(es) running the engine",
                        plot(
                                "MiB",
                                marker,
                                series(rows, SoakColumn.RSS_BYTES, "RSS", MIB),
                                series(rows, SoakColumn.HEAP_AFTER_GC_BYTES, "heap after GC", MIB),
                                series(
                                        rows,
                                        SoakColumn.NATIVE_ESTIMATE_BYTES,
                                        "native estimate (RSS - JVM's own)",
                                        MIB),
                                series(rows, SoakColumn.KV_NATIVE_BYTES, "KV cache native", MIB),
                                series(
                                        rows,
                                        SoakColumn.BUFFER_POOLS_BYTES,
                                        "direct + mapped buffers",
                                        MIB))));
        CombinedDomainXYPlot checkpoints = new CombinedDomainXYPlot(new NumberAxis("minutes"));
        checkpoints.add(
                plot(
                        "duration ms",
                        marker,
                        series(rows, SoakColumn.CHECKPOINT_DURATION_MS, "longest in interval", 1)),
                1);
        checkpoints.add(
                plot(
                        "size KiB",
                        marker,
                        series(rows, SoakColumn.CHECKPOINT_SIZE_BYTES, "latest size", KIB)),
                1);
        checkpoints.add(
                plot(
                        "count",
                        marker,
                        series(rows, SoakColumn.CHECKPOINTS_COMPLETED, "completed", 1),
                        series(rows, SoakColumn.CHECKPOINTS_FAILED, "failed", 1)),
                1);
        save(
                dir.resolve(FILES.get(3)),
                chart("Checkpoints (duration, latest size, counts)", checkpoints));
    }

    private static XYSeries series(List<SoakRow> rows, SoakColumn c, String name, double unit) {
        XYSeries s = new XYSeries(name, false, true);
        for (SoakRow r : rows) {
            double v = r.get(c);
            if (!Double.isNaN(v) && !Double.isNaN(r.elapsedSeconds())) {
                s.add(r.elapsedSeconds() / 60.0, v / unit);
            }
        }
        return s;
    }

    private static XYPlot plot(String rangeLabel, double warmupMinutes, XYSeries... series) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (XYSeries s : series) {
            data.addSeries(s);
        }
        NumberAxis range = new NumberAxis(rangeLabel);
        range.setAutoRangeIncludesZero(true);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < series.length; i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(1.5f));
        }
        XYPlot plot = new XYPlot(data, new NumberAxis("minutes"), range, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (warmupMinutes > 0) {
            ValueMarker m = new ValueMarker(warmupMinutes);
            m.setPaint(Color.GRAY);
            m.setStroke(
                    new BasicStroke(
                            1f,
                            BasicStroke.CAP_BUTT,
                            BasicStroke.JOIN_MITER,
                            10f,
                            new float[] {6f, 4f},
                            0f));
            m.setLabel("warm-up ends");
            plot.addDomainMarker(m);
        }
        return plot;
    }

    private static JFreeChart chart(String title, XYPlot plot) {
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        if (plot instanceof CombinedDomainXYPlot combined) {
            // every subplot numbers its series from 0: one palette across the legend
            int k = 0;
            for (XYPlot sub : combined.getSubplots()) {
                for (int i = 0; i < sub.getSeriesCount(); i++) {
                    sub.getRenderer().setSeriesPaint(i, PALETTE[k++ % PALETTE.length]);
                }
            }
        }
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static void save(Path png, JFreeChart chart) throws IOException {
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    /** {@code CSV OUTDIR [--warmup SECONDS]}: charts and summary.md from a recorded CSV. */
    public static void main(String[] args) throws IOException {
        if (!(args.length == 2 || (args.length == 4 && args[2].equals("--warmup")))) {
            System.err.println("Usage: SoakCharts CSV OUTDIR [--warmup SECONDS] (default 300)");
            System.exit(2);
        }
        Duration warmup =
                args.length == 4
                        ? Duration.ofMillis(Math.round(Double.parseDouble(args[3]) * 1000))
                        : SoakOptions.DEFAULT_WARMUP;
        Path out = Path.of(args[1]);
        List<SoakRow> rows = SoakCsv.read(Path.of(args[0]));
        render(rows, warmup, out);
        SoakSummary summary = SoakSummary.of(rows, warmup);
        Files.writeString(out.resolve("summary.md"), summary.markdown());
        System.out.println("Charts and summary.md in " + out + " (" + rows.size() + " samples)");
        summary.lines().forEach(System.out::println);
    }
}
