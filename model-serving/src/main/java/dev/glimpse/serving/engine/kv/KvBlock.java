package dev.glimpse.serving.engine.kv;

/**
 * One block of {@code blockSize} token slots. Mutable bookkeeping owned by the {@link BlockPool}
 * (engine thread only). A block with {@code refCount == 0} sits in the free queue and keeps its
 * hash until it is reused, so a later prompt can still hit it.
 */
public final class KvBlock {
    private final int id;
    private int refCount;
    private BlockHash hash; // null when the block holds no cached full prefix

    KvBlock(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public int refCount() {
        return refCount;
    }

    /** The prefix hash when the block is in the prefix cache, else null. */
    public BlockHash hash() {
        return hash;
    }

    void setRefCount(int refCount) {
        this.refCount = refCount;
    }

    void setHash(BlockHash hash) {
        this.hash = hash;
    }

    @Override
    public String toString() {
        return "KvBlock[" + id + ", ref=" + refCount + (hash == null ? "" : ", cached") + "]";
    }
}
