package dev.glimpse.serving.engine.kv;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fixed set of KV blocks with reference counts, an LRU free queue and the prefix-cache index
 * (hash → block). Engine thread only.
 *
 * <p>Eviction is lazy: freeing a block appends it to the free queue with its hash intact; only when
 * {@link #getNewBlocks} pops it for reuse is its hash dropped from the index.
 */
public final class BlockPool {
    private final List<KvBlock> blocks;
    private final FreeBlockQueue freeQueue = new FreeBlockQueue();
    private final Map<BlockHash, KvBlock> cached = new HashMap<>();
    private volatile long numEvictions; // written by the engine thread only

    public BlockPool(int numBlocks) {
        if (numBlocks <= 0) {
            throw new IllegalArgumentException("numBlocks must be > 0, got " + numBlocks);
        }
        List<KvBlock> all = new ArrayList<>(numBlocks);
        for (int i = 0; i < numBlocks; i++) {
            KvBlock b = new KvBlock(i);
            all.add(b);
            freeQueue.append(b);
        }
        this.blocks = Collections.unmodifiableList(all);
    }

    public int numBlocks() {
        return blocks.size();
    }

    public int numFreeBlocks() {
        return freeQueue.size();
    }

    /** Fraction of blocks referenced by at least one sequence. */
    public double usage() {
        return 1.0 - (double) freeQueue.size() / blocks.size();
    }

    /** Pops {@code n} blocks from the head of the free queue (evicting their hashes), ref 1. */
    public List<KvBlock> getNewBlocks(int n) {
        if (n > freeQueue.size()) {
            throw new IllegalArgumentException(
                    "cannot get " + n + " blocks, only " + freeQueue.size() + " free");
        }
        List<KvBlock> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            KvBlock b = freeQueue.popLeft();
            if (b.hash() != null) {
                if (cached.get(b.hash()) == b) {
                    cached.remove(b.hash());
                }
                b.setHash(null);
                numEvictions++;
            }
            b.setRefCount(1);
            out.add(b);
        }
        return out;
    }

    /** Takes a reference on cache-hit blocks, reviving any that sat in the free queue. */
    public void touch(List<KvBlock> hits) {
        for (KvBlock b : hits) {
            if (b.refCount() == 0) {
                freeQueue.remove(b);
            }
            b.setRefCount(b.refCount() + 1);
        }
    }

    /**
     * Drops one reference from each block; blocks reaching 0 join the free queue in the given
     * order, so pass the blocks that should be evicted first first.
     */
    public void freeBlocks(List<KvBlock> evictFirstOrder) {
        for (KvBlock b : evictFirstOrder) {
            if (b.refCount() <= 0) {
                throw new IllegalStateException("double free of " + b);
            }
            b.setRefCount(b.refCount() - 1);
            if (b.refCount() == 0) {
                freeQueue.append(b);
            }
        }
    }

    public Optional<KvBlock> getCachedBlock(BlockHash hash) {
        return Optional.ofNullable(cached.get(hash));
    }

    /**
     * Indexes a full block under its prefix hash. Returns false (and leaves the block uncached)
     * when another block already holds that hash: the first copy wins.
     */
    public boolean cacheBlock(KvBlock block, BlockHash hash) {
        if (block.hash() != null) {
            throw new IllegalStateException(block + " is already cached");
        }
        if (cached.containsKey(hash)) {
            return false;
        }
        block.setHash(hash);
        cached.put(hash, block);
        return true;
    }

    /** Counts blocks whose cached hash was dropped for reuse. */
    public long numEvictions() {
        return numEvictions;
    }

    public KvBlock block(int id) {
        return blocks.get(id);
    }

    /** Free block ids, head (next to be reused) first. */
    public List<Integer> freeQueueIds() {
        return freeQueue.ids();
    }

    boolean isInFreeQueue(KvBlock b) {
        return freeQueue.contains(b);
    }

    /** Every violated invariant of the pool (empty when consistent). */
    public List<String> validate() {
        List<String> v = new ArrayList<>();
        for (KvBlock b : blocks) {
            boolean free = freeQueue.contains(b);
            if (b.refCount() < 0) {
                v.add(b + " has a negative reference count");
            }
            if ((b.refCount() == 0) != free) {
                v.add(
                        b
                                + (free
                                        ? " is in the free queue but referenced"
                                        : " is unreferenced but not free"));
            }
            if (b.hash() != null && cached.get(b.hash()) != b) {
                v.add(b + " carries a hash the index does not map to it");
            }
        }
        for (Map.Entry<BlockHash, KvBlock> e : cached.entrySet()) {
            if (!e.getKey().equals(e.getValue().hash())) {
                v.add(
                        "index entry "
                                + e.getKey()
                                + " points at "
                                + e.getValue()
                                + " with another hash");
            }
        }
        return v;
    }
}
