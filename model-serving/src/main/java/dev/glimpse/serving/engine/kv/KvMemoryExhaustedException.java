package dev.glimpse.serving.engine.kv;

/**
 * A KV slab would pass the native memory budget ({@link KvMemory}); nothing was allocated. The
 * model runner fails the run that needed it (whose rows then run alone, in less memory).
 */
public final class KvMemoryExhaustedException extends RuntimeException {
    public KvMemoryExhaustedException(long bytes, long heldBytes, long budgetBytes) {
        super(
                "KV memory budget exhausted: "
                        + bytes
                        + " more bytes asked for, "
                        + heldBytes
                        + " of "
                        + budgetBytes
                        + " held");
    }
}
