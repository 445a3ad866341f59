package dev.glimpse.serving.engine.kv;

/**
 * Bytes of KV copied by Java code (not by the graph). Written by the engine thread, read by anyone:
 * a plain decode step (same batch as the previous step) must add 0.
 */
public final class KvCopyCounter {
    private volatile long totalBytes;

    void add(long bytes) {
        totalBytes += bytes; // single writer: the engine thread
    }

    public long totalBytes() {
        return totalBytes;
    }
}
