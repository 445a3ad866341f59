package dev.glimpse.serving.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecodeBatchKvTest {
    private final KvLayout layout = new KvLayout(1, 1, 2); // 2 tensors, 1 head, headDim 2
    private final KvLayout sharedLayout = new KvLayout(1, 1, 2, KvStyle.SHARED);
    private final KvCopyCounter copies = new KvCopyCounter();

    /**
     * A sequence of {@code len} tokens whose KV values are token index + 1 (key) and -(index+1)
     * (value).
     */
    private SequenceKv sequence(int len) {
        return sequence(layout, len);
    }

    private SequenceKv sequence(KvLayout l, int len) {
        SequenceKv kv = new SequenceKv(l, len);
        FloatBuffer k = kv.present(0, len);
        FloatBuffer v = kv.present(1, len);
        for (int t = 0; t < len; t++) {
            k.put(2 * t, t + 1).put(2 * t + 1, t + 1);
            v.put(2 * t, -(t + 1)).put(2 * t + 1, -(t + 1));
        }
        kv.commit(len);
        return kv;
    }

    @Test
    void joiningRowsAreLeftPaddedAndEveryCopiedByteIsCounted() {
        DecodeBatchKv batch = new DecodeBatchKv(layout, copies);
        batch.rebuild(
                List.of(
                        new DecodeBatchKv.RowSource("a", sequence(2), 0),
                        new DecodeBatchKv.RowSource("b", sequence(4), 0)),
                3);
        assertThat(batch.pastLength()).isEqualTo(4);
        // 6 tokens x 2 tensors x 1 head x 2 floats x 4 bytes
        assertThat(copies.totalBytes()).isEqualTo(96);
        FloatBuffer k = batch.past(0);
        float[] rowA = new float[8];
        k.get(0, rowA);
        assertThat(rowA).containsExactly(0, 0, 0, 0, 1, 1, 2, 2);
        assertThat(batch.attentionMask(1)).containsExactly(0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
        assertThat(batch.positionIds(1)).containsExactly(2, 4);
    }

    @Test
    void halfPrecisionKvIsCopiedAsTwoByteElementsAndBudgetedInBytes() {
        KvLayout half = new KvLayout(1, 1, 2, KvStyle.CONCAT, ElementType.FLOAT16);
        assertThat(half.bytesPerToken()).isEqualTo(8); // 2 tensors x 1 head x 2 elements x 2 bytes
        KvMemory memory = new KvMemory(1 << 20);
        KvSlabPool pool = new KvSlabPool(0, memory);
        SequenceKv[] seqs = new SequenceKv[2];
        for (int s = 0; s < 2; s++) {
            int len = 2 + 2 * s;
            seqs[s] = new SequenceKv(half, len, pool);
            for (int i = 0; i < 2; i++) {
                ByteBuffer out = seqs[s].presentBytes(i, len);
                assertThat(out.capacity()).isEqualTo(2 * len * 2);
                for (int e = 0; e < 2 * len; e++) {
                    out.putShort(2 * e, (short) ((i == 0 ? 1 : -1) * (100 * s + e + 1)));
                }
            }
            seqs[s].commit(len);
        }
        // two buffers (concat) of len x 2 elements x 2 tensors x 2 bytes each
        assertThat(memory.numBytes()).isEqualTo(2 * (2 * 2 * 2 * 2) + 2 * (4 * 2 * 2 * 2));
        DecodeBatchKv batch = new DecodeBatchKv(half, copies, pool);
        batch.rebuild(
                List.of(
                        new DecodeBatchKv.RowSource("a", seqs[0], 0),
                        new DecodeBatchKv.RowSource("b", seqs[1], 0)),
                1);
        assertThat(copies.totalBytes()).isEqualTo(6 * 2 * 2 * 2); // 6 tokens x 2 tensors x 2 x 2 B
        ByteBuffer k = batch.pastBytes(0);
        short[] got = new short[16];
        for (int e = 0; e < 16; e++) {
            got[e] = k.getShort(2 * e);
        }
        // row a left-padded by 2 positions (4 elements of zeros), then row b's 4 positions
        assertThat(got)
                .containsExactly(
                        (short) 0,
                        (short) 0,
                        (short) 0,
                        (short) 0,
                        (short) 1,
                        (short) 2,
                        (short) 3,
                        (short) 4,
                        (short) 101,
                        (short) 102,
                        (short) 103,
                        (short) 104,
                        (short) 105,
                        (short) 106,
                        (short) 107,
                        (short) 108);
        assertThat(batch.pastBytes(1).getShort(2 * 4)).isEqualTo((short) -1);
        assertThatThrownBy(() -> batch.past(0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("a float view of a 2-byte KV slab");
    }

    @Test
    void theBlockStoreKeepsAndLoadsHalfPrecisionBlocksByteForByte() {
        KvLayout half = new KvLayout(1, 1, 2, KvStyle.SHARED, ElementType.FLOAT16);
        SequenceKv src = new SequenceKv(half, 4, null);
        for (int i = 0; i < 2; i++) {
            ByteBuffer out = src.presentBytes(i, 4);
            for (int e = 0; e < 8; e++) {
                out.putShort(2 * e, (short) (10 * i + e + 1));
            }
        }
        src.commit(4);
        BlockStore store = new BlockStore(half, 3, 2, copies);
        store.store(src, 0, 1, new KvBlock(2)); // positions 2..3 into block 2
        assertThat(copies.totalBytes()).isEqualTo(2 * 2 * 2 * 2); // 2 tokens x 2 tensors x 2 x 2 B
        SequenceKv dst = new SequenceKv(half, 4, null);
        store.load(dst, List.of(new KvBlock(2)));
        assertThat(dst.pastLength()).isEqualTo(2);
        ByteBuffer k = dst.pastBytes(0);
        ByteBuffer v = dst.pastBytes(1);
        assertThat(new short[] {k.getShort(0), k.getShort(2), k.getShort(4), k.getShort(6)})
                .containsExactly((short) 5, (short) 6, (short) 7, (short) 8);
        assertThat(v.getShort(0)).isEqualTo((short) 15);
    }

    @Test
    void plainStepsCopyNothingAndALeaveKeepsTheOtherRowsExactly() {
        DecodeBatchKv batch = new DecodeBatchKv(layout, copies);
        batch.rebuild(
                List.of(
                        new DecodeBatchKv.RowSource("a", sequence(2), 0),
                        new DecodeBatchKv.RowSource("b", sequence(3), 0)),
                2);
        long afterJoin = copies.totalBytes();
        // one plain step written the way the graph does it: present = past ++ new column (9)
        for (int i = 0; i < 2; i++) {
            FloatBuffer past = batch.past(i);
            FloatBuffer present = batch.present(i, 1);
            for (int r = 0; r < 2; r++) {
                for (int t = 0; t < 3; t++) {
                    present.put((r * 4 + t) * 2, past.get((r * 3 + t) * 2));
                    present.put((r * 4 + t) * 2 + 1, past.get((r * 3 + t) * 2 + 1));
                }
                present.put((r * 4 + 3) * 2, 9).put((r * 4 + 3) * 2 + 1, 9);
            }
        }
        batch.commit(1);
        assertThat(copies.totalBytes()).isEqualTo(afterJoin);
        assertThat(batch.positionIds(1)).containsExactly(3, 4);

        // "a" leaves: "b" (4 real tokens) is copied once into a batch of one without padding
        batch.rebuild(List.of(new DecodeBatchKv.RowSource("b", batch, 1)), 1);
        assertThat(copies.totalBytes() - afterJoin).isEqualTo(4 * 2 * 2 * 4);
        float[] rowB = new float[8];
        batch.past(0).get(0, rowB);
        assertThat(rowB).containsExactly(1, 1, 2, 2, 3, 3, 9, 9);
        assertThat(batch.rowIds()).containsExactly("b");
        assertThat(batch.attentionMask(1)).containsExactly(1, 1, 1, 1, 1);
    }

    @Test
    void aGrowingBatchHandsItsOutgrownBuffersToThePoolAndStillHoldsEveryRowExactly() {
        KvSlabPool slabs = new KvSlabPool(1 << 20);
        DecodeBatchKv batch = new DecodeBatchKv(layout, copies, slabs);
        batch.rebuild(List.of(new DecodeBatchKv.RowSource("a", sequence(2), 0)), 0);
        assertThat(slabs.freeBytes()).isZero();

        // 3 rows of up to 6 tokens + 2 headroom no longer fit: both 1 x 2-token buffers go back
        batch.rebuild(
                List.of(
                        new DecodeBatchKv.RowSource("a", batch, 0),
                        new DecodeBatchKv.RowSource("b", sequence(6), 0),
                        new DecodeBatchKv.RowSource("c", sequence(3), 0)),
                2);

        assertThat(slabs.freeBytes()).isEqualTo(2 * (2 * 2 * 2 * 4));
        float[] k = new float[36];
        batch.past(0).get(0, k);
        assertThat(k)
                .containsExactly(
                        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, // a: 4 padding, then 2 tokens
                        1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, // b
                        0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3); // c
        batch.release();
        assertThat(slabs.freeBytes()).isEqualTo(2 * (2 * 2 * 2 * 4) + 2 * (2 * 3 * 8 * 2 * 4));
    }

    @Test
    void prefixBlocksRoundTripThroughTheBlockStore() {
        BlockStore store = new BlockStore(layout, 4, 2, copies);
        SequenceKv source = sequence(5);
        BlockPool pool = new BlockPool(4);
        List<KvBlock> blocks = pool.getNewBlocks(2);
        store.store(source, 0, 0, blocks.get(0));
        store.store(source, 0, 1, blocks.get(1));
        SequenceKv target = new SequenceKv(layout, 5);
        store.load(target, blocks);
        assertThat(target.pastLength()).isEqualTo(4);
        float[] k = new float[8];
        target.past(0).get(0, k);
        assertThat(k).containsExactly(1, 1, 2, 2, 3, 3, 4, 4);
        float[] v = new float[8];
        target.past(1).get(0, v);
        assertThat(v).containsExactly(-1, -1, -2, -2, -3, -3, -4, -4);
        // 2 blocks stored + 2 loaded, each 2 tokens x 2 tensors x 2 floats x 4 bytes
        assertThat(copies.totalBytes()).isEqualTo(4 * 32);
    }

    @Test
    void sharedStyleRowsAreRightPaddedInOneBufferWithRoomForTheHeadroom() {
        DecodeBatchKv batch = new DecodeBatchKv(sharedLayout, copies);
        batch.rebuild(
                List.of(
                        new DecodeBatchKv.RowSource("a", sequence(sharedLayout, 2), 0),
                        new DecodeBatchKv.RowSource("b", sequence(sharedLayout, 4), 0)),
                3);
        assertThat(batch.pastLength()).isEqualTo(4);
        // past and present are both the whole buffer: 4 + 3 positions per row
        assertThat(batch.pastDim()).isEqualTo(7);
        assertThat(batch.presentDim(1)).isEqualTo(7);
        assertThat(copies.totalBytes()).isEqualTo(96);
        float[] rowA = new float[4];
        batch.past(0).get(0, rowA);
        assertThat(rowA).containsExactly(1, 1, 2, 2);
        float[] rowB = new float[8];
        batch.past(0).get(7 * 2, rowB);
        assertThat(rowB).containsExactly(1, 1, 2, 2, 3, 3, 4, 4);
        // the graph reads only the row sums (lengths after the step) and the width
        assertThat(batch.attentionMask(1)).containsExactly(1, 1, 1, 0, 0, 1, 1, 1, 1, 1);
        assertThat(batch.positionIds(1)).containsExactly(2, 4);
    }

    @Test
    void sharedStylePlainStepsAppendInPlaceAndALeaveCopiesTheRemainingRowOnce() {
        DecodeBatchKv batch = new DecodeBatchKv(sharedLayout, copies);
        batch.rebuild(
                List.of(
                        new DecodeBatchKv.RowSource("a", sequence(sharedLayout, 2), 0),
                        new DecodeBatchKv.RowSource("b", sequence(sharedLayout, 3), 0)),
                2);
        long afterJoin = copies.totalBytes();
        // one plain step written the way GroupQueryAttention does it: each row's new position at
        // the row's own length, in the buffer it read
        for (int i = 0; i < 2; i++) {
            FloatBuffer present = batch.present(i, 1);
            assertThat(present.capacity()).isEqualTo(batch.past(i).capacity());
            for (int r = 0; r < 2; r++) {
                int at = batch.rowOffset(r, 0, batch.rowLength(r));
                present.put(at, 9).put(at + 1, 9);
            }
        }
        batch.commit(1);
        assertThat(copies.totalBytes()).isEqualTo(afterJoin);
        assertThat(batch.positionIds(1)).containsExactly(3, 4);
        float[] rowA = new float[6];
        batch.past(0).get(0, rowA);
        assertThat(rowA).containsExactly(1, 1, 2, 2, 9, 9);

        // "a" leaves: "b" (4 real tokens) is copied once into a batch of one
        batch.rebuild(List.of(new DecodeBatchKv.RowSource("b", batch, 1)), 1);
        assertThat(copies.totalBytes() - afterJoin).isEqualTo(4 * 2 * 2 * 4);
        float[] rowB = new float[8];
        batch.past(0).get(0, rowB);
        assertThat(rowB).containsExactly(1, 1, 2, 2, 3, 3, 9, 9);
        assertThat(batch.rowIds()).containsExactly("b");
        assertThat(batch.pastDim()).isEqualTo(5);
        assertThat(batch.attentionMask(1)).containsExactly(1, 1, 1, 1, 1);
    }

    @Test
    void sharedStyleStepBeyondTheReservedHeadroomIsRefused() {
        DecodeBatchKv batch = new DecodeBatchKv(sharedLayout, copies);
        batch.rebuild(List.of(new DecodeBatchKv.RowSource("a", sequence(sharedLayout, 2), 0)), 1);
        batch.present(0, 1);
        batch.commit(1);
        assertThatThrownBy(() -> batch.present(0, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("KV capacity exceeded: need 4 positions per row, have 3");
    }

    @Test
    void sharedStylePrefixBlocksRoundTripThroughTheBlockStore() {
        BlockStore store = new BlockStore(sharedLayout, 4, 2, copies);
        SequenceKv source = sequence(sharedLayout, 5);
        List<KvBlock> blocks = new BlockPool(4).getNewBlocks(2);
        store.store(source, 0, 0, blocks.get(0));
        store.store(source, 0, 1, blocks.get(1));
        SequenceKv target = new SequenceKv(sharedLayout, 7);
        store.load(target, blocks);
        assertThat(target.pastLength()).isEqualTo(4);
        assertThat(target.pastDim()).isEqualTo(7);
        float[] k = new float[8];
        target.past(0).get(0, k);
        assertThat(k).containsExactly(1, 1, 2, 2, 3, 3, 4, 4);
        float[] v = new float[8];
        target.past(1).get(0, v);
        assertThat(v).containsExactly(-1, -1, -2, -2, -3, -3, -4, -4);
        assertThat(target.attentionMask(3)).containsExactly(1, 1, 1, 1, 1, 1, 1);
    }
}
