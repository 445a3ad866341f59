package dev.glimpse.operators;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * Pipeline settings of one task, validated on construction (serializable: operators carry it).
 *
 * @param maxSlices MiniCPM-V slice bound for this task (1 = overview only; camera captions 1-2, OCR
 *     up to 9), capped by the model's own bound; null = the model manifest's bound for the task
 * @param prompt default prompt (the question asked after the image) for events without one ("" =
 *     none, the model's instruction alone); not used for moderation. Named like the event's {@code
 *     prompt} field and the {@code tasks.<task>.prompt} key
 * @param categories moderation: categories scored when an event names none (empty = the manifest's)
 * @param threshold moderation: P(yes) at or above which a category is flagged (null = the
 *     manifest's)
 */
public record TaskSettings(
        Integer maxSlices, String prompt, List<String> categories, Double threshold)
        implements Serializable {

    /** The manifest's slice bound, no default prompt, the manifest's categories and threshold. */
    public static final TaskSettings DEFAULT = new TaskSettings(null, "", List.of(), null);

    public TaskSettings {
        if (maxSlices != null && (maxSlices < 1 || maxSlices > 9)) {
            throw new IllegalArgumentException("maxSlices must be 1..9, was " + maxSlices);
        }
        prompt = prompt == null ? "" : prompt.strip();
        categories = List.copyOf(categories);
        if (threshold != null && !(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1), was " + threshold);
        }
    }

    /** The default prompt, if one is set. */
    public Optional<String> defaultPrompt() {
        return prompt.isEmpty() ? Optional.empty() : Optional.of(prompt);
    }

    /** The moderation threshold, if set here. */
    public Optional<Double> thresholdOverride() {
        return Optional.ofNullable(threshold);
    }

    /** These settings with another slice bound. */
    public TaskSettings withMaxSlices(Integer n) {
        return new TaskSettings(n, prompt, categories, threshold);
    }
}
