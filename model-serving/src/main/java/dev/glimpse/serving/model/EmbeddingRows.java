package dev.glimpse.serving.model;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Token id → its embedding row {@code [D]}, filled on first use. The embedding graph is a pure
 * lookup, so once a step's tokens have been seen it needs no embedding run. Engine thread only.
 */
final class EmbeddingRows {
    private final float[][] rows; // [V][D], a row null until seen
    private final int hiddenSize;

    EmbeddingRows(int vocabSize, int hiddenSize) {
        this.rows = new float[vocabSize][];
        this.hiddenSize = hiddenSize;
    }

    /**
     * {@code [tokenIds.length, D]} row-major; {@code run} embeds the ids not seen yet (each once)
     * and returns their rows in order.
     */
    float[] embed(int[] tokenIds, Function<int[], float[]> run) {
        int d = hiddenSize;
        int[] missing =
                Arrays.stream(tokenIds)
                        .filter(t -> t < 0 || t >= rows.length || rows[t] == null)
                        .distinct()
                        .toArray();
        if (missing.length > 0) {
            float[] embedded = run.apply(missing);
            for (int i = 0; i < missing.length; i++) {
                if (missing[i] < 0 || missing[i] >= rows.length) {
                    throw new IllegalArgumentException(
                            "token id " + missing[i] + " outside the vocabulary of " + rows.length);
                }
                rows[missing[i]] = Arrays.copyOfRange(embedded, i * d, (i + 1) * d);
            }
        }
        float[] out = new float[tokenIds.length * d];
        for (int i = 0; i < tokenIds.length; i++) {
            System.arraycopy(rows[tokenIds[i]], 0, out, i * d, d);
        }
        return out;
    }
}
