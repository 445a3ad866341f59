package dev.glimpse.serving.engine.kv;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Keeps the slabs of finished prefills for the next ones. A prefill buffer of a long prompt is
 * large enough (1.8 MB for 215 tokens of the bundled model) that the allocator maps fresh pages for
 * it, and touching them cost ~1 ms on a prefix-cache hit whose own compute is ~3 ms; a reused slab
 * costs nothing. Holds at most {@code maxBytes}, oldest freed first; every slab comes from and goes
 * back to its {@link KvMemory}, which frees the pooled ones when it runs short. Slabs come back
 * with stale contents: every reader of a slab reads only what its owner wrote. Engine thread only.
 */
public final class KvSlabPool {
    private final long maxBytes;
    private final KvMemory memory;
    private final ArrayDeque<KvSlab> free = new ArrayDeque<>();
    private long freeBytes;
    private long numReused;

    /** A pool over its own unbounded {@link KvMemory}. */
    public KvSlabPool(long maxBytes) {
        this(maxBytes, KvMemory.unbounded());
    }

    public KvSlabPool(long maxBytes, KvMemory memory) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.memory = memory;
        memory.onPressure(this::clear);
    }

    /**
     * A float32 slab of {@code numTensors} tensors holding at least {@code capacityFloats} each.
     */
    KvSlab take(int numTensors, long capacityFloats) {
        return take(numTensors, capacityFloats, 4);
    }

    /**
     * A slab of {@code numTensors} tensors holding at least {@code capacityElements} elements of
     * {@code elementBytes} each: the smallest pooled one that fits without being more than twice
     * the size, else a new one.
     */
    KvSlab take(int numTensors, long capacityElements, int elementBytes) {
        KvSlab best = null;
        for (KvSlab s : free) {
            if (s.numTensors() == numTensors
                    && s.elementBytes() == elementBytes
                    && s.capacityElements() >= capacityElements
                    && s.capacityElements() <= 2 * capacityElements
                    && (best == null || s.capacityElements() < best.capacityElements())) {
                best = s;
            }
        }
        if (best == null) {
            return memory.allocate(numTensors, capacityElements, elementBytes);
        }
        free.remove(best);
        freeBytes -= best.bytes();
        numReused++;
        return best;
    }

    /** Takes back a slab its owner no longer reads or writes. */
    void give(KvSlab slab) {
        if (slab == null) {
            return;
        }
        if (slab.bytes() > maxBytes) {
            memory.free(slab);
            return;
        }
        free.addLast(slab);
        freeBytes += slab.bytes();
        for (Iterator<KvSlab> it = free.iterator(); freeBytes > maxBytes && it.hasNext(); ) {
            KvSlab oldest = it.next();
            it.remove();
            freeBytes -= oldest.bytes();
            memory.free(oldest);
        }
    }

    /** Bytes held for reuse. */
    public long freeBytes() {
        return freeBytes;
    }

    /** Slabs handed out again instead of allocated. */
    public long numReused() {
        return numReused;
    }

    /** Frees every pooled slab. */
    public void clear() {
        free.forEach(memory::free);
        free.clear();
        freeBytes = 0;
    }

    /** The memory the slabs come from. */
    public KvMemory memory() {
        return memory;
    }
}
