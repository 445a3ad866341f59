package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.kv.KvState;
import java.util.List;

/**
 * Runs the model graphs. The ONNX Runtime implementation is the only class that touches an {@code
 * OrtSession}; native errors leave it wrapped once as {@link ExecutionFailedException} with the
 * stage and request ids. Called from the engine thread only.
 */
public interface ModelExecutor extends AutoCloseable {
    ModelShape shape();

    /** Which execution provider runs the graphs ("cpu", "cuda"). */
    String executionProvider();

    /**
     * Vision encoder over all slices of all images in one batch.
     *
     * @return per image its visual tokens, {@code [slices * Q, D]} row-major
     */
    List<float[]> encodeImages(List<EngineImage> images, List<String> requestIds);

    /** Token embeddings, {@code [tokenIds.length, D]} row-major. */
    float[] embed(int[] tokenIds, List<String> requestIds);

    /**
     * One decoder run over {@code kv}'s rows, each with {@code newTokens} new positions, then
     * commits {@code kv} (its present becomes its past).
     *
     * @param inputsEmbeds {@code [B, newTokens, D]}
     * @return logits of the last new position of every row, {@code [B, V]}
     */
    float[] decode(
            KvState kv,
            float[] inputsEmbeds,
            int newTokens,
            List<String> requestIds,
            ExecutionStage stage);

    /** Native tensors this executor created and has not closed yet (0 between runs). */
    long numLiveTensors();

    @Override
    void close();
}
