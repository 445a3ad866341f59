package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.kv.BlockStore;
import dev.glimpse.serving.engine.kv.DecodeBatchKv;
import dev.glimpse.serving.engine.kv.KvCopyCounter;
import dev.glimpse.serving.engine.kv.KvMemory;
import dev.glimpse.serving.engine.kv.KvMemoryExhaustedException;
import dev.glimpse.serving.engine.kv.KvSlabPool;
import dev.glimpse.serving.engine.kv.KvState;
import dev.glimpse.serving.engine.kv.SequenceKv;
import dev.glimpse.serving.engine.sched.Sequence;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The physical KV the model runner owns, all in one {@link KvMemory} budget: the decode batch, the
 * buffers of prefilling sequences (own ones, or a grouped prefill's shared by its rows), the prefix
 * cache's block store, and the pool of buffers kept for reuse. Every buffer is freed explicitly:
 * back to the pool when its last reader lets go, freed when it leaves the pool, and all of them on
 * {@link #close}. Engine thread only.
 */
final class KvBuffers implements AutoCloseable {
    /** Bound of the pool of KV buffers (finished prefills, outgrown batch buffers) reused. */
    static final long KV_POOL_BYTES = 64L << 20;

    private final ModelShape shape;
    private final KvCopyCounter copies;
    private final KvMemory memory;
    private final KvSlabPool slabs;
    private final BlockStore blockStore; // null without prefix caching
    private final DecodeBatchKv batch;
    // prefill KV → number of sequences still reading it (a grouped prefill's rows share one)
    private final Map<KvState, Integer> prefillHolders = new IdentityHashMap<>();

    KvBuffers(EngineConfig config, ModelShape shape, KvCopyCounter copies) {
        this.shape = shape;
        this.copies = copies;
        this.memory = new KvMemory(budgetBytes(config, shape));
        this.slabs = new KvSlabPool(KV_POOL_BYTES, memory);
        try {
            this.blockStore =
                    config.prefixCaching()
                            ? new BlockStore(
                                    shape.kv(),
                                    config.numKvBlocks(),
                                    config.blockSize(),
                                    copies,
                                    memory)
                            : null;
        } catch (KvMemoryExhaustedException e) {
            throw new IllegalArgumentException(
                    "kvMemoryBytes ("
                            + memory.budgetBytes()
                            + ") must hold at least the prefix cache's block store of numKvBlocks *"
                            + " blockSize tokens ("
                            + (long) config.numKvBlocks()
                                    * config.blockSize()
                                    * shape.kv().bytesPerToken()
                            + " bytes)",
                    e);
        }
        this.batch = new DecodeBatchKv(shape.kv(), copies, slabs);
    }

    /**
     * {@code kvMemoryBytes}, or when 0 a bound derived from the settings: the block store (the
     * pool's P tokens), prefilling sequences (at most P tokens reserved, two buffers each), the
     * decode batch while it is rebuilt (old, new and spare buffers of maxNumSeqs rows of at most
     * min(P, maxPositions) positions) and the reuse pool.
     */
    static long budgetBytes(EngineConfig config, ModelShape shape) {
        if (config.kvMemoryBytes() > 0) {
            return config.kvMemoryBytes();
        }
        long pool = (long) config.numKvBlocks() * config.blockSize();
        long row = Math.min(pool, shape.maxPositions());
        long tokens = 3 * pool + 3L * config.maxNumSeqs() * row;
        return tokens * shape.kv().bytesPerToken() + KV_POOL_BYTES;
    }

    DecodeBatchKv batch() {
        return batch;
    }

    BlockStore blockStore() {
        return blockStore;
    }

    /** A new buffer for one sequence's prompt ({@code B = 1}). */
    SequenceKv newSequenceKv(int capacityTokens) {
        return new SequenceKv(shape.kv(), capacityTokens, slabs);
    }

    /** A new batch (a grouped prefill, or a row run alone), its buffers from the pool. */
    DecodeBatchKv newBatch() {
        return new DecodeBatchKv(shape.kv(), copies, slabs);
    }

    /** {@code seq}'s KV is row {@code row} of {@code state} until it joins the decode batch. */
    void hold(Sequence seq, KvState state, int row) {
        release(seq);
        seq.setPrefillKv(state, row);
        prefillHolders.merge(state, 1, Integer::sum);
    }

    /**
     * The sequence no longer reads its prefill KV (it joined the decode batch, or finished); the
     * buffer goes back to the pool once no sequence reads it.
     */
    void release(Sequence seq) {
        KvState state = seq.prefillKv();
        seq.setPrefillKv(null, 0);
        if (state != null && prefillHolders.merge(state, -1, Integer::sum) == 0) {
            prefillHolders.remove(state);
            state.release();
        }
    }

    KvMemory memory() {
        return memory;
    }

    /** Frees every buffer (the engine is closing); {@code memory().numBytes()} is 0 after. */
    @Override
    public void close() {
        batch.release();
        prefillHolders.keySet().forEach(KvState::release);
        prefillHolders.clear();
        slabs.clear();
        if (blockStore != null) {
            blockStore.release();
        }
    }
}
