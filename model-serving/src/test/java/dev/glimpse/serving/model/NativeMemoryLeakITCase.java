package dev.glimpse.serving.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.engine.Task;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many short requests through a real engine: afterwards no executor tensor is open, and resident
 * memory outside the Java heap (VmRSS minus the committed heap) after the last quarter is within
 * {@value #RSS_TOLERANCE_MB} MB of the second quarter's, so native memory is not growing with the
 * request count.
 */
class NativeMemoryLeakITCase {
    static final int REQUESTS = Integer.getInteger("glimpse.leak.requests", 5000);
    static final int WAVE = 100;
    static final long RSS_TOLERANCE_MB = 48;

    @Test
    void manyRequestsLeaveNoLiveTensorsAndFlatResidentMemory() throws Exception {
        try (ModelDirectory model = ModelDirectory.open(BundledModel.dir())) {
            List<EngineImage> images = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                // 40 images (more than the encoder cache keeps) so both caches churn
                images.add(
                        BundledModel.synthetic(
                                1000 + i, 4, i % 4 == 0 ? 1 : 0, i % 4 == 0 ? 2 : 0));
            }
            EngineConfig cfg =
                    EngineConfig.builder()
                            .maxNumSeqs(32)
                            .maxNumBatchedTokens(512)
                            .numKvBlocks(512)
                            .maxQueuedRequests(WAVE)
                            .encoderCacheBytes(8L * 32 * model.manifest().llm().hidden() * 4 * 3)
                            .build();
            long[] rssAtQuarter = new long[4];
            InferenceEngine engine =
                    model.newEngine(cfg, ExecutorOptions.cpu(), new PrometheusRegistry());
            try {
                int done = 0;
                int quarter = 0;
                long t0 = System.nanoTime();
                while (done < REQUESTS) {
                    List<CompletableFuture<EngineResult>> wave = new ArrayList<>();
                    for (int i = 0; i < WAVE && done + i < REQUESTS; i++) {
                        int n = done + i;
                        Task task = n % 7 == 6 ? Task.MODERATION : Task.CAPTION;
                        EngineRequest.Builder b =
                                EngineRequest.builder("q" + n, images.get(n % images.size()), task);
                        if (task == Task.MODERATION) {
                            b.categories(
                                    model.manifest()
                                            .tasks()
                                            .get(Task.MODERATION)
                                            .categories()
                                            .subList(0, 1));
                        } else {
                            b.maxNewTokens(1 + n % 2);
                        }
                        wave.add(engine.submit(b.build()));
                    }
                    for (CompletableFuture<EngineResult> f : wave) {
                        f.get(60, TimeUnit.SECONDS);
                    }
                    done += wave.size();
                    while (quarter < 4 && done >= (quarter + 1) * REQUESTS / 4) {
                        System.gc();
                        Thread.sleep(100);
                        // Resident memory outside the Java heap: the heap may still be growing
                        // towards its working size (that is not a leak); native tensors are not in
                        // it.
                        rssAtQuarter[quarter++] =
                                residentKb() - Runtime.getRuntime().totalMemory() / 1024;
                    }
                }
                System.out.printf(
                        "leak check: %d requests in %.1f s, VmRSS minus committed heap per quarter (kB)"
                                + " %d %d %d %d, live tensors %d%n",
                        REQUESTS,
                        (System.nanoTime() - t0) / 1e9,
                        rssAtQuarter[0],
                        rssAtQuarter[1],
                        rssAtQuarter[2],
                        rssAtQuarter[3],
                        engine.numLiveTensors());
                assertThat(engine.numLiveTensors()).isZero();
                assertThat(engine.stats().kvNativeBytes()).isPositive(); // prefix cache, pool
            } finally {
                engine.close();
            }
            // every KV buffer was freed explicitly, not left to the collector
            assertThat(engine.stats().kvNativeBytes()).isZero();
            assertThat(rssAtQuarter[3] - rssAtQuarter[1])
                    .as("non-heap VmRSS growth from quarter 2 to 4, kB")
                    .isLessThan(RSS_TOLERANCE_MB * 1024);
        }
    }

    static long residentKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
