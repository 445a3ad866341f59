package dev.glimpse.serving.engine;

/** What the engine is asked to do with an image. Prompts per task come from the model manifest. */
public enum Task {
    /** Free-text description of the image. */
    CAPTION,
    /** Transcription of the text in the image. */
    OCR,
    /** Per-category P(yes) from the first answer token's logits; no free text. */
    MODERATION
}
