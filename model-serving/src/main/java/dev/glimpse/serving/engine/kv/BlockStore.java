package dev.glimpse.serving.engine.kv;

import java.util.List;

/**
 * The prefix cache's KV contents: block {@code id} of tensor {@code i} is {@code [kvHeads,
 * blockSize, headDim]} at offset {@code id * kvHeads * blockSize * headDim}. Blocks are written
 * when a sequence publishes them ({@link KvCacheManager#cacheFullBlocks}) and read once when a
 * later sequence hits them at admission. Both copies are counted.
 */
public final class BlockStore {
    private final KvLayout layout;
    private final int blockSize;
    private final KvCopyCounter copies;
    private final KvMemory memory;
    private KvSlab slab; // per tensor: [numBlocks, kvHeads, blockSize, headDim]

    public BlockStore(KvLayout layout, int numBlocks, int blockSize, KvCopyCounter copies) {
        this(layout, numBlocks, blockSize, copies, KvMemory.unbounded());
    }

    /**
     * @throws KvMemoryExhaustedException the store (all {@code numBlocks}) does not fit {@code
     *     memory}'s budget
     */
    public BlockStore(
            KvLayout layout, int numBlocks, int blockSize, KvCopyCounter copies, KvMemory memory) {
        this.layout = layout;
        this.blockSize = blockSize;
        this.copies = copies;
        this.memory = memory;
        this.slab =
                memory.allocate(
                        layout.numTensors(),
                        (long) numBlocks * layout.kvHeads() * blockSize * layout.headDim(),
                        layout.elementBytes());
    }

    /**
     * Copies block {@code indexInSequence} of row {@code row}'s computed KV in {@code source} (a
     * sequence's own buffer, or a row of a batched prefill) into {@code block}.
     */
    public void store(KvState source, int row, int indexInSequence, KvBlock block) {
        int len = source.rowLength(row);
        if ((indexInSequence + 1) * blockSize > len) {
            throw new IllegalArgumentException(
                    "block " + indexInSequence + " is not computed yet: sequence length " + len);
        }
        int eb = layout.elementBytes();
        int run = blockSize * layout.headDim(); // elements
        for (int i = 0; i < layout.numTensors(); i++) {
            var src = source.rawPast(i);
            var dst = slab.raw(i);
            for (int h = 0; h < layout.kvHeads(); h++) {
                int srcOff = source.rowOffset(row, h, indexInSequence * blockSize);
                int dstOff = (block.id() * layout.kvHeads() + h) * run;
                dst.put(dstOff * eb, src, srcOff * eb, run * eb);
            }
        }
        copies.add((long) eb * run * layout.kvHeads() * layout.numTensors());
    }

    /** Fills an empty sequence with the hit blocks; its length becomes {@code hits * blockSize}. */
    public void load(SequenceKv target, List<KvBlock> hits) {
        if (target.pastLength() != 0) {
            throw new IllegalArgumentException(
                    "prefix blocks load into an empty sequence, length is " + target.pastLength());
        }
        int s = hits.size() * blockSize;
        if (s > target.capacityTokens()) {
            throw new IllegalArgumentException(
                    s + " prefix positions do not fit a sequence of " + target.capacityTokens());
        }
        target.setLength(s); // first: the CONCAT layout's stride is the length
        int eb = layout.elementBytes();
        int run = blockSize * layout.headDim(); // elements
        for (int i = 0; i < layout.numTensors(); i++) {
            var src = slab.raw(i);
            var dst = target.rawPast(i);
            for (int j = 0; j < hits.size(); j++) {
                for (int h = 0; h < layout.kvHeads(); h++) {
                    int srcOff = (hits.get(j).id() * layout.kvHeads() + h) * run;
                    dst.put(target.rowOffset(0, h, j * blockSize) * eb, src, srcOff * eb, run * eb);
                }
            }
        }
        copies.add((long) eb * run * layout.kvHeads() * layout.numTensors() * hits.size());
    }

    /** Frees the store's memory; nothing may be stored or loaded afterwards. */
    public void release() {
        memory.free(slab);
        slab = null;
    }
}
