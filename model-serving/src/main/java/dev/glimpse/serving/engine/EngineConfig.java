package dev.glimpse.serving.engine;

import dev.glimpse.serving.engine.sched.SchedulerConfig;

/**
 * Engine settings, immutable and checked once. Build with {@link #builder()}.
 *
 * @param maxNumBatchedTokens tokens computed per step (prefill chunks + decode rows)
 * @param maxNumSeqs sequences running at once; at most {@code maxNumBatchedTokens}
 * @param maxQueuedRequests requests accepted but not yet started; {@code submit} fails fast beyond
 * @param blockSize tokens per KV block (the prefix cache shares full blocks only)
 * @param numKvBlocks KV blocks in the pool (lifetime reservations and the prefix cache)
 * @param prefixCaching reuse KV of identical prompt prefixes (same tokens and same images)
 * @param encoderCacheBytes bytes of visual tokens kept by image hash; 0 disables the cache
 * @param validateInvariants run the invariant validator after every step (tests)
 * @param maxImagesPerVisionRun images per vision graph run (more are split into several runs)
 * @param maxTokensPerPrefillRun tokens per batched prefill run of equal-length fresh prompts
 * @param maxCategories moderation categories one request may name (each is a sequence: a prefill of
 *     its own); more are refused at submit
 * @param maxCategoryChars characters one moderation category may have; longer ones are refused
 * @param kvMemoryBytes native memory all KV buffers may hold together (prefix-cache store,
 *     prefilling sequences, decode batch, pooled buffers); 0 derives the bound from numKvBlocks,
 *     maxNumSeqs and the model (see docs/engine.md)
 * @param oldestFirstEvery the priority rule's starvation bound: of every this many consecutive
 *     admissions at least one goes to the oldest waiting request, whatever its priority (1 = oldest
 *     first, priorities ignored; see {@link dev.glimpse.serving.engine.sched.Scheduler})
 */
public record EngineConfig(
        int maxNumBatchedTokens,
        int maxNumSeqs,
        int maxQueuedRequests,
        int blockSize,
        int numKvBlocks,
        boolean prefixCaching,
        long encoderCacheBytes,
        boolean validateInvariants,
        int maxImagesPerVisionRun,
        int maxTokensPerPrefillRun,
        int maxCategories,
        int maxCategoryChars,
        long kvMemoryBytes,
        int oldestFirstEvery) {

    public EngineConfig {
        positive("oldestFirstEvery", oldestFirstEvery);
        if (kvMemoryBytes < 0) {
            throw new IllegalArgumentException(
                    "kvMemoryBytes must be >= 0 (0 = derived), got " + kvMemoryBytes);
        }
        positive("maxCategories", maxCategories);
        positive("maxCategoryChars", maxCategoryChars);
        positive("maxImagesPerVisionRun", maxImagesPerVisionRun);
        positive("maxTokensPerPrefillRun", maxTokensPerPrefillRun);
        positive("maxNumBatchedTokens", maxNumBatchedTokens);
        positive("maxNumSeqs", maxNumSeqs);
        positive("maxQueuedRequests", maxQueuedRequests);
        positive("blockSize", blockSize);
        positive("numKvBlocks", numKvBlocks);
        if (maxNumSeqs > maxNumBatchedTokens) {
            throw new IllegalArgumentException(
                    "maxNumSeqs must be <= maxNumBatchedTokens ("
                            + maxNumBatchedTokens
                            + ") so every running sequence can decode each step, got "
                            + maxNumSeqs);
        }
        if (encoderCacheBytes < 0) {
            throw new IllegalArgumentException(
                    "encoderCacheBytes must be >= 0, got " + encoderCacheBytes);
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .maxNumBatchedTokens(maxNumBatchedTokens)
                .maxNumSeqs(maxNumSeqs)
                .maxQueuedRequests(maxQueuedRequests)
                .blockSize(blockSize)
                .numKvBlocks(numKvBlocks)
                .prefixCaching(prefixCaching)
                .encoderCacheBytes(encoderCacheBytes)
                .validateInvariants(validateInvariants)
                .maxImagesPerVisionRun(maxImagesPerVisionRun)
                .maxTokensPerPrefillRun(maxTokensPerPrefillRun)
                .maxCategories(maxCategories)
                .maxCategoryChars(maxCategoryChars)
                .kvMemoryBytes(kvMemoryBytes)
                .oldestFirstEvery(oldestFirstEvery);
    }

    /**
     * Defaults: 512 tokens/step, 32 sequences, 256 queued, blocks of 16, 1024 blocks, caches on, at
     * most 32 moderation categories of at most 64 characters, one admission in 4 to the oldest.
     */
    public static final class Builder {
        private int maxNumBatchedTokens = 512;
        private int maxNumSeqs = 32;
        private int maxQueuedRequests = 256;
        private int blockSize = 16;
        private int numKvBlocks = 1024;
        private boolean prefixCaching = true;
        private long encoderCacheBytes = 64L << 20;
        private boolean validateInvariants;
        private int maxImagesPerVisionRun = 8;
        private int maxTokensPerPrefillRun = 512;
        private int maxCategories = 32;
        private int maxCategoryChars = 64;
        private long kvMemoryBytes;
        private int oldestFirstEvery = SchedulerConfig.DEFAULT_OLDEST_FIRST_EVERY;

        public Builder oldestFirstEvery(int v) {
            oldestFirstEvery = v;
            return this;
        }

        public Builder kvMemoryBytes(long v) {
            kvMemoryBytes = v;
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

        public Builder maxImagesPerVisionRun(int v) {
            maxImagesPerVisionRun = v;
            return this;
        }

        public Builder maxTokensPerPrefillRun(int v) {
            maxTokensPerPrefillRun = v;
            return this;
        }

        public Builder maxNumBatchedTokens(int v) {
            maxNumBatchedTokens = v;
            return this;
        }

        public Builder maxNumSeqs(int v) {
            maxNumSeqs = v;
            return this;
        }

        public Builder maxQueuedRequests(int v) {
            maxQueuedRequests = v;
            return this;
        }

        public Builder blockSize(int v) {
            blockSize = v;
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

        public Builder validateInvariants(boolean v) {
            validateInvariants = v;
            return this;
        }

        public EngineConfig build() {
            return new EngineConfig(
                    maxNumBatchedTokens,
                    maxNumSeqs,
                    maxQueuedRequests,
                    blockSize,
                    numKvBlocks,
                    prefixCaching,
                    encoderCacheBytes,
                    validateInvariants,
                    maxImagesPerVisionRun,
                    maxTokensPerPrefillRun,
                    maxCategories,
                    maxCategoryChars,
                    kvMemoryBytes,
                    oldestFirstEvery);
        }
    }
}
