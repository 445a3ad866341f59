package dev.glimpse.serving.engine;

import java.util.List;

/**
 * A completed request.
 *
 * @param requestId the request's id
 * @param task the task
 * @param text decoded answer (empty for moderation)
 * @param tokenIds generated token ids without the stop token (moderation: empty)
 * @param scores moderation verdicts in request category order (empty otherwise)
 * @param finishReason why generation ended
 * @param promptTokens prompt length in tokens (moderation: summed over categories)
 * @param cachedPromptTokens prompt tokens served from the prefix cache
 * @param timeToFirstTokenNanos submit to first token (moderation: to the last category's score)
 * @param totalNanos submit to completion
 * @param queuedNanos submit to admission (waiting for a batch slot and KV space)
 * @param encodeNanos the vision run this request waited for; 0 when the encoder cache or the prefix
 *     cache supplied its visual tokens
 */
public record EngineResult(
        String requestId,
        Task task,
        String text,
        List<Integer> tokenIds,
        List<CategoryScore> scores,
        FinishReason finishReason,
        int promptTokens,
        int cachedPromptTokens,
        long timeToFirstTokenNanos,
        long totalNanos,
        long queuedNanos,
        long encodeNanos) {
    public EngineResult {
        tokenIds = List.copyOf(tokenIds);
        scores = List.copyOf(scores);
    }
}
