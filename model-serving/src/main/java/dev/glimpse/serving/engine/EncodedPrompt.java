package dev.glimpse.serving.engine;

/**
 * A tokenised prompt.
 *
 * @param tokenIds prompt token ids
 * @param visualPositions positions of the placeholder tokens whose embeddings are replaced by the
 *     image's visual tokens, in visual-token order (overview, then slices row-major)
 */
public record EncodedPrompt(int[] tokenIds, int[] visualPositions) {
    public EncodedPrompt {
        tokenIds = tokenIds.clone();
        visualPositions = visualPositions.clone();
        for (int i = 0; i < visualPositions.length; i++) {
            if (visualPositions[i] < 0
                    || visualPositions[i] >= tokenIds.length
                    || (i > 0 && visualPositions[i] <= visualPositions[i - 1])) {
                throw new IllegalArgumentException(
                        "visualPositions must be increasing positions inside the prompt, bad at index "
                                + i);
            }
        }
    }
}
