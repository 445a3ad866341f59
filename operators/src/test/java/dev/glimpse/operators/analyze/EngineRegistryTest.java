package dev.glimpse.operators.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.serving.model.ModelManifest;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reference counting of the shared engine, with a loader that counts the copies it holds. */
class EngineRegistryTest {

    private static final EngineSettings SETTINGS = settings("/models/a");

    private final AtomicInteger loads = new AtomicInteger();
    private final AtomicInteger frees = new AtomicInteger();
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicInteger maxLive = new AtomicInteger();

    /** Blocks each free until opened: holds a release in the middle of freeing. */
    private volatile CountDownLatch freeGate = new CountDownLatch(0);

    private final CountDownLatch freeing = new CountDownLatch(1);
    private final ExecutorService threads = Executors.newCachedThreadPool();

    private final EngineRegistry registry =
            new EngineRegistry(
                    (settings, gpu) -> {
                        loads.incrementAndGet();
                        maxLive.accumulateAndGet(live.incrementAndGet(), Math::max);
                        return new EngineRegistry.Loaded(
                                r -> new CompletableFuture<>(),
                                (ModelManifest) null,
                                new PrometheusRegistry(),
                                -1,
                                () -> {
                                    freeing.countDown();
                                    try {
                                        freeGate.await();
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                    live.decrementAndGet();
                                    frees.incrementAndGet();
                                });
                    });

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private static EngineSettings settings(String modelDir) {
        return EngineSettings.builder(modelDir)
                .maxNumSeqs(8)
                .maxNumBatchedTokens(512)
                .maxQueuedRequests(64)
                .maxImagesPerVisionRun(4)
                .numKvBlocks(256)
                .encoderCacheBytes(0)
                .intraOpThreads(1)
                .build();
    }

    @Test
    void leasesOfEqualSettingsShareOneEngineAndTheLastCloseFreesIt() throws Exception {
        EngineRegistry.Lease a = registry.lease(SETTINGS, -1);
        EngineRegistry.Lease b = registry.lease(settings("/models/a"), -1);

        assertThat(loads).hasValue(1);
        assertThat(a.engine()).isSameAs(b.engine());
        assertThat(registry.references(SETTINGS, -1)).isEqualTo(2);

        a.close();
        assertThat(registry.references(SETTINGS, -1)).isEqualTo(1);
        assertThat(frees).hasValue(0);
        assertThat(registry.running()).isEqualTo(1);

        b.close();
        assertThat(frees).hasValue(1);
        assertThat(registry.running()).isZero();
        assertThat(registry.started()).isEqualTo(1);
    }

    @Test
    void closingALeaseTwiceReleasesOneReference() throws Exception {
        EngineRegistry.Lease a = registry.lease(SETTINGS, -1);
        EngineRegistry.Lease b = registry.lease(SETTINGS, -1);

        a.close();
        a.close();

        assertThat(registry.references(SETTINGS, -1)).isEqualTo(1);
        assertThat(frees).hasValue(0);
        b.close();
        assertThat(frees).hasValue(1);
    }

    @Test
    void otherSettingsOrAnotherGpuGetTheirOwnEngine() throws Exception {
        List<EngineRegistry.Lease> leases = new ArrayList<>();
        leases.add(registry.lease(SETTINGS, -1));
        leases.add(registry.lease(SETTINGS, 0));
        leases.add(registry.lease(settings("/models/b"), -1));

        assertThat(loads).hasValue(3);
        assertThat(registry.running()).isEqualTo(3);
        leases.forEach(EngineRegistry.Lease::close);
        assertThat(frees).hasValue(3);
    }

    @Test
    void anAcquireAfterTheLastReleaseLoadsAFreshEngine() throws Exception {
        registry.lease(SETTINGS, -1).close();
        EngineRegistry.Lease again = registry.lease(SETTINGS, -1);

        assertThat(loads).hasValue(2);
        assertThat(registry.started()).isEqualTo(2);
        again.close();
    }

    @Test
    void anAcquireRacingTheLastReleaseWaitsForTheFreeAndNeverHoldsTwoCopies() throws Exception {
        freeGate = new CountDownLatch(1);
        EngineRegistry.Lease first = registry.lease(SETTINGS, -1);
        Future<?> release = threads.submit(first::close);
        assertThat(freeing.await(30, TimeUnit.SECONDS)).isTrue(); // the free is under way

        Future<EngineRegistry.Lease> acquire = threads.submit(() -> registry.lease(SETTINGS, -1));
        // the acquire must not load while the old copy still holds its memory
        Thread.sleep(200);
        assertThat(acquire.isDone()).isFalse();
        assertThat(loads).hasValue(1);

        freeGate.countDown();
        release.get(30, TimeUnit.SECONDS);
        EngineRegistry.Lease second = acquire.get(30, TimeUnit.SECONDS);

        assertThat(loads).hasValue(2);
        assertThat(maxLive).hasValue(1);
        assertThat(registry.references(SETTINGS, -1)).isEqualTo(1);
        second.close();
        assertThat(live).hasValue(0);
    }

    @Test
    void manyThreadsAcquiringAndReleasingNeverHoldTwoCopies() throws Exception {
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(
                    threads.submit(
                            () -> {
                                for (int i = 0; i < 200; i++) {
                                    registry.lease(SETTINGS, -1).close();
                                }
                                return null;
                            }));
        }
        for (Future<?> w : workers) {
            w.get(60, TimeUnit.SECONDS);
        }

        assertThat(maxLive).hasValue(1);
        assertThat(live).hasValue(0);
        assertThat(loads.get()).isEqualTo(frees.get()).isPositive();
        assertThat(registry.running()).isZero();
    }
}
