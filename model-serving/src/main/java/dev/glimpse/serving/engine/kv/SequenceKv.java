package dev.glimpse.serving.engine.kv;

/**
 * KV of one sequence during prefill ({@code B = 1}, no padding): chunks of T prompt tokens append
 * to it, a prefix hit fills its first blocks from the {@link BlockStore}. Room for {@code
 * capacityTokens} positions: two buffers with {@link KvStyle#CONCAT}, one with {@link
 * KvStyle#SHARED}.
 */
public final class SequenceKv extends KvState {
    private int length;

    public SequenceKv(KvLayout layout, int capacityTokens) {
        this(layout, capacityTokens, null);
    }

    /**
     * @param pool where the buffers come from and go back to on {@link #release}; null allocates
     */
    public SequenceKv(KvLayout layout, int capacityTokens, KvSlabPool pool) {
        super(layout, pool);
        if (capacityTokens <= 0) {
            throw new IllegalArgumentException("capacityTokens must be > 0, got " + capacityTokens);
        }
        this.capacityTokens = capacityTokens;
        long elements = (long) layout.kvHeads() * capacityTokens * layout.headDim();
        current = allocate(elements);
        try {
            spare = shared() ? null : allocate(elements);
        } catch (RuntimeException e) {
            release(); // the first half must not be held by a sequence that never runs
            throw e;
        }
    }

    public int capacityTokens() {
        return capacityTokens;
    }

    @Override
    public int batchSize() {
        return 1;
    }

    @Override
    public int pastLength() {
        return length;
    }

    @Override
    public int rowLength(int row) {
        return length;
    }

    @Override
    public long[] attentionMask(int newTokens) {
        long[] mask = new long[length + newTokens];
        java.util.Arrays.fill(mask, 1L);
        return mask;
    }

    @Override
    public long[] positionIds(int newTokens) {
        long[] pos = new long[newTokens];
        for (int t = 0; t < newTokens; t++) {
            pos[t] = length + t;
        }
        return pos;
    }

    @Override
    protected void advance(int newTokens) {
        length += newTokens;
    }

    void setLength(int length) {
        this.length = length;
    }
}
