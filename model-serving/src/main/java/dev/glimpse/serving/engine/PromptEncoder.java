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

    /**
     * Where each token of {@code text = decode(tokenIds)} ends: {@code ends[i]} is the index after
     * the last character token {@code i} adds, non-decreasing, the last one {@code text.length()}.
     * This default decodes every prefix (quadratic; implementations may do better) and clamps to
     * the text, so a decoder whose prefixes are not prefixes of the whole still yields valid ends.
     */
    default int[] tokenEnds(List<Integer> tokenIds, String text) {
        int[] ends = new int[tokenIds.size()];
        int previous = 0;
        for (int i = 0; i < ends.length; i++) {
            int end = Math.min(decode(tokenIds.subList(0, i + 1)).length(), text.length());
            previous = Math.max(previous, end);
            ends[i] = previous;
        }
        if (ends.length > 0) {
            ends[ends.length - 1] = text.length();
        }
        return ends;
    }

    int defaultMaxNewTokens(Task task);

    Set<Integer> stopTokenIds();

    int yesTokenId();

    int noTokenId();

    List<String> moderationCategories();

    /** P(yes) at or above which a category is flagged. */
    double moderationThreshold();
}
