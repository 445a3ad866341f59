package dev.glimpse.jobs.pipeline;

import dev.glimpse.jobs.kafka.EmbeddedKafkaBroker;
import dev.glimpse.jobs.local.LoopbackClusterConfig;
import dev.glimpse.operators.analyze.EngineSettings;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.model.ImagePreprocessor;
import dev.glimpse.serving.model.ModelDirectory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;

/**
 * End-to-end pipeline throughput and latency next to engine-only throughput, in one run on the same
 * machine and with the same engine settings (docs/benchmarks.md, "Pipeline"). Not a test: run it
 * with
 *
 * <pre>
 * mvn -B -q -pl flink-jobs -am -DskipTests test-compile
 * mvn -B -q -pl flink-jobs exec:java -Dexec.classpathScope=test \
 *   -Ddemo.mainClass=dev.glimpse.jobs.pipeline.PipelineBenchmark -Dexec.args="6000 3 32 2 '500 ms'"
 * </pre>
 *
 * Arguments: images per saturation run (default 6000: shorter runs measure mostly the JIT still
 * compiling Flink's and Kafka's paths, see docs/benchmarks.md), steady input rate in images/s for
 * the latency run (default 3), {@code pipeline.asyncCapacity} (default 32), {@code
 * engine.intraOpThreads} of both the engine-only and the pipeline runs (default 2, the job's
 * default), {@code pipeline.checkpointInterval} (default 500 ms, as in the ITCases; the job's
 * default is 10 s), {@code engine.decoderStyle} of both (default auto: the model's default graph).
 * All requests are captions of distinct 112x112 scenes (no cache hits) from 4 sources, with the
 * FrameGate off as in the ITCases (its 5 frames/s per source would drop most of a backlog). After a
 * warm-up round of both (the same images, untimed), it times engine-only, pipeline, pipeline,
 * engine-only and reports the means, with the CPU each used while it processed (threads, process,
 * GC and JIT time).
 */
public final class PipelineBenchmark {

