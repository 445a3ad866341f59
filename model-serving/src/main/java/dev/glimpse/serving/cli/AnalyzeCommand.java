package dev.glimpse.serving.cli;

import dev.glimpse.serving.engine.Task;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code glimpse caption|ocr|moderate [options] FILE...}: runs one task on image files through the
 * engine and prints one JSON object per file, in argument order ({@link AnalysisBatch}). All images
 * are submitted at once so the engine batches them. A file that is not a regular file, too large,
 * unreadable, undecodable, refused by the engine or unanswered within {@code --timeout} gets an
 * error line; the exit code is then 1.
 */
final class AnalyzeCommand implements Subcommand {

    /** Default of {@code --timeout}: generous for the CPU, bounded for a stuck request. */
    static final int DEFAULT_TIMEOUT_S = 60;

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
                                + "  --max-new-tokens N   generation cap (default: the model's)\n"
                                + (task == Task.OCR
                                        ? "  --review-below P     add \"needsReview\": true when a"
                                                + " word's min is under P (0..1)\n"
                                        : "");
        String result =
                task == Task.MODERATION
                        ? "\"verdict\":{\"flagged\":bool,\"flaggedCategories\":[..],"
                                + "\"scores\":[{\"category\":..,\"probability\":..,\"flagged\":..}]}"
                        : task == Task.OCR
                                ? "\"text\":..,\"confidence\":{\"mean\":..,\"min\":..},\n"
                                        + "   \"lines\":[{\"text\":..,\"mean\":..,\"min\":..,"
                                        + "\"words\":[{\"text\":..,\"mean\":..,\"min\":..}]}],"
                                        + "\n   \"needsReview\":bool (with --review-below)"
                                : "\"text\":..,\"confidence\":{\"mean\":..,\"min\":..}";
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
                + " file failed.\nOnly regular files up to the decoder's size cap are read.\n"
                + (task == Task.MODERATION
                        ? "\n"
                        : "confidence: the model's probability of each answer token (greedy, softmax at"
                                + " temperature 1),\nas mean and min over the answer"
                                + (task == Task.OCR ? ", each line and each word" : "")
                                + " (null when empty).\n\n")
                + "options:\n"
                + "  --model DIR          model directory (default: the bundled glimpse-tiny)\n"
                + taskOptions
                + "  --threads N          ONNX Runtime intra-op threads\n"
                + "  --timeout SECONDS    per-request limit (default "
                + DEFAULT_TIMEOUT_S
                + "): then a TIMEOUT error line\n";
    }

    private String taskName() {
        return ResultLines.taskName(task);
    }

    @Override
    public int run(List<String> args, BufferedReader in, PrintStream out) throws UsageException {
        Set<String> allowed = new HashSet<>(Set.of("--model", "--threads", "--timeout"));
        allowed.addAll(
                switch (task) {
                    case MODERATION -> Set.of("--categories");
                    case CAPTION -> Set.of("--prompt", "--max-new-tokens");
                    case OCR -> Set.of("--prompt", "--max-new-tokens", "--review-below");
                });
        CliOptions options = CliOptions.parse(args, allowed);
        List<String> files = options.positional();
        if (files.isEmpty()) {
            throw new UsageException("no image files given");
        }
        RequestSpec spec =
                new RequestSpec(
                        task,
                        options.string("--prompt"),
                        options.words("--categories"),
                        options.positiveInt("--max-new-tokens", 0),
                        options.fraction("--review-below"));
        Duration timeout = Duration.ofSeconds(options.positiveInt("--timeout", DEFAULT_TIMEOUT_S));
        try (EngineSession session = EngineSession.open(options, files.size())) {
            AnalysisBatch batch = new AnalysisBatch(session, timeout);
            for (String file : files) {
                batch.add(JsonLines.object().put("file", file), file, spec);
            }
            return batch.run(new JsonLines(out)) == 0 ? 0 : 1;
        }
    }
}
