package dev.glimpse.serving.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.serving.engine.Task;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code glimpse analyze --requests FILE.jsonl}: one request per line, {@code
 * {"file":..,"task":"caption|ocr|moderation","prompt":..,"categories":[..],"maxNewTokens":..,
 * "reviewBelow":..}}, all submitted together so the engine batches them; one output line per
 * request in input order, each starting with the request's line number. A line that is not such an
 * object gets a BAD_REQUEST error line and the others still run; blank lines are skipped.
 */
final class RequestsCommand implements Subcommand {

    /** Cap on the requests file itself, read like an image file (regular files only). */
    static final long MAX_REQUESTS_FILE_BYTES = 64L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS =
            Set.of("file", "task", "prompt", "categories", "maxNewTokens", "reviewBelow");

    @Override
    public String name() {
        return "analyze";
    }

    @Override
    public String summary() {
        return "run a JSONL file of mixed requests (one JSON line per request)";
    }

    @Override
    public String usage() {
        return "usage: glimpse analyze --requests FILE.jsonl [options]\n\n"
                + "Each line of FILE.jsonl is one request:\n"
                + "  {\"file\":\"a.jpg\",\"task\":\"caption|ocr|moderation\",\"prompt\":..,"
                + "\"categories\":[..],\"maxNewTokens\":..,\"reviewBelow\":..}\n"
                + "(prompt and maxNewTokens for caption and ocr, categories for moderation,"
                + " reviewBelow\nfor ocr: adds \"needsReview\"; all optional).\n"
                + "Prints one JSON object per request, in input order, with its \"line\" number:"
                + " the result\n"
                + "fields of 'glimpse caption|ocr|moderate --help', or"
                + " {\"line\":..,\"error\":{\"reason\":..,\"message\":..}}.\n"
                + "Exit code 1 if any request failed.\n\n"
                + "options:\n"
                + "  --requests FILE      the requests (required)\n"
                + "  --model DIR          model directory (default: the bundled glimpse-tiny)\n"
                + "  --threads N          ONNX Runtime intra-op threads\n"
                + "  --timeout SECONDS    per-request limit (default "
                + AnalyzeCommand.DEFAULT_TIMEOUT_S
                + "): then a TIMEOUT error line\n";
    }

    @Override
    public int run(List<String> args, BufferedReader in, PrintStream out) throws UsageException {
        CliOptions options =
                CliOptions.parse(args, Set.of("--requests", "--model", "--threads", "--timeout"));
        if (!options.positional().isEmpty()) {
            throw new UsageException("unexpected argument " + options.positional().get(0));
        }
        String file =
                options.string("--requests")
                        .orElseThrow(() -> new UsageException("--requests FILE is required"));
        Duration timeout =
                Duration.ofSeconds(
                        options.positiveInt("--timeout", AnalyzeCommand.DEFAULT_TIMEOUT_S));
        List<String> lines;
        try {
            lines =
                    new String(
                                    InputFiles.read(Path.of(file), MAX_REQUESTS_FILE_BYTES),
                                    StandardCharsets.UTF_8)
                            .lines()
                            .toList();
        } catch (InputFiles.Rejected e) {
            throw new UsageException(e.reason() + ": " + e.getMessage());
        }
        try (EngineSession session = EngineSession.open(options, lines.size())) {
            AnalysisBatch batch = new AnalysisBatch(session, timeout);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) {
                    continue;
                }
                ObjectNode head = JsonLines.object().put("line", i + 1);
                try {
                    Parsed p = parse(lines.get(i));
                    head.put("file", p.file);
                    batch.add(head, p.file, p.spec);
                } catch (BadRequest e) {
                    batch.addError(head, "BAD_REQUEST", "line " + (i + 1) + ": " + e.getMessage());
                }
            }
            return batch.run(new JsonLines(out)) == 0 ? 0 : 1;
        }
    }

    private record Parsed(String file, RequestSpec spec) {}

    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    private static Parsed parse(String line) throws BadRequest {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadRequest("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new BadRequest("expected a JSON object, got " + abbreviate(line));
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new BadRequest("unknown field \"" + name + "\"; expected " + FIELDS);
            }
        }
        String file = text(node, "file").orElseThrow(() -> new BadRequest("\"file\" is missing"));
        String taskName =
                text(node, "task").orElseThrow(() -> new BadRequest("\"task\" is missing"));
        Task task = task(taskName);
        List<String> categories = new ArrayList<>();
        JsonNode c = node.get("categories");
        if (c != null && !c.isNull()) {
            if (!c.isArray()) {
                throw new BadRequest("\"categories\" must be an array of strings");
            }
            for (JsonNode category : c) {
                if (!category.isTextual()) {
                    throw new BadRequest("\"categories\" must be an array of strings");
                }
                categories.add(category.asText());
            }
        }
        int maxNewTokens = 0;
        JsonNode m = node.get("maxNewTokens");
        if (m != null && !m.isNull()) {
            if (!m.canConvertToInt() || !m.isIntegralNumber() || m.asInt() < 1) {
                throw new BadRequest("\"maxNewTokens\" must be a positive integer, got " + m);
            }
            maxNewTokens = m.asInt();
        }
        Optional<Double> reviewBelow = Optional.empty();
        JsonNode r = node.get("reviewBelow");
        if (r != null && !r.isNull()) {
            if (!r.isNumber()) {
                throw new BadRequest(
                        "\"reviewBelow\" must be a number, got " + abbreviate(r.toString()));
            }
            reviewBelow = Optional.of(r.asDouble());
        }
        try {
            return new Parsed(
                    file,
                    new RequestSpec(
                            task, text(node, "prompt"), categories, maxNewTokens, reviewBelow));
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    private static Optional<String> text(JsonNode node, String field) throws BadRequest {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw new BadRequest(
                    "\"" + field + "\" must be a string, got " + abbreviate(v.toString()));
        }
        return Optional.of(v.asText());
    }

    private static Task task(String name) throws BadRequest {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "caption" -> Task.CAPTION;
            case "ocr" -> Task.OCR;
            case "moderation" -> Task.MODERATION;
            default ->
                    throw new BadRequest(
                            "\"task\" must be caption, ocr or moderation, got \""
                                    + abbreviate(name)
                                    + "\"");
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