    private PipelineBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 6000;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        Map<String, String> overrides =
                Map.of(
                        "pipeline.asyncCapacity", args.length > 2 ? args[2] : "32",
                        "engine.intraOpThreads", args.length > 3 ? args[3] : "2",
                        "pipeline.checkpointInterval", args.length > 4 ? args[4] : "500 ms",
                        "engine.decoderStyle", args.length > 5 ? args[5] : "auto");
        List<byte[]> pictures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pictures.add(TestImages.scene(10_000 + i, 112, 112));
        }
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(LoopbackClusterConfig.create())
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(1)
                                .build());
        cluster.start();
        // Under exec:java the system class loader does not see Flink: an (empty) classpath entry
        // gives the job a user-code class loader whose parent loaded Flink (as in GlimpseDemo).
        Path classpath = Files.createTempDirectory("glimpse-bench-classpath");
        TestStreamEnvironment.setAsContext(
                cluster, 1, List.of(), List.of(classpath.toUri().toURL()));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.create().start();
                CpuRecorder cpu = new CpuRecorder()) {
            // Warm-up: one short round of each, so that the JIT has compiled the engine's, Flink's
            // and Kafka's paths before anything is timed (cold, the compiler threads took ~1 of
            // the 2 cores during the measured seconds).
            List<byte[]> warm = pictures;
            engineOnly(broker, overrides, warm);
            saturated(broker, overrides, warm, "warm");
            // ABBA: engine-only, pipeline, pipeline, engine-only, so that a drift of this shared
            // machine's speed during the run weighs on both sides alike
            Timed e1 = report("engine-only (1)", engineOnly(broker, overrides, pictures), cpu, 6);
            Timed p1 =
                    report("pipeline (1)", saturated(broker, overrides, pictures, "s1"), cpu, 10);
            Timed p2 =
                    report("pipeline (2)", saturated(broker, overrides, pictures, "s2"), cpu, 10);
            Timed e2 = report("engine-only (2)", engineOnly(broker, overrides, pictures), cpu, 6);
            double engineOnly = (e1.imagesPerSecond() + e2.imagesPerSecond()) / 2;
            double built = (p1.imagesPerSecond() + p2.imagesPerSecond()) / 2;
            double committed = (p1.toCommitPerSecond() + p2.toCommitPerSecond()) / 2;
            System.out.printf(
                    "%s, %d images each: engine-only %.2f images/s, pipeline %.2f images/s first to"
                            + " last result built (%.0f%% of engine-only), %.2f images/s to the last"
                            + " commit (%.0f%%); means of two runs each%n",
                    overrides,
                    n,
                    engineOnly,
                    built,
                    100 * built / engineOnly,
                    committed,
                    100 * committed / engineOnly);
            steady(broker, overrides, pictures.subList(0, Math.min(n, (int) (rate * 40))), rate);
        } finally {
            TestStreamEnvironment.unsetAsContext();
            cluster.close();
        }
        System.exit(0);
    }

    /**
     * The images submitted to one engine built from the pipeline's own engine settings, at most the
     * engine's queue size in flight (beyond that the pipeline would retry on overload too).
     */
    private static Timed engineOnly(
            EmbeddedKafkaBroker broker, Map<String, String> overrides, List<byte[]> pictures)
            throws Exception {
        EngineSettings settings;
        try (PipelineHarness harness = new PipelineHarness(broker)) {
            harness.settings.putAll(overrides);
            settings = harness.config().engine();
        }
        try (ModelDirectory model = ModelDirectory.open(Path.of(settings.modelDir()));
                InferenceEngine engine =
                        model.newEngine(
                                settings.engineConfig(),
                                settings.executorOptions(-1),
                                new PrometheusRegistry())) {
            ImagePreprocessor pre = new ImagePreprocessor(model.manifest(), DecodeLimits.DEFAULTS);
            // warm-up
            engine.submit(request(pre, pictures.get(0), "warm")).get();
            Semaphore queue = new Semaphore(settings.maxQueuedRequests());
            long startMillis = System.currentTimeMillis();
            long t0 = System.nanoTime();
            List<CompletableFuture<EngineResult>> futures = new ArrayList<>();
            for (int i = 0; i < pictures.size(); i++) {
                // preprocessing counts: the pipeline does it too
                EngineRequest request = request(pre, pictures.get(i), "e" + i);
                queue.acquire();
                futures.add(engine.submit(request).whenComplete((r, e) -> queue.release()));
            }
            for (CompletableFuture<EngineResult> f : futures) {
                f.get();
            }
            double rate = pictures.size() / ((System.nanoTime() - t0) / 1e9);
            return new Timed(pictures.size(), rate, rate, startMillis, System.currentTimeMillis());
        }
    }

    private static EngineRequest request(ImagePreprocessor pre, byte[] png, String id)
            throws Exception {
        EngineImage image = pre.prepare(png, id, Task.CAPTION);
        return EngineRequest.builder(id, image, Task.CAPTION).build();
    }

    /**
     * A backlog produced before the job starts (so neither the load generator nor the job's start
     * is timed), drained by the job: images per second between the first and the last result built,
     * and between the first result built and the last one committed (what a read_committed consumer
     * sees, which adds up to one checkpoint interval). The window is first to last result built.
     */
    private static Timed saturated(
            EmbeddedKafkaBroker broker,
            Map<String, String> overrides,
            List<byte[]> pictures,
            String idPrefix)
            throws Exception {
        try (PipelineHarness pipeline = new PipelineHarness(broker)) {
            pipeline.settings.putAll(overrides);
            pipeline.produce(events(idPrefix, pictures, 0));
            pipeline.start();
            List<AnalysisResult> results =
                    pipeline.drainResults(pictures.size(), Duration.ofMinutes(15));
            // drain waits 3 s after the last record to catch duplicates
            long lastCommittedMillis = System.currentTimeMillis() - 3_000;
            if (results.size() != pictures.size()) {
                throw new IllegalStateException(
                        "expected " + pictures.size() + " results, got " + results.size());
            }
            double[] built =
                    results.stream()
                            .mapToDouble(
                                    r ->
                                            r.getEventTime().toEpochMilli()
                                                    + r.getTimings().getEndToEndMs())
                            .sorted()
                            .toArray();
            double first = built[0];
            double last = built[built.length - 1];
            return new Timed(
                    pictures.size(),
                    (pictures.size() - 1) / ((last - first) / 1e3),
                    (pictures.size() - 1) / ((lastCommittedMillis - first) / 1e3),
                    first,
                    last);
        }
    }

    /** A steady input rate: end-to-end latency percentiles (event time to result built). */
    private static void steady(
            EmbeddedKafkaBroker broker,
            Map<String, String> overrides,
            List<byte[]> pictures,
            double rate)
            throws Exception {
        try (PipelineHarness pipeline = new PipelineHarness(broker)) {
            pipeline.settings.putAll(overrides);
            pipeline.start();
            pipeline.produce(events("warm", pictures.subList(0, 1), 0));
            pipeline.drainResults(1, Duration.ofMinutes(3));
            long periodNanos = (long) (1e9 / rate);
            long start = System.nanoTime();
            for (int i = 0; i < pictures.size(); i++) {
                long due = start + i * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                pipeline.produce(events("steady" + i, pictures.subList(i, i + 1), i));
            }
            List<AnalysisResult> results =
                    pipeline.drainResults(pictures.size() + 1, Duration.ofMinutes(10));
            double[] latencies =
                    results.stream()
                            .filter(r -> r.getEventId().startsWith("steady"))
                            .mapToDouble(r -> r.getTimings().getEndToEndMs())
                            .sorted()
                            .toArray();
            System.out.printf(
                    "steady %.1f images/s for %d images: end-to-end latency p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                    rate,
                    latencies.length,
                    percentile(latencies, 0.50),
                    percentile(latencies, 0.99),
                    Arrays.stream(latencies).max().orElse(0));
        }
    }

    /**
     * One timed run: its rates and its processing window in epoch milliseconds (engine-only has no
     * commits: its to-commit rate is its rate).
     */
    private record Timed(
            int images,
            double imagesPerSecond,
            double toCommitPerSecond,
            double fromMillis,
            double toMillis) {}

    private static Timed report(String what, Timed run, CpuRecorder cpu, int topThreads) {
        long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.printf(
                "%s: %d images -> %.2f images/s; window %.0f-%.0f ms of JVM uptime; CPU %s%n",
                what,
                run.images(),
                run.imagesPerSecond(),
                run.fromMillis() - jvmStart,
                run.toMillis() - jvmStart,
                cpu.between(run.fromMillis(), run.toMillis(), topThreads));
        return run;
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static List<ImageEvent> events(String prefix, List<byte[]> pictures, int offset) {
        List<ImageEvent> events = new ArrayList<>();
        for (int i = 0; i < pictures.size(); i++) {
            events.add(
                    ImageEvent.newBuilder()
                            .setEventId(prefix + "-" + (offset + i))
                            .setSourceId("bench-" + (i % 4))
                            .setEventTime(Instant.now())
                            .setTask("CAPTION")
                            .setImage(new InlineImage(ByteBuffer.wrap(pictures.get(i))))
                            .setAttributes(Map.of())
                            .build());
        }
        return events;
    }
}
