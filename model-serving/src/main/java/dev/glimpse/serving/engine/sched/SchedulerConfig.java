package dev.glimpse.serving.engine.sched;

/**
 * Per-step limits.
 *
 * @param maxNumBatchedTokens tokens computed per step over all sequences (prefill chunks + decode)
 * @param maxNumSeqs sequences running at once (the decode batch can reach this)
 */
public record SchedulerConfig(int maxNumBatchedTokens, int maxNumSeqs) {
    public SchedulerConfig {
        if (maxNumBatchedTokens <= 0) {
            throw new IllegalArgumentException(
                    "maxNumBatchedTokens must be > 0, got " + maxNumBatchedTokens);
        }
        if (maxNumSeqs <= 0) {
            throw new IllegalArgumentException("maxNumSeqs must be > 0, got " + maxNumSeqs);
        }
    }
}
