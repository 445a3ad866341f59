package dev.glimpse.serving.engine;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a task into prompt tokens and answer tokens into text, following the model manifest.
 * Implementations must be thread-safe: {@link InferenceEngine#submit} encodes on the caller's
 * thread so the engine thread never tokenises.
 */
public interface PromptEncoder {
    /**
     * @param question the caption/OCR question override, or the moderation category's question is
     *     derived from {@code category}
     */
    EncodedPrompt encode(
            Task task, Optional<String> question, Optional<String> category, EngineImage image);

    String decode(List<Integer> tokenIds);

    int defaultMaxNewTokens(Task task);

    Set<Integer> stopTokenIds();

    int yesTokenId();

    int noTokenId();

    List<String> moderationCategories();

    /** P(yes) at or above which a category is flagged. */
    double moderationThreshold();
}
