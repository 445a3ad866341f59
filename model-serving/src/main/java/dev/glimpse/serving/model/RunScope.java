package dev.glimpse.serving.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.glimpse.serving.engine.kv.ElementType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tensors of one graph run, closed together; {@code live} counts the ones open. Floats go in
 * and come out in the graph's element type, converted here. One run's thread.
 */
final class RunScope implements AutoCloseable {
    private final OrtEnvironment env;
    private final AtomicLong live;
    private final List<OnnxValue> owned = new ArrayList<>();

    RunScope(OrtEnvironment env, AtomicLong live) {
        this.env = env;
        this.live = live;
    }

    /** {@code data} as a tensor of {@code type} (converted when that is not float32). */
    OnnxTensor values(float[] data, ElementType type, long... dims) throws OrtException {
        if (type == ElementType.FLOAT32) {
            return track(OnnxTensor.createTensor(env, FloatBuffer.wrap(data), dims));
        }
        ByteBuffer bytes =
                ByteBuffer.allocateDirect(data.length * type.bytes())
                        .order(ByteOrder.nativeOrder());
        HalfFloats.encode(data, type, bytes);
        return track(OnnxTensor.createTensor(env, bytes, dims, javaType(type)));
    }

    /** A tensor over {@code data}'s native memory (no copy): KV and pinned outputs. */
    OnnxTensor over(ByteBuffer data, ElementType type, long... dims) throws OrtException {
        return track(OnnxTensor.createTensor(env, data, dims, javaType(type)));
    }

    OnnxTensor longs(long[] data, long... dims) throws OrtException {
        return track(OnnxTensor.createTensor(env, LongBuffer.wrap(data), dims));
    }

    private OnnxTensor track(OnnxTensor t) {
        owned.add(t);
        live.incrementAndGet();
        return t;
    }

    @Override
    public void close() {
        for (OnnxValue v : owned) {
            v.close();
            live.decrementAndGet();
        }
        owned.clear();
    }

    /** An output tensor of {@code type} as floats. */
    static float[] floatsOf(OnnxValue value, ElementType type) {
        OnnxTensor t = (OnnxTensor) value;
        if (type == ElementType.FLOAT32) {
            FloatBuffer fb = t.getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
        ByteBuffer bytes = t.getByteBuffer().order(ByteOrder.nativeOrder());
        float[] out = new float[bytes.remaining() / type.bytes()];
        HalfFloats.decode(bytes, type, 0, out, 0, out.length);
        return out;
    }

    static OnnxJavaType javaType(ElementType type) {
        return switch (type) {
            case FLOAT32 -> OnnxJavaType.FLOAT;
            case FLOAT16 -> OnnxJavaType.FLOAT16;
            case BFLOAT16 -> OnnxJavaType.BFLOAT16;
        };
    }
}
