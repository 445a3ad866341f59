package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.kv.KvLayout;
import dev.glimpse.serving.engine.kv.KvState;
import dev.glimpse.serving.engine.kv.KvStyle;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model double with real KV plumbing: the "decoder" behaves like a concat graph (present = past
 * ++ new) or a GroupQueryAttention graph (new positions appended in place into the shared buffer),
 * each new position storing its embedding's first two values, and the next token is (sum of stored
 * values over the row's real positions) mod V. It checks the attention mask against the rows'
 * lengths. So any KV copy mistake (prefix load, batch rebuild, padding) changes the tokens.
 */
final class FakeModelExecutor implements ModelExecutor {
    static final int D = 4;
    static final int V = 64;
    static final int Q = 2;
    private final ModelShape shape;
    final AtomicInteger visionRuns = new AtomicInteger();
    final AtomicInteger decodeRuns = new AtomicInteger();
    volatile long decodeSleepMillis;
    volatile CountDownLatch gate; // when set, runs wait for it
    volatile boolean failDecode;
    // every run (of poisonStage) that holds this request fails, as a row ORT cannot compute would
    volatile String poisonRequestId;
    volatile ExecutionStage poisonStage;
    volatile Error fatalError; // thrown by the next decoder run, as the engine dying would see it
    volatile RuntimeException bug; // thrown by the next decoder run: not a failed run, a bug
    volatile boolean closed;
    final List<String> embeddedRequestIds = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A concat-style decoder. */
    FakeModelExecutor() {
        this(KvStyle.CONCAT);
    }

    FakeModelExecutor(KvStyle style) {
        this(style, Integer.MAX_VALUE);
    }

    FakeModelExecutor(KvStyle style, int maxPositions) {
        this.shape = new ModelShape(D, V, Q, new KvLayout(1, 1, 2, style), maxPositions);
    }

    /** Poisons {@code requestId}: every run of {@code stage} holding it fails. */
    void poison(String requestId, ExecutionStage stage) {
        poisonStage = stage;
        poisonRequestId = requestId;
    }

    @Override
    public ModelShape shape() {
        return shape;
    }

    @Override
    public String executionProvider() {
        return "fake";
    }

    @Override
    public List<float[]> encodeImages(List<EngineImage> images, List<String> requestIds) {
        visionRuns.incrementAndGet();
        if (poisonStage == ExecutionStage.VISION && requestIds.contains(poisonRequestId)) {
            throw new ExecutionFailedException(
                    ExecutionStage.VISION, requestIds, "poisoned image", null);
        }
        List<float[]> out = new ArrayList<>();
        for (EngineImage img : images) {
            float[] f = new float[img.slices().size() * Q * D];
            for (int i = 0; i < f.length; i += D) {
                f[i] = img.slices().get(0).pixels()[0]; // the image's "content"
            }
            out.add(f);
        }
        return out;
    }

    @Override
    public float[] embed(int[] tokenIds, List<String> requestIds) {
        embeddedRequestIds.addAll(requestIds);
        float[] e = new float[tokenIds.length * D];
        for (int t = 0; t < tokenIds.length; t++) {
            e[t * D] = tokenIds[t];
            e[t * D + 1] = 1;
        }
        return e;
    }

    @Override
    public float[] decode(
            KvState kv,
            float[] embeds,
            int newTokens,
            List<String> requestIds,
            ExecutionStage stage) {
        decodeRuns.incrementAndGet();
        awaitGate();
        if (decodeSleepMillis > 0) {
            try {
                Thread.sleep(decodeSleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failDecode && stage == ExecutionStage.DECODE) {
            throw new ExecutionFailedException(stage, requestIds, "injected failure", null);
        }
        if (stage == poisonStage && requestIds.contains(poisonRequestId)) {
            throw new ExecutionFailedException(stage, requestIds, "poisoned row", null);
        }
        Error fatal = fatalError;
        if (fatal != null) {
            throw fatal;
        }
        RuntimeException injectedBug = bug;
        if (injectedBug != null) {
            throw injectedBug;
        }
        int b = kv.batchSize();
        boolean shared = shape.kv().style() == KvStyle.SHARED;
        int s = kv.pastLength();
        int total = s + newTokens;
        int presentDim = kv.presentDim(newTokens);
        long[] mask = kv.attentionMask(newTokens);
        float[] logits = new float[b * V];
        // read every row's past before writing: with a shared buffer the present is the past
        float[][] rows = new float[b][];
        for (int r = 0; r < b; r++) {
            int len = kv.rowLength(r);
            int real = len + newTokens;
            int firstReal = shared ? 0 : total - real; // where the mask must start being 1
            for (int p = 0; p < total; p++) {
                long want = p >= firstReal && p < firstReal + real ? 1 : 0;
                if (mask[r * total + p] != want) {
                    throw new IllegalStateException(
                            "attention mask of row " + r + " is wrong at " + p);
                }
            }
            rows[r] = new float[4 * real]; // per position: key (2 floats), value (2 floats)
            for (int p = 0; p < real; p++) {
                if (p < len) {
                    int off = kv.rowOffset(r, 0, p);
                    rows[r][4 * p] = kv.past(0).get(off);
                    rows[r][4 * p + 1] = kv.past(0).get(off + 1);
                    rows[r][4 * p + 2] = kv.past(1).get(off);
                    rows[r][4 * p + 3] = kv.past(1).get(off + 1);
                } else {
                    int t = p - len;
                    rows[r][4 * p] = embeds[(r * newTokens + t) * D];
                    rows[r][4 * p + 1] = embeds[(r * newTokens + t) * D + 1];
                    rows[r][4 * p + 2] = rows[r][4 * p];
                    rows[r][4 * p + 3] = rows[r][4 * p + 1];
                }
            }
        }
        FloatBuffer present = kv.present(0, newTokens);
        FloatBuffer presentV = kv.present(1, newTokens);
        for (int r = 0; r < b; r++) {
            int real = rows[r].length / 4;
            double sum = 0;
            for (int p = 0; p < real; p++) {
                // the graph's layout of the present: right-padded in place, or left-padded
                int off =
                        (shared ? r * presentDim + p : r * presentDim + presentDim - real + p) * 2;
                present.put(off, rows[r][4 * p]).put(off + 1, rows[r][4 * p + 1]);
                presentV.put(off, rows[r][4 * p + 2]).put(off + 1, rows[r][4 * p + 3]);
                sum += rows[r][4 * p] * 7 + rows[r][4 * p + 1];
            }
            int next = (int) (Math.abs((long) sum) % (V - 2)) + 2; // never 0 or 1
            logits[r * V + next] = 10;
            logits[r * V + FakePrompts.YES] = (float) (sum % 3);
            logits[r * V + FakePrompts.NO] = 1;
        }
        kv.commit(newTokens);
        return logits;
    }

    private void awaitGate() {
        CountDownLatch g = gate;
        if (g != null) {
            try {
                g.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public long numLiveTensors() {
        return 0;
    }

    @Override
    public void close() {
        closed = true;
    }
}
