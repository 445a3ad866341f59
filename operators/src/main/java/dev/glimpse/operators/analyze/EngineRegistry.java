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
 * <p>Thread-safe (all state under the class lock).
 */
public final class EngineRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(EngineRegistry.class);
    private static final Map<Key, Shared> ENGINES = new HashMap<>();
    private static long enginesStarted;

    private EngineRegistry() {}

    /**
     * A lease on the engine for {@code settings} on GPU {@code gpuIndex} (-1 = none assigned),
     * starting it if it is not running.
     */
    public static Lease acquire(EngineSettings settings, int gpuIndex) throws IOException {
        Key key = new Key(settings, gpuIndex);
        synchronized (EngineRegistry.class) {
            Shared shared = ENGINES.get(key);
            if (shared == null) {
                shared = start(settings, gpuIndex);
                ENGINES.put(key, shared);
                enginesStarted++;
            }
            shared.references++;
            return new Lease(key, shared);
        }
    }

    /**
     * Engines started in this class loader since it was loaded: a restarted job starts its engine
     * again (diagnostics, and tests that count recoveries).
     */
    public static synchronized long enginesStarted() {
        return enginesStarted;
    }

    /** Number of engines running in this class loader (tests). */
    public static synchronized int runningEngines() {
        return ENGINES.size();
    }

    private static Shared start(EngineSettings settings, int gpuIndex) throws IOException {
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
        return new Shared(model, engine, registry, server);
    }

    private static void release(Key key, Shared shared) {
        synchronized (EngineRegistry.class) {
            if (--shared.references > 0) {
                return;
            }
            ENGINES.remove(key);
        }
        shared.engine.close();
        shared.model.close();
        if (shared.server != null) {
            shared.server.close();
        }
        LOG.info("Stopped engine for {}", key.settings.modelDir());
    }

    private record Key(EngineSettings settings, int gpuIndex) {}

    private static final class Shared {
        final ModelDirectory model;
        final InferenceEngine engine;
        final PrometheusRegistry registry;
        final HTTPServer server;
        int references;

        Shared(
                ModelDirectory model,
                InferenceEngine engine,
                PrometheusRegistry registry,
                HTTPServer server) {
            this.model = model;
            this.engine = engine;
            this.registry = registry;
            this.server = server;
        }
    }

    /** A reference to a shared engine; close it exactly once (idempotent). */
    public static final class Lease implements AutoCloseable {
        private final Key key;
        private final Shared shared;
        private boolean closed;

        private Lease(Key key, Shared shared) {
            this.key = key;
            this.shared = shared;
        }

        public InferenceEngine engine() {
            return shared.engine;
        }

        public ModelManifest manifest() {
            return shared.model.manifest();
        }

        /** Port of the metrics endpoint, or -1 when there is none. */
        public int metricsPort() {
            return shared.server == null ? -1 : shared.server.getPort();
        }

        public PrometheusRegistry registry() {
            return shared.registry;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                release(key, shared);
            }
        }
    }
}
