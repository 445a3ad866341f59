package dev.glimpse.serving.engine;

/**
 * Counters since the engine started (a snapshot; fields are read without a common lock).
 *
 * @param numSteps engine steps that computed at least one token
 * @param numDecodeSteps steps with a decode run
 * @param numPlainDecodeSteps decode runs whose batch equalled the previous one
 * @param kvBytesCopied all KV bytes copied by Java (batch rebuilds, prefix loads and stores)
 * @param kvBytesCopiedInPlainDecodeSteps KV bytes Java copied during plain decode steps (must be 0)
 * @param numGeneratedTokens sampled tokens (moderation scores count one each)
 * @param numPrefixQueryTokens prompt tokens looked up in the prefix cache
 * @param numPrefixHitTokens prompt tokens served from it
 * @param numEncoderQueries images looked up in the encoder cache
 * @param numEncoderHits images served from it
 * @param numVisionRuns vision graph runs
 * @param numImagesEncoded images through the vision graph
 * @param numRejected submissions refused because the admission queue was full
 * @param visionNanos time in vision runs
 * @param prefillNanos time in prefill chunks (embedding + decoder runs)
 * @param decodeNanos time in batched decode runs (embedding + decoder runs)
 * @param rebuildNanos time rebuilding the decode batch (joins and leaves)
 * @param numGroupedPrefills sequences whose whole prompt ran in a batched prefill with others
 * @param numKvEvictions cached prefix blocks dropped because their block was reused
 * @param numIsolationRuns runs of one row (or image) alone after its batch's run failed
 * @param kvNativeBytes native memory the KV buffers hold now (0 once the engine is closed)
 */
public record EngineStats(
        long numSteps,
        long numDecodeSteps,
        long numPlainDecodeSteps,
        long kvBytesCopied,
        long kvBytesCopiedInPlainDecodeSteps,
        long numGeneratedTokens,
        long numPrefixQueryTokens,
        long numPrefixHitTokens,
        long numEncoderQueries,
        long numEncoderHits,
        long numVisionRuns,
        long numImagesEncoded,
        long numRejected,
        long visionNanos,
        long prefillNanos,
        long decodeNanos,
        long rebuildNanos,
        long numGroupedPrefills,
        long numKvEvictions,
        long numIsolationRuns,
        long kvNativeBytes) {}
