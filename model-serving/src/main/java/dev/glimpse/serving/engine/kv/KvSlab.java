package dev.glimpse.serving.engine.kv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One KV tensor set in native memory: {@code numTensors} direct buffers (native order, as ONNX
 * Runtime output pinning requires) of {@code capacityElements} elements of {@code elementBytes}
 * each. {@link KvMemory} frees it explicitly; a slab created without one is left to the collector.
 */
final class KvSlab {
    private final ByteBuffer[] memory;
    private final long capacityElements;
    private final int elementBytes;
    private boolean freed;
    KvMemory allocatedBy; // the memory that accounts for this slab; null when none does

    /** A float32 slab. */
    KvSlab(int numTensors, long capacityFloats) {
        this(numTensors, capacityFloats, 4);
    }

    KvSlab(int numTensors, long capacityElements, int elementBytes) {
        if (elementBytes != 2 && elementBytes != 4) {
            throw new IllegalArgumentException("KV elements are 2 or 4 bytes, got " + elementBytes);
        }
        if (capacityElements > Integer.MAX_VALUE / elementBytes) {
            throw new IllegalArgumentException(
                    "a KV tensor must stay under 2 GiB, asked for "
                            + capacityElements
                            + " elements of "
                            + elementBytes
                            + " bytes");
        }
        this.capacityElements = capacityElements;
        this.elementBytes = elementBytes;
        memory = new ByteBuffer[numTensors];
        for (int i = 0; i < numTensors; i++) {
            memory[i] = DirectBuffers.allocate((int) capacityElements * elementBytes);
        }
    }

    long capacityElements() {
        return capacityElements;
    }

    int elementBytes() {
        return elementBytes;
    }

    int numTensors() {
        return memory.length;
    }

    long bytes() {
        return (long) elementBytes * capacityElements * memory.length;
    }

    /** The first {@code elements} elements of tensor {@code i}, native order; still direct. */
    ByteBuffer view(int i, int elements) {
        return memory[i].slice(0, elements * elementBytes).order(ByteOrder.nativeOrder());
    }

    /** A float view of the first {@code elements} of tensor {@code i} (float32 slabs only). */
    FloatBuffer floatView(int i, int elements) {
        requireFloat32();
        return memory[i].asFloatBuffer().slice(0, elements);
    }

    /** Tensor {@code i} as a whole, native order; offsets in bytes. */
    ByteBuffer raw(int i) {
        return memory[i];
    }

    private void requireFloat32() {
        if (elementBytes != 4) {
            throw new IllegalStateException("a float view of a " + elementBytes + "-byte KV slab");
        }
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
        }
        return true;
    }
}
