package dev.glimpse.operators.analyze;

import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.kv.KvStyle;
import dev.glimpse.serving.model.ExecutorOptions;
import java.io.Serializable;

/**
 * Everything that defines one shared engine on a TaskManager, validated on construction. Two
 * operators with equal settings share one engine ({@link EngineRegistry}).
 *
 * @param modelDir the model directory on the TaskManagers
 * @param maxNumSeqs sequences decoded together per step
 * @param maxNumBatchedTokens tokens (prefill chunks + decode rows) per step
 * @param maxQueuedRequests requests accepted but not started; beyond that the engine reports
 *     overload and Analyze retries after {@code overloadRetryMillis}
 * @param maxImagesPerVisionRun images encoded together per vision graph run
 * @param numKvBlocks KV blocks of 16 tokens in the pool
 * @param prefixCaching reuse KV of shared prompt prefixes (templates, repeated images)
 * @param encoderCacheBytes vision outputs kept by image hash; 0 disables
 * @param tryCuda try the CUDA execution provider first (falls back to CPU with a WARN)
 * @param intraOpThreads ONNX Runtime threads per graph run
 * @param metricsPort port of the engine's Prometheus endpoint; 0 = any free port, -1 = no endpoint
 * @param metricsHost address the endpoint binds ("127.0.0.1" locally, "0.0.0.0" in a pod)
 * @param decoderStyle which of the model's decoder graphs runs; null: the model's default (its
 *     concat graph on CUDA, see {@link ExecutorOptions#decoderStyle})
 */
public record EngineSettings(
        String modelDir,
        int maxNumSeqs,
        int maxNumBatchedTokens,
        int maxQueuedRequests,
        int maxImagesPerVisionRun,
        int numKvBlocks,
        boolean prefixCaching,
        long encoderCacheBytes,
        boolean tryCuda,
        int intraOpThreads,
        int metricsPort,
        String metricsHost,
        KvStyle decoderStyle)
        implements Serializable {

    public EngineSettings {
        if (modelDir == null || modelDir.isBlank()) {
            throw new IllegalArgumentException("modelDir must be set");
        }
        if (metricsPort < -1 || metricsPort > 65535) {
            throw new IllegalArgumentException(
                    "metricsPort must be -1 (off), 0 (any) or a port, was " + metricsPort);
        }
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException(
                    "intraOpThreads must be >= 1, was " + intraOpThreads);
        }
        // EngineConfig checks the batching values and names the bad one. (The parameters, not
        // engineConfig(): a compact constructor assigns the fields only after its body, so the
        // accessors would all read 0 here.)
        engineConfig(
                maxNumSeqs,
                maxNumBatchedTokens,
                maxQueuedRequests,
                maxImagesPerVisionRun,
                numKvBlocks,
                prefixCaching,
                encoderCacheBytes);
    }

    /**
     * Local defaults for {@code modelDir}: 16 sequences, 1024 tokens/step, 8 images per vision run,
     * CPU with 2 intra-op threads, no endpoint, the model's default decoder graph.
     */
    public static EngineSettings defaults(String modelDir) {
        return new EngineSettings(
                modelDir, 16, 1024, 256, 8, 2048, true, 64L << 20, false, 2, -1, "127.0.0.1", null);
    }

    /** The engine configuration these settings describe. */
    public EngineConfig engineConfig() {
        return engineConfig(
                maxNumSeqs,
                maxNumBatchedTokens,
                maxQueuedRequests,
                maxImagesPerVisionRun,
                numKvBlocks,
                prefixCaching,
                encoderCacheBytes);
    }

    private static EngineConfig engineConfig(
            int maxNumSeqs,
            int maxNumBatchedTokens,
            int maxQueuedRequests,
            int maxImagesPerVisionRun,
            int numKvBlocks,
            boolean prefixCaching,
            long encoderCacheBytes) {
        return EngineConfig.builder()
                .maxNumSeqs(maxNumSeqs)
                .maxNumBatchedTokens(maxNumBatchedTokens)
                .maxQueuedRequests(maxQueuedRequests)
                .maxImagesPerVisionRun(maxImagesPerVisionRun)
                .numKvBlocks(numKvBlocks)
                .prefixCaching(prefixCaching)
                .encoderCacheBytes(encoderCacheBytes)
                .build();
    }

    /** Executor options for the GPU {@code gpuIndex} (-1 = none assigned: CPU unless tryCuda). */
    public ExecutorOptions executorOptions(int gpuIndex) {
        boolean cuda = tryCuda || gpuIndex >= 0;
        return new ExecutorOptions(cuda, Math.max(gpuIndex, 0), intraOpThreads, decoderStyle);
    }
}
