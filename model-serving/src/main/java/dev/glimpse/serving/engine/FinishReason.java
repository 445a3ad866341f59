package dev.glimpse.serving.engine;

/** Why generation of a completed request ended. */
public enum FinishReason {
    /** A stop token was sampled (not included in the output). */
    STOP,
    /** {@code maxNewTokens} tokens were generated. */
    LENGTH,
    /** Moderation: the yes/no scores were read from the first answer token's logits. */
    SCORED
}
