package dev.glimpse.serving.engine;

import java.util.List;
import java.util.Optional;

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
 * @param confidence caption and OCR: the chosen tokens' probabilities and their summaries per
 *     answer, line and word; empty for moderation (its scores are probabilities already)
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
        long encodeNanos,
        Optional<AnswerConfidence> confidence) {
    public EngineResult {
        tokenIds = List.copyOf(tokenIds);
        scores = List.copyOf(scores);
        if (confidence.isPresent()
                && confidence.get().tokenProbabilities().size() != tokenIds.size()) {
            throw new IllegalArgumentException(
                    "expected one token probability per token id ("
                            + tokenIds.size()
                            + "), got "
                            + confidence.get().tokenProbabilities().size());
        }
    }
}
