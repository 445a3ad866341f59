package dev.glimpse.serving.engine.kv;

/**
 * The element type of a tensor the engine exchanges with a graph: activations, logits and the KV
 * cache may each be float32, float16 or bfloat16 (read from the graph, never configured). Java
 * computes in float32; {@code dev.glimpse.serving.model.HalfFloats} converts at the boundary.
 */
public enum ElementType {
    FLOAT32(4),
    FLOAT16(2),
    BFLOAT16(2);

    private final int bytes;

    ElementType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The name ONNX gives the type ({@code float}, {@code float16}, {@code bfloat16}). */
    public String onnxName() {
        return switch (this) {
            case FLOAT32 -> "float";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
        };
    }
}
