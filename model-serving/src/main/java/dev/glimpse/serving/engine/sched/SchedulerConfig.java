package dev.glimpse.serving.engine.sched;

/**
 * Per-step limits and the admission order's starvation bound.
 *
 * @param maxNumBatchedTokens tokens computed per step over all sequences (prefill chunks + decode)
 * @param maxNumSeqs sequences running at once (the decode batch can reach this)
 * @param oldestFirstEvery of every this many consecutive admissions, at least one goes to the
 *     oldest waiting sequence whatever its priority (1 = strictly oldest first, priorities ignored)
 */
public record SchedulerConfig(int maxNumBatchedTokens, int maxNumSeqs, int oldestFirstEvery) {
    /** The default starvation bound: one admission in four goes to the oldest. */
    public static final int DEFAULT_OLDEST_FIRST_EVERY = 4;

    public SchedulerConfig {
        if (maxNumBatchedTokens <= 0) {
            throw new IllegalArgumentException(
                    "maxNumBatchedTokens must be > 0, got " + maxNumBatchedTokens);
        }
        if (maxNumSeqs <= 0) {
            throw new IllegalArgumentException("maxNumSeqs must be > 0, got " + maxNumSeqs);
        }
        if (oldestFirstEvery <= 0) {
            throw new IllegalArgumentException(
                    "oldestFirstEvery must be > 0, got " + oldestFirstEvery);
        }
    }

    /** Limits with the default starvation bound. */
    public SchedulerConfig(int maxNumBatchedTokens, int maxNumSeqs) {
        this(maxNumBatchedTokens, maxNumSeqs, DEFAULT_OLDEST_FIRST_EVERY);
    }
}
