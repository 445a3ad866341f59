package dev.glimpse.serving.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.serving.engine.CategoryScore;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.Task;
import java.util.Locale;

/** The JSON output lines of the engine commands: a result, or an error. */
final class ResultLines {

    private ResultLines() {}

    static String taskName(Task task) {
        return task.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Appends a result's fields to {@code line} (which already names the input): task, text or
     * verdict, grid, tokens, timings.
     */
    static ObjectNode result(
            ObjectNode line, Task task, EngineImage image, EngineResult r, int queryNum) {
        line.put("task", taskName(task));
        if (task == Task.MODERATION) {
            ObjectNode verdict = line.putObject("verdict");
            ArrayNode flaggedCategories = JsonLines.array();
            ArrayNode scores = JsonLines.array();
            for (CategoryScore s : r.scores()) {
                if (s.flagged()) {
                    flaggedCategories.add(s.category());
                }
                scores.addObject()
                        .put("category", s.category())
                        .put("probability", s.probabilityYes())
                        .put("flagged", s.flagged());
            }
            verdict.put("flagged", !flaggedCategories.isEmpty());
            verdict.set("flaggedCategories", flaggedCategories);
            verdict.set("scores", scores);
        } else {
            line.put("text", r.text());
        }
        if (image.gridCols() > 0) {
            line.putArray("grid").add(image.gridCols()).add(image.gridRows());
        } else {
            line.putNull("grid");
        }
        line.putObject("tokens")
                .put("prompt", r.promptTokens())
                .put("visual", image.slices().size() * queryNum)
                .put("cached", r.cachedPromptTokens())
                .put(
                        "generated",
                        task == Task.MODERATION ? r.scores().size() : r.tokenIds().size());
        line.putObject("timings")
                .put("queuedMs", JsonLines.millis(r.queuedNanos()))
                .put("encodeMs", JsonLines.millis(r.encodeNanos()))
                .put("ttftMs", JsonLines.millis(r.timeToFirstTokenNanos()))
                .put("totalMs", JsonLines.millis(r.totalNanos()));
        return line;
    }

    /** Appends {@code "error":{"reason":..,"message":..}} to {@code line}. */
    static ObjectNode error(ObjectNode line, String reason, String message) {
        ObjectNode error = JsonLines.object().put("reason", reason).put("message", message);
        return error(line, error);
    }

    /** Appends {@code error} (reason, message and possibly type) to {@code line}. */
    static ObjectNode error(ObjectNode line, ObjectNode error) {
        line.set("error", error);
        return line;
    }
}
