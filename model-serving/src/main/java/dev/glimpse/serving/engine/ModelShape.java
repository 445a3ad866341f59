package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.kv.KvLayout;

/**
 * The dimensions the engine needs from a model.
 *
 * @param hiddenSize D: width of embeddings and visual tokens
 * @param vocabSize V: logits per position
 * @param queryNum Q: visual tokens per slice
 * @param kv decoder KV layout
 * @param maxPositions positions the decoder can attend over (its rotary cache's length): no
 *     sequence may hold more tokens than this
 */
public record ModelShape(
        int hiddenSize, int vocabSize, int queryNum, KvLayout kv, int maxPositions) {
    public ModelShape {
        if (maxPositions <= 0) {
            throw new IllegalArgumentException("maxPositions must be > 0, got " + maxPositions);
        }
        if (hiddenSize <= 0 || vocabSize <= 0 || queryNum <= 0) {
            throw new IllegalArgumentException(
                    "hiddenSize, vocabSize and queryNum must be > 0, got "
                            + hiddenSize
                            + ", "
                            + vocabSize
                            + ", "
                            + queryNum);
        }
    }

    /** A model without a position limit. */
    public ModelShape(int hiddenSize, int vocabSize, int queryNum, KvLayout kv) {
        this(hiddenSize, vocabSize, queryNum, kv, Integer.MAX_VALUE);
    }
}
