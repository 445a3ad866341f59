package dev.glimpse.operators.analyze;

import dev.glimpse.serving.engine.EngineConfig;
import dev.glimpse.serving.engine.kv.KvStyle;
import dev.glimpse.serving.model.ExecutorOptions;
import java.io.Serializable;

/**
 * Everything that defines one shared engine on a TaskManager, validated on construction. Two
 * operators with equal settings share one engine ({@link EngineRegistry}). Build with {@link
 * #builder}; the job's defaults and keys are its configuration options ({@code EngineOptions} in
 * flink-jobs), the field names are {@link EngineConfig}'s.
 *
 * @param modelDir the model directory on the TaskManagers
 * @param maxNumSeqs sequences decoded together per step
 * @param maxNumBatchedTokens tokens (prefill chunks + decode rows) per step
 * @param maxQueuedRequests requests accepted but not started; beyond that the engine reports
 *     overload and Analyze retries (its {@code maxOverloadRetries})
 * @param maxImagesPerVisionRun images encoded together per vision graph run
 * @param numKvBlocks KV blocks of 16 tokens in the pool
 * @param prefixCaching reuse KV of shared prompt prefixes (templates, repeated images)
 * @param encoderCacheBytes vision outputs kept by image hash; 0 disables
 * @param maxCategories moderation categories one event may name (each is a sequence)
 * @param maxCategoryChars characters one moderation category may have
 * @param kvMemoryBytes native memory of all KV buffers together; 0 = derived from the pool and
 *     batch sizes
 * @param oldestFirstEvery the priority rule's starvation bound: of every this many admissions at
 *     least one goes to the oldest waiting request ({@link EngineConfig#oldestFirstEvery()})
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
        int maxCategories,
        int maxCategoryChars,
        long kvMemoryBytes,
        int oldestFirstEvery,
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
        if (metricsHost == null || metricsHost.isBlank()) {
            throw new IllegalArgumentException("metricsHost must be set");
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
                encoderCacheBytes,
                maxCategories,
                maxCategoryChars,
                kvMemoryBytes,
                oldestFirstEvery);
    }

    /**
     * A builder for {@code modelDir} starting from the engine's own defaults ({@link
     * EngineConfig#builder()}, {@link ExecutorOptions#cpu()}), without a metrics endpoint and with
     * the model's default decoder graph.
     */
    public static Builder builder(String modelDir) {
        return new Builder(modelDir);
    }

    /** These settings in a builder, to change some of them. */
    public Builder toBuilder() {
        return builder(modelDir)
                .maxNumSeqs(maxNumSeqs)
                .maxNumBatchedTokens(maxNumBatchedTokens)
                .maxQueuedRequests(maxQueuedRequests)
                .maxImagesPerVisionRun(maxImagesPerVisionRun)
                .numKvBlocks(numKvBlocks)
                .prefixCaching(prefixCaching)
                .encoderCacheBytes(encoderCacheBytes)
                .maxCategories(maxCategories)
                .maxCategoryChars(maxCategoryChars)
                .kvMemoryBytes(kvMemoryBytes)
                .oldestFirstEvery(oldestFirstEvery)
                .tryCuda(tryCuda)
                .intraOpThreads(intraOpThreads)
                .metricsPort(metricsPort)
                .metricsHost(metricsHost)
                .decoderStyle(decoderStyle);
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
                encoderCacheBytes,
                maxCategories,
                maxCategoryChars,
                kvMemoryBytes,
                oldestFirstEvery);
    }

    private static EngineConfig engineConfig(
            int maxNumSeqs,
            int maxNumBatchedTokens,
            int maxQueuedRequests,
            int maxImagesPerVisionRun,
            int numKvBlocks,
            boolean prefixCaching,
            long encoderCacheBytes,
            int maxCategories,
            int maxCategoryChars,
            long kvMemoryBytes,
            int oldestFirstEvery) {
        return EngineConfig.builder()
                .maxNumSeqs(maxNumSeqs)
                .maxNumBatchedTokens(maxNumBatchedTokens)
                .maxQueuedRequests(maxQueuedRequests)
                .maxImagesPerVisionRun(maxImagesPerVisionRun)
                .numKvBlocks(numKvBlocks)
                .prefixCaching(prefixCaching)
                .encoderCacheBytes(encoderCacheBytes)
                .maxCategories(maxCategories)
                .maxCategoryChars(maxCategoryChars)
                .kvMemoryBytes(kvMemoryBytes)
                .oldestFirstEvery(oldestFirstEvery)
                .build();
    }

    /** Executor options for the GPU {@code gpuIndex} (-1 = none assigned: CPU unless tryCuda). */
    public ExecutorOptions executorOptions(int gpuIndex) {
        boolean cuda = tryCuda || gpuIndex >= 0;
        return new ExecutorOptions(cuda, Math.max(gpuIndex, 0), intraOpThreads, decoderStyle);
    }

    /** Named setters for {@link EngineSettings}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private final String modelDir;
        private int maxNumSeqs;
        private int maxNumBatchedTokens;
        private int maxQueuedRequests;
        private int maxImagesPerVisionRun;
        private int numKvBlocks;
        private boolean prefixCaching;
        private long encoderCacheBytes;
        private int maxCategories;
        private int maxCategoryChars;
        private long kvMemoryBytes;
        private int oldestFirstEvery;
        private boolean tryCuda;
        private int intraOpThreads;
        private int metricsPort = -1;
        private String metricsHost = "127.0.0.1";
        private KvStyle decoderStyle;

        private Builder(String modelDir) {
            this.modelDir = modelDir;
            EngineConfig engine = EngineConfig.builder().build();
            maxNumSeqs = engine.maxNumSeqs();
            maxNumBatchedTokens = engine.maxNumBatchedTokens();
            maxQueuedRequests = engine.maxQueuedRequests();
            maxImagesPerVisionRun = engine.maxImagesPerVisionRun();
            numKvBlocks = engine.numKvBlocks();
            prefixCaching = engine.prefixCaching();
            encoderCacheBytes = engine.encoderCacheBytes();
            maxCategories = engine.maxCategories();
            maxCategoryChars = engine.maxCategoryChars();
            kvMemoryBytes = engine.kvMemoryBytes();
            oldestFirstEvery = engine.oldestFirstEvery();
            ExecutorOptions executor = ExecutorOptions.cpu();
            tryCuda = executor.tryCuda();
            intraOpThreads = executor.intraOpThreads();
            decoderStyle = executor.decoderStyle();
        }

        public Builder maxNumSeqs(int v) {
            maxNumSeqs = v;
            return this;
        }

        public Builder maxNumBatchedTokens(int v) {
            maxNumBatchedTokens = v;
            return this;
        }

        public Builder maxQueuedRequests(int v) {
            maxQueuedRequests = v;
            return this;
        }

        public Builder maxImagesPerVisionRun(int v) {
            maxImagesPerVisionRun = v;
            return this;
        }

        public Builder numKvBlocks(int v) {
            numKvBlocks = v;
            return this;
        }

        public Builder prefixCaching(boolean v) {
            prefixCaching = v;
            return this;
        }

        public Builder encoderCacheBytes(long v) {
            encoderCacheBytes = v;
            return this;
        }

        public Builder maxCategories(int v) {
            maxCategories = v;
            return this;
        }

        public Builder maxCategoryChars(int v) {
            maxCategoryChars = v;
            return this;
        }

        public Builder oldestFirstEvery(int v) {
            oldestFirstEvery = v;
            return this;
        }

        public Builder kvMemoryBytes(long v) {
            kvMemoryBytes = v;
            return this;
        }

        public Builder tryCuda(boolean v) {
            tryCuda = v;
            return this;
        }

        public Builder intraOpThreads(int v) {
            intraOpThreads = v;
            return this;
        }

        public Builder metricsPort(int v) {
            metricsPort = v;
            return this;
        }

        public Builder metricsHost(String v) {
            metricsHost = v;
            return this;
        }

        /** Null: the model's default decoder graph. */
        public Builder decoderStyle(KvStyle v) {
            decoderStyle = v;
            return this;
        }

        public EngineSettings build() {
            return new EngineSettings(
                    modelDir,
                    maxNumSeqs,
                    maxNumBatchedTokens,
                    maxQueuedRequests,
                    maxImagesPerVisionRun,
                    numKvBlocks,
                    prefixCaching,
                    encoderCacheBytes,
                    maxCategories,
                    maxCategoryChars,
                    kvMemoryBytes,
                    oldestFirstEvery,
                    tryCuda,
                    intraOpThreads,
                    metricsPort,
                    metricsHost,
                    decoderStyle);
        }
    }
}
