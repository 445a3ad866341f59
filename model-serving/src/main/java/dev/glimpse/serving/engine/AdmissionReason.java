package dev.glimpse.serving.engine;

/**
 * Why {@link InferenceEngine#submit} refused a request before queueing it. Each reason is final for
 * the request as submitted: resubmitting it unchanged is refused again.
 */
public enum AdmissionReason {
    /** A sequence's prompt plus {@code maxNewTokens} exceeds the model's {@code maxPositions}. */
    PROMPT_TOO_LONG,
    /** More moderation categories than {@link EngineConfig#maxCategories()}. */
    TOO_MANY_CATEGORIES,
    /** A moderation category longer than {@link EngineConfig#maxCategoryChars()}. */
    CATEGORY_TOO_LONG,
    /** An empty or whitespace-only moderation category. */
    BLANK_CATEGORY,
    /** The same moderation category twice in one request. */
    DUPLICATE_CATEGORY,
    /** A sequence needs more KV blocks than the whole pool ({@code numKvBlocks}) holds. */
    EXCEEDS_KV_CAPACITY
}
