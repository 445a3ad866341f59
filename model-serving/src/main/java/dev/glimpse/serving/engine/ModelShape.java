package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.kv.KvLayout;

/**
 * The dimensions the engine needs from a model.
 *
 * @param hiddenSize D: width of embeddings and visual tokens
 * @param vocabSize V: logits per position
 * @param queryNum Q: visual tokens per slice
 * @param kv decoder KV layout
 */
public record ModelShape(int hiddenSize, int vocabSize, int queryNum, KvLayout kv) {
    public ModelShape {
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
}
