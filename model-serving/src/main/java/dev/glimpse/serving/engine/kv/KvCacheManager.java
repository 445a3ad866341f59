package dev.glimpse.serving.engine.kv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Logical KV accounting per sequence over a {@link BlockPool}, plus the prefix cache (vLLM v1
 * {@code KVCacheManager} shape): {@link #getComputedBlocks} finds cached prefix blocks, {@link
 * #allocateSlots} takes references on them and reserves new blocks (or returns false, changing
 * nothing, when the pool is short), {@link #cacheFullBlocks} publishes a sequence's newly full
 * blocks, {@link #free} releases a sequence's blocks tail first. Engine thread only.
 */
public final class KvCacheManager {
    private final BlockPool pool;
    private final int blockSize;
    private final boolean prefixCaching;
    private final Map<String, List<KvBlock>> blocksBySequence = new HashMap<>();
    private final Map<String, Integer> numCachedBySequence = new HashMap<>();

    public KvCacheManager(BlockPool pool, int blockSize, boolean prefixCaching) {
        if (blockSize <= 0) {
            throw new IllegalArgumentException("blockSize must be > 0, got " + blockSize);
        }
        this.pool = pool;
        this.blockSize = blockSize;
        this.prefixCaching = prefixCaching;
    }

    public int blockSize() {
        return blockSize;
    }

    public BlockPool pool() {
        return pool;
    }

    public boolean prefixCaching() {
        return prefixCaching;
    }

    /**
     * The longest chain of cached blocks matching the prompt's full-block hashes. Stops one token
     * short of the whole prompt: the last prompt token must be computed to get its logits.
     */
    public List<KvBlock> getComputedBlocks(List<BlockHash> promptBlockHashes, int promptLength) {
        if (!prefixCaching) {
            return List.of();
        }
        int maxHits = Math.min(promptBlockHashes.size(), (promptLength - 1) / blockSize);
        List<KvBlock> hits = new ArrayList<>();
        for (int i = 0; i < maxHits; i++) {
            var hit = pool.getCachedBlock(promptBlockHashes.get(i));
            if (hit.isEmpty()) {
                break;
            }
            hits.add(hit.get());
        }
        return hits;
    }

    /** Blocks needed to hold {@code numTokens} tokens. */
    public static int blocksFor(int numTokens, int blockSize) {
        return (numTokens + blockSize - 1) / blockSize;
    }

    /**
     * Makes the sequence hold enough blocks for {@code numTotalTokens}, first adopting {@code
     * newComputedBlocks} (cache hits from {@link #getComputedBlocks}, only on the first call).
     *
     * @return false, with nothing changed, when the free queue cannot cover it
     */
    public boolean allocateSlots(
            String sequenceId, int numTotalTokens, List<KvBlock> newComputedBlocks) {
        List<KvBlock> held = blocksBySequence.getOrDefault(sequenceId, List.of());
        if (!held.isEmpty() && !newComputedBlocks.isEmpty()) {
            throw new IllegalArgumentException(
                    "computed blocks can only be adopted by a new sequence, "
                            + sequenceId
                            + " holds "
                            + held.size());
        }
        int needed = blocksFor(numTotalTokens, blockSize) - held.size() - newComputedBlocks.size();
        int revived = 0;
        for (KvBlock b : newComputedBlocks) {
            if (b.refCount() == 0) {
                revived++;
            }
        }
        if (Math.max(0, needed) + revived > pool.numFreeBlocks()) {
            return false;
        }
        List<KvBlock> blocks = blocksBySequence.computeIfAbsent(sequenceId, k -> new ArrayList<>());
        pool.touch(newComputedBlocks);
        blocks.addAll(newComputedBlocks);
        if (!newComputedBlocks.isEmpty()) {
            numCachedBySequence.put(sequenceId, newComputedBlocks.size());
        }
        if (needed > 0) {
            blocks.addAll(pool.getNewBlocks(needed));
        }
        return true;
    }

    /** A block a sequence just published to the prefix cache, with its index in the sequence. */
    public record CachedBlock(int indexInSequence, KvBlock block) {}

    /**
     * Publishes the sequence's blocks {@code [alreadyCached, numFullBlocks)} under their hashes.
     * Returns the blocks that entered the index (their KV must now be stored); a block whose hash
     * another block already holds stays private.
     */
    public List<CachedBlock> cacheFullBlocks(
            String sequenceId, List<BlockHash> blockHashes, int numFullBlocks) {
        if (!prefixCaching) {
            return List.of();
        }
        List<KvBlock> blocks = blocksBySequence.get(sequenceId);
        if (blocks == null) {
            throw new IllegalArgumentException("unknown sequence " + sequenceId);
        }
        int from = numCachedBySequence.getOrDefault(sequenceId, 0);
        int to = Math.min(Math.min(numFullBlocks, blockHashes.size()), blocks.size());
        List<CachedBlock> published = new ArrayList<>();
        for (int i = from; i < to; i++) {
            if (pool.cacheBlock(blocks.get(i), blockHashes.get(i))) {
                published.add(new CachedBlock(i, blocks.get(i)));
            }
        }
        numCachedBySequence.put(sequenceId, Math.max(from, to));
        return published;
    }

    /** Releases the sequence's blocks, last block first so that tails are evicted before heads. */
    public void free(String sequenceId) {
        List<KvBlock> blocks = blocksBySequence.remove(sequenceId);
        numCachedBySequence.remove(sequenceId);
        if (blocks == null) {
            return;
        }
        List<KvBlock> reversed = new ArrayList<>(blocks);
        java.util.Collections.reverse(reversed);
        pool.freeBlocks(reversed);
    }

    public List<KvBlock> blocksOf(String sequenceId) {
        return List.copyOf(blocksBySequence.getOrDefault(sequenceId, List.of()));
    }

    public int numFreeBlocks() {
        return pool.numFreeBlocks();
    }

    public double usage() {
        return pool.usage();
    }

    /** Sequences holding blocks. */
    public java.util.Set<String> sequenceIds() {
        return java.util.Set.copyOf(blocksBySequence.keySet());
    }

    /** Pool invariants plus: every block's reference count equals the number of holders. */
    public List<String> validate() {
        List<String> v = new ArrayList<>(pool.validate());
        Map<KvBlock, Integer> holders = new HashMap<>();
        for (List<KvBlock> blocks : blocksBySequence.values()) {
            for (KvBlock b : blocks) {
                holders.merge(b, 1, Integer::sum);
            }
        }
        for (int i = 0; i < pool.numBlocks(); i++) {
            KvBlock b = pool.block(i);
            int h = holders.getOrDefault(b, 0);
            if (h != b.refCount()) {
                v.add(b + " is held by " + h + " sequences but has refCount " + b.refCount());
            }
        }
        return v;
    }
}
