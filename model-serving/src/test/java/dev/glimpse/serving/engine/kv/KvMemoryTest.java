package dev.glimpse.serving.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KvMemoryTest {
    private final KvLayout layout = new KvLayout(1, 1, 2); // 2 tensors, 1 head, headDim 2

    @Test
    void everySlabIsCountedUntilItIsFreedOnce() {
        KvMemory memory = new KvMemory(10_000);
        KvSlab a = memory.allocate(2, 100); // 800 bytes
        KvSlab b = memory.allocate(2, 50); // 400 bytes
        assertThat(memory.numBytes()).isEqualTo(1200);
        memory.free(a);
        memory.free(a); // idempotent
        assertThat(memory.numBytes()).isEqualTo(400);
        memory.free(b);
        assertThat(memory.numBytes()).isZero();
    }

    @Test
    void pooledSlabsAreFreedBeforeTheBudgetRefusesAnAllocation() {
        KvMemory memory = new KvMemory(2000);
        KvSlabPool pool = new KvSlabPool(1 << 20, memory);
        pool.give(pool.take(2, 200)); // 1600 bytes kept for reuse
        assertThat(memory.numBytes()).isEqualTo(1600);

        KvSlab other = pool.take(2, 90); // does not reuse (200 > 2 x 90): frees the pooled one
        assertThat(memory.numBytes()).isEqualTo(720);
        assertThat(pool.freeBytes()).isZero();
        assertThat(other.capacityElements()).isEqualTo(90);
    }

    @Test
    void allocationPastTheBudgetFailsAndAllocatesNothing() {
        KvMemory memory = new KvMemory(1000);
        memory.allocate(2, 100);
        assertThatThrownBy(() -> memory.allocate(2, 50))
                .isInstanceOf(KvMemoryExhaustedException.class)
                .hasMessage(
                        "KV memory budget exhausted: 400 more bytes asked for, 800 of 1000 held");
        assertThat(memory.numBytes()).isEqualTo(800);
    }

    @Test
    void slabsLeavingAFullPoolAreFreedNotLeftToTheCollector() {
        KvMemory memory = KvMemory.unbounded();
        KvSlabPool pool = new KvSlabPool(1000, memory);
        KvSlab big = pool.take(2, 200); // 1600 bytes: larger than the pool keeps
        KvSlab small = pool.take(2, 100);
        pool.give(big);
        assertThat(memory.numBytes()).isEqualTo(800);
        pool.give(small);
        pool.clear();
        assertThat(memory.numBytes()).isZero();
    }

    @Test
    void decodeBatchThatCannotGetItsBuffersIsLeftAsItWas() {
        KvMemory memory = new KvMemory(4 * 2 * 2 * 2 * 10); // 10 positions of one row
        KvSlabPool pool = new KvSlabPool(0, memory);
        DecodeBatchKv batch = new DecodeBatchKv(layout, new KvCopyCounter(), pool);
        SequenceKv seq = new SequenceKv(layout, 4);
        batch.rebuild(java.util.List.of(new DecodeBatchKv.RowSource("a", seq, 0)), 1);
        long held = memory.numBytes();

        assertThatThrownBy(
                        () ->
                                batch.rebuild(
                                        java.util.List.of(
                                                new DecodeBatchKv.RowSource("a", batch, 0),
                                                new DecodeBatchKv.RowSource("b", seq, 0)),
                                        8))
                .isInstanceOf(KvMemoryExhaustedException.class);
        assertThat(batch.rowIds()).containsExactly("a");
        assertThat(batch.rowLength(0)).isZero();
        assertThat(memory.numBytes()).isLessThanOrEqualTo(held); // at most its spare was freed
        batch.release();
        assertThat(memory.numBytes()).isZero();
    }
}
