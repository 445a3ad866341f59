package dev.glimpse.serving.engine.kv;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * One KV tensor set in native memory: {@code numTensors} direct float buffers (native order, as
 * ONNX Runtime output pinning requires) of {@code capacityFloats} each. {@link KvMemory} frees it
 * explicitly; a slab created without one is left to the collector.
 */
final class KvSlab {
    private final ByteBuffer[] memory;
    private final FloatBuffer[] tensors;
    private final long capacityFloats;
    private boolean freed;
    KvMemory allocatedBy; // the memory that accounts for this slab; null when none does

    KvSlab(int numTensors, long capacityFloats) {
        if (capacityFloats > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException(
                    "a KV tensor must stay under 2 GiB, asked for " + capacityFloats + " floats");
        }
        this.capacityFloats = capacityFloats;
        memory = new ByteBuffer[numTensors];
        tensors = new FloatBuffer[numTensors];
        for (int i = 0; i < numTensors; i++) {
            memory[i] = DirectBuffers.allocate((int) capacityFloats * 4);
            tensors[i] = memory[i].asFloatBuffer();
        }
    }

    long capacityFloats() {
        return capacityFloats;
    }

    int numTensors() {
        return tensors.length;
    }

    long bytes() {
        return 4L * capacityFloats * tensors.length;
    }

    /** A view of the first {@code floats} floats of tensor {@code i}; still direct. */
    FloatBuffer view(int i, int floats) {
        return tensors[i].slice(0, floats);
    }

    FloatBuffer raw(int i) {
        return tensors[i];
    }

    /** Frees the native memory; false if it was freed before. Nothing may use the slab after. */
    boolean free() {
        if (freed) {
            return false;
        }
        freed = true;
        for (int i = 0; i < memory.length; i++) {
            DirectBuffers.free(memory[i]);
            memory[i] = null;
            tensors[i] = null;
        }
        return true;
    }
}
