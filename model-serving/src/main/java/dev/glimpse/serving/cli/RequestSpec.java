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
 */
record RequestSpec(Task task, Optional<String> prompt, List<String> categories, int maxNewTokens) {

    RequestSpec {
        categories = List.copyOf(categories);
    }
}
