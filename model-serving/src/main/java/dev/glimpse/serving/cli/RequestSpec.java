package dev.glimpse.serving.cli;

import dev.glimpse.serving.engine.Task;
import java.util.List;
import java.util.Optional;

/**
 * What the CLI asks of one image: the task and its options as given on the command line or in a
 * requests file; checked by the engine's request builder.
 *
 * @param prompt question instead of the task's default (caption, OCR)
 * @param categories moderation categories; empty = the model's
 * @param maxNewTokens generation cap; 0 = the model's
 * @param reviewBelow OCR: print {@code needsReview}, true when a word's confidence is under this;
 *     in (0, 1); empty = not printed
 * @throws IllegalArgumentException if {@code reviewBelow} is out of range or given for another task
 *     than OCR
 */
record RequestSpec(
        Task task,
        Optional<String> prompt,
        List<String> categories,
        int maxNewTokens,
        Optional<Double> reviewBelow) {

    RequestSpec {
        categories = List.copyOf(categories);
        if (reviewBelow.isPresent()) {
            double bar = reviewBelow.get();
            if (task != Task.OCR) {
                throw new IllegalArgumentException(
                        "reviewBelow is for ocr requests, not " + ResultLines.taskName(task));
            }
            if (!(bar > 0 && bar < 1)) {
                throw new IllegalArgumentException("reviewBelow must be in (0, 1), got " + bar);
            }
        }
    }
}
