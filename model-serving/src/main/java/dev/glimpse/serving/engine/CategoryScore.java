package dev.glimpse.serving.engine;

/**
 * Moderation verdict for one category.
 *
 * @param category the category name from the manifest or the request
 * @param probabilityYes softmax over the first answer token's logits restricted to "yes"/"no"
 * @param flagged {@code probabilityYes >= threshold}
 */
public record CategoryScore(String category, double probabilityYes, boolean flagged) {}
