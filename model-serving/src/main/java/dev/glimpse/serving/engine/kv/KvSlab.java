package dev.glimpse.serving.engine.kv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One KV tensor set in native memory: {@code numTensors} direct float buffers (native order, as
 * ONNX Runtime output pinning requires) of {@code capacityFloats} each. Freed by the GC when
 * unreachable; owners drop references on close.
 */
final class KvSlab {
    private final FloatBuffer[] tensors;
    private final long capacityFloats;

    KvSlab(int numTensors, long capacityFloats) {
        if (capacityFloats > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException(
                    "a KV tensor must stay under 2 GiB, asked for " + capacityFloats + " floats");
        }
        this.capacityFloats = capacityFloats;
        tensors = new FloatBuffer[numTensors];
        for (int i = 0; i < numTensors; i++) {
            tensors[i] =
                    ByteBuffer.allocateDirect((int) capacityFloats * 4)
                            .order(ByteOrder.nativeOrder())
                            .asFloatBuffer();
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
}
