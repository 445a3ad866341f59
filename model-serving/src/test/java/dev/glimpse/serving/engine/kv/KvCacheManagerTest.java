package dev.glimpse.serving.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A real manager over a tiny pool of 11 blocks of 4 tokens: exact ids, counts and order. */
class KvCacheManagerTest {
    private static final int BS = 4;
    private final BlockPool pool = new BlockPool(11);
    private final KvCacheManager kv = new KvCacheManager(pool, BS, true);

    private static int[] tokens(int... t) {
        return t;
    }

    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    private static List<Integer> ids(List<KvBlock> blocks) {
        return blocks.stream().map(KvBlock::id).toList();
    }

    private static List<BlockHash> hashes(int[] t) {
        return BlockHasher.hashFullBlocks(t, t.length, BS, List.of());
    }

    @Test
    void newSequenceGetsBlocksFromTheHeadOfTheFreeQueue() {
        assertThat(kv.allocateSlots("a", 10, List.of())).isTrue();
        assertThat(ids(kv.blocksOf("a"))).containsExactly(0, 1, 2);
        assertThat(pool.freeQueueIds()).containsExactly(3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(kv.usage()).isEqualTo(3.0 / 11);
    }

    @Test
    void sharedPrefixBlocksAreReferenceCounted() {
        int[] a = range(0, 10);
        kv.allocateSlots("a", 10, kv.getComputedBlocks(hashes(a), a.length));
        assertThat(
                        ids(
                                kv.cacheFullBlocks("a", hashes(a), 2).stream()
                                        .map(KvCacheManager.CachedBlock::block)
                                        .toList()))
                .containsExactly(0, 1);

        int[] b = tokens(0, 1, 2, 3, 4, 5, 6, 7, 50, 51);
        List<KvBlock> hits = kv.getComputedBlocks(hashes(b), b.length);
        assertThat(ids(hits)).containsExactly(0, 1);
        assertThat(kv.allocateSlots("b", 10, hits)).isTrue();
        assertThat(ids(kv.blocksOf("b"))).containsExactly(0, 1, 3);
        assertThat(pool.block(0).refCount()).isEqualTo(2);
        assertThat(pool.block(1).refCount()).isEqualTo(2);
        assertThat(pool.block(2).refCount()).isEqualTo(1);
        assertThat(pool.block(3).refCount()).isEqualTo(1);

        kv.free("a");
        assertThat(pool.block(0).refCount()).isEqualTo(1);
        assertThat(pool.block(2).refCount()).isZero();
        assertThat(pool.freeQueueIds()).containsExactly(4, 5, 6, 7, 8, 9, 10, 2);
        kv.free("b");
        // freed tail first: 3, then the shared 1 and 0
        assertThat(pool.freeQueueIds()).containsExactly(4, 5, 6, 7, 8, 9, 10, 2, 3, 1, 0);
        assertThat(kv.validate()).isEmpty();
    }

    @Test
    void freedBlocksKeepTheirHashUntilReusedAndAreEvictedInLruOrder() {
        int[] a = range(0, 12);
        kv.allocateSlots("a", 12, List.of());
        kv.cacheFullBlocks("a", hashes(a), 3);
        kv.free("a"); // free queue: 3..10, 2, 1, 0
        assertThat(pool.freeQueueIds()).containsExactly(3, 4, 5, 6, 7, 8, 9, 10, 2, 1, 0);

        // a prompt of the same 12 tokens + 1 can still hit all three freed blocks
        int[] a2 = range(0, 13);
        assertThat(ids(kv.getComputedBlocks(hashes(a2), a2.length))).containsExactly(0, 1, 2);

        // 9 new blocks take 3..10 then 2: block 2's hash is evicted, 1 and 0 stay cached
        kv.allocateSlots("big", 36, List.of());
        assertThat(ids(kv.blocksOf("big"))).containsExactly(3, 4, 5, 6, 7, 8, 9, 10, 2);
        assertThat(pool.numEvictions()).isEqualTo(1);
        assertThat(ids(kv.getComputedBlocks(hashes(a2), a2.length))).containsExactly(0, 1);

        // a hit revives free blocks 0 and 1: they leave the free queue
        List<KvBlock> hits = kv.getComputedBlocks(hashes(a2), a2.length);
        assertThat(kv.allocateSlots("a2", 13, hits)).isFalse(); // needs 2 hits + 2 new, only 2 free
        assertThat(pool.freeQueueIds()).containsExactly(1, 0);
        assertThat(kv.blocksOf("a2")).isEmpty();
        assertThat(kv.allocateSlots("a2", 8, hits)).isTrue();
        assertThat(ids(kv.blocksOf("a2"))).containsExactly(0, 1);
        assertThat(pool.freeQueueIds()).isEmpty();
        assertThat(kv.validate()).isEmpty();
    }

    @Test
    void allocationThatDoesNotFitChangesNothing() {
        kv.allocateSlots("a", 40, List.of()); // 10 blocks
        assertThat(kv.allocateSlots("b", 8, List.of())).isFalse();
        assertThat(kv.blocksOf("b")).isEmpty();
        assertThat(pool.freeQueueIds()).containsExactly(10);
        assertThat(kv.allocateSlots("b", 4, List.of())).isTrue();
    }

    @Test
    void wholePromptHitLeavesTheLastTokenToCompute() {
        int[] a = range(0, 8);
        kv.allocateSlots("a", 8, List.of());
        kv.cacheFullBlocks("a", hashes(a), 2);
        // same 8 tokens: only the first block may be reused, the 8th token must produce logits
        assertThat(ids(kv.getComputedBlocks(hashes(a), a.length))).containsExactly(0);
    }

    @Test
    void twoImagesWithIdenticalPlaceholderTokensNeverShareKvBlocks() {
        // 4 text tokens, then 8 identical <unk> placeholders (span [4, 12)), then 4 text tokens
        int[] prompt = {9, 9, 9, 9, 3, 3, 3, 3, 3, 3, 3, 3, 7, 7, 7, 7, 8};
        List<BlockHash> cat =
                BlockHasher.hashFullBlocks(
                        prompt, prompt.length, BS, List.of(new ImageSpan(4, 12, "cat.png")));
        List<BlockHash> dog =
                BlockHasher.hashFullBlocks(
                        prompt, prompt.length, BS, List.of(new ImageSpan(4, 12, "dog.png")));
        assertThat(cat.get(0)).isEqualTo(dog.get(0)); // text before the image is shared
        for (int i = 1; i < 4; i++) {
            assertThat(cat.get(i)).as("block " + i).isNotEqualTo(dog.get(i));
        }

        kv.allocateSlots("cat", prompt.length, List.of());
        kv.cacheFullBlocks("cat", cat, 4);
        List<KvBlock> hits = kv.getComputedBlocks(dog, prompt.length);
        assertThat(ids(hits)).containsExactly(0);
        kv.allocateSlots("dog", prompt.length, hits);
        assertThat(ids(kv.blocksOf("dog"))).containsExactly(0, 5, 6, 7, 8);
        assertThat(ids(kv.blocksOf("cat"))).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void prefixCachingOffNeverHits() {
        KvCacheManager off = new KvCacheManager(new BlockPool(11), BS, false);
        int[] a = range(0, 9);
        off.allocateSlots("a", 9, List.of());
        assertThat(off.cacheFullBlocks("a", hashes(a), 2)).isEmpty();
        assertThat(off.getComputedBlocks(hashes(a), a.length)).isEmpty();
    }

    @Test
    void doubleFreeIsDetected() {
        kv.allocateSlots("a", 4, List.of());
        List<KvBlock> blocks = kv.blocksOf("a");
        kv.free("a");
        assertThatThrownBy(() -> pool.freeBlocks(blocks))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("double free of KvBlock[0, ref=0]");
    }
}
