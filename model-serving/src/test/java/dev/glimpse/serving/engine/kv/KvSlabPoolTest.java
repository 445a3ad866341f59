package dev.glimpse.serving.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KvSlabPoolTest {
    private final KvLayout layout = new KvLayout(1, 1, 2); // 2 tensors, 1 head, headDim 2

    @Test
    void takeReusesTheSmallestPooledSlabThatFitsWithinTwiceTheRequest() {
        KvSlabPool pool = new KvSlabPool(1 << 20);
        KvSlab small = new KvSlab(2, 100);
        KvSlab medium = new KvSlab(2, 150);
        KvSlab large = new KvSlab(2, 400);
        pool.give(large);
        pool.give(medium);
        pool.give(small);

        assertThat(pool.take(2, 120)).isSameAs(medium); // small does not fit, large is > 2x
        assertThat(pool.take(2, 90)).isSameAs(small);
        assertThat(pool.take(2, 200)).isSameAs(large);
        assertThat(pool.numReused()).isEqualTo(3);
        assertThat(pool.freeBytes()).isZero();
    }

    @Test
    void takeAllocatesWhenNothingPooledFits() {
        KvSlabPool pool = new KvSlabPool(1 << 20);
        KvSlab threeTensors = new KvSlab(3, 100);
        pool.give(threeTensors);

        KvSlab fresh = pool.take(2, 100);

        assertThat(fresh).isNotSameAs(threeTensors);
        assertThat(fresh.numTensors()).isEqualTo(2);
        assertThat(fresh.capacityElements()).isEqualTo(100);
        assertThat(pool.numReused()).isZero();
        assertThat(pool.freeBytes()).isEqualTo(3 * 100 * 4);
    }

    @Test
    void giveDropsTheOldestSlabsBeyondTheByteBoundAndNeverKeepsAnOversizedOne() {
        KvSlabPool pool = new KvSlabPool(2 * 2 * 100 * 4); // two slabs of 2 x 100 floats
        KvSlab first = new KvSlab(2, 100);
        KvSlab second = new KvSlab(2, 100);
        KvSlab third = new KvSlab(2, 100);
        pool.give(first);
        pool.give(second);
        pool.give(third);
        pool.give(new KvSlab(2, 300)); // larger than the whole bound

        assertThat(pool.freeBytes()).isEqualTo(1600);
        assertThat(pool.take(2, 100)).isSameAs(second);
        assertThat(pool.take(2, 100)).isSameAs(third);
        assertThat(pool.take(2, 100)).isNotIn(first, second, third);
    }

    @Test
    void aReleasedSequenceHandsBothBuffersBackAndCannotWriteAnyMore() {
        KvSlabPool pool = new KvSlabPool(1 << 20);
        SequenceKv kv = new SequenceKv(layout, 8, pool);
        kv.present(0, 3).put(0, 7f);
        kv.commit(3);

        kv.release();

        assertThat(pool.freeBytes()).isEqualTo(2 * (2 * 8 * 2 * 4));
        assertThat(kv.past(0).capacity()).isZero();
        assertThatThrownBy(() -> kv.present(0, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("KV capacity exceeded");
        SequenceKv next = new SequenceKv(layout, 8, pool);
        assertThat(pool.numReused()).isEqualTo(2);
        assertThat(pool.freeBytes()).isZero();
        assertThat(next.pastLength()).isZero();
    }
}
