package dev.glimpse.serving.engine.kv;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * Physical KV of a batch of rows, in one of the two {@link KvStyle}s.
 *
 * <p>{@link KvStyle#CONCAT}, double-buffered, rows left-padded to the common past length S:
 *
 * <pre>
 *   step n:   past    = slab A  [B, kvHeads, S,     headDim]   (input)
 *             present = slab B  [B, kvHeads, S + T, headDim]   (pinned output, written by ORT)
 *   commit:   swap A/B, S += T  (no Java copy: the graph's Concat already copied the past)
 * </pre>
 *
 * Past and present never alias: with the concat graph that runs without error but gives wrong
 * results (docs/toolchain.md §12).
 *
 * <p>{@link KvStyle#SHARED}, one buffer of M positions per row, rows right-padded:
 *
 * <pre>
 *   step n:   past = present = slab A  [B, kvHeads, M, headDim]   (ORT appends row r's T new
 *             positions at its length L_r, in place)
 *   commit:   L_r += T  (nothing is copied, inside the graph or out)
 * </pre>
 *
 * Engine thread only.
 */
public abstract class KvState {
    protected final KvLayout layout;
    protected KvSlab current; // CONCAT: the past, [B, kvHeads, S, headDim]; SHARED: the buffer
    protected KvSlab spare; // CONCAT: receives the present; SHARED: a rebuild target, or null
    protected int capacityTokens; // SHARED: M, positions per row of current
    private final KvSlabPool pool; // null: allocate every buffer, leave released ones to the GC

    KvState(KvLayout layout, KvSlabPool pool) {
        this.layout = layout;
        this.pool = pool;
    }

    /** A buffer of {@code elements} per tensor, from the pool when there is one. */
    protected KvSlab allocate(long elements) {
        return pool == null
                ? new KvSlab(layout.numTensors(), elements, layout.elementBytes())
                : pool.take(layout.numTensors(), elements, layout.elementBytes());
    }

    /** Gives a buffer nothing reads any more back to the pool, if any. */
    protected void recycle(KvSlab slab) {
        if (pool != null && slab != null) {
            pool.give(slab);
        }
    }

    protected final boolean shared() {
        return layout.style() == KvStyle.SHARED;
    }

    public KvLayout layout() {
        return layout;
    }

    /** Throws unless this state is laid out for a decoder of {@code style}. */
    public void requireStyle(KvStyle style) {
        if (layout.style() != style) {
            throw new IllegalArgumentException(
                    "KV state laid out for a "
                            + layout.style().manifestName()
                            + " decoder, this executor runs the "
                            + style.manifestName()
                            + " one");
        }
    }

    public abstract int batchSize();

    /** S: the longest row's length (CONCAT: the padded past length shared by all rows). */
    public abstract int pastLength();

    /** The S dimension the past tensors are bound with: S (CONCAT) or the buffer's M (SHARED). */
    public int pastDim() {
        return shared() ? capacityTokens : pastLength();
    }

    /** The S dimension of the present tensors after {@code newTokens} more: S + T, or M. */
    public int presentDim(int newTokens) {
        return shared() ? capacityTokens : pastLength() + newTokens;
    }

    /**
     * Input view of tensor {@code i}: {@code [B, kvHeads, pastDim(), headDim]} elements of the
     * layout's type, native order.
     */
    public ByteBuffer pastBytes(int i) {
        int dim = pastDim();
        return current == null || dim == 0
                ? ByteBuffer.allocateDirect(0)
                : current.view(i, elements(dim));
    }

    /**
     * Output view of tensor {@code i} for {@code newTokens} more: {@code [B, kvHeads,
     * presentDim(T), headDim]}; with {@link KvStyle#SHARED} the same memory as {@link #pastBytes}.
     */
    public ByteBuffer presentBytes(int i, int newTokens) {
        return presentSlab(newTokens).view(i, elements(presentDim(newTokens)));
    }

    /** {@link #pastBytes} as floats, for a float32 layout. */
    public FloatBuffer past(int i) {
        int dim = pastDim();
        return current == null || dim == 0
                ? FloatBuffer.allocate(0)
                : current.floatView(i, elements(dim));
    }

    /** {@link #presentBytes} as floats, for a float32 layout. */
    public FloatBuffer present(int i, int newTokens) {
        return presentSlab(newTokens).floatView(i, elements(presentDim(newTokens)));
    }

    private KvSlab presentSlab(int newTokens) {
        int need = pastLength() + newTokens;
        KvSlab target = shared() ? current : spare;
        long have =
                target == null
                        ? 0
                        : shared()
                                ? capacityTokens
                                : target.capacityElements() / Math.max(1, elements(1));
        if (need > have) {
            throw new IllegalStateException(
                    "KV capacity exceeded: need " + need + " positions per row, have " + have);
        }
        return target;
    }

    /**
     * {@code [B, S + T]}: 1 for each row's real tokens, 0 for padding (left padding with {@link
     * KvStyle#CONCAT}, right padding with {@link KvStyle#SHARED}).
     */
    public abstract long[] attentionMask(int newTokens);

    /** {@code [B, T]}: each row's positions continue from its real length. */
    public abstract long[] positionIds(int newTokens);

    /** The run wrote the present: it becomes the past. */
    public void commit(int newTokens) {
        if (!shared()) {
            KvSlab t = current;
            current = spare;
            spare = t;
        }
        advance(newTokens);
    }

    protected abstract void advance(int newTokens);

    /** Real (unpadded) length of row {@code row}. */
    public abstract int rowLength(int row);

    /**
     * Where token {@code position} (0 = the row's first real token) of row {@code row}, KV head
     * {@code head} starts in each tensor of the past, in elements.
     */
    public int rowOffset(int row, int head, int position) {
        int hd = layout.headDim();
        int kvh = layout.kvHeads();
        if (shared()) {
            return ((row * kvh + head) * capacityTokens + position) * hd;
        }
        int s = pastLength();
        return ((row * kvh + head) * s + s - rowLength(row) + position) * hd;
    }

    /**
     * The past's tensor {@code i} as a whole (byte offsets: {@link #rowOffset} times element
     * bytes).
     */
    ByteBuffer rawPast(int i) {
        return current.raw(i);
    }

    protected int elements(int seqLen) {
        return batchSize() * layout.kvHeads() * seqLen * layout.headDim();
    }

    /**
     * Drops the native buffers: back to the pool, or freed when collected. This object must not be
     * used for its contents afterwards (its views are gone, so a stray use reads nothing instead of
     * another owner's KV).
     */
    public void release() {
        recycle(current);
        recycle(spare);
        current = null;
        spare = null;
    }
}
