package dev.glimpse.serving.model;

import dev.glimpse.serving.engine.kv.DirectBuffers;
import java.nio.ByteBuffer;

/**
 * Native memory the decoder's {@code logits [B, T, V]} output is pinned into, so that only the rows
 * the engine samples are copied to the heap. One buffer is reused by every run of at most {@code
 * reuseBytes}; a larger run (a long batched prefill of a large vocabulary) gets a buffer of its
 * own, freed as soon as it is given back. Engine thread only.
 */
final class LogitsBuffer implements AutoCloseable {
    private final int reuseBytes;
    private ByteBuffer reused = DirectBuffers.allocate(0);

    LogitsBuffer(int reuseBytes) {
        this.reuseBytes = reuseBytes;
    }

    /** A native-order direct buffer of at least {@code bytes}; give it back after the run. */
    ByteBuffer take(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "a run's logits must stay under 2 GiB, asked for " + bytes + " bytes");
        }
        if (bytes > reuseBytes) {
            return DirectBuffers.allocate((int) bytes);
        }
        if (reused.capacity() < bytes) {
            DirectBuffers.free(reused);
            reused = DirectBuffers.allocate((int) bytes);
        }
        return reused;
    }

    void giveBack(ByteBuffer buffer) {
        if (buffer != reused) {
            DirectBuffers.free(buffer);
        }
    }

    @Override
    public void close() {
        DirectBuffers.free(reused);
        reused = DirectBuffers.allocate(0);
    }
}
