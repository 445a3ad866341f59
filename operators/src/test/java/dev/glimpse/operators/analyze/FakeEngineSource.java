package dev.glimpse.operators.analyze;

import dev.glimpse.serving.model.ModelManifest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link EngineSource} that hands Analyze a test's fake engine. Serializable like the real one:
 * the engine itself stays in a static map under the source's name.
 */
record FakeEngineSource(String name) implements EngineSource {

    private static final long serialVersionUID = 1L;
    private static final Map<String, AnalysisEngine> ENGINES = new ConcurrentHashMap<>();
    private static final Map<String, ModelManifest> MANIFESTS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> OPEN = new ConcurrentHashMap<>();

    static FakeEngineSource of(String name, AnalysisEngine engine, ModelManifest manifest) {
        ENGINES.put(name, engine);
        MANIFESTS.put(name, manifest);
        OPEN.put(name, new AtomicInteger());
        return new FakeEngineSource(name);
    }

    /** Handles opened and not yet closed. */
    int openHandles() {
        return OPEN.get(name).get();
    }

    @Override
    public Handle open(int gpuIndex) {
        OPEN.get(name).incrementAndGet();
        return new Handle() {
            private boolean closed;

            @Override
            public AnalysisEngine engine() {
                return ENGINES.get(name);
            }

            @Override
            public ModelManifest manifest() {
                return MANIFESTS.get(name);
            }

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    OPEN.get(name).decrementAndGet();
                }
            }
        };
    }
}
