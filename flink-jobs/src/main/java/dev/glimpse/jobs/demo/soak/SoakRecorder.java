package dev.glimpse.jobs.demo.soak;

import static dev.glimpse.jobs.demo.soak.SoakColumn.*;

import dev.glimpse.jobs.kafka.OutputTopicsReader;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.DeadLetter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples a running demo every {@link SoakOptions#interval()} into {@code soak.csv}: throughput and
 * latency of the committed results (its own read_committed consumer of the output topics), memory
 * (the engine JVM's beans and RSS, or the TaskManagers' RSS), the engine's KV gauge and the job's
 * checkpoint statistics. {@link #close()} stops sampling, renders the charts and writes the
 * summary.
 *
 * <p>Threads: a reader thread for the topics and a sampler thread; {@code start} and {@code close}
 * are called by the demo's thread. A sample that fails to write is reported once and sampling goes
 * on.
 */
public final class SoakRecorder implements OutputTopicsReader.Listener, AutoCloseable {

    private final SoakOptions options;
    private final OutputTopicsReader reader;
    private final SoakTargets targets;
    private final PrintStream out;
    private final IntervalResults interval = new IntervalResults();
    private final JvmMemory jvm;
    private final ResidentHeap residentHeap;
    private final TaskManagerMemory taskManagers;
    private final CheckpointProbe checkpoints;
    private final EngineMetricsScrape engine;
    private final Thread readerThread;
    private final ScheduledExecutorService sampler =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "glimpse-soak-sampler");
                        t.setDaemon(true);
                        return t;
                    });
    private final long startNanos = System.nanoTime();
    private long lastSampleNanos = startNanos;
    private volatile boolean writeFailed;

    private SoakRecorder(
            SoakOptions options, OutputTopicsReader reader, SoakTargets targets, PrintStream out) {
        this.options = options;
        this.reader = reader;
        this.targets = targets;
        this.out = out;
        this.jvm = targets.inThisJvm() ? new JvmMemory() : null;
        this.residentHeap = targets.inThisJvm() ? ResidentHeap.ofThisJvm() : null;
        this.taskManagers = targets.inThisJvm() ? null : new TaskManagerMemory(targets.rest());
        this.checkpoints = new CheckpointProbe(targets.rest(), targets.jobId());
        this.engine =
                targets.engineMetrics() == null
                        ? null
                        : new EngineMetricsScrape(targets.engineMetrics());
        this.readerThread = new Thread(this::read, "glimpse-soak-reader");
        this.readerThread.setDaemon(true);
    }

    /**
     * Creates {@code options.dir()} and a fresh {@code soak.csv} in it, and starts reading and
     * sampling; {@code reader} is owned (closed) by the recorder from now on, also when this
     * throws.
     */
    public static SoakRecorder start(
            SoakOptions options, OutputTopicsReader reader, SoakTargets targets, PrintStream out)
            throws IOException {
        try {
            Files.createDirectories(options.dir());
            SoakCsv.create(options.csv());
        } catch (IOException e) {
            reader.close();
            throw e;
        }
        SoakRecorder recorder = new SoakRecorder(options, reader, targets, out);
        recorder.readerThread.start();
        long every = options.interval().toMillis();
        recorder.sampler.scheduleAtFixedRate(
                recorder::sampleQuietly, every, every, TimeUnit.MILLISECONDS);
        return recorder;
    }

    private void read() {
        try {
            reader.run(this);
        } catch (RuntimeException e) {
            out.println("soak: stopped reading the output topics: " + e);
        } finally {
            reader.close();
        }
    }

    @Override
    public void onResult(AnalysisResult r, long receivedAtMillis) {
        double endToEnd = r.getTimings() == null ? Double.NaN : r.getTimings().getEndToEndMs();
        double visible = Math.max(0, receivedAtMillis - r.getEventTime().toEpochMilli());
        interval.result(r.getTask(), endToEnd, visible);
    }

    @Override
    public void onDeadLetter(DeadLetter deadLetter, long receivedAtMillis) {
        interval.deadLetter();
    }

    private void sampleQuietly() {
        try {
            SoakCsv.append(options.csv(), sample());
        } catch (IOException | RuntimeException e) {
            if (!writeFailed) {
                writeFailed = true;
                out.println("soak: cannot write a sample to " + options.csv() + ": " + e);
            }
        }
    }

    /** One row: the interval since the previous sample and the gauges now. */
    private SoakRow sample() {
        long now = System.nanoTime();
        double seconds = (now - lastSampleNanos) / 1e9;
        lastSampleNanos = now;
        IntervalResults.Interval in = interval.drain();
        Map<SoakColumn, Double> row = new EnumMap<>(SoakColumn.class);
        row.put(ELAPSED_S, (double) Math.round((now - startNanos) / 1e9));
        row.put(RESULTS_PER_S, perSecond(in.total(), seconds));
        row.put(CAPTIONS_PER_S, perSecond(in.results().get(AnalysisTask.CAPTION), seconds));
        row.put(OCR_PER_S, perSecond(in.results().get(AnalysisTask.OCR), seconds));
        row.put(MODERATION_PER_S, perSecond(in.results().get(AnalysisTask.MODERATION), seconds));
        row.put(DEAD_LETTERS_PER_S, perSecond(in.deadLetters(), seconds));
        row.put(LATENCY_P50_MS, SoakStatistics.percentile(in.endToEndMs(), 50));
        row.put(LATENCY_P99_MS, SoakStatistics.percentile(in.endToEndMs(), 99));
        row.put(VISIBLE_P99_MS, SoakStatistics.percentile(in.visibleMs(), 99));
        row.put(CAPTION_P99_MS, SoakStatistics.percentile(in.endToEndMs(AnalysisTask.CAPTION), 99));
        row.put(OCR_P99_MS, SoakStatistics.percentile(in.endToEndMs(AnalysisTask.OCR), 99));
        row.put(
                MODERATION_P99_MS,
                SoakStatistics.percentile(in.endToEndMs(AnalysisTask.MODERATION), 99));
        if (jvm != null) {
            JvmMemory.Reading m = jvm.read();
            double rss = ProcessRss.of(ProcessHandle.current().pid());
            // without the heap's range, all of the committed heap counts as resident
            double heapResident =
                    residentHeap == null ? m.heapCommitted() : residentHeap.residentBytes();
            row.put(HEAP_AFTER_GC_BYTES, m.heapAfterGc());
            row.put(HEAP_COMMITTED_BYTES, (double) m.heapCommitted());
            row.put(HEAP_RESIDENT_BYTES, heapResident);
            row.put(NON_HEAP_COMMITTED_BYTES, (double) m.nonHeapCommitted());
            row.put(BUFFER_POOLS_BYTES, (double) m.bufferPools());
            row.put(RSS_BYTES, rss);
            row.put(
                    NATIVE_ESTIMATE_BYTES,
                    rss - heapResident - m.nonHeapCommitted() - m.bufferPools());
        } else {
            TaskManagerMemory.Reading m = taskManagers.read();
            row.put(HEAP_COMMITTED_BYTES, m.heapCommitted());
            row.put(NON_HEAP_COMMITTED_BYTES, m.nonHeapCommitted());
            row.put(BUFFER_POOLS_BYTES, m.bufferPools());
            row.put(RSS_BYTES, ProcessRss.sum(targets.taskManagerPids().get()));
        }
        if (engine != null) {
            row.put(KV_NATIVE_BYTES, engine.read(EngineMetricsScrape.KV_NATIVE_BYTES));
        }
        CheckpointProbe.Stats c = checkpoints.read();
        row.put(CHECKPOINT_DURATION_MS, c.maxDurationMs());
        row.put(CHECKPOINT_SIZE_BYTES, c.latestSizeBytes());
        row.put(CHECKPOINTS_COMPLETED, c.completed() < 0 ? Double.NaN : (double) c.completed());
        row.put(CHECKPOINTS_FAILED, c.failed() < 0 ? Double.NaN : (double) c.failed());
        return SoakRow.of(row);
    }

    /** {@code count / seconds} to 3 decimals (a readable CSV; 0.001/s is below any rate here). */
    static double perSecond(long count, double seconds) {
        return Math.round(count / seconds * 1000) / 1000.0;
    }

    /**
     * Stops sampling (the last, partial interval is not written) and reading, then renders the
     * charts and writes the summary from the CSV; prints the summary's lines.
     */
    @Override
    public void close() throws Exception {
        // shutdown, not shutdownNow: a sample under way completes (an interrupt would leave its
        // REST and scrape cells empty); the periodic task is cancelled
        sampler.shutdown();
        if (!sampler.awaitTermination(60, TimeUnit.SECONDS)) {
            sampler.shutdownNow();
        }
        reader.stop();
        readerThread.join(15_000);
        var rows = SoakCsv.read(options.csv());
        SoakCharts.render(rows, options.warmup(), options.dir());
        SoakSummary summary = SoakSummary.of(rows, options.warmup());
        Files.writeString(options.summary(), summary.markdown());
        out.printf(
                "Soak metrics: %d samples in %s (soak.csv, %s, summary.md)%n",
                rows.size(), options.dir(), String.join(", ", SoakCharts.FILES));
        summary.lines().forEach(out::println);
    }
}
