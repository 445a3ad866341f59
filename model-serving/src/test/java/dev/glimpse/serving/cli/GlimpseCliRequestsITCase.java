package dev.glimpse.serving.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.serving.model.ModelDirectory;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code glimpse analyze --requests FILE.jsonl} on the bundled model: mixed tasks run together, one
 * output line per request in input order, and hostile requests (bad lines, a device file, a prompt
 * longer than the model's context, thousands of moderation categories) get error lines while the
 * normal ones still give the golden answers.
 */
class GlimpseCliRequestsITCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path model;
    private static JsonNode golden;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir Path dir;

    @BeforeAll
    static void locateModel() throws Exception {
        model = ModelDirectory.locateBundled();
        assumeTrue(ModelDirectory.isComplete(model), "bundled model not present at " + model);
        golden = JSON.readTree(model.resolve("golden/golden.json").toFile()).get("cases");
    }

    private int run(String... args) {
        return GlimpseCli.standard()
                .run(
                        List.of(args),
                        new BufferedReader(new StringReader("")),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static String image(String name) {
        return model.resolve("golden").resolve(name).toString();
    }

    private static JsonNode goldenCase(String image, String task, String category) {
        for (JsonNode c : golden) {
            if (c.get("image").asText().equals(image)
                    && c.get("task").asText().equals(task)
                    && (category == null || c.get("category").asText().equals(category))) {
                return c;
            }
        }
        throw new AssertionError("no golden case " + image + "/" + task + "/" + category);
    }

    private static String request(String file, String task) {
        return JSON.createObjectNode().put("file", file).put("task", task).toString();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void mixedRequestsAnswerInInputOrderAndHostileOnesGetErrorLines() throws Exception {
        ObjectNode moderation =
                JSON.createObjectNode()
                        .put("file", image("moderation_scene_skull.png"))
                        .put("task", "moderation");
        moderation.putArray("categories").add("radiation").add("skull");
        // far past the model's 1024 positions
        ObjectNode longPrompt =
                JSON.createObjectNode()
                        .put("file", image("caption_112x112.png"))
                        .put("task", "caption")
                        .put("prompt", "describe every detail of this picture ".repeat(2000));
        ObjectNode hugeCategories =
                JSON.createObjectNode()
                        .put("file", image("moderation_scene_skull.png"))
                        .put("task", "moderation");
        for (int i = 0; i < 20_000; i++) {
            hugeCategories.withArray("categories").add("category number " + i);
        }
        Path requests = dir.resolve("requests.jsonl");
        Files.write(
                requests,
                List.of(
                        request(image("caption_112x112.png"), "caption"),
                        longPrompt.toString(),
                        "{not json",
                        "",
                        request(image("ocr_word.png"), "ocr"),
                        hugeCategories.toString(),
                        request(image("ocr_word.png"), "summarize"),
                        request("/dev/zero", "caption"),
                        moderation.toString()),
                StandardCharsets.UTF_8);

        // The engine's admission checks refuse both hostile requests at submit: nobody waits for
        // the 20 s timeout (without the checks the 20000 categories held the engine for minutes).
        long start = System.nanoTime();
        int code = run("analyze", "--requests", requests.toString(), "--timeout", "20");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(1);
        assertThat(seconds).as("seconds for the whole file").isLessThan(20);
        List<JsonNode> lines = lines();
        assertThat(lines)
                .extracting(l -> l.get("line").asInt())
                .containsExactly(1, 2, 3, 5, 6, 7, 8, 9);

        JsonNode caption = lines.get(0);
        assertThat(caption.get("task").asText()).isEqualTo("caption");
        assertThat(caption.get("text").asText())
                .isEqualTo(
                        goldenCase("caption_112x112.png", "caption", null)
                                .get("outputText")
                                .asText());

        assertThat(lines.get(1).get("file").asText()).isEqualTo(image("caption_112x112.png"));
        assertThat(lines.get(1).has("text")).isFalse();
        assertThat(lines.get(1).get("error").get("reason").asText()).isEqualTo("PROMPT_TOO_LONG");

        assertThat(lines.get(2).get("error").get("reason").asText()).isEqualTo("BAD_REQUEST");
        assertThat(lines.get(2).get("error").get("message").asText())
                .startsWith("line 3: not JSON: ");

        assertThat(lines.get(3).get("task").asText()).isEqualTo("ocr");
        assertThat(lines.get(3).get("text").asText())
                .isEqualTo(goldenCase("ocr_word.png", "ocr", null).get("outputText").asText());

        assertThat(lines.get(4).has("verdict")).isFalse();
        assertThat(lines.get(4).get("error").get("reason").asText())
                .isEqualTo("TOO_MANY_CATEGORIES");

        assertThat(lines.get(5).get("error").get("reason").asText()).isEqualTo("BAD_REQUEST");
        assertThat(lines.get(5).get("error").get("message").asText())
                .isEqualTo(
                        "line 7: \"task\" must be caption, ocr or moderation, got \"summarize\"");

        assertThat(lines.get(6).get("file").asText()).isEqualTo("/dev/zero");
        assertThat(lines.get(6).get("error").get("reason").asText())
                .isEqualTo("NOT_A_REGULAR_FILE");

        JsonNode scores = lines.get(7).get("verdict").get("scores");
        assertThat(scores)
                .extracting(s -> s.get("category").asText())
                .containsExactly("radiation", "skull");
        for (JsonNode s : scores) {
            String category = s.get("category").asText();
            assertThat(s.get("probability").asDouble())
                    .as(category)
                    .isCloseTo(
                            goldenCase("moderation_scene_skull.png", "moderation", category)
                                    .get("pYes")
                                    .asDouble(),
                            within(1e-4));
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void reviewBelowAddsNeedsReviewToOcrAndIsABadRequestElsewhereOrOutOfRange() throws Exception {
        String ocr = image("ocr_word.png");
        Path requests = dir.resolve("review.jsonl");
        Files.write(
                requests,
                List.of(
                        JSON.createObjectNode()
                                .put("file", ocr)
                                .put("task", "ocr")
                                .put("reviewBelow", 0.001)
                                .toString(),
                        JSON.createObjectNode()
                                .put("file", image("caption_112x112.png"))
                                .put("task", "caption")
                                .put("reviewBelow", 0.5)
                                .toString(),
                        JSON.createObjectNode()
                                .put("file", ocr)
                                .put("task", "ocr")
                                .put("reviewBelow", 1.5)
                                .toString(),
                        JSON.createObjectNode()
                                .put("file", ocr)
                                .put("task", "ocr")
                                .put("reviewBelow", "low")
                                .toString(),
                        request(ocr, "ocr")),
                StandardCharsets.UTF_8);

        int code = run("analyze", "--requests", requests.toString());

        assertThat(code).isEqualTo(1);
        List<JsonNode> lines = lines();
        // the greedy token is the argmax of 393: its probability is at least 1/393 > 0.001
        assertThat(lines.get(0).get("needsReview").asBoolean()).isFalse();
        assertThat(lines.subList(1, 4))
                .extracting(l -> l.get("error").get("message").asText())
                .containsExactly(
                        "line 2: reviewBelow is for ocr requests, not caption",
                        "line 3: reviewBelow must be in (0, 1), got 1.5",
                        "line 4: \"reviewBelow\" must be a number, got \"low\"");
        assertThat(lines.get(4).has("needsReview")).isFalse();
        assertThat(lines.get(4).get("text")).isEqualTo(lines.get(0).get("text"));
    }

    @Test
    void aMissingRequestsFileIsAUsageError() {
        int code = run("analyze", "--requests", dir.resolve("none.jsonl").toString());

        assertThat(code).isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("glimpse analyze: UNREADABLE: " + dir.resolve("none.jsonl"));
    }
}
