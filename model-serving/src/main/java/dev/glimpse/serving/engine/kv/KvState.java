package dev.glimpse.serving.engine.kv;

import java.nio.FloatBuffer;

/**
 * Physical KV of a batch of rows for the concat-style decoder, double-buffered:
 *
 * <pre>
 *   step n:   past    = slab A  [B, kvHeads, S,     headDim]   (input)
 *             present = slab B  [B, kvHeads, S + T, headDim]   (pinned output, written by ORT)
 *   commit:   swap A/B, S += T  (no Java copy: the graph's Concat already copied the past)
 * </pre>
 *
 * Past and present never alias: with the concat graph that runs without error but gives wrong
 * results (TOOLCHAIN.md §12). Engine thread only.
 */
public abstract class KvState {
    protected final KvLayout layout;
    protected KvSlab current; // holds the past: [B, kvHeads, pastLength, headDim] per tensor
    protected KvSlab spare; // receives the present
    private final KvSlabPool pool; // null: allocate every buffer, leave released ones to the GC

    KvState(KvLayout layout, KvSlabPool pool) {
        this.layout = layout;
        this.pool = pool;
    }

    /** A buffer of {@code floats} per tensor, from the pool when there is one. */
    protected KvSlab allocate(long floats) {
        return pool == null
                ? new KvSlab(layout.numTensors(), floats)
                : pool.take(layout.numTensors(), floats);
    }

    /** Gives a buffer nothing reads any more back to the pool, if any. */
    protected void recycle(KvSlab slab) {
        if (pool != null && slab != null) {
            pool.give(slab);
        }
    }

    public KvLayout layout() {
        return layout;
    }

    public abstract int batchSize();

    /** S: the padded past length shared by all rows. */
    public abstract int pastLength();

    /** Input view of tensor {@code i}: {@code [B, kvHeads, S, headDim]}. */
    public FloatBuffer past(int i) {
        return current == null ? FloatBuffer.allocate(0) : current.view(i, floats(pastLength()));
    }

    /**
     * Output view of tensor {@code i} for {@code newTokens} more: {@code [B, kvHeads, S+T,
     * headDim]}.
     */
    public FloatBuffer present(int i, int newTokens) {
        int floats = floats(pastLength() + newTokens);
        if (spare == null || spare.capacityFloats() < floats) {
            throw new IllegalStateException(
                    "KV capacity exceeded: need "
                            + floats
                            + " floats per tensor, have "
                            + (spare == null ? 0 : spare.capacityFloats()));
        }
        return spare.view(i, floats);
    }

    /** {@code [B, S + T]}: 1 for real tokens, 0 for left padding. */
    public abstract long[] attentionMask(int newTokens);

    /** {@code [B, T]}: each row's positions continue from its real length. */
    public abstract long[] positionIds(int newTokens);

    /** The run wrote the present: it becomes the past. */
    public void commit(int newTokens) {
        KvSlab t = current;
        current = spare;
        spare = t;
        advance(newTokens);
    }

    protected abstract void advance(int newTokens);

    /** Real (unpadded) length of row {@code row}. */
    public abstract int rowLength(int row);

    protected int floats(int seqLen) {
        return batchSize() * layout.kvHeads() * seqLen * layout.headDim();
    }

    /**
     * Drops the native buffers: back to the pool, or freed when collected. This object must not be
     * used for its contents afterwards (its views are gone, so a stray use reads nothing instead of
     * another owner's KV).
     */
    public void release() {
        recycle(current);
        recycle(spare);
        current = null;
        spare = null;
    }
}
