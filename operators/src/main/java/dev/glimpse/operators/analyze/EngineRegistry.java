package dev.glimpse.operators.analyze;

import dev.glimpse.serving.engine.InferenceEngine;
import dev.glimpse.serving.model.ModelDirectory;
import dev.glimpse.serving.model.ModelManifest;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link InferenceEngine} per TaskManager (per job class loader) and per settings, shared by
 * every slot's Analyze instance and reference counted: the first {@link #acquire} loads the model,
 * the last {@link Lease#close()} frees it (ONNX sessions, KV buffers, the metrics endpoint).
 * Sharing is what makes continuous batching work across slots: all in-flight requests of the
 * TaskManager are decoded together.
 *
 * <p>Loading and freeing both happen under the registry's lock, so an acquire that races the last
 * release waits until the old engine is freed before it loads a new one: there is never a second
 * copy of a model in memory (on a GPU, two copies may not fit).
 *
 * <p>Thread-safe (all state under the registry's lock).
 */
public final class EngineRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(EngineRegistry.class);
    private static final EngineRegistry PROCESS = new EngineRegistry(EngineRegistry::start);

    /** Loads an engine; {@link #start} in production, a fake in tests. */
    @FunctionalInterface
    interface Loader {
        Loaded load(EngineSettings settings, int gpuIndex) throws IOException;
    }

    /**
     * A loaded engine and how to free it.
     *
     * @param metricsPort port of its metrics endpoint, -1 if none
     * @param free frees everything the loader allocated; called once, under the registry's lock
     */
    record Loaded(
            AnalysisEngine engine,
            ModelManifest manifest,
            PrometheusRegistry registry,
            int metricsPort,
            Runnable free) {}

    private final Loader loader;
    private final Map<Key, Shared> engines = new HashMap<>();
    private long enginesStarted;

    EngineRegistry(Loader loader) {
        this.loader = loader;
    }

    /**
     * A lease on the engine for {@code settings} on GPU {@code gpuIndex} (-1 = none assigned),
     * starting it if it is not running.
     */
    public static Lease acquire(EngineSettings settings, int gpuIndex) throws IOException {
        return PROCESS.lease(settings, gpuIndex);
    }

    /**
     * Engines started in this class loader since it was loaded: a restarted job starts its engine
     * again (diagnostics, and tests that count recoveries).
     */
    public static long enginesStarted() {
        return PROCESS.started();
    }

    /** Number of engines running in this class loader (tests). */
    public static int runningEngines() {
        return PROCESS.running();
    }

    synchronized Lease lease(EngineSettings settings, int gpuIndex) throws IOException {
        Key key = new Key(settings, gpuIndex);
        Shared shared = engines.get(key);
        if (shared == null) {
            shared = new Shared(loader.load(settings, gpuIndex));
            engines.put(key, shared);
            enginesStarted++;
        }
        shared.references++;
        return new Lease(this, key, shared);
    }

    synchronized long started() {
        return enginesStarted;
    }

    synchronized int running() {
        return engines.size();
    }

    /** Number of leases open on the engine of {@code settings} on {@code gpuIndex} (tests). */
    synchronized int references(EngineSettings settings, int gpuIndex) {
        Shared shared = engines.get(new Key(settings, gpuIndex));
        return shared == null ? 0 : shared.references;
    }

    private synchronized void release(Key key, Shared shared) {
        if (--shared.references > 0) {
            return;
        }
        engines.remove(key);
        // Freed under the lock: an acquire of the same settings waits here instead of loading
        // a second copy while this one still holds its memory.
        shared.loaded.free().run();
        LOG.info("Stopped engine for {}", key.settings.modelDir());
    }

    private static Loaded start(EngineSettings settings, int gpuIndex) throws IOException {
        ModelDirectory model = ModelDirectory.open(Path.of(settings.modelDir()));
        PrometheusRegistry registry = new PrometheusRegistry();
        InferenceEngine engine;
        try {
            engine =
                    model.newEngine(
                            settings.engineConfig(), settings.executorOptions(gpuIndex), registry);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        HTTPServer server = null;
        if (settings.metricsPort() >= 0) {
            try {
                server =
                        HTTPServer.builder()
                                .hostname(settings.metricsHost())
                                .port(settings.metricsPort())
                                .registry(registry)
                                .buildAndStart();
                LOG.info(
                        "Engine metrics at http://{}:{}/metrics",
                        settings.metricsHost(),
                        server.getPort());
            } catch (IOException e) {
                // The engine works without its endpoint; a second job on the TaskManager hits this.
                LOG.warn(
                        "Cannot serve engine metrics on {}:{}",
                        settings.metricsHost(),
                        settings.metricsPort(),
                        e);
            }
        }
        LOG.info("Started engine for {} (GPU index {})", settings.modelDir(), gpuIndex);
        HTTPServer endpoint = server;
        return new Loaded(
                engine::submit,
                model.manifest(),
                registry,
                endpoint == null ? -1 : endpoint.getPort(),
                () -> {
                    try {
                        engine.close();
                        model.close();
                    } finally {
                        if (endpoint != null) {
                            endpoint.close();
                        }
                    }
                });
    }

    private record Key(EngineSettings settings, int gpuIndex) {}

    private static final class Shared {
        final Loaded loaded;
        int references;

        Shared(Loaded loaded) {
            this.loaded = loaded;
        }
    }

    /** A reference to a shared engine; close it exactly once (idempotent). */
    public static final class Lease implements EngineSource.Handle {
        private final EngineRegistry owner;
        private final Key key;
        private final Shared shared;
        private boolean closed;

        private Lease(EngineRegistry owner, Key key, Shared shared) {
            this.owner = owner;
            this.key = key;
            this.shared = shared;
        }

        @Override
        public AnalysisEngine engine() {
            return shared.loaded.engine();
        }

        @Override
        public ModelManifest manifest() {
            return shared.loaded.manifest();
        }

        /** Port of the metrics endpoint, or -1 when there is none. */
        public int metricsPort() {
            return shared.loaded.metricsPort();
        }

        public PrometheusRegistry registry() {
            return shared.loaded.registry();
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                owner.release(key, shared);
            }
        }
    }
}
