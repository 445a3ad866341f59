package dev.glimpse.serving.engine.kv;

import java.util.Objects;

/**
 * Shape of the decoder's KV tensors: {@code 2 * numLayers} tensors (layer l: key at 2l, value at
 * 2l+1), each {@code [B, kvHeads, S, headDim]} of {@code elementType} (the decoder graph's past
 * inputs' type), kept the way {@code style} says.
 */
public record KvLayout(
        int numLayers, int kvHeads, int headDim, KvStyle style, ElementType elementType) {
    public KvLayout {
        if (numLayers <= 0 || kvHeads <= 0 || headDim <= 0) {
            throw new IllegalArgumentException(
                    "numLayers, kvHeads and headDim must be > 0, got "
                            + numLayers
                            + ", "
                            + kvHeads
                            + ", "
                            + headDim);
        }
        Objects.requireNonNull(style, "style");
        Objects.requireNonNull(elementType, "elementType");
    }

    /** A float32 layout. */
    public KvLayout(int numLayers, int kvHeads, int headDim, KvStyle style) {
        this(numLayers, kvHeads, headDim, style, ElementType.FLOAT32);
    }

    /** A concat-style layout (the torch export's decoder). */
    public KvLayout(int numLayers, int kvHeads, int headDim) {
        this(numLayers, kvHeads, headDim, KvStyle.CONCAT, ElementType.FLOAT32);
    }

    public int numTensors() {
        return 2 * numLayers;
    }

    /** Bytes per KV element. */
    public int elementBytes() {
        return elementType.bytes();
    }

    /** Bytes of KV (all tensors) for one token of one sequence. */
    public long bytesPerToken() {
        return (long) elementType.bytes() * numTensors() * kvHeads * headDim;
    }
}
