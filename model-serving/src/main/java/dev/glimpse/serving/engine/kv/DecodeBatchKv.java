package dev.glimpse.serving.engine.kv;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * KV of the decode batch. With {@link KvStyle#CONCAT} rows are left-padded to a common past length
 * S, real tokens right-aligned:
 *
 * <pre>
 *   row 0: [0 0 0 k k k k k]   attention_mask 0 0 0 1 1 1 1 1 | 1   position_id 5
 *   row 1: [k k k k k k k k]   attention_mask 1 1 1 1 1 1 1 1 | 1   position_id 8
 * </pre>
 *
 * With {@link KvStyle#SHARED} they start at position 0 of a buffer of M positions per row and the
 * graph appends each row's new token at the row's own length:
 *
 * <pre>
 *   row 0: [k k k k k . . . . .]   attention_mask 1 1 1 1 1 0 0 0 | 1 0 0 0... (row sum 6)
 *   row 1: [k k k k k k k k . .]   attention_mask 1 1 1 1 1 1 1 1 | 1           (row sum 9)
 * </pre>
 *
 * A plain decode step appends one column to every row inside the graph (no Java copy). Only when
 * the batch's membership changes does {@link #rebuild} copy each remaining or joining row into a
 * fresh layout (counted in {@link KvCopyCounter}); it also reserves {@code headroom} columns so
 * that later plain steps never outgrow the buffers.
 */
public final class DecodeBatchKv extends KvState {
    private static final byte[] ZEROS = new byte[16384];
    private final KvCopyCounter copies;
    private final List<String> rowIds = new ArrayList<>();
    private int[] lengths = new int[0];
    private int pastLength;

    public DecodeBatchKv(KvLayout layout, KvCopyCounter copies) {
        this(layout, copies, null);
    }

    /**
     * @param pool where buffers come from when the batch outgrows its own and where outgrown ones
     *     go (null allocates); a large batch buffer is fresh pages otherwise, ~10 ms to fault in
     */
    public DecodeBatchKv(KvLayout layout, KvCopyCounter copies, KvSlabPool pool) {
        super(layout, pool);
        this.copies = copies;
    }

    /** Where a row of the rebuilt batch comes from: row {@code row} of {@code source}. */
    public record RowSource(String id, KvState source, int row) {}

    @Override
    public int batchSize() {
        return rowIds.size();
    }

    @Override
    public int pastLength() {
        return pastLength;
    }

    @Override
    public int rowLength(int row) {
        return lengths[row];
    }

    public List<String> rowIds() {
        return List.copyOf(rowIds);
    }

    /**
     * Replaces the batch by {@code rows} (which may read from this batch), copying each row's real
     * tokens once. Capacity for {@code headroom} more plain steps is reserved.
     */
    public void rebuild(List<RowSource> rows, int headroom) {
        int b2 = rows.size();
        int[] newLengths = new int[b2];
        int s2 = 0;
        for (int r = 0; r < b2; r++) {
            RowSource src = rows.get(r);
            newLengths[r] = src.source().rowLength(src.row());
            s2 = Math.max(s2, newLengths[r]);
        }
        int kvh = layout.kvHeads();
        int hd = layout.headDim();
        long need = (long) Math.max(1, b2) * kvh * (s2 + headroom) * hd;
        // Both buffers are taken before anything changes, so a failed allocation (KV memory
        // budget) leaves the batch as it was.
        KvSlab target;
        if (spare != null && spare.capacityElements() >= need) {
            target = spare;
        } else {
            recycle(spare); // too small; nothing reads the spare between steps
            spare = null;
            target = allocate(need);
        }
        KvSlab old = current;
        boolean oldBecomesSpare = old != null && old != target && old.capacityElements() >= need;
        KvSlab nextSpare = null;
        if (!oldBecomesSpare) {
            try {
                // CONCAT: the next step's present; SHARED: the next rebuild's target, taken now
                // so that it is ready (and warm) the way CONCAT's is
                nextSpare = allocate(need);
            } catch (RuntimeException e) {
                if (target != spare) {
                    recycle(target);
                }
                throw e;
            }
        }
        long copied = 0;
        int eb = layout.elementBytes();
        int stride = shared() ? s2 + headroom : s2; // positions per (row, head) in the target
        for (int i = 0; i < layout.numTensors(); i++) {
            ByteBuffer dst = target.raw(i);
            for (int r = 0; r < b2; r++) {
                RowSource src = rows.get(r);
                KvState from = src.source();
                ByteBuffer srcBuf = from.rawPast(i);
                int len = newLengths[r];
                for (int h = 0; h < kvh; h++) {
                    int dstBase = ((r * kvh + h) * stride) * hd;
                    int pad =
                            shared() ? 0 : s2 - len; // CONCAT: zeros, never garbage, under the mask
                    fillZeros(dst, dstBase * eb, pad * hd * eb);
                    dst.put(
                            (dstBase + pad * hd) * eb,
                            srcBuf,
                            from.rowOffset(src.row(), h, 0) * eb,
                            len * hd * eb);
                    copied += (long) eb * len * hd;
                }
            }
        }
        copies.add(copied);
        current = target;
        if (oldBecomesSpare) {
            spare = old;
        } else {
            if (old != target) {
                recycle(old); // its rows were copied above
            }
            spare = nextSpare;
        }
        capacityTokens = stride;
        rowIds.clear();
        for (RowSource r : rows) {
            rowIds.add(r.id());
        }
        lengths = newLengths;
        pastLength = s2;
    }

    /**
     * Empties the batch into {@code ids.size()} rows of length 0 with room for {@code
     * capacityTokens}: the state of a batched prefill of fresh prompts of equal length.
     */
    public void resetEmpty(List<String> ids, int capacityTokens) {
        long need =
                (long) Math.max(1, ids.size())
                        * layout.kvHeads()
                        * capacityTokens
                        * layout.headDim();
        if (spare == null || spare.capacityElements() < need) {
            recycle(spare);
            spare = allocate(need);
        }
        recycle(current);
        current = null;
        if (shared()) { // the run appends into the buffer it reads
            current = spare;
            spare = null;
            this.capacityTokens = capacityTokens;
        }
        rowIds.clear();
        rowIds.addAll(ids);
        lengths = new int[ids.size()];
        pastLength = 0;
    }

    private static void fillZeros(ByteBuffer dst, int offset, int count) { // in bytes
        while (count > 0) {
            int n = Math.min(count, ZEROS.length);
            dst.put(offset, ZEROS, 0, n);
            offset += n;
            count -= n;
        }
    }

    @Override
    public long[] attentionMask(int newTokens) {
        int b = batchSize();
        int total = pastLength + newTokens;
        long[] mask = new long[b * total];
        for (int r = 0; r < b; r++) {
            int from = shared() ? 0 : pastLength - lengths[r];
            int to = shared() ? lengths[r] + newTokens : total;
            for (int t = from; t < to; t++) {
                mask[r * total + t] = 1;
            }
        }
        return mask;
    }

    @Override
    public long[] positionIds(int newTokens) {
        int b = batchSize();
        long[] pos = new long[b * newTokens];
        for (int r = 0; r < b; r++) {
            for (int t = 0; t < newTokens; t++) {
                pos[r * newTokens + t] = lengths[r] + t;
            }
        }
        return pos;
    }

    @Override
    protected void advance(int newTokens) {
        pastLength += newTokens;
        for (int r = 0; r < lengths.length; r++) {
            lengths[r] += newTokens;
        }
    }

    @Override
    public void release() {
        super.release();
        rowIds.clear();
        lengths = new int[0];
        pastLength = 0;
    }
}
