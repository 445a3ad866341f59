package dev.glimpse.serving.engine;

/** Where in a step a failure happened; a label of {@code glimpse_engine_errors_total}. */
public enum ExecutionStage {
    PROMPT,
    VISION,
    EMBED,
    PREFILL,
    DECODE,
    SAMPLE;

    /** Lower-case label value. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
