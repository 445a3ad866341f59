package dev.glimpse.serving.engine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's counters in one place. Written by the engine thread alone (volatile, one writer),
 * except {@link #rejected}, which {@code submit} bumps from any thread; read by {@link
 * InferenceEngine#stats} from any thread. Names follow {@link EngineStats}.
 */
final class EngineCounters {
    volatile long numSteps;
    volatile long numDecodeSteps;
    volatile long numPlainDecodeSteps;
    volatile long kvBytesCopiedInPlainDecodeSteps;
    volatile long numGeneratedTokens;
    volatile long numPrefixQueryTokens;
    volatile long numPrefixHitTokens;
    volatile long numVisionRuns;
    volatile long numImagesEncoded;
    volatile long visionNanos;
    volatile long prefillNanos;
    volatile long decodeNanos;
    volatile long rebuildNanos;
    volatile long numGroupedPrefills;
    volatile long numIsolationRuns;
    private final AtomicLong numRejected = new AtomicLong();

    /** A step that computed at least one token, with its admissions' prefix-cache lookups. */
    void step(int prefixQueryTokens, int prefixHitTokens) {
        numSteps++;
        numPrefixQueryTokens += prefixQueryTokens;
        numPrefixHitTokens += prefixHitTokens;
    }

    void visionRun(int images, long nanos) {
        numVisionRuns++;
        numImagesEncoded += images;
        visionNanos += nanos;
    }

    void prefill(long nanos) {
        prefillNanos += nanos;
    }

    void groupedPrefill(int rows) {
        numGroupedPrefills += rows;
    }

    void rebuild(long nanos) {
        rebuildNanos += nanos;
    }

    /** A decode run; {@code plainCopiedBytes} is what Java copied if the batch was unchanged. */
    void decode(long nanos, boolean plain, long plainCopiedBytes) {
        decodeNanos += nanos;
        numDecodeSteps++;
        if (plain) {
            numPlainDecodeSteps++;
            kvBytesCopiedInPlainDecodeSteps += plainCopiedBytes;
        }
    }

    /** A run of one row alone after its batch's run failed (culprit isolation). */
    void isolationRun() {
        numIsolationRuns++;
    }

    void generatedToken() {
        numGeneratedTokens++;
    }

    void rejected() {
        numRejected.incrementAndGet();
    }

    long numRejected() {
        return numRejected.get();
    }
}
