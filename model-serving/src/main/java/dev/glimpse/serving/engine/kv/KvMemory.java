package dev.glimpse.serving.engine.kv;

/**
 * The native memory of the KV cache against one budget: every slab of the engine (the prefix
 * cache's block store, each prefilling sequence's buffers, the decode batch's, the pooled ones) is
 * allocated and freed here. Before an allocation would pass the budget, the pooled slabs are freed;
 * if it would still pass, the allocation fails with {@link KvMemoryExhaustedException} and nothing
 * is allocated. Allocation and freeing on the engine thread; {@link #numBytes} from any thread.
 */
public final class KvMemory {
    private final long budgetBytes;
    private volatile long numBytes;
    private Runnable freeIdle = () -> {}; // frees slabs kept for reuse (the pool)

    /**
     * @param budgetBytes the most native bytes all KV slabs may hold together
     */
    public KvMemory(long budgetBytes) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("budgetBytes must be > 0, got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    /** No budget: accounting and explicit freeing only. */
    public static KvMemory unbounded() {
        return new KvMemory(Long.MAX_VALUE);
    }

    void onPressure(Runnable freeIdleSlabs) {
        this.freeIdle = freeIdleSlabs;
    }

    /** A float32 slab. */
    KvSlab allocate(int numTensors, long capacityFloats) {
        return allocate(numTensors, capacityFloats, 4);
    }

    KvSlab allocate(int numTensors, long capacityElements, int elementBytes) {
        long bytes = (long) elementBytes * numTensors * capacityElements;
        if (numBytes + bytes > budgetBytes) {
            freeIdle.run();
        }
        if (numBytes + bytes > budgetBytes) {
            throw new KvMemoryExhaustedException(bytes, numBytes, budgetBytes);
        }
        KvSlab slab = new KvSlab(numTensors, capacityElements, elementBytes);
        slab.allocatedBy = this;
        numBytes += bytes;
        return slab;
    }

    /** Frees a slab nothing reads any more (counted here if it was allocated here). */
    void free(KvSlab slab) {
        if (slab != null && slab.free() && slab.allocatedBy == this) {
            numBytes -= slab.bytes();
        }
    }

    /** Native bytes the KV slabs hold now. */
    public long numBytes() {
        return numBytes;
    }

    public long budgetBytes() {
        return budgetBytes;
    }
}
