package dev.glimpse.serving.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.serving.engine.AnswerConfidence;
import dev.glimpse.serving.engine.CategoryScore;
import dev.glimpse.serving.engine.ConfidenceSummary;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.LineConfidence;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.engine.WordConfidence;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The JSON output lines of the engine commands: a result, or an error. */
final class ResultLines {

    private ResultLines() {}

    static String taskName(Task task) {
        return task.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Appends a result's fields to {@code line} (which already names the input): task, text with
     * its confidence (OCR: per line and word, and {@code needsReview} when the spec asks) or
     * verdict, grid, tokens, timings.
     */
    static ObjectNode result(
            ObjectNode line, RequestSpec spec, EngineImage image, EngineResult r, int queryNum) {
        Task task = spec.task();
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
            confidence(line, task, r);
            if (spec.reviewBelow().isPresent()) {
                line.put(
                        "needsReview",
                        r.confidence()
                                .map(c -> c.needsReview(spec.reviewBelow().get()))
                                .orElse(false));
            }
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

    /**
     * Appends the answer's token confidence ({@code "confidence":{"mean","min"}}, null without
     * tokens) and, for OCR, {@code
     * "lines":[{"text","mean","min","words":[{"text","mean","min"}]}]}.
     */
    private static void confidence(ObjectNode line, Task task, EngineResult r) {
        Optional<ConfidenceSummary> answer = r.confidence().flatMap(AnswerConfidence::answer);
        if (answer.isPresent()) {
            summary(line.putObject("confidence"), answer.get());
        } else {
            line.putNull("confidence");
        }
        if (task == Task.OCR) {
            ArrayNode lines = line.putArray("lines");
            for (LineConfidence l : r.confidence().map(AnswerConfidence::lines).orElse(List.of())) {
                ObjectNode lineNode =
                        summary(lines.addObject().put("text", l.text()), l.confidence());
                ArrayNode words = lineNode.putArray("words");
                for (WordConfidence w : l.words()) {
                    summary(words.addObject().put("text", w.text()), w.confidence());
                }
            }
        }
    }

    private static ObjectNode summary(ObjectNode node, ConfidenceSummary c) {
        return node.put("mean", c.mean()).put("min", c.min());
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
