package dev.glimpse.operators.analyze;

import dev.glimpse.serving.model.ModelManifest;
import java.io.IOException;
import java.io.Serializable;

/**
 * Where an {@link Analyze} instance gets its engine when it opens: by default a lease on the
 * TaskManager's shared engine ({@link EngineRegistry}); tests pass a fake. Serializable, since it
 * travels with the operator.
 */
@FunctionalInterface
public interface EngineSource extends Serializable {

    /** A handle on a running engine for GPU {@code gpuIndex} (-1 = none assigned). */
    Handle open(int gpuIndex) throws IOException;

    /** A reference to an engine; closed by its holder exactly once (idempotent). */
    interface Handle extends AutoCloseable {
        AnalysisEngine engine();

        ModelManifest manifest();

        @Override
        void close();
    }

    /** The shared engine of {@code settings}: {@link EngineRegistry#acquire}. */
    static EngineSource shared(EngineSettings settings) {
        return new Shared(settings);
    }

    /** A lease from the process-wide registry. */
    record Shared(EngineSettings settings) implements EngineSource {
        private static final long serialVersionUID = 1L;

        @Override
        public Handle open(int gpuIndex) throws IOException {
            return EngineRegistry.acquire(settings, gpuIndex);
        }
    }
}
