package dev.glimpse.operators;

import dev.glimpse.schemas.AnalysisTask;
import java.io.Serializable;
import java.time.Duration;
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
 * @param priority the engine admits lower values first (within its starvation bound); null = the
 *     task's default ({@link #defaultPriority}: moderation 0, caption 1, OCR 2)
 * @param deadline freshness: an event older than this (from its event time) when the engine would
 *     start it is skipped, never analysed late (dead letter STALE_SKIPPED); {@link Duration#ZERO} =
 *     none, it waits; null = the task's default ({@link #defaultDeadline}: captions {@value
 *     #DEFAULT_CAPTION_DEADLINE_SECONDS} s, OCR and moderation none)
 * @param reviewBelow OCR: a result whose lowest word confidence is under this is marked {@code
 *     needsReview}; null = none is marked
 */
public record TaskSettings(
        Integer maxSlices,
        String prompt,
        List<String> categories,
        Double threshold,
        Integer priority,
        Duration deadline,
        Double reviewBelow)
        implements Serializable {

    /** Captions older than this are worth nothing: a camera's next frame replaces them. */
    public static final int DEFAULT_CAPTION_DEADLINE_SECONDS = 60;

    /** The manifest's slice bound, no default prompt, the manifest's categories and threshold. */
    public static final TaskSettings DEFAULT = new TaskSettings(null, "", List.of(), null);

    /** Settings with the task's default priority and deadline. */
    public TaskSettings(
            Integer maxSlices, String prompt, List<String> categories, Double threshold) {
        this(maxSlices, prompt, categories, threshold, null, null);
    }

    /** Settings that mark no result for review. */
    public TaskSettings(
            Integer maxSlices,
            String prompt,
            List<String> categories,
            Double threshold,
            Integer priority,
            Duration deadline) {
        this(maxSlices, prompt, categories, threshold, priority, deadline, null);
    }

    public TaskSettings {
        if (maxSlices != null && (maxSlices < 1 || maxSlices > 9)) {
            throw new IllegalArgumentException("maxSlices must be 1..9, was " + maxSlices);
        }
        prompt = prompt == null ? "" : prompt.strip();
        categories = List.copyOf(categories);
        if (threshold != null && !(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1), was " + threshold);
        }
        if (priority != null && priority < 0) {
            throw new IllegalArgumentException("priority must be >= 0, was " + priority);
        }
        if (deadline != null && deadline.isNegative()) {
            throw new IllegalArgumentException("deadline must be >= 0 (0 = none), was " + deadline);
        }
        if (reviewBelow != null && !(reviewBelow > 0 && reviewBelow < 1)) {
            throw new IllegalArgumentException("reviewBelow must be in (0, 1), was " + reviewBelow);
        }
    }

    /** Moderation before captions before OCR: a flag matters most, a page can wait. */
    public static int defaultPriority(AnalysisTask task) {
        return switch (task) {
            case MODERATION -> 0;
            case CAPTION -> 1;
            case OCR -> 2;
        };
    }

    /** Captions expire; OCR and moderation wait however long (they must not be lost). */
    public static Optional<Duration> defaultDeadline(AnalysisTask task) {
        return task == AnalysisTask.CAPTION
                ? Optional.of(Duration.ofSeconds(DEFAULT_CAPTION_DEADLINE_SECONDS))
                : Optional.empty();
    }

    /** The priority of {@code task}'s requests: this setting, else the task's default. */
    public int priorityOf(AnalysisTask task) {
        return priority != null ? priority : defaultPriority(task);
    }

    /** The freshness deadline of {@code task}'s requests; empty = none. */
    public Optional<Duration> deadlineOf(AnalysisTask task) {
        if (deadline == null) {
            return defaultDeadline(task);
        }
        return deadline.isZero() ? Optional.empty() : Optional.of(deadline);
    }

    /** The default prompt, if one is set. */
    public Optional<String> defaultPrompt() {
        return prompt.isEmpty() ? Optional.empty() : Optional.of(prompt);
    }

    /** The moderation threshold, if set here. */
    public Optional<Double> thresholdOverride() {
        return Optional.ofNullable(threshold);
    }

    /** The review threshold on the lowest word confidence, if set. */
    public Optional<Double> reviewThreshold() {
        return Optional.ofNullable(reviewBelow);
    }

    /** These settings with another slice bound. */
    public TaskSettings withMaxSlices(Integer n) {
        return new TaskSettings(n, prompt, categories, threshold, priority, deadline, reviewBelow);
    }
}
