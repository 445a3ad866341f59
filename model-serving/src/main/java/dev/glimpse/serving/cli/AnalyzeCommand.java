package dev.glimpse.serving.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.serving.engine.CategoryScore;
import dev.glimpse.serving.engine.EngineImage;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.EngineResult;
import dev.glimpse.serving.engine.Task;
import dev.glimpse.serving.image.ImageRejectedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * {@code glimpse caption|ocr|moderate [options] FILE...}: runs one task on image files through the
 * engine and prints one JSON object per file, in argument order. All images are submitted at once
 * so the engine batches them. A file that cannot be read or decoded gets an error line; the exit
 * code is then 1.
 */
final class AnalyzeCommand implements Subcommand {

    private final String name;
    private final Task task;

    private AnalyzeCommand(String name, Task task) {
        this.name = name;
        this.task = task;
    }

    static AnalyzeCommand caption() {
        return new AnalyzeCommand("caption", Task.CAPTION);
    }

    static AnalyzeCommand ocr() {
        return new AnalyzeCommand("ocr", Task.OCR);
    }

    static AnalyzeCommand moderate() {
        return new AnalyzeCommand("moderate", Task.MODERATION);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return switch (task) {
            case CAPTION -> "describe images (one JSON line per file)";
            case OCR -> "read the text in images (one JSON line per file)";
            case MODERATION ->
                    "score images against moderation categories (one JSON line per file)";
        };
    }

    @Override
    public String usage() {
        String taskOptions =
                task == Task.MODERATION
                        ? "  --categories a,b     categories to score (default: the model's)\n"
                        : "  --prompt TEXT        question instead of the task's default\n"
                                + "  --max-new-tokens N   generation cap (default: the model's)\n";
        String result =
                task == Task.MODERATION
                        ? "\"verdict\":{\"flagged\":bool,\"flaggedCategories\":[..],"
                                + "\"scores\":[{\"category\":..,\"probability\":..,\"flagged\":..}]}"
                        : "\"text\":..";
        return "usage: glimpse "
                + name
                + " [options] FILE...\n\n"
                + "Prints one JSON object per file:\n"
                + "  {\"file\":..,\"task\":\""
                + taskName()
                + "\","
                + result
                + ",\"grid\":[cols,rows] or null,\n"
                + "   \"tokens\":{\"prompt\":..,\"visual\":..,\"cached\":..,\"generated\":..},\n"
                + "   \"timings\":{\"queuedMs\":..,\"encodeMs\":..,\"ttftMs\":..,\"totalMs\":..}}\n"
                + "or {\"file\":..,\"error\":{\"reason\":..,\"message\":..}}; exit code 1 if any"
                + " file failed.\n\n"
                + "options:\n"
                + "  --model DIR          model directory (default: the bundled glimpse-tiny)\n"
                + taskOptions
                + "  --threads N          ONNX Runtime intra-op threads\n";
    }

    private String taskName() {
        return task.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public int run(List<String> args, BufferedReader in, PrintStream out) throws UsageException {
        Set<String> allowed =
                task == Task.MODERATION
                        ? Set.of("--model", "--threads", "--categories")
                        : Set.of("--model", "--threads", "--prompt", "--max-new-tokens");
        CliOptions options = CliOptions.parse(args, allowed);
        List<String> files = options.positional();
        if (files.isEmpty()) {
            throw new UsageException("no image files given");
        }
        List<String> categories = options.words("--categories");
        int maxNewTokens = options.positiveInt("--max-new-tokens", 0);
        JsonLines json = new JsonLines(out);
        try (EngineSession session = EngineSession.open(options, files.size())) {
            int queryNum = session.model().manifest().vision().queryNum();
            List<Pending> pending = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                pending.add(prepare(session, i, files.get(i), options, categories, maxNewTokens));
            }
            for (Pending p : pending) {
                if (p.image != null) {
                    p.result = session.engine().submit(p.request);
                }
            }
            int failed = 0;
            for (Pending p : pending) {
                ObjectNode line = p.error != null ? p.error : resultLine(p, queryNum);
                if (line.has("error")) {
                    failed++;
                }
                json.write(line);
            }
            return failed == 0 ? 0 : 1;
        }
    }

    /** A file's preprocessed image and request, or its error line. */
    private static final class Pending {
        String file;
        EngineImage image;
        EngineRequest request;
        CompletableFuture<EngineResult> result;
        ObjectNode error;
    }

    private Pending prepare(
            EngineSession session,
            int index,
            String file,
            CliOptions options,
            List<String> categories,
            int maxNewTokens)
            throws UsageException {
        Pending p = new Pending();
        p.file = file;
        try {
            byte[] bytes = Files.readAllBytes(Path.of(file));
            p.image = session.preprocessor().prepare(bytes, file, task);
        } catch (ImageRejectedException e) {
            p.error = errorLine(file, e.reason().name(), e.getMessage());
            return p;
        } catch (IOException e) {
            p.error = errorLine(file, "UNREADABLE", String.valueOf(e));
            return p;
        }
        EngineRequest.Builder b = EngineRequest.builder(index + ":" + file, p.image, task);
        options.string("--prompt").ifPresent(b::question);
        if (maxNewTokens > 0) {
            b.maxNewTokens(maxNewTokens);
        }
        if (!categories.isEmpty()) {
            b.categories(categories);
        }
        try {
            p.request = b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return p;
    }

    private ObjectNode resultLine(Pending p, int queryNum) {
        EngineResult r;
        try {
            r = p.result.get();
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return errorLine(p.file, "ENGINE", String.valueOf(cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return errorLine(p.file, "INTERRUPTED", "interrupted while waiting");
        }
        ObjectNode line = JsonLines.object();
        line.put("file", p.file);
        line.put("task", taskName());
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
        if (p.image.gridCols() > 0) {
            line.putArray("grid").add(p.image.gridCols()).add(p.image.gridRows());
        } else {
            line.putNull("grid");
        }
        line.putObject("tokens")
                .put("prompt", r.promptTokens())
                .put("visual", p.image.slices().size() * queryNum)
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

    private static ObjectNode errorLine(String file, String reason, String message) {
        ObjectNode line = JsonLines.object();
        line.put("file", file);
        line.putObject("error").put("reason", reason).put("message", message);
        return line;
    }
}
