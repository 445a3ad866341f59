package dev.glimpse.jobs.config;

import static dev.glimpse.jobs.config.GlimpseOption.duration;
import static dev.glimpse.jobs.config.GlimpseOption.integer;
import static dev.glimpse.jobs.config.GlimpseOption.probability;
import static dev.glimpse.jobs.config.GlimpseOption.string;

import dev.glimpse.operators.TaskSettings;
import dev.glimpse.schemas.AnalysisTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code tasks.<task>.*} options ({@code <task>}: caption, ocr or moderation), read into one
 * {@link TaskSettings} per task that has any. Unset values fall back to the model manifest's.
 */
public final class TaskOptions {

    private TaskOptions() {}

    /** Stands for a task's name in the keys of per-task options. */
    public static final String TASK = "<task>";

    public static final GlimpseOption<Integer> MAX_SLICES =
            integer(
                    "tasks." + TASK + ".maxSlices",
                    null,
                    1,
                    9,
                    "MiniCPM-V slice bound per task (caption, ocr, moderation), 1..9; unset = the"
                            + " model manifest's.");

    public static final GlimpseOption<String> PROMPT =
            string(
                    "tasks." + TASK + ".prompt",
                    "",
                    "Default question after the image (caption, ocr) when an event has no prompt;"
                            + " empty = the model's instruction alone.");

    public static final GlimpseOption<Integer> PRIORITY =
            integer(
                    "tasks." + TASK + ".priority",
                    null,
                    0,
                    1000,
                    "Engine priority per task, lower first (within engine.oldestFirstEvery);"
                            + " unset = moderation 0, caption 1, ocr 2.");

    public static final GlimpseOption<Duration> DEADLINE =
            duration(
                    "tasks." + TASK + ".deadline",
                    null,
                    "Freshness per task: an event older than this (from its eventTime) when the"
                            + " engine would start it is skipped (dead letter STALE_SKIPPED);"
                            + " 0 s = none, it waits; unset = caption "
                            + TaskSettings.DEFAULT_CAPTION_DEADLINE_SECONDS
                            + " s, ocr and moderation none.");

    public static final GlimpseOption<List<String>> CATEGORIES =
            GlimpseOption.of(
                    "tasks.moderation.categories",
                    null,
                    "Comma-separated categories scored when an event names none; unset = the"
                            + " model manifest's.",
                    (k, v) -> splitList(v));

    public static final GlimpseOption<Double> THRESHOLD =
            probability(
                    "tasks.moderation.threshold",
                    null,
                    "P(yes) at or above which a category is flagged; unset = the model manifest's.");

    public static final GlimpseOption<Double> REVIEW_BELOW =
            probability(
                    "tasks.ocr.reviewBelow",
                    null,
                    "OCR results whose lowest word confidence (token probability) is under this"
                            + " are marked needsReview, for routing to a person; unset = none"
                            + " marked.");

    /** Settings per task, for the tasks with a {@code tasks.<task>} section only. */
    static Map<AnalysisTask, TaskSettings> read(OptionValues values) {
        Map<AnalysisTask, TaskSettings> tasks = new EnumMap<>(AnalysisTask.class);
        for (AnalysisTask task : AnalysisTask.values()) {
            String name = task.name().toLowerCase(Locale.ROOT);
            Set<String> given = values.keysUnder("tasks." + name);
            if (given.isEmpty()) {
                continue;
            }
            Set<String> known = new TreeSet<>();
            for (GlimpseOption<?> o : GlimpseOptions.ALL) {
                if (o.key().startsWith("tasks.")) {
                    forTask(o, name).ifPresent(concrete -> known.add(concrete.key()));
                }
            }
            for (String key : given) {
                if (!known.contains(key)) {
                    throw new IllegalArgumentException(
                            "Unknown key "
                                    + key
                                    + "; expected one of "
                                    + known.stream()
                                            .map(k -> k.substring(k.lastIndexOf('.') + 1))
                                            .toList());
                }
            }
            tasks.put(
                    task,
                    new TaskSettings(
                            forTask(MAX_SLICES, name).flatMap(values::getOptional).orElse(null),
                            forTask(PROMPT, name).map(values::get).orElse(""),
                            forTask(CATEGORIES, name)
                                    .flatMap(values::getOptional)
                                    .orElse(List.of()),
                            forTask(THRESHOLD, name).flatMap(values::getOptional).orElse(null),
                            forTask(PRIORITY, name).flatMap(values::getOptional).orElse(null),
                            forTask(DEADLINE, name).flatMap(values::getOptional).orElse(null),
                            forTask(REVIEW_BELOW, name).flatMap(values::getOptional).orElse(null)));
        }
        return tasks;
    }

    /**
     * {@code option} for the task {@code name}: its {@code <task>} replaced, or itself if its key
     * names that task; empty if it belongs to another task.
     */
    private static <T> Optional<GlimpseOption<T>> forTask(GlimpseOption<T> option, String name) {
        if (option.key().contains(TASK)) {
            return Optional.of(option.forKey(option.key().replace(TASK, name)));
        }
        return option.key().startsWith("tasks." + name + ".")
                ? Optional.of(option)
                : Optional.empty();
    }

    /** Comma-separated values, trimmed, blanks dropped. */
    static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }
}
