package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.kv.KvLayout;
import dev.glimpse.serving.engine.kv.KvState;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model double with real KV plumbing: the "decoder" behaves like a concat graph (present = past
 * ++ new, each new position storing its embedding's first two values), and the next token is (sum
 * of stored values over the row's real positions) mod V. So any KV copy mistake (prefix load, batch
 * rebuild, padding) changes the tokens.
 */
final class FakeModelExecutor implements ModelExecutor {
    static final int D = 4;
    static final int V = 64;
    static final int Q = 2;
    private final ModelShape shape = new ModelShape(D, V, Q, new KvLayout(1, 1, 2));
    final AtomicInteger visionRuns = new AtomicInteger();
    final AtomicInteger decodeRuns = new AtomicInteger();
    volatile long decodeSleepMillis;
    volatile CountDownLatch gate; // when set, runs wait for it
    volatile boolean failDecode;
    volatile boolean closed;

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
        int b = kv.batchSize();
        int s = kv.pastLength();
        int total = s + newTokens;
        long[] mask = kv.attentionMask(newTokens);
        float[] logits = new float[b * V];
        FloatBuffer past = kv.past(0);
        FloatBuffer present = kv.present(0, newTokens);
        FloatBuffer presentV = kv.present(1, newTokens);
        FloatBuffer pastV = kv.past(1);
        for (int r = 0; r < b; r++) {
            double sum = 0;
            for (int p = 0; p < total; p++) {
                float k0;
                float k1;
                if (p < s) {
                    k0 = past.get((r * s + p) * 2);
                    k1 = past.get((r * s + p) * 2 + 1);
                } else {
                    int t = p - s;
                    k0 = embeds[(r * newTokens + t) * D];
                    k1 = embeds[(r * newTokens + t) * D + 1];
                }
                present.put((r * total + p) * 2, k0);
                present.put((r * total + p) * 2 + 1, k1);
                presentV.put((r * total + p) * 2, p < s ? pastV.get((r * s + p) * 2) : k0);
                presentV.put((r * total + p) * 2 + 1, p < s ? pastV.get((r * s + p) * 2 + 1) : k1);
                if (mask[r * total + p] == 1) {
                    sum += k0 * 7 + k1;
                }
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
